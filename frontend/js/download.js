// A file behind the API handed over as a download: a plain link cannot carry the bearer token.
import { describeError, getToken, householdHeaders } from './api.js';
import { busy, h, toast } from './dom.js';
import { t } from './i18n.js';

/** A click handler that fetches `/api${path}` and saves it as `filename`, saying so (or why not); with
 * `forHousehold` it asks for the household chosen (History), else for her own data (Settings). */
export const downloadAction = (path, filename, { forHousehold = false } = {}) => async (event) => {
  try {
    const headers = { Authorization: `Bearer ${getToken()}`, ...(forHousehold ? householdHeaders(path) : {}) };
    const res = await busy(event.target, t('Preparing…'), () => fetch(`/api${path}`, {
      headers, signal: AbortSignal.timeout(60_000),
    }), 65_000);
    if (!res.ok) { toast(t('The download failed. Try again.')); return; }
    const url = URL.createObjectURL(await res.blob());
    h('a', { href: url, download: filename }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(t('{file} downloaded.', { file: filename }));
  } catch (err) { toast(describeError(err.name === 'TimeoutError' ? new TypeError('timeout') : err)); }
};

// A file behind the API handed over as a download: a plain link cannot carry the bearer token.
import { describeError, getToken } from './api.js';
import { busy, h, toast } from './dom.js';

/** A click handler that fetches `/api${path}` and saves it as `filename`, saying so (or why not). */
export const downloadAction = (path, filename) => async (event) => {
  try {
    const res = await busy(event.target, 'Preparing…', () => fetch(`/api${path}`, {
      headers: { Authorization: `Bearer ${getToken()}` }, signal: AbortSignal.timeout(60_000),
    }), 65_000);
    if (!res.ok) { toast('The download failed. Try again.'); return; }
    const url = URL.createObjectURL(await res.blob());
    h('a', { href: url, download: filename }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(`${filename} downloaded.`);
  } catch (err) { toast(describeError(err.name === 'TimeoutError' ? new TypeError('timeout') : err)); }
};

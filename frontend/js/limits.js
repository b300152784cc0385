// What the server accepts (SessionFields in server/api/sessions.py, MAX_VOLUME_ML in server/domain/storage.py); a
// test keeps them equal.

/** The bounds of a session's fields: mL per side, minutes, characters of notes, pump and setting, flange mm, pain. */
export const SESSION_LIMITS = {
  maxSideMl: 1000, minMinutes: 1, maxMinutes: 240, maxNotes: 2000, maxPump: 100, maxSetting: 100, minFlangeMm: 10,
  maxFlangeMm: 40, maxPain: 10,
};

/** The most milk one stash container may hold, in mL. */
export const STASH_LIMITS = { maxContainerMl: 2000 };

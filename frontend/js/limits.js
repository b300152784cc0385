// What the server accepts for a session (SessionFields in server/api/sessions.py); a test keeps the two equal.

/** The bounds of a session's fields: mL per side, minutes, and characters of notes. */
export const SESSION_LIMITS = { maxSideMl: 1000, minMinutes: 1, maxMinutes: 240, maxNotes: 2000 };

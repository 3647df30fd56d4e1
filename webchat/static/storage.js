// The session id and a copy of the transcript live in localStorage, so a reload shows the same conversation
// and continues it. localStorage can be missing or full (private windows, quotas): the chat still works,
// just not across reloads.
export const SESSION_KEY = "frontdesk.session";
export const TRANSCRIPT_KEY = "frontdesk.transcript";
export const HISTORY_KEY = "frontdesk.history";
const TRANSCRIPT_LIMIT = 200;

export function load(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key, value) {
  try {
    if (value === null) {
      window.localStorage.removeItem(key);
    } else {
      window.localStorage.setItem(key, value);
    }
  } catch {
    /* see load() */
  }
}

export function loadTranscript() {
  try {
    const entries = JSON.parse(load(TRANSCRIPT_KEY) || "[]");
    return Array.isArray(entries) ? entries.filter(isEntry) : [];
  } catch {
    return [];
  }
}

// Stored entries are read back as data from an untrusted place: only well-formed ones are shown.
export function isEntry(entry) {
  return (
    entry !== null &&
    typeof entry === "object" &&
    (entry.author === "user" || entry.author === "bot") &&
    typeof entry.text === "string"
  );
}

// Keeps the newest entries only; returns what was kept.
export function saveTranscript(transcript) {
  const kept = transcript.length > TRANSCRIPT_LIMIT ? transcript.slice(transcript.length - TRANSCRIPT_LIMIT) : transcript;
  save(TRANSCRIPT_KEY, JSON.stringify(kept));
  return kept;
}

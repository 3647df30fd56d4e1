// Earlier conversations on this browser: a transcript is kept when the customer starts a new conversation or
// the server starts one (an expired session), newest first and at most HISTORY_LIMIT of them, and shown read-only
// at the top of the transcript.
import { renderMessage } from "./messages.js";
import { HISTORY_KEY, isEntry, load, save } from "./storage.js";
import { text } from "./texts.js";

const HISTORY_LIMIT = 10;
const READ_ONLY = { isReady: () => false, choose() {} };

export function loadHistory() {
  try {
    const kept = JSON.parse(load(HISTORY_KEY) || "[]");
    if (!Array.isArray(kept)) {
      return [];
    }
    return kept
      .filter((past) => past && typeof past.at === "number" && Array.isArray(past.entries))
      .map((past) => ({ at: past.at, entries: past.entries.filter(isEntry) }))
      .slice(0, HISTORY_LIMIT);
  } catch {
    return [];
  }
}

// Keeps a finished transcript (only one the customer took part in); returns the history.
export function archive(transcript) {
  const history = loadHistory();
  if (transcript.some((entry) => entry.author === "user")) {
    const started = transcript.find((entry) => typeof entry.at === "number");
    history.unshift({ at: started ? started.at : Date.now(), entries: transcript });
  }
  const kept = history.slice(0, HISTORY_LIMIT);
  save(HISTORY_KEY, kept.length > 0 ? JSON.stringify(kept) : null);
  return kept;
}

// <details> per conversation under one "Earlier conversations" <details>; null when there are none.
export function renderHistory(history) {
  if (history.length === 0) {
    return null;
  }
  const section = document.createElement("details");
  section.className = "history";
  section.setAttribute("data-testid", "history");
  const heading = document.createElement("summary");
  heading.textContent = text("utter_webchat_earlier_conversations").replace("{count}", String(history.length));
  section.appendChild(heading);
  history.forEach((past) => {
    const conversation = document.createElement("details");
    conversation.className = "history__conversation";
    conversation.setAttribute("data-testid", "past-conversation");
    const summary = document.createElement("summary");
    const when = new Date(past.at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    summary.textContent = text("utter_webchat_conversation_from").replace("{date}", when);
    conversation.appendChild(summary);
    past.entries.forEach((entry) => {
      // Named apart from the current conversation's messages (tests and scripts count those).
      const message = renderMessage(entry, READ_ONLY);
      message.setAttribute("data-testid", "past-message");
      message.setAttribute("data-author", entry.author);
      conversation.appendChild(message);
    });
    section.appendChild(conversation);
  });
  return section;
}

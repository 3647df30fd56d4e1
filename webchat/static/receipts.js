// Delivered and read marks on the customer's messages to a person: "Delivered" once the server acknowledged
// the message (socket.io acknowledgement of `user_uttered`), "Read" once the agent holding the conversation
// has seen it in the console (`agent_read`, channels/agent_signals.py). Messages to the assistant carry no
// mark: it answers at once.
import { text } from "./texts.js";

export const SENDING = "sending";
export const DELIVERED = "delivered";
export const READ = "read";
const ORDER = [SENDING, DELIVERED, READ];

// A random id for a message (22 characters of base64url, what channels/guard.py accepts), so the console can
// say later which messages the agent saw.
export function newMessageId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The mark under a message (empty while sending: nothing to say yet).
export function renderReceipt(entry) {
  const mark = document.createElement("span");
  mark.className = "message__receipt";
  mark.setAttribute("data-testid", "message-receipt");
  showReceipt(mark, entry.receipt);
  return mark;
}

function showReceipt(mark, receipt) {
  mark.dataset.receipt = receipt;
  mark.textContent = receipt === READ ? text("utter_webchat_read") : receipt === DELIVERED ? text("utter_webchat_delivered") : "";
}

// Moves entries forward (sending -> delivered -> read, never back) and updates their marks on the page;
// true when anything changed (the caller stores the transcript then).
export function advanceReceipts(container, transcript, ids, receipt) {
  const wanted = new Set(ids);
  let changed = false;
  for (const entry of transcript) {
    if (!entry.receipt || !wanted.has(entry.id) || ORDER.indexOf(entry.receipt) >= ORDER.indexOf(receipt)) {
      continue;
    }
    entry.receipt = receipt;
    changed = true;
    const mark = container.querySelector(`[data-message-id="${entry.id}"] [data-testid="message-receipt"]`);
    if (mark) {
      showReceipt(mark, receipt);
    }
  }
  return changed;
}

// Keyboard shortcuts, off while typing in a field or while a dialog is open:
//   n  the next waiting conversation      c  claim this conversation
//   r  resolve this conversation          m  insert a macro (Ctrl+/ in the reply box)
//   ?  the list of shortcuts
import { report, showNotice } from "./alerts.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { state } from "./state.js";

export const SHORTCUTS = [
  ["n", "Open the next waiting conversation"],
  ["c", "Claim this conversation"],
  ["r", "Resolve this conversation"],
  ["m", "Insert a macro (Ctrl+/ in the reply box)"],
  ["?", "Show these shortcuts"],
];

function typing(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function press(testid) {
  const button = document.querySelector(`[data-testid="${testid}"]`);
  if (button && !button.disabled && button.offsetParent !== null) button.click();
  else showNotice(testid === "claim" ? "Nothing to claim here." : "Nothing to resolve here.");
}

export async function nextConversation() {
  try {
    const data = await api("GET", "/api/queue");
    const current = state.conv ? state.conv.id : null;
    const next = ((data && data.items) || []).find((item) => !item.assignee && item.id !== current);
    if (next) location.hash = `#/tickets/${next.id}`;
    else showNotice("No other conversation is waiting.");
  } catch (error) {
    report(error);
  }
}

function showHelp() {
  const close = el("button", { type: "button", class: "btn", testid: "shortcuts-close" }, "Close");
  const dialog = el("dialog", { class: "confirm-dialog", testid: "shortcuts-help", "aria-label": "Keyboard shortcuts" },
    el("h2", null, "Keyboard shortcuts"),
    el("dl", { class: "kv" }, SHORTCUTS.map(([key, what]) => el("div", { class: "kv-row" }, el("dt", null, el("kbd", null, key)), el("dd", null, what)))),
    el("div", { class: "actions" }, close));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

export function initShortcuts() {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (!state.agent || typing(event.target) || document.querySelector("dialog[open]")) return;
    const actions = {
      n: nextConversation,
      c: () => press("claim"),
      r: () => press("resolve"),
      m: () => (state.conv && state.conv.reply ? state.conv.reply.macros.open() : showNotice("Open a conversation first.")),
      "?": showHelp,
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}

// The reply box under the transcript, and the local copy of a sent reply until the live feed brings it back.
import { agentName } from "../agents.js";
import { report, showAlert } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { formatShortTime } from "../format.js";
import { pollNow } from "../poller.js";
import { state } from "../state.js";
import { buildMacroPicker } from "./macro-picker.js";
import { canWork, isClosed } from "./ticket-rules.js";

export const REPLY_MAX = 2000;
// While the agent writes, the customer's chat shows that they are typing: told at most this often.
const TYPING_NOTE_EVERY_MS = 2000;

const DELIVERY = {
  live: "delivered live",
  email: "customer offline: sent by email",
  stored: "stored; no email on file",
};

export function buildReplyBox(conv) {
  const input = el("textarea", {
    id: "reply-input", class: "reply-input", testid: "reply-input", rows: 3, maxlength: REPLY_MAX,
    placeholder: "Loading…", disabled: true, "aria-describedby": "reply-help",
  });
  const send = el("button", { type: "submit", class: "btn btn-primary", testid: "reply-send", disabled: true }, "Send");
  const status = el("span", { class: "reply-status", testid: "reply-status", role: "status", "aria-live": "polite" });
  const counter = el("span", { class: "muted counter", "aria-hidden": "true" }, `0/${REPLY_MAX}`);
  const macros = buildMacroPicker(conv, input);
  const form = el("form", { class: "reply" },
    el("label", { for: "reply-input", class: "sr-only" }, "Reply to the customer"),
    input,
    macros.popover,
    el("div", { class: "reply-bar" },
      macros.button,
      el("span", { id: "reply-help", class: "muted help" }, "Enter sends · Shift+Enter for a new line · Ctrl+/ macros"),
      status, counter, send));

  input.addEventListener("input", () => {
    counter.textContent = `${input.value.length}/${REPLY_MAX}`;
    if (!input.value) conv.reply.suggestionId = null; // the inserted draft is gone (views/assist.js)
    noteTyping(conv);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) {
      event.preventDefault();
      if (!send.disabled) form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply(conv);
  });
  return { form, input, send, status, counter, macros, sending: false, suggestionId: null };
}

export function updateReplyBox(conv) {
  const reply = conv.reply;
  const ticket = conv.data && conv.data.ticket;
  const canReply = canWork(ticket);
  let hint;
  if (canReply) hint = "Write a reply to the customer…";
  else if (isClosed(ticket)) hint = "This conversation is resolved.";
  else if (ticket && ticket.status !== "open") hint = `This conversation is ${ticket.status || "not open"}.`;
  else if (ticket && ticket.assignee) hint = `Only ${agentName(ticket.assignee, conv.data.agents)} can reply.`;
  else hint = "Claim this conversation to reply.";
  reply.input.placeholder = hint;
  reply.input.disabled = !canReply;
  reply.send.disabled = !canReply || reply.sending;
  reply.macros.button.disabled = !canReply;
  reply.form.classList.toggle("disabled", !canReply);
}

function noteTyping(conv) {
  if (!canWork(conv.data && conv.data.ticket) || !conv.reply.input.value.trim()) return;
  const now = Date.now();
  if (now - (conv.typingNotedAt || 0) < TYPING_NOTE_EVERY_MS) return;
  conv.typingNotedAt = now;
  // Only a hint for the customer: a failure is not worth an alert over the agent's work.
  api("POST", `/api/tickets/${conv.id}/typing`).catch(() => {});
}

async function sendReply(conv) {
  const reply = conv.reply;
  const text = reply.input.value.trim();
  if (reply.sending || reply.input.disabled) return;
  if (!text) {
    reply.status.textContent = "Write something first.";
    reply.status.className = "reply-status warn";
    reply.input.focus();
    return;
  }
  if (text.length > REPLY_MAX) {
    showAlert(`A reply can be at most ${REPLY_MAX} characters.`);
    return;
  }
  reply.sending = true;
  reply.send.disabled = true;
  reply.status.textContent = "Sending…";
  reply.status.className = "reply-status";
  try {
    const data = await api("POST", `/api/tickets/${conv.id}/reply`, { text, suggestion_id: reply.suggestionId || undefined });
    if (state.conv !== conv) return;
    const delivered = data && data.delivered;
    reply.status.textContent = DELIVERY[delivered] || `sent (${delivered || "no delivery information"})`;
    reply.status.className = `reply-status ok delivered-${delivered || "unknown"}`;
    reply.status.dataset.delivered = delivered || "";
    reply.input.value = "";
    reply.suggestionId = null;
    reply.counter.textContent = `0/${REPLY_MAX}`;
    addPendingReply(conv, text, delivered);
    pollNow();
  } catch (error) {
    if (state.conv !== conv) return;
    reply.status.textContent = error.handled ? "" : "Not sent.";
    reply.status.className = "reply-status warn";
    report(error);
  } finally {
    reply.sending = false;
    if (state.conv === conv) {
      updateReplyBox(conv);
      if (!reply.input.disabled) reply.input.focus();
    }
  }
}

// Shows a sent reply right away; the copy from the live feed replaces it when it arrives.
function addPendingReply(conv, text, delivered) {
  const date = new Date();
  const node = el("article", { class: "msg msg-agent pending", data: { author: "agent", pending: "true" } },
    el("header", { class: "msg-meta" },
      el("span", { class: "msg-author" }, (state.agent && state.agent.display_name) || "You"),
      timeElement(date, formatShortTime(date), "msg-time")),
    el("div", { class: "msg-text" }, text),
    el("div", { class: "msg-tools muted" }, DELIVERY[delivered] || "sent"));
  conv.pending.push({ text, node });
  conv.emptyTranscript.remove();
  conv.transcript.append(node);
  conv.transcript.scrollTop = conv.transcript.scrollHeight;
}

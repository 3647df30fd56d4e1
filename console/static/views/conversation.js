// The conversation view of one ticket: header with actions, live transcript, reply box and side panels.
// The transcript polls often; the ticket itself (header, side panels) is refreshed every few polls.
import { rememberAgents } from "../agents.js";
import { clearAlert, report } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden } from "../dom.js";
import { startPoller } from "../poller.js";
import { state } from "../state.js";
import { buildReplyBox, updateReplyBox } from "./reply.js";
import { leaveViews } from "./shell.js";
import { renderSide } from "./side-panels.js";
import { backButton, renderHeader, updateWaiting } from "./ticket-head.js";
import { canWork } from "./ticket-rules.js";
import { addMessages, renderConnection } from "./transcript.js";

const MESSAGES_POLL_MS = 1500;
const TICKET_REFRESH_TICKS = 6; // the open ticket's header and side panel refresh every 6 message polls

export function showTicket(id) {
  const root = $("view-ticket");
  root.setAttribute("data-ticket-id", String(id));

  const conv = {
    id,
    data: null,
    fetchedAt: 0,
    ticks: 0,
    lastTs: 0,
    messages: [], // [{ts, author, text, node}], sorted by ts
    keys: new Set(),
    pending: [], // replies sent from here, shown until the live feed brings them back
    actionsKey: null,
  };
  // The parts of the view call these after a change, without importing this module (which imports them).
  conv.render = () => renderConversation(conv);
  conv.reload = () => loadTicket(conv);

  conv.head = el("div", { class: "conv-head card" }, el("p", { class: "muted" }, `Loading ticket #${id}…`));
  conv.connection = el("p", { class: "connection", testid: "connection-status" },
    el("span", { class: "muted" }, "Checking whether the customer is connected…"));
  conv.transcript = el("div", {
    class: "transcript", testid: "transcript", role: "log", "aria-label": "Conversation transcript", tabindex: "0",
  });
  conv.emptyTranscript = el("p", { class: "muted transcript-empty" }, "No messages yet.");
  conv.transcript.append(conv.emptyTranscript);
  conv.reply = buildReplyBox(conv);
  conv.side = el("aside", { class: "conv-side" });

  conv.grid = el("div", { class: "conv-grid" },
    el("section", { class: "conv-main card", "aria-label": "Conversation" },
      conv.connection, conv.transcript, conv.reply.form),
    conv.side);
  root.append(conv.head, conv.grid);
  setHidden(root, false);
  document.title = `Ticket #${id} — Frontdesk console`;
  state.conv = conv;

  loadTicket(conv)
    .then(() => {
      if (state.conv !== conv) return;
      startPoller(() => convTick(conv), MESSAGES_POLL_MS, "messages");
    })
    .catch((error) => {
      if (state.conv !== conv || (error && error.handled)) return;
      report(error);
      conv.grid.remove();
      const retry = el("button", { type: "button", class: "btn", onclick: () => retryTicket(id) }, "Try again");
      conv.head.replaceChildren(
        el("p", null, error.code === "ticket_not_found"
          ? `Ticket #${id} was not found.`
          : `Ticket #${id} could not be loaded.`),
        el("div", { class: "actions" },
          error.code === "ticket_not_found" ? null : retry,
          backButton()));
    });
}

// The same as following the route again: the view is built anew.
function retryTicket(id) {
  leaveViews();
  clearAlert();
  showTicket(id);
  window.scrollTo(0, 0);
}

async function loadTicket(conv) {
  const data = await api("GET", `/api/tickets/${conv.id}`);
  if (state.conv !== conv) return;
  conv.data = data;
  conv.fetchedAt = Date.now();
  if (data && Array.isArray(data.agents)) rememberAgents(data.agents);
  renderConversation(conv);
  addMessages(conv, (data && data.transcript) || []);
  markSeen(conv);
}

async function convTick(conv) {
  conv.ticks += 1;
  const work = [pollMessages(conv)];
  if (conv.ticks % TICKET_REFRESH_TICKS === 0) work.push(loadTicket(conv));
  await Promise.all(work);
  if (state.conv === conv) updateWaiting(conv);
}

async function pollMessages(conv) {
  const data = await api("GET", `/api/tickets/${conv.id}/messages?after=${encodeURIComponent(String(conv.lastTs))}`);
  if (state.conv !== conv || !data) return;
  renderConnection(conv, data.connected, data.paused);
  addMessages(conv, data.messages || []);
  markSeen(conv);
}

// The agent holding the conversation has its newest customer messages on screen (the tab is visible): the
// customer's chat marks them "Read". Told once per newer customer message.
function markSeen(conv) {
  if (document.hidden || !canWork(conv.data && conv.data.ticket)) return;
  const newest = conv.messages.reduce((max, m) => (m.author === "customer" && m.ts > max ? m.ts : max), 0);
  if (newest <= (conv.seenUntil || 0)) return;
  conv.seenUntil = newest;
  api("POST", `/api/tickets/${conv.id}/read`, { until: newest }).catch(() => {
    if (conv.seenUntil === newest) conv.seenUntil = 0; // try again at the next poll
  });
}

function renderConversation(conv) {
  renderHeader(conv);
  renderSide(conv);
  updateReplyBox(conv);
}

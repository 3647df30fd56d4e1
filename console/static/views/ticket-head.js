// The conversation view's header: the ticket's title, badges, facts, and the actions the agent may take.
import { agentName, availability } from "../agents.js";
import { clearAlert, report, showAlert, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { csatBadge, priorityBadge, reasonBadge, statusBadge } from "../badges.js";
import { el, timeElement } from "../dom.js";
import { formatDateTime, formatWait, parseIso } from "../format.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";
import { canWork, unverifiedMark } from "./ticket-rules.js";

export function backButton() {
  return el("button", { type: "button", class: "btn btn-quiet", testid: "back", onclick: () => { location.hash = "#/queue"; } },
    "← Back to queue");
}

function currentWaitSeconds(conv) {
  const ticket = conv.data && conv.data.ticket;
  if (!ticket || ticket.waiting_seconds === null || ticket.waiting_seconds === undefined) return null;
  const base = Number(ticket.waiting_seconds);
  // The wait stops when someone claims the conversation (or it is closed).
  if (ticket.assignee || ticket.status !== "open") return base;
  return base + (Date.now() - conv.fetchedAt) / 1000;
}

export function updateWaiting(conv) {
  if (conv.waitingNode) conv.waitingNode.textContent = formatWait(currentWaitSeconds(conv));
}

export function renderHeader(conv) {
  const ticket = conv.data.ticket || {};
  const agents = conv.data.agents || [];
  if (!conv.titleRow) {
    conv.titleRow = el("div", { class: "conv-title-row" });
    conv.meta = el("dl", { class: "conv-meta" });
    conv.actions = el("div", { class: "actions", role: "toolbar", "aria-label": "Ticket actions" });
    conv.head.replaceChildren(conv.titleRow, el("div", { class: "conv-head-row" }, conv.meta, conv.actions));
  }

  conv.titleRow.replaceChildren(
    el("h1", { class: "conv-title" },
      el("span", { class: "ticket-id", testid: "ticket-id" }, `#${ticket.id ?? conv.id}`), " ",
      el("span", { testid: "ticket-subject" }, ticket.subject || "(no subject)")),
    el("div", { class: "badges" },
      reasonBadge(ticket.reason, "reason-badge"),
      priorityBadge(ticket.priority),
      statusBadge(ticket.status, "ticket-status"),
      ticket.csat_rating !== null && ticket.csat_rating !== undefined ? csatBadge(ticket.csat_rating) : null),
    el("span", { class: "spacer" }),
    backButton());

  conv.waitingNode = el("dd", { testid: "waiting" }, formatWait(currentWaitSeconds(conv)));
  const created = parseIso(ticket.created_at);
  conv.meta.replaceChildren(
    metaItem("Assignee", ticket.assignee
      ? el("span", { testid: "assignee" }, agentName(ticket.assignee, agents))
      : el("span", { testid: "assignee", class: "muted" }, "unassigned")),
    // Once a person has it or it is closed, the wait is over: say "Waited", and stop counting.
    el("div", { class: "meta-item" },
      el("dt", null, ticket.assignee || ticket.status !== "open" ? "Waited" : "Waiting"), conv.waitingNode),
    metaItem("Created", timeElement(created, formatDateTime(created))),
    metaItem("Customer email", ticket.customer_email
      ? [ticket.customer_email, unverifiedMark(ticket, "email-unverified")]
      : el("span", { class: "muted" }, "none")),
    metaItem("Channel", channelLabel(conv.data.channel)));

  renderActions(conv);
}

const CHANNEL_NAMES = { socketio: "Web chat", rest: "REST", slack: "Slack", telegram: "Telegram" };

// Where the customer is (agent replies go there) and who the platform says they are: never a verified identity.
function channelLabel(channel) {
  if (!channel || !channel.name) return el("span", { testid: "channel", class: "muted" }, "unknown");
  const name = CHANNEL_NAMES[channel.name] || channel.name;
  return el("span", { testid: "channel", data: { channel: channel.name } }, name,
    channel.identity ? el("span", { class: "small muted" }, ` (${channel.identity}, not verified)`) : null);
}

function metaItem(label, value) {
  return el("div", { class: "meta-item" }, el("dt", null, label), el("dd", null, value));
}

function renderActions(conv) {
  const ticket = conv.data.ticket || {};
  const others = (conv.data.agents || []).filter((a) => !state.agent || a.username !== state.agent.username);
  const key = JSON.stringify([
    ticket.assignee, ticket.status, state.agent && state.agent.username,
    others.map((a) => [a.username, a.display_name, a.status, a.online]),
  ]);
  if (key === conv.actionsKey) return; // unchanged: keep the transfer choice and focus as they are
  conv.actionsKey = key;

  const previous = conv.transferSelect ? conv.transferSelect.value : "";
  const buttons = [];

  if (!ticket.assignee && ticket.status === "open") {
    buttons.push(el("button", {
      type: "button", class: "btn btn-primary", testid: "claim",
      onclick: (e) => ticketAction(conv, e.currentTarget, "claim", undefined, "You claimed this conversation."),
    }, "Claim"));
  }

  conv.transferSelect = null;
  if (canWork(ticket)) {
    const select = el("select", { testid: "transfer-select", "aria-label": "Transfer to agent", disabled: !others.length },
      el("option", { value: "" }, others.length ? "Transfer to…" : "No other agents"),
      others.map((agent) => el("option", { value: agent.username },
        `${agent.display_name || agent.username} — ${availability(agent).label.toLowerCase()}`)));
    if (previous && others.some((a) => a.username === previous)) select.value = previous;
    conv.transferSelect = select;
    buttons.push(el("span", { class: "transfer" },
      select,
      el("button", {
        type: "button", class: "btn", testid: "transfer", disabled: !others.length,
        onclick: (e) => {
          const to = select.value;
          if (!to) {
            showAlert("Choose the agent to transfer this conversation to.");
            select.focus();
            return;
          }
          ticketAction(conv, e.currentTarget, "transfer", { to }, `Transferred to ${agentName(to, others)}.`);
        },
      }, "Transfer")));
    buttons.push(el("button", {
      type: "button", class: "btn", testid: "unassign",
      onclick: (e) => ticketAction(conv, e.currentTarget, "unassign", undefined, "Returned to the queue."),
    }, "Unassign"));
    // Optional, for the handoff-quality metric: how useful the context the bot handed over was.
    const rating = el("select", { testid: "context-rating", "aria-label": "How useful was the bot's handover?" },
      el("option", { value: "" }, "Bot's handover: not rated"),
      [5, 4, 3, 2, 1].map((n) => el("option", { value: String(n) }, `Bot's handover: ${n} of 5`)));
    const note = el("input", {
      type: "text", testid: "context-note", maxlength: "500", placeholder: "Note on the handover (optional)",
      "aria-label": "Note on the bot's handover",
    });
    // The header is rebuilt on every refresh: keep what the agent chose and typed.
    rating.value = conv.contextRating || "";
    note.value = conv.contextNote || "";
    rating.addEventListener("change", () => { conv.contextRating = rating.value; });
    note.addEventListener("input", () => { conv.contextNote = note.value; });
    buttons.push(rating, note, el("button", {
      type: "button", class: "btn btn-success", testid: "resolve",
      onclick: async (e) => {
        const button = e.currentTarget;
        const confirmed = await confirmDialog({
          title: `Resolve ticket #${conv.id}?`,
          message: "The conversation goes back to the bot, which asks the customer for a rating.",
          confirmLabel: "Resolve",
        });
        if (!confirmed) return;
        const body = rating.value
          ? { context_rating: Number(rating.value), note: note.value.trim() || null }
          : undefined;
        ticketAction(conv, button, "resolve", body, "Conversation resolved.");
      },
    }, "Resolve"));
  }

  conv.actions.replaceChildren(...buttons);
}

async function ticketAction(conv, button, action, body, successMessage) {
  if (button) button.disabled = true;
  try {
    const data = await api("POST", `/api/tickets/${conv.id}/${action}`, body);
    if (state.conv !== conv) return;
    if (data && data.ticket && conv.data) {
      conv.data.ticket = data.ticket;
      conv.fetchedAt = Date.now();
      conv.render();
    }
    clearAlert("action");
    showNotice(successMessage);
  } catch (error) {
    report(error);
  } finally {
    if (button) button.disabled = false;
    if (state.conv === conv) {
      // Pick up whatever changed (also after a refused action, e.g. someone else claimed first).
      conv.reload().catch((error) => report(error));
    }
  }
}

// The queue: open handoffs, most urgent and longest waiting first, and which agents are around.
import { agentName, availability, rememberAgents } from "../agents.js";
import { api } from "../api.js";
import { priorityBadge, reasonBadge } from "../badges.js";
import { $, el, setHidden } from "../dom.js";
import { formatDateTime, formatShortTime, formatWait, fromUnix, parseIso, truncate } from "../format.js";
import { startPoller } from "../poller.js";
import { state } from "../state.js";
import { unverifiedMark } from "./ticket-rules.js";

const QUEUE_POLL_MS = 3000;
const LAST_MESSAGE_CHARS = 90;
const COLUMNS = 7;

export function showQueue() {
  const root = $("view-queue");
  const tbody = el("tbody", null,
    el("tr", null, el("td", { colspan: COLUMNS, class: "empty" }, "Loading the queue…")));
  const count = el("span", { class: "count", testid: "queue-count" });
  const updated = el("span", { class: "updated muted" });
  const agentsList = el("ul", { class: "agents", testid: "agents" }, el("li", { class: "muted" }, "Loading…"));

  root.append(
    el("div", { class: "page-head" },
      el("h1", null, "Waiting conversations ", count),
      updated),
    el("div", { class: "queue-layout" },
      el("div", { class: "card table-card" },
        el("table", { class: "table queue-table", testid: "queue-table" },
          el("thead", null,
            el("tr", null,
              el("th", { scope: "col" }, "Priority"),
              el("th", { scope: "col" }, "Reason"),
              el("th", { scope: "col" }, "Subject"),
              el("th", { scope: "col" }, "Customer"),
              el("th", { scope: "col" }, "Waiting"),
              el("th", { scope: "col" }, "Assignee"),
              el("th", { scope: "col" }, "Last customer message"))),
          tbody)),
      el("aside", { class: "card agents-card", "aria-labelledby": "agents-title" },
        el("h2", { id: "agents-title" }, "Agents"),
        agentsList)));
  setHidden(root, false);
  document.title = "Queue — Frontdesk console";

  const view = { tbody, count, updated, agentsList };
  state.queue = view;
  startPoller(() => refreshQueue(view), QUEUE_POLL_MS, "queue");
}

async function refreshQueue(view) {
  const data = await api("GET", "/api/queue");
  if (state.queue !== view) return;
  const items = (data && data.items) || [];
  const agents = (data && data.agents) || [];
  rememberAgents(agents);
  renderQueueRows(view, items, agents);
  renderAgents(view.agentsList, agents);
  view.count.textContent = `(${items.length})`;
  view.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  document.title = `Queue (${items.length}) — Frontdesk console`;
}

function renderQueueRows(view, items, agents) {
  if (!items.length) {
    view.tbody.replaceChildren(
      el("tr", null, el("td", { colspan: COLUMNS, class: "empty", testid: "queue-empty" }, "No conversations waiting.")));
    return;
  }
  const me = state.agent && state.agent.username;
  const rows = items.map((item) => {
    const href = `#/tickets/${item.id}`;
    const mine = item.assignee && item.assignee === me;
    const last = item.last_customer_message;
    return el("tr", {
      class: `queue-row${mine ? " mine" : ""}${item.assignee ? "" : " unassigned"}`,
      testid: "queue-row",
      data: { ticketId: item.id },
      onclick: (event) => {
        if (event.target.closest("a")) return; // the link navigates by itself
        location.hash = href;
      },
    },
    el("td", null, priorityBadge(item.priority)),
    el("td", { testid: "queue-reason", data: { reason: item.reason } }, reasonBadge(item.reason)),
    el("td", { class: "subject" },
      el("a", { href }, el("span", { class: "ticket-id" }, `#${item.id}`), " ", item.subject || "(no subject)")),
    el("td", { class: "email" },
      item.customer_email
        ? [item.customer_email, unverifiedMark(item, "queue-unverified")]
        : el("span", { class: "muted" }, "no email")),
    el("td", { class: "nowrap", title: item.created_at ? `Created ${formatDateTime(parseIso(item.created_at))}` : null },
      formatWait(item.waiting_seconds)),
    el("td", { class: "nowrap" },
      item.assignee ? agentName(item.assignee, agents) : el("span", { class: "muted" }, "unassigned")),
    el("td", { class: "last-message", testid: "queue-last-message", title: last || null },
      el("div", { class: "clamp" },
        last ? truncate(last, LAST_MESSAGE_CHARS) : el("span", { class: "muted" }, "—"),
        item.last_customer_message_at
          ? el("span", { class: "small muted last-at" }, ` · ${formatShortTime(fromUnix(item.last_customer_message_at))}`)
          : null)));
  });
  view.tbody.replaceChildren(...rows);
}

function renderAgents(list, agents) {
  if (!agents.length) {
    list.replaceChildren(el("li", { class: "muted" }, "No agents."));
    return;
  }
  const order = { available: 0, away: 1, offline: 2 };
  const sorted = agents.slice().sort((a, b) => {
    const diff = order[availability(a).key] - order[availability(b).key];
    return diff || String(a.display_name || a.username).localeCompare(String(b.display_name || b.username));
  });
  list.replaceChildren(...sorted.map((agent) => {
    const avail = availability(agent);
    return el("li", { class: "agent", testid: "agent", data: { username: agent.username, availability: avail.key } },
      el("span", { class: `dot dot-${avail.key}`, "aria-hidden": "true" }),
      el("span", { class: "agent-name" }, agentName(agent.username, agents)),
      el("span", { class: `agent-state state-${avail.key}` }, avail.label));
  }));
}

// History and search: every ticket, past and present, filtered by status, reason, customer, label, date and
// text. The filters live in the URL's query (#/history?status=solved&label=vip), so a search can be shared.
// kind=bot lists the conversations the bot handled alone instead (history-bots.js), filtered by date.
import { REASONS, reasonBadge, statusBadge } from "../badges.js";
import { $, el, setHidden, timeElement } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { botHref, loadBotConversations } from "./history-bots.js";
import { fetchPage, pager } from "./history-pages.js";

const FILTERS = ["q", "status", "reason", "customer", "label", "from", "to"];
const STATUSES = ["open", "pending", "solved", "closed"];

export function showHistory(query) {
  const root = $("view-history");
  const params = new URLSearchParams(query || "");
  const page = { number: Math.max(Number(params.get("page")) || 1, 1) };
  const bots = params.get("kind") === "bot";
  state.history = page;
  const field = (name, label, control) => el("label", { class: "filter" }, el("span", null, label), control);
  const inputs = {
    q: el("input", { type: "search", name: "q", testid: "history-q", placeholder: "Subject, email or #number", maxlength: "200" }),
    status: el("select", { name: "status", testid: "history-status" }, el("option", { value: "" }, "Any"),
      STATUSES.map((s) => el("option", { value: s }, s))),
    reason: el("select", { name: "reason", testid: "history-reason" }, el("option", { value: "" }, "Any"),
      Object.entries(REASONS).map(([code, label]) => el("option", { value: code }, label))),
    customer: el("input", { type: "text", name: "customer", testid: "history-customer", placeholder: "Email contains", maxlength: "320" }),
    label: el("input", { type: "text", name: "label", testid: "history-label", placeholder: "e.g. vip", maxlength: "30" }),
    from: el("input", { type: "date", name: "from", testid: "history-from" }),
    to: el("input", { type: "date", name: "to", testid: "history-to" }),
  };
  for (const name of FILTERS) inputs[name].value = params.get(name) || "";
  const shown = bots ? ["from", "to"] : FILTERS;
  const labels = { q: "Search", status: "Status", reason: "Reason", customer: "Customer", label: "Label", from: "From", to: "To" };
  const form = el("form", { class: "card pad history-filters", testid: "history-filters", role: "search" },
    shown.map((name) => field(name, labels[name], inputs[name])),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "btn btn-primary", testid: "history-search" }, "Search"),
      el("a", { class: "btn btn-quiet", href: bots ? "#/history?kind=bot" : "#/history" }, "Clear")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of shown) if (inputs[name].value.trim()) next.set(name, inputs[name].value.trim());
    location.hash = bots ? botHref(next) : `#/history${next.toString() ? `?${next}` : ""}`;
  });
  const tab = (label, href, current, testid) =>
    el("a", { class: current ? "btn btn-small btn-primary" : "btn btn-small", href, testid, "aria-current": current ? "page" : null }, label);
  const tabs = el("nav", { class: "actions", "aria-label": "History kind" },
    tab("Tickets", "#/history", !bots, "history-tickets"),
    tab("Bot-only conversations", "#/history?kind=bot", bots, "history-bots"));
  page.results = el("div", { class: "card table-card", testid: "history-results" }, el("p", { class: "muted pad" }, "Searching…"));
  root.append(el("div", { class: "page-head" }, el("h1", null, "History"), tabs), form, page.results);
  setHidden(root, false);
  document.title = "History — Frontdesk console";
  params.delete("page");
  if (bots) loadBotConversations(page, params);
  else load(page, params);
}

async function load(page, params) {
  const data = await fetchPage(page, "/api/history", new URLSearchParams(params));
  if (!data) return;
  const items = data.items || [];
  if (!items.length) {
    page.results.replaceChildren(el("p", { class: "muted pad", testid: "history-empty" }, "No tickets match."));
    return;
  }
  page.results.replaceChildren(
    el("table", { class: "table" },
      el("thead", null, el("tr", null, ["Ticket", "Status", "Reason", "Customer", "Labels", "Agent", "Created"]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, items.map((t) => {
        const created = parseIso(t.created_at);
        return el("tr", { testid: "history-row", data: { ticketId: t.id } },
          el("td", null, el("a", { href: `#/tickets/${t.id}` }, `#${t.id} `, t.subject || "(no subject)")),
          el("td", null, statusBadge(t.status)),
          el("td", null, t.category === "handoff" ? reasonBadge(t.reason) : el("span", { class: "muted" }, t.category)),
          el("td", null, t.customer_email || el("span", { class: "muted" }, "—")),
          el("td", null, (t.labels || []).map((l) => el("span", { class: "chip" }, l))),
          el("td", null, t.assignee || el("span", { class: "muted" }, "—")),
          el("td", { class: "nowrap" }, timeElement(created, formatDateTime(created))));
      }))),
    pager(page, data, params, "ticket", (q) => `#/history${q.toString() ? `?${q}` : ""}`));
}

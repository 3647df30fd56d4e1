// Bot answers agents flagged as wrong, with the answer they should have been, for the trainers.
import { agentName } from "../agents.js";
import { report } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden, timeElement } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { KB_EDITORS } from "./kb-format.js";
import { hasRole } from "./topbar.js";

export function showCorrections() {
  const root = $("view-corrections");
  const body = el("div", { class: "card table-card" }, el("p", { class: "muted pad" }, "Loading corrections…"));
  const refresh = el("button", { type: "button", class: "btn btn-quiet", onclick: () => load() }, "Refresh");
  root.append(
    el("div", { class: "page-head" },
      el("h1", null, "Corrections for trainers"),
      refresh),
    el("p", { class: "muted" }, "Bot answers agents flagged as wrong, newest first.",
      // Trainers and editors turn them into knowledge-base drafts in one click there.
      hasRole(state.agent, ...KB_EDITORS) ? [" ", el("a", { href: "#/kb", testid: "corrections-to-kb" }, "Make knowledge-base drafts from them")] : null),
    body);
  setHidden(root, false);
  document.title = "Corrections — Frontdesk console";
  const view = { body };
  state.corrections = view;

  async function load() {
    refresh.disabled = true;
    try {
      const data = await api("GET", "/api/corrections");
      if (state.corrections !== view) return;
      renderCorrections(view, (data && data.items) || []);
    } catch (error) {
      if (state.corrections === view) report(error);
    } finally {
      refresh.disabled = false;
    }
  }
  load();
}

function renderCorrections(view, items) {
  if (!items.length) {
    view.body.replaceChildren(el("p", { class: "muted pad", testid: "corrections-empty" }, "No corrections yet."));
    return;
  }
  view.body.replaceChildren(
    el("table", { class: "table corrections-table", testid: "corrections-table" },
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "When"),
        el("th", { scope: "col" }, "Ticket"),
        el("th", { scope: "col" }, "Agent"),
        el("th", { scope: "col" }, "Customer said"),
        el("th", { scope: "col" }, "Bot answered"),
        el("th", { scope: "col" }, "Correction"))),
      el("tbody", null, items.map((c) => {
        const created = parseIso(c.created_at);
        return el("tr", { testid: "correction-row", data: { correctionId: c.id } },
          el("td", { class: "nowrap" }, timeElement(created, formatDateTime(created))),
          el("td", { class: "nowrap" }, c.ticket_id !== null && c.ticket_id !== undefined
            ? el("a", { href: `#/tickets/${c.ticket_id}` }, `#${c.ticket_id}`)
            : "—"),
          el("td", { class: "nowrap" }, c.agent ? agentName(c.agent) : "—"),
          el("td", { class: "quote" }, c.customer_text || el("span", { class: "muted" }, "—")),
          el("td", { class: "quote" }, c.bot_text || el("span", { class: "muted" }, "—")),
          el("td", { class: "quote correction" }, c.correction || "—"));
      }))));
}

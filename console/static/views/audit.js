// The audit trail, for admins: who signed in (or failed to), claimed, replied, transferred, resolved and
// flagged, and from where. Only admins see the link; the server refuses everyone else (403) in any case.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden, timeElement } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";

// console/audit/service.py names the actions; one it adds later still shows, as its own name.
const ACTIONS = {
  login: "Signed in",
  login_failed: "Sign-in failed",
  login_throttled: "Sign-in throttled",
  logout: "Signed out",
  claim: "Claimed",
  reply: "Replied",
  transfer: "Transferred",
  unassign: "Unassigned",
  resolve: "Resolved",
  flag: "Flagged a bot answer",
  cancel_order: "Cancelled an order",
  change_size: "Changed an item's size",
  swap_item: "Swapped an item for another product",
  refund: "Refunded",
  resend_invoice: "Resent an invoice",
  tool_refused: "Action refused",
};
// Worth a second look when scanning the trail.
const WARNING_ACTIONS = new Set(["login_failed", "login_throttled", "tool_refused"]);

function actionLabel(code) {
  if (Object.prototype.hasOwnProperty.call(ACTIONS, code)) return ACTIONS[code];
  const text = String(code || "unknown").replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function showAudit() {
  const root = $("view-audit");
  const body = el("div", { class: "card table-card" }, el("p", { class: "muted pad" }, "Loading the audit trail…"));
  const refresh = el("button", { type: "button", class: "btn btn-quiet", onclick: () => load() }, "Refresh");
  root.append(
    el("div", { class: "page-head" },
      el("h1", null, "Audit trail"),
      refresh),
    el("p", { class: "muted" }, "What agents did in the console, newest first."),
    body);
  setHidden(root, false);
  document.title = "Audit — Frontdesk console";
  const view = { body };
  state.audit = view;

  async function load() {
    refresh.disabled = true;
    try {
      const data = await api("GET", "/api/audit");
      if (state.audit !== view) return;
      renderAudit(view, (data && data.items) || []);
    } catch (error) {
      if (state.audit !== view) return;
      report(error);
      if (!error.handled) {
        view.body.replaceChildren(el("p", { class: "muted pad" }, "The audit trail could not be loaded."));
      }
    } finally {
      refresh.disabled = false;
    }
  }
  load();
}

function renderAudit(view, items) {
  if (!items.length) {
    view.body.replaceChildren(el("p", { class: "muted pad", testid: "audit-empty" }, "No audit events yet."));
    return;
  }
  view.body.replaceChildren(
    el("table", { class: "table audit-table", testid: "audit-table" },
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "When"),
        el("th", { scope: "col" }, "Who"),
        el("th", { scope: "col" }, "Action"),
        el("th", { scope: "col" }, "Ticket"),
        el("th", { scope: "col" }, "Address"),
        el("th", { scope: "col" }, "Details"))),
      el("tbody", null, items.map((event) => {
        const at = parseIso(event.at);
        return el("tr", { testid: "audit-row", data: { auditId: event.id, action: event.action } },
          el("td", { class: "nowrap" }, timeElement(at, formatDateTime(at))),
          // The username as recorded: at a failed sign-in it is what was typed, which may be no agent at all.
          el("td", { class: "nowrap" }, event.actor || "—"),
          el("td", { class: "nowrap" },
            el("span", {
              class: `badge audit-action${WARNING_ACTIONS.has(event.action) ? " audit-warning" : ""}`,
              title: event.action,
            }, actionLabel(event.action))),
          el("td", { class: "nowrap" }, event.ticket_id !== null && event.ticket_id !== undefined
            ? el("a", { href: `#/tickets/${event.ticket_id}` }, `#${event.ticket_id}`)
            : "—"),
          el("td", { class: "nowrap mono" }, event.client_address || el("span", { class: "muted" }, "—")),
          el("td", { class: "quote" }, event.details || el("span", { class: "muted" }, "—")));
      }))));
}

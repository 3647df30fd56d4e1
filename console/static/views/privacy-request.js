// One data-subject request: who asked, who decided, and by status: Approve / Reject for a second person
// (the one who asked waits), an erasure's receipt (each store, what was done, the rows), an export's bundle.
import { agentName } from "../agents.js";
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { capitalize, formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";

const STATUS_TEXT = { pending: "Pending", carried_out: "Carried out", rejected: "Rejected", failed: "Failed" };

function when(value) {
  const date = parseIso(value);
  return timeElement(date, formatDateTime(date));
}

function kvRow(label, value, testid) {
  return el("div", { class: "kv-row" }, el("dt", null, label),
    el("dd", { testid }, value ?? el("span", { class: "muted" }, "—")));
}

export function requestCard(page, request) {
  const decided = request.decided_by ? [agentName(request.decided_by), " · ", when(request.decided_at)] : null;
  return el("article", {
    class: `card pad privacy-card privacy-${request.status}`, testid: "privacy-request",
    data: { requestId: request.id, kind: request.kind, status: request.status },
    "aria-labelledby": `privacy-request-${request.id}`,
  },
  el("div", { class: "privacy-card-head" },
    el("h3", { id: `privacy-request-${request.id}` }, `#${request.id} · ${capitalize(request.kind)}`),
    el("span", { class: `badge privacy-status status-${request.status}`, testid: "privacy-status" },
      STATUS_TEXT[request.status] || capitalize(request.status))),
  el("dl", { class: "kv" },
    kvRow("Customer", el("span", { class: "mono" }, request.subject), "privacy-subject"),
    kvRow("Reason", request.reason),
    request.ticket_id ? kvRow("Ticket", el("a", { href: `#/tickets/${request.ticket_id}` }, `#${request.ticket_id}`)) : null,
    kvRow("Asked by", [agentName(request.requested_by), " · ", when(request.requested_at)], "privacy-requested-by"),
    kvRow("Decided by", decided, "privacy-decided-by")),
  outcome(page, request));
}

function outcome(page, request) {
  if (request.status === "pending") return decision(page, request);
  const result = request.result || {};
  if (request.status === "rejected") {
    return el("p", { class: "small", testid: "privacy-rejection" }, "Rejected", result.note ? `: ${result.note}` : ".");
  }
  if (request.status !== "carried_out") return null;
  if (request.kind === "erasure") return receiptTable(result);
  if (!request.has_bundle) {
    return el("p", { class: "small muted", testid: "privacy-no-bundle" }, "The export's bundle is no longer kept.");
  }
  return el("p", { class: "privacy-download" },
    el("a", {
      class: "btn btn-small", href: `/api/privacy/requests/${request.id}/bundle`, download: `customer-data-request-${request.id}.zip`,
      testid: "privacy-bundle",
    }, "Download the export (zip)"),
    typeof result.bytes === "number" ? el("span", { class: "small muted" }, ` ${formatBytes(result.bytes)}`) : null);
}

function formatBytes(bytes) {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KB`;
}

function receiptTable(receipt) {
  const stores = receipt.stores || [];
  return el("div", { class: "privacy-receipt", testid: "privacy-receipt" },
    el("h4", null, "Erasure receipt", receipt.erased_at ? el("span", { class: "small muted" }, " · ", when(receipt.erased_at)) : null),
    el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `Erasure receipt of request ${receipt.request_id || ""}` },
      el("table", { class: "table compact" },
        el("thead", null, el("tr", null,
          el("th", { scope: "col" }, "Store"), el("th", { scope: "col" }, "Action"), el("th", { scope: "col", class: "num" }, "Rows"))),
        el("tbody", null, stores.length
          ? stores.map((entry) => el("tr", { testid: "receipt-row", data: { store: entry.store, rows: entry.rows } },
            el("td", { class: "mono" }, entry.store), el("td", null, entry.action), el("td", { class: "num" }, String(entry.rows))))
          : el("tr", null, el("td", { colspan: "3", class: "muted" }, "No store held anything about the customer."))))));
}

// The one who asked sees that a second person must approve; anyone else with the role decides. The server
// refuses the requester's own decision (403 maker_checker) whatever the page shows.
function decision(page, request) {
  if (state.agent && state.agent.username === request.requested_by) {
    return el("p", { class: "small privacy-waiting", testid: "privacy-waiting" },
      "Waiting for a second person: someone else with the privacy role must approve or reject it.");
  }
  const approve = el("button", { type: "button", class: request.kind === "erasure" ? "btn btn-danger" : "btn btn-primary", testid: "privacy-approve" },
    request.kind === "erasure" ? "Approve and erase" : "Approve and export");
  const reject = el("button", { type: "button", class: "btn", testid: "privacy-reject" }, "Reject");
  const status = el("span", { class: "small muted", role: "status" });
  const buttons = [approve, reject];
  const busy = (on, text) => {
    buttons.forEach((button) => { button.disabled = on; });
    status.textContent = text || "";
  };
  approve.addEventListener("click", () => approveRequest(page, request, busy));
  reject.addEventListener("click", () => rejectRequest(page, request, busy));
  return el("div", { class: "actions privacy-decision" }, approve, reject, status);
}

async function approveRequest(page, request, busy) {
  if (request.kind === "erasure") {
    const confirmed = await confirmDialog({
      title: `Erase the data of ${request.subject}?`,
      message: "What every store holds about this customer (conversations, backend records, attachments) is erased and a receipt is kept. This cannot be undone.",
      confirmLabel: "Erase",
      danger: true,
    });
    if (!confirmed) return;
  }
  busy(true, request.kind === "erasure" ? "Erasing…" : "Gathering the export…");
  try {
    await api("POST", `/api/privacy/requests/${request.id}/approve`);
    if (state.privacy !== page) return;
    clearAlert("action");
    showNotice(request.kind === "erasure" ? `Request #${request.id}: the customer's data is erased.` : `Request #${request.id}: the export is ready.`);
  } catch (error) {
    if (state.privacy !== page) return;
    report(error);
  } finally {
    busy(false);
  }
  page.reload();
}

async function rejectRequest(page, request, busy) {
  const values = await confirmDialog({
    title: `Reject request #${request.id}?`,
    message: "Nothing is exported or erased. Say why, for the audit log.",
    confirmLabel: "Reject",
    fields: [{ name: "note", label: "Why", required: true, multiline: true, maxLength: 500 }],
  });
  if (!values) return;
  busy(true, "Rejecting…");
  try {
    await api("POST", `/api/privacy/requests/${request.id}/reject`, { note: values.note });
    if (state.privacy !== page) return;
    clearAlert("action");
    showNotice(`Request #${request.id} rejected.`);
  } catch (error) {
    if (state.privacy !== page) return;
    report(error);
  } finally {
    busy(false);
  }
  page.reload();
}

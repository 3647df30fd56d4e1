// The registry's audit log (newest first) and Roll back (approvers and admins), which needs a reason.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";

const ACTIONS = {
  model_registered: "Registered",
  model_gate_passed: "Gate passed",
  model_gate_failed: "Gate failed",
  model_approved: "Approved",
  model_approval_refused: "Approval refused",
  model_promoted: "Promoted",
  model_retired: "Retired",
  model_rolled_back: "Rolled back",
};
const WARNING = new Set(["model_gate_failed", "model_approval_refused", "model_rolled_back"]);
const SHOWN_DETAILS = ["reason", "to", "replaces"];

function actionLabel(code) {
  if (Object.prototype.hasOwnProperty.call(ACTIONS, code)) return ACTIONS[code];
  const text = String(code || "unknown").replace(/^model_/, "").replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export async function loadRegistryAudit(page) {
  const token = {};
  page.auditToken = token;
  try {
    const data = await api("GET", "/api/registry/audit");
    if (state.models !== page || page.auditToken !== token) return;
    renderAudit(page, (data && data.items) || []);
  } catch (error) {
    if (state.models !== page) return;
    report(error);
  }
}

function details(event) {
  const parts = [];
  for (const key of SHOWN_DETAILS) {
    if (event[key]) parts.push(key === "reason" ? String(event[key]) : `${key} ${event[key]}`);
  }
  return parts.length ? parts.join(" · ") : el("span", { class: "muted" }, "—");
}

function renderAudit(page, items) {
  if (!items.length) {
    page.audit.replaceChildren(el("p", { class: "muted pad" }, "Nothing in the registry log yet."));
    return;
  }
  page.audit.replaceChildren(el("table", { class: "table compact audit-table" },
    el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "When"), el("th", { scope: "col" }, "Who"), el("th", { scope: "col" }, "Action"),
      el("th", { scope: "col" }, "Model"), el("th", { scope: "col" }, "Details"))),
    el("tbody", null, items.map((event) => {
      const at = parseIso(event.at);
      return el("tr", { testid: "registry-audit-row", data: { action: event.action, version: event.version } },
        el("td", { class: "nowrap" }, timeElement(at, formatDateTime(at))),
        el("td", { class: "nowrap" }, event.actor || "—"),
        el("td", { class: "nowrap" }, el("span", {
          class: `badge audit-action${WARNING.has(event.action) ? " audit-warning" : ""}`, title: event.action,
        }, actionLabel(event.action))),
        el("td", { class: "nowrap mono" }, event.version || "—"),
        el("td", { class: "quote" }, details(event)));
    }))));
}

// A button whose update(production) enables it only when production replaced an earlier model.
export function rollbackButton(page) {
  const button = el("button", {
    type: "button", class: "btn btn-danger", testid: "rollback-button", disabled: true,
    onclick: () => rollback(page, button.target),
  }, "Roll back");
  button.update = (current) => {
    button.target = current && current.replaces ? { from: current.version, to: current.replaces } : null;
    button.disabled = !button.target;
    button.title = button.target
      ? `Serve ${button.target.to} again instead of ${button.target.from}`
      : "The production model replaced no earlier model.";
  };
  return button;
}

async function rollback(page, target) {
  if (!target) return;
  const values = await confirmDialog({
    title: `Roll back to ${target.to}?`,
    message: `${target.from} is retired and Rasa serves ${target.to} again at its next pull.`,
    confirmLabel: "Roll back",
    danger: true,
    fields: [{ name: "reason", label: "Reason", required: true, multiline: true, maxLength: 500, placeholder: "What went wrong" }],
  });
  if (!values) return;
  try {
    const model = await api("POST", "/api/registry/rollback", { reason: values.reason });
    if (state.models !== page) return;
    showNotice(`Rolled back: ${model && model.version ? model.version : target.to} is in production again.`);
  } catch (error) {
    report(error);
  }
  if (state.models === page) page.reload();
}

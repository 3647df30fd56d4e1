// One registered model: where it came from, its promotion gate (checks, NLU figures against production, F1
// drops, the replay's changed predictions) and, for approvers, Approve / Promote.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { capitalize, formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";

const SET_NAMES = { nlu: "Held-out set", independent: "Independent set" };

export function modelStatusBadge(status) {
  return el("span", { class: `badge model-status model-${status || "unknown"}`, testid: "model-status" }, capitalize(status || "unknown"));
}

export function gateBadge(passed) {
  const value = passed === true ? "passed" : passed === false ? "failed" : "pending";
  const text = passed === true ? "Passed" : passed === false ? "Failed" : "Not run";
  return el("span", { class: `badge gate gate-${value}`, testid: "gate-badge", data: { gate: value } }, text);
}

export async function showModelDetail(page, version) {
  const token = {};
  page.detailToken = token;
  if (page.detail.dataset.version !== version) {
    page.detail.replaceChildren(el("p", { class: "muted pad" }, `Loading ${version}…`));
  }
  try {
    const model = await api("GET", `/api/registry/models/${encodeURIComponent(version)}`);
    if (state.models !== page || page.detailToken !== token) return;
    page.detail.dataset.version = version;
    page.detail.replaceChildren(...renderDetail(page, model));
  } catch (error) {
    if (state.models !== page || page.detailToken !== token) return;
    report(error);
  }
}

function when(value) {
  const date = parseIso(value);
  return timeElement(date, formatDateTime(date));
}

function kvRow(label, value) {
  return el("div", { class: "kv-row" }, el("dt", null, label), el("dd", null, value ?? el("span", { class: "muted" }, "—")));
}

function renderDetail(page, model) {
  const gate = model.gate || {};
  return [
    el("div", { class: "panel" },
      el("div", { class: "detail-head" },
        el("h2", { class: "mono", testid: "detail-version" }, model.version),
        el("div", { class: "badges" }, modelStatusBadge(model.status), gateBadge(model.gate_passed))),
      page.canApprove ? decisionButtons(page, model) : null,
      el("dl", { class: "kv" },
        kvRow("Rasa model id", model.model_id ? el("code", null, model.model_id) : null),
        kvRow("Trained", [model.trained_by, " · ", when(model.trained_at)]),
        kvRow("Labelled by", model.labelled_by && model.labelled_by.length ? model.labelled_by.join(", ") : null),
        kvRow("Approved", model.approved_by ? [model.approved_by, " · ", when(model.approved_at)] : null),
        kvRow("Promoted", model.promoted_at ? when(model.promoted_at) : null),
        kvRow("Replaces", model.replaces),
        kvRow("Git commit", model.git_commit ? el("code", null, model.git_commit.slice(0, 12)) : null),
        kvRow("Data / config", el("code", { class: "small" }, `${short(model.data_hash)} / ${short(model.config_hash)}`)),
        model.note ? kvRow("Note", model.note) : null)),
    gateSection(gate, model.gate_passed),
  ];
}

function short(hash) {
  return hash ? String(hash).slice(0, 10) : "—";
}

// Approve needs a candidate that passed the gate; Promote an approved model. The reason a button is disabled
// is shown beside it; the server's own refusals (maker-checker) go to the alert area.
function decisionButtons(page, model) {
  let approveWhy = null;
  if (model.status !== "candidate") approveWhy = `Only candidates can be approved (this one is ${model.status}).`;
  else if (model.gate_passed === false) approveWhy = "The gate failed: this model can never be approved.";
  else if (model.gate_passed !== true) approveWhy = "The gate has not run yet.";
  const promoteWhy = model.status === "approved" ? null : "Only an approved model can be promoted.";
  const approve = el("button", {
    type: "button", class: "btn btn-primary", testid: "approve-button", disabled: Boolean(approveWhy),
    title: approveWhy, onclick: () => decide(page, model, "approve"),
  }, "Approve");
  const promote = el("button", {
    type: "button", class: "btn btn-success", testid: "promote-button", disabled: Boolean(promoteWhy),
    title: promoteWhy, onclick: () => decide(page, model, "promote"),
  }, "Promote to production");
  const why = model.status === "approved" ? null : approveWhy || "Approve it first; then it can be promoted.";
  return el("div", { class: "decision" },
    el("div", { class: "actions" }, approve, promote),
    why ? el("p", { class: "small muted", testid: "decision-hint" }, why) : null);
}

async function decide(page, model, action) {
  const promoting = action === "promote";
  const values = await confirmDialog({
    title: promoting ? `Promote ${model.version} to production?` : `Approve ${model.version}?`,
    message: promoting
      ? "Rasa switches to it at its next pull; the current production model is retired and can be rolled back to."
      : "You confirm the gate report and the changed predictions look right. Someone who trained the model or labelled its data cannot approve it.",
    confirmLabel: promoting ? "Promote" : "Approve",
    fields: [{ name: "reason", label: "Reason", multiline: true, maxLength: 500, placeholder: "For the audit log" }],
  });
  if (!values) return;
  try {
    await api("POST", `/api/registry/models/${encodeURIComponent(model.version)}/${action}`, { reason: values.reason || "" });
    if (state.models !== page) return;
    showNotice(promoting ? `${model.version} is now in production.` : `${model.version} approved.`);
  } catch (error) {
    report(error);
  }
  if (state.models === page) page.reload();
}

function gateSection(gate, passed) {
  if (!gate || !Object.keys(gate).length) {
    return el("div", { class: "panel gate-panel" }, el("h3", null, "Promotion gate"),
      el("p", { class: "muted" }, passed === null || passed === undefined ? "The gate has not run for this model." : "No gate report was stored."));
  }
  const sets = Object.keys(SET_NAMES).filter((name) => gate[name]);
  return el("div", { class: "panel gate-panel" },
    el("h3", null, "Promotion gate"),
    gate.compared_with ? el("p", { class: "small muted" }, "Compared with ", el("span", { class: "mono" }, gate.compared_with)) : null,
    el("ul", { class: "gate-checks" }, (gate.checks || []).map((check) => el("li", {
      class: `gate-check ${check.passed ? "ok" : "bad"}`, testid: "gate-check", data: { passed: check.passed ? "true" : "false" },
    }, el("span", { class: "gate-mark", "aria-hidden": "true" }, check.passed ? "✓" : "✗"),
    el("span", { class: "sr-only" }, check.passed ? "Passed: " : "Failed: "),
    el("span", { class: "gate-name" }, check.name), el("span", { class: "small muted gate-detail" }, check.detail)))),
    sets.length ? nluTable(gate, sets) : null,
    sets.map((name) => dropsList(name, gate[name].f1_drops)),
    gate.stories ? el("p", { class: "small", testid: "gate-stories" },
      `Dialogue stories failed: candidate ${gate.stories.candidate_failed ?? "—"}, production ${gate.stories.production_failed ?? "—"}.`) : null,
    gate.replay ? replaySection(gate.replay) : null);
}

function pct(value) {
  return typeof value === "number" ? `${(value * 100).toFixed(1)} %` : "—";
}

function nluTable(gate, sets) {
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "NLU figures" },
    el("table", { class: "table compact nlu-table", testid: "gate-nlu" },
      el("thead", null, el("tr", null, el("th", { scope: "col" }, "Set"),
        el("th", { scope: "col", class: "num" }, "Accuracy"), el("th", { scope: "col", class: "num" }, "Macro F1"))),
      el("tbody", null, sets.flatMap((name) => {
        const row = gate[name];
        const cand = row.candidate || {};
        const prod = row.production || null;
        return [
          el("tr", { data: { set: name } }, el("th", { scope: "row" }, SET_NAMES[name], el("span", { class: "small muted" }, " · candidate")),
            el("td", { class: "num" }, pct(cand.accuracy)), el("td", { class: "num" }, pct(cand.macro_f1))),
          prod ? el("tr", { class: "muted" }, el("th", { scope: "row" }, el("span", { class: "small" }, "production")),
            el("td", { class: "num" }, pct(prod.accuracy)), el("td", { class: "num" }, pct(prod.macro_f1))) : null,
        ];
      }))));
}

function dropsList(name, drops) {
  if (!drops || !drops.length) return null;
  return el("div", { class: "f1-drops", testid: "f1-drops" },
    el("h3", null, `F1 drops · ${SET_NAMES[name] || name}`),
    el("ul", { class: "plain-list" }, drops.map((d) => el("li", { testid: "f1-drop", data: { intent: d.intent } },
      el("span", { class: "mono" }, d.intent), ` ${Number(d.before).toFixed(2)} → ${Number(d.after).toFixed(2)}`))));
}

function replaySection(replay) {
  const examples = replay.examples || [];
  return el("div", { class: "replay", testid: "gate-replay" },
    el("h3", null, "Replay of recent messages"),
    el("p", { class: "small" }, `${replay.changed ?? 0} of ${replay.messages ?? 0} predictions change`,
      examples.length && examples.length < (replay.changed || 0) ? ` (first ${examples.length} shown)` : "", "."),
    examples.length ? el("ul", { class: "replay-list" }, examples.map((ex) => el("li", { testid: "replay-change" },
      el("span", { class: "replay-text" }, ex.text),
      el("span", { class: "replay-intents small" },
        el("span", { class: "mono" }, ex.production), " → ", el("span", { class: "mono strong" }, ex.candidate))))) : null);
}

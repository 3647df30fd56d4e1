// The model registry, for trainers, approvers and admins: what Rasa serves now, every registered model with
// its gate result, a selected model's gate report (models-detail.js), training a candidate
// (models-training.js) and the registry's audit log with rollback (models-audit.js). The server checks every
// role again; the page only decides what it offers.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden, timeElement } from "../dom.js";
import { formatShortTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { loadRegistryAudit, rollbackButton } from "./models-audit.js";
import { gateBadge, modelStatusBadge, showModelDetail } from "./models-detail.js";
import { trainingCard } from "./models-training.js";
import { hasRole } from "./topbar.js";

const SERVED_RECHECK_MS = 4000;

export function showModels() {
  const root = $("view-models");
  const agent = state.agent;
  document.title = "Models — Frontdesk console";
  setHidden(root, false);
  if (!hasRole(agent, "trainer", "approver", "admin")) {
    root.append(el("h1", null, "Models"), el("p", { class: "muted", testid: "models-forbidden" }, "Only trainers, approvers and admins see the models."));
    return;
  }
  const page = {
    items: [],
    served: null,
    selected: null,
    canTrain: hasRole(agent, "trainer"),
    canApprove: hasRole(agent, "approver"),
    canRollback: hasRole(agent, "approver", "admin"),
    servedBox: el("div", { class: "card pad served", testid: "served-model" }, el("span", { class: "muted" }, "Loading…")),
    table: el("div", { class: "card table-card", testid: "models-table" }, el("p", { class: "muted pad" }, "Loading models…")),
    detail: el("div", { class: "card model-detail-card", testid: "model-detail" },
      el("p", { class: "muted pad" }, "Select a model to see its gate report.")),
    audit: el("div", { class: "card table-card", testid: "registry-audit" }, el("p", { class: "muted pad" }, "Loading…")),
  };
  page.reload = () => {
    loadModels(page);
    loadRegistryAudit(page); // not after the models: their answer waits on Rasa's /status
  };
  state.models = page;
  const refresh = el("button", { type: "button", class: "btn btn-quiet", onclick: () => page.reload() }, "Refresh");
  page.rollback = page.canRollback ? rollbackButton(page) : null;
  page.training = trainingCard(page);
  root.append(
    el("div", { class: "page-head" }, el("h1", null, "Models"), el("div", { class: "actions" }, page.rollback, refresh)),
    el("p", { class: "muted" }, "Models Rasa can serve. A candidate ships after it passes the gate, is approved and promoted."),
    el("div", { class: "models-top" }, page.servedBox, page.training.card),
    el("div", { class: "models-layout" },
      el("section", { "aria-label": "Registered models" }, page.table),
      el("section", { "aria-label": "Selected model" }, page.detail)),
    el("h2", { class: "section-title" }, "Registry log"),
    page.audit);
  page.reload();
  page.training.start();
}

async function loadModels(page) {
  const token = {}; // only the latest of overlapping loads (Refresh, the served re-check) draws
  page.modelsToken = token;
  try {
    const data = await api("GET", "/api/registry/models");
    if (state.models !== page || page.modelsToken !== token) return;
    page.items = (data && data.items) || [];
    page.served = (data && data.served) || null;
    renderServed(page);
    renderTable(page);
    if (page.rollback) page.rollback.update(production(page));
    const keep = page.selected && page.items.find((m) => m.version === page.selected);
    if (keep) showModelDetail(page, keep.version);
  } catch (error) {
    if (state.models !== page || page.modelsToken !== token) return;
    report(error);
    if (!error.handled) page.table.replaceChildren(el("p", { class: "muted pad" }, "The models could not be loaded."));
  }
}

export function production(page) {
  return page.items.find((m) => m.status === "production") || null;
}

function servedVersion(page) {
  if (!page.served || !page.served.model_id) return null;
  const match = page.items.find((m) => m.model_id && m.model_id === page.served.model_id);
  return match ? match.version : null;
}

function renderServed(page) {
  const served = page.served;
  const version = servedVersion(page);
  const prod = production(page);
  page.servedBox.dataset.version = version || "";
  if (!served) {
    // Loading a model blocks Rasa for a while: ask again rather than leave the answer stale.
    page.servedBox.replaceChildren(el("strong", null, "Serving now: "), el("span", { class: "muted" }, "Rasa could not be asked (it may be loading a model); asking again…"));
    recheckServed(page);
    return;
  }
  const behind = prod && version !== prod.version;
  if (behind) recheckServed(page);
  page.servedBox.replaceChildren(
    el("div", null, el("strong", null, "Serving now: "),
      version ? el("span", { testid: "served-version" }, version) : el("span", { class: "muted" }, "a model not in the registry")),
    el("div", { class: "small muted" }, "Rasa model id ", el("code", null, served.model_id || "—")),
    behind ? el("div", { class: "small warn-text", testid: "served-behind" },
      `Production is ${prod.version}; Rasa switches at its next pull.`) : "");
}

// Until Rasa has pulled the production model, look again every few seconds (one timer at a time).
function recheckServed(page) {
  if (page.recheck) return;
  page.recheck = setTimeout(() => {
    page.recheck = null;
    if (state.models !== page) return;
    if (document.hidden) recheckServed(page);
    else page.reload();
  }, SERVED_RECHECK_MS);
}

function renderTable(page) {
  if (!page.items.length) {
    page.table.replaceChildren(el("p", { class: "muted pad" }, "No models registered yet."));
    return;
  }
  const served = servedVersion(page);
  page.table.replaceChildren(el("table", { class: "table models-table" },
    el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "Version"),
      el("th", { scope: "col" }, "Status"),
      el("th", { scope: "col" }, "Gate"),
      el("th", { scope: "col" }, "Trained"),
      el("th", { scope: "col" }, "Approver"))),
    el("tbody", null, page.items.map((model) => {
      const trainedAt = parseIso(model.trained_at);
      const selected = model.version === page.selected;
      return el("tr", {
        class: `model-row${selected ? " selected" : ""}`, testid: "model-row",
        data: { version: model.version, status: model.status, served: model.version === served ? "true" : "false" },
        "aria-selected": selected ? "true" : "false",
      },
      el("td", null,
        el("button", { type: "button", class: "version-button mono", testid: "model-select", onclick: () => select(page, model.version) },
          model.version),
        model.version === served ? el("span", { class: "badge served-badge", testid: "served-badge" }, "Served") : null),
      el("td", null, modelStatusBadge(model.status)),
      el("td", null, gateBadge(model.gate_passed)),
      el("td", null, el("div", null, model.trained_by), el("div", { class: "small muted nowrap" }, timeElement(trainedAt, formatShortTime(trainedAt)))),
      el("td", null, model.approved_by || el("span", { class: "muted" }, "—")));
    }))));
}

function select(page, version) {
  page.selected = version;
  for (const row of page.table.querySelectorAll("[data-testid='model-row']")) {
    const on = row.dataset.version === version;
    row.classList.toggle("selected", on);
    row.setAttribute("aria-selected", on ? "true" : "false");
  }
  showModelDetail(page, version);
}

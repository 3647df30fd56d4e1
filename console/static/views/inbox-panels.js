// Below the inbox: how much trainers agree (Cohen's kappa, overall and per intent, over messages two trainers
// labelled) and a preview of what an export would change in the NLU data (a patch; nothing is written).
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { state } from "../state.js";

export function panelsSection(page) {
  const agreement = el("div", { class: "card panel", testid: "agreement" },
    el("h2", null, "Agreement"), el("p", { class: "muted small" }, "Loading…"));
  const exported = el("div", { class: "card panel", testid: "export-preview" },
    el("h2", null, "Export preview"), el("p", { class: "muted small" }, "Preparing the preview (this can take a few seconds)…"));
  const root = el("div", { class: "inbox-panels" }, agreement, exported);
  // After a label only the agreement reloads: the export preview takes the server seconds, so it is marked
  // out of date and reloads when asked.
  return { root, agreement, exported, reload: () => {
    loadAgreement(page);
    const stale = exported.querySelector("[data-testid='export-stale']");
    if (stale) stale.hidden = false;
  } };
}

export function loadPanels(page) {
  loadAgreement(page);
  loadExport(page);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function kappaText(value) {
  return typeof value === "number" ? value.toFixed(2) : "—";
}

function kappaClass(value) {
  if (typeof value !== "number") return "kappa";
  return value >= 0.8 ? "kappa good" : value >= 0.6 ? "kappa fair" : "kappa poor";
}

async function loadAgreement(page) {
  const box = page.panels.agreement;
  try {
    const data = await api("GET", "/api/inbox/agreement");
    if (state.inbox !== page) return;
    const rows = (data && data.per_intent) || [];
    box.replaceChildren(
      el("h2", null, "Agreement"),
      el("p", { class: "small muted" }, "Cohen's kappa between trainers on messages two of them labelled. 1 is full agreement."),
      el("p", { testid: "agreement-overall" }, "Overall ", el("strong", { class: kappaClass(data && data.overall) }, kappaText(data && data.overall)),
        el("span", { class: "small muted" }, ` over ${plural((data && data.items) || 0, "message")}`)),
      rows.length
        ? el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Agreement per intent" },
          el("table", { class: "table compact" },
            el("thead", null, el("tr", null, el("th", { scope: "col" }, "Intent"),
              el("th", { scope: "col", class: "num" }, "Kappa"), el("th", { scope: "col", class: "num" }, "Messages"))),
            el("tbody", null, rows.map((row) => el("tr", { testid: "agreement-row", data: { intent: row.intent } },
              el("td", { class: "mono" }, row.intent),
              el("td", { class: "num" }, el("span", { class: kappaClass(row.kappa) }, kappaText(row.kappa))),
              el("td", { class: "num" }, String(row.items)))))))
        : el("p", { class: "small muted" }, "No message has two trainers' labels yet."));
  } catch (error) {
    if (state.inbox === page) report(error);
  }
}

function count(value) {
  if (Array.isArray(value)) return value.length;
  return Number(value) || 0;
}

async function loadExport(page) {
  const box = page.panels.exported;
  try {
    const data = await api("GET", "/api/inbox/export");
    if (state.inbox !== page) return;
    const patch = (data && data.patch) || "";
    const refresh = el("button", { type: "button", class: "btn btn-small", testid: "export-refresh", onclick: () => {
      refresh.disabled = true;
      loadExport(page);
    } }, "Refresh");
    box.replaceChildren(
      el("div", { class: "panel-head" }, el("h2", null, "Export preview"), refresh),
      el("p", { class: "small warn-text", testid: "export-stale", hidden: true }, "Labels changed since this preview."),
      el("p", { class: "small", testid: "export-counts" },
        `${plural(count(data && data.examples), "training example")}, ${count(data && data.heldout)} held out`,
        data && data.skipped_disagreements ? `, ${data.skipped_disagreements} skipped (trainers disagree)` : "",
        data && data.skipped_duplicates ? `, ${data.skipped_duplicates} duplicates skipped` : "", "."),
      el("p", { class: "small muted" }, "Training a candidate adds these to a copy of the data; nothing is written here."),
      patch
        ? el("pre", { class: "patch", testid: "export-patch", tabindex: "0" }, patch)
        : el("p", { class: "small muted", testid: "export-patch" }, "No agreed labels to export yet."));
  } catch (error) {
    if (state.inbox !== page) return;
    report(error);
    const refresh = box.querySelector("[data-testid='export-refresh']");
    if (refresh) refresh.disabled = false;
  }
}

// The learning-loop inbox, for trainers: messages the bot got wrong or was unsure about, grouped (biggest
// first), a group's messages with their context and the model's ranking (inbox-group.js), labels for a group
// or one message (inbox-label.js), trainer agreement and the export preview (inbox-panels.js). Everything
// shown here was redacted before the console stored it. The server refuses anyone but trainers (403).
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { SOURCES, confidenceText, sourceChips } from "./inbox-format.js";
import { showGroup } from "./inbox-group.js";
import { loadPanels, panelsSection } from "./inbox-panels.js";
import { hasRole } from "./topbar.js";

export function showInbox() {
  const root = $("view-inbox");
  document.title = "Inbox — Frontdesk console";
  setHidden(root, false);
  if (!hasRole(state.agent, "trainer")) {
    root.append(el("h1", null, "Inbox"), el("p", { class: "muted", testid: "inbox-forbidden" }, "Only trainers see the inbox."));
    return;
  }
  const page = {
    source: "",
    groups: [],
    selected: null,
    intents: [],
    modelVersions: {}, // Rasa model id -> registry version
    list: el("div", { class: "card inbox-groups", testid: "inbox-groups" }, el("p", { class: "muted pad" }, "Loading the inbox…")),
    detail: el("div", { class: "card inbox-detail", testid: "inbox-detail" },
      el("p", { class: "muted pad" }, "Select a group to label its messages.")),
    synced: el("span", { class: "small muted", testid: "inbox-synced" }),
    count: el("span", { class: "count", testid: "inbox-count" }),
  };
  state.inbox = page;
  const filter = el("select", { testid: "inbox-source-filter", "aria-label": "Source", onchange: () => {
    page.source = filter.value;
    loadGroups(page);
  } }, el("option", { value: "" }, "All sources"),
  Object.entries(SOURCES).map(([code, label]) => el("option", { value: code }, label)));
  const sync = el("button", { type: "button", class: "btn btn-quiet", testid: "inbox-sync", onclick: () => syncNow(page, sync) }, "Sync now");
  page.panels = panelsSection(page);
  page.reload = () => loadGroups(page);
  root.append(
    el("div", { class: "page-head" },
      el("h1", null, "Inbox ", page.count),
      el("div", { class: "actions" },
        el("label", { class: "inline-field" }, el("span", { class: "small muted" }, "Source"), filter),
        sync,
        el("a", { class: "btn", href: "#/models", testid: "inbox-to-models" }, "Train a candidate →"))),
    el("p", { class: "muted" }, "Messages the bot missed or was unsure about, grouped by wording. Label a group at once or one message. ", page.synced),
    el("div", { class: "inbox-layout" },
      el("section", { "aria-label": "Groups" }, page.list),
      el("section", { "aria-label": "Selected group" }, page.detail)),
    page.panels.root);
  loadIntents(page);
  loadModelVersions(page);
  loadGroups(page);
  loadPanels(page);
}

async function loadIntents(page) {
  try {
    const data = await api("GET", "/api/inbox/intents");
    if (state.inbox !== page) return;
    const list = Array.isArray(data) ? data : (data && (data.intents || data.items)) || [];
    page.intents = list.map((intent) => (typeof intent === "string" ? intent : intent.name)).filter(Boolean);
    if (page.selected) showGroup(page, page.selected);
  } catch (error) {
    if (state.inbox === page) report(error);
  }
}

async function loadModelVersions(page) {
  try {
    const data = await api("GET", "/api/registry/models");
    if (state.inbox !== page) return;
    for (const model of (data && data.items) || []) {
      if (model.model_id) page.modelVersions[model.model_id] = model.version;
    }
    for (const node of page.detail.querySelectorAll(".model-name[data-model-id]")) {
      const version = page.modelVersions[node.dataset.modelId];
      if (version) node.textContent = version;
    }
  } catch (error) {
    if (state.inbox === page) report(error);
  }
}

async function loadGroups(page) {
  const query = page.source ? `?source=${encodeURIComponent(page.source)}` : "";
  try {
    const data = await api("GET", `/api/inbox/groups${query}`);
    if (state.inbox !== page) return;
    page.groups = (data && data.groups) || [];
    const synced = parseIso(data && data.synced_at);
    page.synced.textContent = synced ? `Synced ${formatDateTime(synced)}.` : "";
    page.count.textContent = `(${page.groups.length})`;
    renderGroups(page);
  } catch (error) {
    if (state.inbox !== page) return;
    report(error);
    if (!error.handled) page.list.replaceChildren(el("p", { class: "muted pad" }, "The inbox could not be loaded."));
  }
}

async function syncNow(page, button) {
  button.disabled = true;
  try {
    await api("POST", "/api/inbox/sync");
    if (state.inbox !== page) return;
    showNotice("Inbox synced.");
    loadGroups(page);
  } catch (error) {
    report(error);
  } finally {
    button.disabled = false;
  }
}

function labelSummary(labels) {
  if (!labels || !labels.length) return null;
  const trainers = [...new Set(labels.map((label) => label.trainer))];
  return el("span", { class: "small labelled", title: labels.map((l) => `${l.trainer}: ${l.intent || l.kind}`).join("\n") },
    `Labelled by ${trainers.join(", ")}`);
}

function renderGroups(page) {
  if (!page.groups.length) {
    page.list.replaceChildren(el("p", { class: "muted pad", testid: "inbox-empty" },
      page.source ? "No messages from this source." : "The inbox is empty."));
    return;
  }
  page.list.replaceChildren(el("ul", { class: "group-list" }, page.groups.map((group) => {
    const selected = group.id === page.selected;
    return el("li", { class: `inbox-group${selected ? " selected" : ""}`, testid: "inbox-group", data: { groupId: group.id } },
      el("button", { type: "button", class: "group-button", "aria-pressed": selected ? "true" : "false", onclick: () => select(page, group.id) },
        el("span", { class: "group-line" },
          el("span", { class: "group-count", testid: "inbox-group-count", title: `${group.count} messages` }, String(group.count)),
          el("span", { class: "group-text" }, group.text)),
        el("span", { class: "group-meta" },
          group.top_intent
            ? el("span", { class: "small" }, el("span", { class: "mono" }, group.top_intent), " ",
              el("span", { class: "confidence" }, confidenceText(group.confidence)))
            : el("span", { class: "small muted" }, "no intent"),
          sourceChips(group.sources),
          labelSummary(group.labels))));
  })));
}

function select(page, groupId) {
  page.selected = groupId;
  for (const row of page.list.querySelectorAll("[data-testid='inbox-group']")) {
    const on = Number(row.dataset.groupId) === groupId;
    row.classList.toggle("selected", on);
    row.querySelector("button").setAttribute("aria-pressed", on ? "true" : "false");
  }
  showGroup(page, groupId);
}

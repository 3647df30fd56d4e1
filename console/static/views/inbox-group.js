// One inbox group: its messages, each with the redacted conversation around it, the model's ranked intents
// and version, the labels trainers gave; label controls for the whole group and for each message.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { state } from "../state.js";
import { confidenceText, sourceChips } from "./inbox-format.js";
import { labelControls } from "./inbox-label.js";

const ROLES = { user: "Customer", customer: "Customer", bot: "Bot", agent: "Agent" };

export async function showGroup(page, groupId) {
  const token = {};
  page.groupToken = token;
  if (Number(page.detail.dataset.groupId) !== groupId) {
    page.detail.replaceChildren(el("p", { class: "muted pad" }, "Loading the group…"));
  }
  try {
    const group = await api("GET", `/api/inbox/groups/${groupId}`);
    if (state.inbox !== page || page.groupToken !== token) return;
    page.detail.dataset.groupId = String(groupId);
    page.detail.replaceChildren(...renderGroup(page, group));
  } catch (error) {
    if (state.inbox !== page || page.groupToken !== token) return;
    report(error);
    if (!error.handled) page.detail.replaceChildren(el("p", { class: "muted pad" }, "This group could not be loaded."));
  }
}

function afterLabel(page, groupId) {
  if (state.inbox !== page) return;
  showGroup(page, groupId);
  page.reload();
  page.panels.reload();
}

function renderGroup(page, group) {
  const items = group.items || [];
  const done = () => afterLabel(page, group.id);
  return [
    el("div", { class: "panel group-head", testid: "inbox-group-detail", data: { groupId: group.id } },
      el("h2", { class: "quote-text" }, group.text),
      el("p", { class: "small muted" }, `${group.count} message${group.count === 1 ? "" : "s"}`,
        group.top_intent ? [" · model says ", el("span", { class: "mono" }, group.top_intent), ` (${confidenceText(group.confidence)})`] : ""),
      el("div", { class: "group-labeller", testid: "group-labeller" },
        el("h3", null, items.length > 1 ? `Label all ${items.length} messages` : "Label this message"),
        labelControls(page, { path: `/api/inbox/groups/${group.id}/labels`, topIntent: group.top_intent, onDone: done })),
      labelsList(group.labels)),
    el("ol", { class: "inbox-items" }, items.map((item, index) => itemCard(page, item, index, done))),
  ];
}

export function labelsList(labels) {
  if (!labels || !labels.length) return el("p", { class: "small muted", testid: "inbox-labels" }, "No labels yet.");
  return el("ul", { class: "labels-list", testid: "inbox-labels" }, labels.map((label) =>
    el("li", { class: "label-entry", data: { trainer: label.trainer, kind: label.kind } },
      el("strong", null, label.trainer), ": ", labelText(label))));
}

function labelText(label) {
  if (label.kind === "accept") return ["accepted ", el("span", { class: "mono" }, label.intent || "")];
  if (label.kind === "intent") return el("span", { class: "mono" }, label.intent || "");
  if (label.kind === "new_intent") return ["new intent ", el("span", { class: "mono" }, label.intent || "")];
  if (label.kind === "out_of_scope") return "out of scope";
  if (label.kind === "needs_answer") return "needs an answer";
  return String(label.kind);
}

function itemCard(page, item, index, done) {
  const top = item.ranking && item.ranking.length ? item.ranking[0].name : null;
  return el("li", { class: "card inbox-item", testid: "inbox-item", data: { itemId: item.id } },
    el("div", { class: "item-head" },
      el("span", { class: "small muted" }, `#${index + 1}`),
      el("span", { class: "item-text" }, item.text),
      sourceChips(item.sources)),
    el("div", { class: "item-grid" },
      contextBlock(item),
      el("div", null,
        el("h3", null, "Model ranking"),
        rankingList(item.ranking),
        el("p", { class: "small muted", testid: "inbox-model" }, "Model ", modelName(page, item.model_id)))),
    item.note ? el("p", { class: "small item-note" }, el("strong", null, "Agent's correction: "), item.note) : null,
    labelsList(item.labels),
    el("details", { class: "item-labeller" },
      el("summary", { testid: "item-label-toggle" }, "Label only this message"),
      labelControls(page, { path: `/api/inbox/items/${item.id}/labels`, topIntent: top, onDone: done })));
}

// The registry's version for Rasa's model id when the registry knows it (inbox.js loads the map), else the id.
export function modelName(page, modelId) {
  const version = modelId ? page.modelVersions[modelId] : null;
  return el("code", { class: "model-name", data: { modelId: modelId || "" }, title: modelId || null },
    version || modelId || "unknown");
}

function contextBlock(item) {
  const lines = item.conversation || [];
  return el("div", null,
    el("h3", null, "Conversation"),
    lines.length
      ? el("ol", { class: "context", testid: "inbox-context" }, lines.map((line) => {
        const isThis = (line.role === "user" || line.role === "customer") && line.text === item.text;
        return el("li", { class: `context-line role-${line.role}${isThis ? " this" : ""}` },
          el("span", { class: "context-role" }, ROLES[line.role] || line.role), el("span", { class: "context-text" }, line.text));
      }))
      : el("p", { class: "small muted", testid: "inbox-context" }, "No conversation around it."));
}

function rankingList(ranking) {
  if (!ranking || !ranking.length) return el("p", { class: "small muted", testid: "inbox-ranking" }, "No ranking.");
  return el("ol", { class: "ranking", testid: "inbox-ranking" }, ranking.map((entry) => {
    const share = Math.max(0, Math.min(1, Number(entry.confidence) || 0));
    const fill = el("span", { class: "ranking-fill" });
    fill.style.width = `${(share * 100).toFixed(1)}%`; // through the CSSOM, which the page's CSP allows
    return el("li", { class: "ranking-row", data: { intent: entry.name } },
      el("span", { class: "mono ranking-name" }, entry.name),
      el("span", { class: "ranking-bar", "aria-hidden": "true" }, fill),
      el("span", { class: "small ranking-value" }, confidenceText(entry.confidence)));
  }));
}

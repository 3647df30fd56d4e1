// Agent assist in the conversation view: the knowledge-base articles for what the customer asked, and reply
// drafts (an article's canonical answer, or a reply another agent sent in a similar resolved conversation).
// Every draft's words come from the server; "Insert" puts one into the reply box, where the agent edits it
// before sending. The reply then names the draft it started from (conv.reply.suggestionId, see reply.js), and
// the server measures how much was changed.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { state } from "../state.js";
import { canWork } from "./ticket-rules.js";

// The panel is the view's own element: the side panels re-render around it without losing the drafts.
export function assistPanel(conv) {
  if (!conv.assist) conv.assist = buildPanel();
  // After the render that called this: the transcript of the same load is in conv.messages by then.
  setTimeout(() => refreshIfNeeded(conv), 0);
  return conv.assist.panel;
}

function buildPanel() {
  const status = el("p", { class: "muted small", testid: "assist-status", role: "status" }, "Loading suggestions…");
  const articles = el("ul", { class: "assist-list", testid: "assist-articles", "aria-label": "Relevant articles" });
  const drafts = el("ul", { class: "assist-list", testid: "assist-drafts", "aria-label": "Reply drafts" });
  const panel = el("section", { class: "card panel", testid: "assist-panel" },
    el("h2", null, "Suggestions"),
    status,
    el("h3", { class: "assist-heading" }, "Articles"), articles,
    el("h3", { class: "assist-heading" }, "Reply drafts"), drafts);
  return { panel, status, articles, drafts, key: null, loading: false, shownIds: "" };
}

// The newest customer message the drafts were made for: new drafts only when the customer says something new.
function latestCustomerMessage(conv) {
  return conv.messages.reduce((max, m) => (m.author === "customer" && m.ts > max ? m.ts : max), 0);
}

async function refreshIfNeeded(conv) {
  const assist = conv.assist;
  if (state.conv !== conv || !assist || assist.loading) return;
  if (!canWork(conv.data && conv.data.ticket)) {
    assist.status.textContent = "Claim the conversation to see suggestions.";
    assist.key = null;
    return;
  }
  const key = latestCustomerMessage(conv);
  if (key === assist.key) return;
  assist.loading = true;
  try {
    const data = await api("POST", `/api/tickets/${conv.id}/suggestions`);
    if (state.conv !== conv) return;
    assist.key = key;
    draw(conv, data);
  } catch (error) {
    if (state.conv !== conv) return;
    assist.status.textContent = "Suggestions could not be loaded.";
    report(error);
  } finally {
    assist.loading = false;
  }
}

function draw(conv, data) {
  const assist = conv.assist;
  const articles = (data && data.articles) || [];
  const drafts = (data && data.drafts) || [];
  const ids = drafts.map((draft) => draft.id).join(",");
  assist.status.textContent = statusText(data, articles, drafts);
  assist.articles.replaceChildren(...(articles.length
    ? articles.map(articleItem)
    : [el("li", { class: "muted small" }, "No article matches this conversation.")]));
  // The same drafts as before keep their nodes, so a refresh never moves a button under the agent's pointer.
  if (ids === assist.shownIds && assist.drafts.childElementCount) return;
  assist.shownIds = ids;
  assist.drafts.replaceChildren(...(drafts.length
    ? drafts.map((draft) => draftItem(conv, draft))
    : [el("li", { class: "muted small" }, "No drafts for this conversation.")]));
}

function statusText(data, articles, drafts) {
  if (data && data.knowledge_available === false) return "The knowledge base cannot be searched right now.";
  if (!articles.length && !drafts.length) return "Nothing to suggest yet.";
  return "Insert a draft, then edit it before sending.";
}

function articleItem(article) {
  return el("li", { class: "assist-item", testid: "assist-article", data: { articleId: article.id, version: article.version } },
    el("a", { href: safeUrl(article.url), target: "_blank", rel: "noopener noreferrer", testid: "assist-article-title" },
      String(article.title || article.id)),
    el("span", { class: "muted small" }, ` · v${article.version}`),
    Array.isArray(article.tags) && article.tags.length
      ? el("span", { class: "muted small" }, ` · ${article.tags.join(", ")}`)
      : null);
}

// Only web links and the site's own paths open from the panel.
function safeUrl(url) {
  const text = String(url || "");
  return /^(https?:\/\/|\/)/.test(text) ? text : "#";
}

function sourceOf(draft) {
  if (draft.kind === "kb") {
    return `Article: ${draft.article_title || draft.article_id} (v${draft.article_version})`;
  }
  return `Sent by an agent in ticket #${draft.source_ticket_id}`;
}

function draftItem(conv, draft) {
  return el("li", {
    class: "assist-item", testid: "assist-draft", data: { kind: draft.kind, suggestionId: draft.id, articleId: draft.article_id },
  },
  el("div", { class: "small muted", testid: "assist-draft-source" }, sourceOf(draft)),
  el("div", { class: "assist-text", testid: "assist-draft-text" }, String(draft.text || "")),
  el("div", { class: "actions" },
    el("button", {
      type: "button", class: "btn btn-small", testid: "assist-insert",
      onclick: () => insertDraft(conv, draft),
    }, "Insert")));
}

// Into the reply box at the cursor (in place of a selection); the agent edits it there and sends it.
function insertDraft(conv, draft) {
  const input = conv.reply.input;
  if (input.disabled) return;
  input.focus();
  input.setRangeText(String(draft.text || ""), input.selectionStart, input.selectionEnd, "end");
  conv.reply.suggestionId = draft.id;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

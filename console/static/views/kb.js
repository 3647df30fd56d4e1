// The knowledge base (#/kb), for trainers, editors, approvers and admins: every article with its state and
// review-by date (overdue ones marked), a state filter, new drafts from agents' corrections and trainers'
// "needs an answer" questions (kb-sources.js), and one article's editor (#/kb/<id>, kb-editor.js). The server
// checks every role and the second person again; the page only decides what it offers.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden } from "../dom.js";
import { state } from "../state.js";
import { showArticle, showNewArticle } from "./kb-editor.js";
import { KB_EDITORS, KB_READERS, STATE_TEXT, reviewDate, stateBadge } from "./kb-format.js";
import { sourcesPanel } from "./kb-sources.js";
import { hasRole } from "./topbar.js";

export function showKb(route) {
  const root = $("view-kb");
  setHidden(root, false);
  document.title = "Knowledge base — Frontdesk console";
  if (!hasRole(state.agent, ...KB_READERS)) {
    root.append(el("h1", null, "Knowledge base"),
      el("p", { class: "muted", testid: "kb-forbidden" }, "Only trainers, editors, approvers and admins see the knowledge base."));
    return;
  }
  if (route.id) showArticle(root, route.id);
  else if (route.creating) showNewArticle(root);
  else showList(root);
}

function showList(root) {
  const page = {
    filter: el("select", { testid: "kb-filter", "aria-label": "Show articles in this state" },
      el("option", { value: "" }, "All states"),
      Object.entries(STATE_TEXT).map(([value, label]) => el("option", { value }, label))),
    table: el("div", { class: "card table-card", testid: "kb-articles" }, el("p", { class: "muted pad" }, "Loading articles…")),
  };
  state.kb = page;
  page.reload = () => loadArticles(page);
  page.filter.addEventListener("change", page.reload);
  const canEdit = hasRole(state.agent, ...KB_EDITORS);
  const refresh = el("button", { type: "button", class: "btn btn-quiet", testid: "kb-refresh", onclick: () => page.reload() }, "Refresh");
  const create = canEdit ? el("a", { class: "btn btn-primary", href: "#/kb?new", testid: "kb-new" }, "New article") : null;
  root.append(
    el("div", { class: "page-head" }, el("h1", null, "Knowledge base"), el("div", { class: "actions" }, create, refresh)),
    el("p", { class: "muted" },
      "Articles the bot answers from. A draft is published only after a second person reviews it; billing, refund and legal articles need an approver."),
    el("div", { class: "kb-layout" },
      el("section", { "aria-label": "Articles" },
        el("div", { class: "kb-toolbar" }, el("label", { class: "inline-field" }, el("span", null, "State"), page.filter)),
        page.table),
      el("section", { "aria-labelledby": "kb-sources-title" }, sourcesPanel(() => state.kb === page, canEdit))));
  page.reload();
}

async function loadArticles(page) {
  const token = {};
  page.token = token;
  const query = page.filter.value ? `?state=${encodeURIComponent(page.filter.value)}` : "";
  try {
    const data = await api("GET", `/api/kb/articles${query}`);
    if (state.kb !== page || page.token !== token) return;
    page.items = (data && data.items) || [];
    renderArticles(page);
  } catch (error) {
    if (state.kb !== page || page.token !== token) return;
    report(error);
    if (!error.handled) page.table.replaceChildren(el("p", { class: "muted pad" }, "The articles could not be loaded."));
  }
}

function renderArticles(page) {
  if (!page.items.length) {
    page.table.replaceChildren(el("p", { class: "muted pad", testid: "kb-empty" }, "No articles in this state."));
    return;
  }
  page.table.replaceChildren(el("table", { class: "table kb-table" },
    el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "Article"),
      el("th", { scope: "col" }, "State"),
      el("th", { scope: "col", class: "num" }, "Live"),
      el("th", { scope: "col" }, "Review by"),
      el("th", { scope: "col" }, "Owner"))),
    el("tbody", null, page.items.map((article) => el("tr", {
      class: article.overdue ? "kb-row overdue" : "kb-row", testid: "kb-row",
      data: { articleId: article.id, state: article.state, overdue: article.overdue ? "true" : "false" },
    },
    el("td", null,
      el("a", { href: `#/kb/${article.id}`, testid: "kb-open" }, article.title),
      el("div", { class: "small muted mono" }, article.id, article.sensitive ? el("span", { class: "badge kb-sensitive" }, "Needs an approver") : null)),
    el("td", null, stateBadge(article.state)),
    el("td", { class: "num" }, article.live_version ? `v${article.live_version}` : el("span", { class: "muted" }, "—")),
    el("td", { class: "nowrap" }, reviewDate(article.review_by, article.overdue)),
    el("td", null, article.owner || el("span", { class: "muted" }, "—")))))));
}

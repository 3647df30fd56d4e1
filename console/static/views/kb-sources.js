// Drafts in one click: agents' "flag as wrong" corrections and trainers' "needs an answer" questions. Each
// becomes a new article (its id proposed from the title) or a new draft of the article picked beside it; the
// draft links back to where it came from.
import { agentName } from "../agents.js";
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { formatShortTime, parseIso } from "../format.js";

const NEW = "";

// stillShown() says whether the list page is still the one on screen (late answers are dropped otherwise).
export function sourcesPanel(stillShown, canEdit) {
  const body = el("div", { testid: "kb-sources" }, el("p", { class: "muted pad" }, "Loading…"));
  const panel = el("div", { class: "card kb-sources" },
    el("div", { class: "panel" },
      el("h2", { id: "kb-sources-title", class: "section-title" }, "From the team"),
      el("p", { class: "small muted" }, canEdit
        ? "Corrections agents flagged and questions trainers marked \"needs an answer\". Make each a draft in one click."
        : "Corrections agents flagged and questions trainers marked \"needs an answer\". Trainers and editors make them drafts.")),
    body);
  load(body, stillShown, canEdit);
  return panel;
}

async function load(body, stillShown, canEdit) {
  try {
    const [sources, articles] = await Promise.all([api("GET", "/api/kb/sources"), api("GET", "/api/kb/articles")]);
    if (!stillShown()) return;
    render(body, sources || {}, (articles && articles.items) || [], canEdit);
  } catch (error) {
    if (!stillShown()) return;
    report(error);
    if (!error.handled) body.replaceChildren(el("p", { class: "muted pad" }, "The corrections and questions could not be loaded."));
  }
}

function render(body, sources, articles, canEdit) {
  const corrections = (sources.corrections || []).filter((item) => !item.drafted_as);
  const questions = (sources.questions || []).filter((item) => !item.drafted_as);
  const section = (title, items, card) => el("div", { class: "panel" },
    el("h3", null, title, el("span", { class: "muted" }, ` (${items.length})`)),
    items.length ? el("ul", { class: "kb-source-list" }, items.map((item) => el("li", null, card(item))))
      : el("p", { class: "small muted" }, "Nothing waiting."));
  body.replaceChildren(
    section("Agents' corrections", corrections, (item) => correctionCard(item, articles, canEdit)),
    section("Needs an answer", questions, (item) => questionCard(item, articles, canEdit)));
}

function quote(label, text) {
  return el("div", { class: "kb-quote" }, el("span", { class: "small muted" }, label), " ", text || el("span", { class: "muted" }, "—"));
}

function correctionCard(item, articles, canEdit) {
  const at = parseIso(item.created_at);
  return el("article", { class: "kb-source", testid: "kb-correction", data: { correctionId: item.id } },
    el("div", { class: "small muted" }, `Ticket #${item.ticket_id} · `, agentName(item.agent), " · ", timeElement(at, formatShortTime(at))),
    quote("Customer:", item.customer_text),
    quote("Bot:", item.bot_text),
    quote("Should be:", item.correction),
    canEdit ? draftControls("correction", item.id, articles) : null);
}

function questionCard(item, articles, canEdit) {
  const at = parseIso(item.created_at);
  return el("article", { class: "kb-source", testid: "kb-question", data: { questionId: item.id } },
    el("div", { class: "small muted" }, agentName(item.created_by), " · ", timeElement(at, formatShortTime(at))),
    quote("Asked:", item.question),
    canEdit ? draftControls("kb_draft", item.id, articles) : null);
}

function draftControls(source, sourceId, articles) {
  const target = el("select", { testid: "kb-draft-target", "aria-label": "Draft into" },
    el("option", { value: NEW }, "New article"),
    articles.map((article) => el("option", { value: article.id }, `${article.title} (${article.id})`)));
  const button = el("button", { type: "button", class: "btn btn-small btn-primary", testid: "kb-make-draft" }, "Make a draft");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const body = { source, source_id: sourceId };
      if (target.value !== NEW) body.article_id = target.value;
      const article = await api("POST", "/api/kb/drafts", body);
      showNotice(`Draft v${article.head_version} of "${article.title}" made: edit it, then submit it for review.`);
      location.hash = `#/kb/${article.id}`;
    } catch (error) {
      report(error);
      button.disabled = false;
    }
  });
  return el("div", { class: "kb-draft-controls" }, target, button);
}

// One knowledge-base article (#/kb/<id>) or a new one (#/kb?new): its fields and Markdown body, whose first
// paragraph is the answer the bot sends (shown as such while typing), and the steps this person may take
// now (the server says which: `allowed`). Its history, diffs and revert are in kb-history.js.
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { appendChildren, el } from "../dom.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";
import { reviewDate, stateBadge } from "./kb-format.js";
import { historyPanel } from "./kb-history.js";

const TITLE_MAX = 120; // the server's limit (console/kb/content.py); it says so too

export function showArticle(root, articleId) {
  const page = { id: articleId, root, article: null };
  state.kb = page;
  page.reload = () => load(page);
  root.replaceChildren(el("p", { class: "muted" }, "Loading the article…"));
  page.reload();
}

export function showNewArticle(root) {
  const page = { root, article: null };
  state.kb = page;
  const form = articleForm(page, null);
  root.replaceChildren(
    backLink(),
    el("div", { class: "page-head" }, el("h1", null, "New article")),
    el("p", { class: "muted" }, "It starts as a draft. Leave the id empty to have one made from the title."),
    el("div", { class: "card pad kb-editor" }, form.node));
}

async function load(page) {
  const token = {};
  page.token = token;
  try {
    const article = await api("GET", `/api/kb/articles/${encodeURIComponent(page.id)}`);
    if (state.kb !== page || page.token !== token) return;
    show(page, article);
  } catch (error) {
    if (state.kb !== page || page.token !== token) return;
    report(error);
    if (!error.handled) page.root.replaceChildren(backLink(), el("p", { class: "muted", testid: "kb-missing" }, "The article could not be loaded."));
  }
}

function backLink() {
  return el("p", { class: "small" }, el("a", { href: "#/kb", testid: "kb-back" }, "← All articles"));
}

function show(page, article) {
  page.article = article;
  const form = articleForm(page, article);
  page.root.replaceChildren();
  appendChildren(page.root, [
    backLink(),
    el("div", { class: "page-head kb-head", testid: "kb-article", data: { articleId: article.id, state: article.state, version: article.head_version } },
      el("h1", null, article.title),
      el("div", { class: "badges" },
        stateBadge(article.state),
        el("span", { class: "badge", testid: "kb-live" }, article.live_version ? `Bot answers from v${article.live_version}` : "Not answered from"),
        article.sensitive ? el("span", { class: "badge kb-sensitive" }, "Billing, refund or legal: needs an approver") : null)),
    el("p", { class: "small muted" }, el("span", { class: "mono" }, article.id), ` · version ${article.head_version} · review by `,
      reviewDate(article.review_by, article.overdue)),
    origin(article.origin),
    el("div", { class: "kb-article-layout" },
      el("section", { class: "card pad kb-editor", "aria-label": "Article" }, form.node, steps(page, article, form)),
      el("section", { "aria-label": "History" }, historyPanel(page, article)))]);
}

function origin(from) {
  if (!from) return null;
  if (!from.kept) {
    return el("p", { class: "small muted kb-origin", testid: "kb-origin" }, `Drafted from ${from.kind.replace("_", " ")} #${from.id} (no longer kept).`);
  }
  const rows = from.kind === "correction"
    ? [["Customer asked", from.customer_text], ["The bot answered", from.bot_text], ["Agent's correction", from.correction]]
    : [["Customers asked", from.question]];
  return el("div", { class: "card pad kb-origin", testid: "kb-origin", data: { kind: from.kind } },
    el("h2", { class: "section-title" }, from.kind === "correction" ? "From an agent's correction" : "From \"needs an answer\"",
      from.ticket_id ? el("span", { class: "small" }, " · ", el("a", { href: `#/tickets/${from.ticket_id}`, testid: "kb-origin-ticket" }, `ticket #${from.ticket_id}`)) : null),
    el("dl", { class: "kv" }, rows.map(([label, text]) => el("div", { class: "kv-row" }, el("dt", null, label), el("dd", null, text || "—")))));
}

function firstParagraph(body) {
  return String(body || "").trim().split(/\n[ \t]*\n/)[0].trim();
}

function field(label, input, hint) {
  return el("label", { class: "field" }, el("span", null, label), input,
    hint ? el("span", { class: "small muted field-hint" }, hint) : null);
}

function articleForm(page, article) {
  const values = article ? article.fields : { tags: [], review_by: "", body: "" };
  const editable = !article || article.allowed.edit;
  const input = (name, props) => el("input", { name, testid: `kb-field-${name}`, disabled: !editable, autocomplete: "off", ...props });
  const inputs = {
    id: article ? null : input("id", { type: "text", spellcheck: "false", placeholder: "made from the title" }),
    title: input("title", { type: "text", maxlength: String(TITLE_MAX), required: true, value: values.title || "" }),
    tags: input("tags", { type: "text", spellcheck: "false", value: (values.tags || []).join(", "), placeholder: "delivery, returns" }),
    owner: input("owner", { type: "text", value: values.owner || "" }),
    review_by: input("review_by", { type: "date", value: values.review_by || "" }),
    url: input("url", { type: "text", spellcheck: "false", value: values.url || "", placeholder: "https://shop.example.com/help/…" }),
    topic: input("topic", { type: "text", spellcheck: "false", value: values.topic || "" }),
    questions: el("textarea", { name: "questions", testid: "kb-field-questions", rows: "5", disabled: !editable, value: (values.questions || []).join("\n") }),
    body: el("textarea", { name: "body", testid: "kb-field-body", rows: "14", disabled: !editable, value: values.body || "" }),
  };
  const answer = el("p", { class: "kb-answer-text", testid: "kb-answer" });
  const showAnswer = () => { answer.textContent = firstParagraph(inputs.body.value) || "(empty: the bot would have nothing to say)"; };
  showAnswer();
  const form = {
    inputs,
    dirty: false,
    onDirty: () => {},
    values() {
      const body = {
        title: inputs.title.value.trim(),
        tags: inputs.tags.value.split(",").map((tag) => tag.trim()).filter(Boolean),
        owner: inputs.owner.value.trim(),
        review_by: inputs.review_by.value || null,
        url: inputs.url.value.trim(),
        topic: inputs.topic.value.trim() || null,
        questions: inputs.questions.value.split("\n").map((line) => line.trim()).filter(Boolean),
        body: inputs.body.value,
      };
      if (inputs.id && inputs.id.value.trim()) body.id = inputs.id.value.trim();
      return body;
    },
  };
  const save = editable ? el("button", { type: "submit", class: "btn btn-primary", testid: "kb-save" }, article ? "Save draft" : "Create draft") : null;
  form.node = el("form", { class: "kb-form", testid: "kb-form", novalidate: true },
    inputs.id ? field("Id", inputs.id, "Lower-case letters, digits and dashes; it names the file.") : null,
    field("Title", inputs.title),
    el("div", { class: "kb-form-row" },
      field("Tags", inputs.tags, "Comma-separated. billing, refund or legal: an approver publishes."),
      field("Owner", inputs.owner),
      field("Review by", inputs.review_by)),
    el("div", { class: "kb-form-row" }, field("Link (the citation)", inputs.url), field("FAQ topic (optional)", inputs.topic)),
    field("Customer questions (one a line)", inputs.questions, "How customers ask for this, in their words: searched, never sent."),
    el("label", { class: "field" }, el("span", null, "Body (Markdown)"),
      el("span", { class: "small muted field-hint" }, "The first paragraph is the bot's answer, sent word for word; the rest adds detail for search."),
      inputs.body),
    el("div", { class: "kb-answer", "aria-live": "polite" }, el("span", { class: "kb-answer-label" }, "The bot's answer"), answer),
    save ? el("div", { class: "actions" }, save) : null);
  form.node.addEventListener("input", () => {
    showAnswer();
    if (!form.dirty) {
      form.dirty = true;
      form.onDirty();
    }
  });
  form.node.addEventListener("submit", (event) => {
    event.preventDefault();
    if (save) saveArticle(page, article, form, save);
  });
  return form;
}

async function saveArticle(page, article, form, button) {
  button.disabled = true;
  try {
    const saved = article
      ? await api("PUT", `/api/kb/articles/${encodeURIComponent(article.id)}`, { ...form.values(), expected_version: article.head_version })
      : await api("POST", "/api/kb/articles", form.values());
    if (state.kb !== page) return;
    clearAlert("action");
    showNotice(saved.head_version === (article && article.head_version) ? "Nothing changed." : `Saved as version ${saved.head_version} (a draft).`);
    if (article) show(page, saved);
    else location.hash = `#/kb/${saved.id}`;
  } catch (error) {
    if (state.kb === page) report(error);
  } finally {
    button.disabled = false;
  }
}

function steps(page, article, form) {
  const allowed = article.allowed || {};
  const me = state.agent && state.agent.username;
  const buttons = [];
  const step = (testid, label, path, options) => {
    const button = el("button", { type: "button", class: options.danger ? "btn btn-danger" : "btn", testid }, label);
    button.addEventListener("click", () => takeStep(page, article, path, options, button));
    buttons.push(button);
    return button;
  };
  const hint = el("p", { class: "small muted", testid: "kb-step-hint", hidden: true }, "Save your changes first: steps apply to the saved version.");
  const waiting = article.state === "in_review" && article.makers.includes(me) && !allowed.publish
    ? el("p", { class: "small kb-waiting", testid: "kb-waiting" }, "Waiting for a second person: you wrote or submitted this change, so someone else publishes it.")
    : null;
  const box = el("div", { class: "actions kb-steps" },
    allowed.submit ? step("kb-submit", "Submit for review", "submit", { done: "Submitted for review." }) : null,
    allowed.publish ? step("kb-publish", "Publish", "publish", {
      confirm: { title: `Publish "${article.title}"?`, message: `Version ${article.head_version} becomes the bot's answer within seconds.`, confirmLabel: "Publish" },
      done: "Published: the bot answers from it within seconds.",
    }) : null,
    allowed.send_back ? step("kb-send-back", "Send back to draft", "send-back", {
      confirm: { title: "Send it back to draft?", message: "Say what should change.", confirmLabel: "Send back", noteRequired: true },
      done: "Sent back to draft.",
    }) : null,
    allowed.retire ? step("kb-retire", "Retire", "retire", {
      danger: true,
      confirm: { title: `Retire "${article.title}"?`, message: "The bot stops answering from this article and offers a person instead.", confirmLabel: "Retire", danger: true, noteRequired: true },
      done: "Retired: the bot no longer answers from it.",
    }) : null);
  form.onDirty = () => {
    buttons.forEach((button) => { button.disabled = true; });
    hint.hidden = false;
  };
  return el("div", { class: "kb-steps-box" }, waiting, buttons.length ? box : null, hint);
}

async function takeStep(page, article, path, options, button) {
  let note = "";
  if (options.confirm) {
    const values = await confirmDialog({
      title: options.confirm.title, message: options.confirm.message, confirmLabel: options.confirm.confirmLabel,
      danger: Boolean(options.confirm.danger),
      fields: [{ name: "note", label: "Note for the audit log", required: Boolean(options.confirm.noteRequired), multiline: true, maxLength: 500 }],
    });
    if (!values) return;
    note = values.note;
  }
  button.disabled = true;
  try {
    const updated = await api("POST", `/api/kb/articles/${encodeURIComponent(article.id)}/${path}`, { expected_version: article.head_version, note });
    if (state.kb !== page) return;
    clearAlert("action");
    showNotice(options.done);
    show(page, updated);
  } catch (error) {
    if (state.kb !== page) return;
    report(error);
    button.disabled = false;
  }
}

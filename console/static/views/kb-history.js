// An article's history: every saved version (who, when, how it came to be, whether it reached the bot), a
// diff between any two of them (by default what the reviewer must check: the live version against the new
// draft), one-step revert to an earlier text (a new draft), and the article's audit log.
import { agentName } from "../agents.js";
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { formatShortTime, parseIso } from "../format.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";

const KIND_TEXT = { imported: "Imported", created: "Created", edited: "Edited", reverted: "Reverted", retired: "Retired" };
const RELEASE_TEXT = { published: "Published", retired: "Retired" };

export function historyPanel(page, article) {
  const view = {
    page,
    article,
    older: el("select", { testid: "kb-diff-from", "aria-label": "Compare from version" }),
    newer: el("select", { testid: "kb-diff-to", "aria-label": "Compare to version" }),
    diff: el("div", { class: "kb-diff", testid: "kb-diff", "aria-live": "polite" }),
    versions: el("div", { testid: "kb-versions" }, el("p", { class: "muted pad" }, "Loading versions…")),
    audit: el("div", { testid: "kb-audit" }),
  };
  const compare = el("button", { type: "button", class: "btn btn-small", testid: "kb-diff-show", onclick: () => showDiff(view) }, "Show diff");
  load(view);
  return el("div", { class: "card kb-history" },
    el("div", { class: "panel" },
      el("h2", { class: "section-title" }, "Compare versions"),
      el("div", { class: "kb-compare" }, view.older, el("span", { class: "muted" }, "→"), view.newer, compare),
      view.diff),
    el("div", { class: "panel" }, el("h2", { class: "section-title" }, "Versions"), view.versions),
    el("div", { class: "panel" }, el("h2", { class: "section-title" }, "Audit log"), view.audit));
}

async function load(view) {
  const { page, article } = view;
  try {
    const [versions, audit] = await Promise.all([
      api("GET", `/api/kb/articles/${encodeURIComponent(article.id)}/versions`),
      api("GET", `/api/kb/audit?article=${encodeURIComponent(article.id)}`),
    ]);
    if (state.kb !== page || page.article !== article) return;
    view.items = (versions && versions.items) || [];
    renderVersions(view);
    renderAudit(view, (audit && audit.items) || []);
    const numbers = view.items.map((v) => v.number);
    const options = (select) => select.replaceChildren(...numbers.map((n) => el("option", { value: String(n) }, `v${n}`)));
    options(view.older);
    options(view.newer);
    // What a reviewer must check: the version the bot answers from against the new one.
    const live = article.live_version && article.live_version !== article.head_version ? article.live_version : null;
    const previous = numbers.find((n) => n < article.head_version);
    view.newer.value = String(article.head_version);
    view.older.value = String(live || previous || article.head_version);
    if (live || previous) showDiff(view);
  } catch (error) {
    if (state.kb !== page) return;
    report(error);
    if (!error.handled) view.versions.replaceChildren(el("p", { class: "muted pad" }, "The history could not be loaded."));
  }
}

function renderVersions(view) {
  const { article } = view;
  view.versions.replaceChildren(el("table", { class: "table compact kb-versions" },
    el("thead", null, el("tr", null,
      el("th", { scope: "col" }, "Version"), el("th", { scope: "col" }, "Saved"), el("th", { scope: "col" }, "What"), el("th", { scope: "col" }, ""))),
    el("tbody", null, view.items.map((version) => {
      const at = parseIso(version.saved_at);
      const canRevert = article.allowed.revert && version.number !== article.head_version && version.kind !== "retired";
      return el("tr", { testid: "kb-version", data: { version: version.number, kind: version.kind, released: version.released_as || "" } },
        el("td", { class: "nowrap" }, `v${version.number}`,
          version.released_as ? el("span", { class: `badge kb-${version.released_as}` }, RELEASE_TEXT[version.released_as]) : null,
          version.number === article.live_version ? el("span", { class: "badge kb-live-badge", testid: "kb-live-version" }, "Live") : null),
        el("td", null, el("div", null, agentName(version.saved_by)), el("div", { class: "small muted nowrap" }, timeElement(at, formatShortTime(at)))),
        el("td", null, KIND_TEXT[version.kind] || version.kind, version.note ? el("div", { class: "small muted" }, version.note) : null,
          version.released_by ? el("div", { class: "small muted" }, `${RELEASE_TEXT[version.released_as]} by `, agentName(version.released_by)) : null),
        el("td", null,
          el("button", { type: "button", class: "link-button", testid: "kb-diff-previous", disabled: version.number === view.items[view.items.length - 1].number,
            onclick: () => diffWithPrevious(view, version.number) }, "Diff"),
          canRevert ? el("button", { type: "button", class: "link-button", testid: "kb-revert", onclick: () => revert(view, version.number) }, "Revert to this") : null));
    }))));
}

function diffWithPrevious(view, number) {
  const previous = view.items.map((v) => v.number).find((n) => n < number);
  if (previous === undefined) return;
  view.older.value = String(previous);
  view.newer.value = String(number);
  showDiff(view);
}

async function showDiff(view) {
  const { page, article } = view;
  const from = view.older.value;
  const to = view.newer.value;
  try {
    const data = await api("GET", `/api/kb/articles/${encodeURIComponent(article.id)}/diff?from=${from}&to=${to}`);
    if (state.kb !== page || page.article !== article) return;
    const lines = (data && data.lines) || [];
    view.diff.dataset.from = from;
    view.diff.dataset.to = to;
    view.diff.replaceChildren(lines.length
      ? el("pre", { class: "kb-diff-lines", tabindex: "0", "aria-label": `Changes from version ${from} to ${to}` },
        lines.map((line) => el("span", { class: `kb-diff-${line.kind}`, testid: `kb-diff-${line.kind}` },
          { added: "+ ", removed: "- ", hunk: "", context: "  " }[line.kind] || "", line.text, "\n")))
      : el("p", { class: "small muted", testid: "kb-diff-same" }, `Versions ${from} and ${to} have the same text.`));
  } catch (error) {
    if (state.kb === page) report(error);
  }
}

async function revert(view, number) {
  const { page, article } = view;
  const confirmed = await confirmDialog({
    title: `Revert to version ${number}?`,
    message: `A new draft (version ${article.head_version + 1}) gets the text of version ${number}. The bot keeps its current answer until the draft is reviewed and published.`,
    confirmLabel: "Make the draft",
  });
  if (!confirmed) return;
  try {
    const updated = await api("POST", `/api/kb/articles/${encodeURIComponent(article.id)}/revert`, { version: number, expected_version: article.head_version });
    if (state.kb !== page) return;
    clearAlert("action");
    showNotice(`Version ${updated.head_version} is a draft with the text of version ${number}.`);
    page.reload();
  } catch (error) {
    if (state.kb === page) report(error);
  }
}

function renderAudit(view, items) {
  if (!items.length) {
    view.audit.replaceChildren(el("p", { class: "small muted" }, "Nothing recorded yet."));
    return;
  }
  view.audit.replaceChildren(el("ul", { class: "plain-list kb-audit-list" }, items.map((item) => {
    const at = parseIso(item.at);
    return el("li", { testid: "kb-audit-row", data: { action: item.action } },
      el("span", { class: "nowrap small muted" }, timeElement(at, formatShortTime(at))), " ",
      agentName(item.actor), " · ", item.action.replace(/^kb_/, "").replace(/_/g, " "),
      item.version ? ` v${item.version}` : "", item.reason ? ` (${item.reason.replace(/_/g, " ")})` : "",
      item.note ? el("div", { class: "small muted" }, item.note) : null);
  })));
}

// Macros (canned replies), for admins: add, change and delete them. Every agent uses them from the reply
// box; only admins see this page, and the server refuses anyone else (403) in any case.
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden } from "../dom.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";

export function showMacros() {
  const root = $("view-macros");
  const page = { list: el("div", { class: "card table-card", testid: "macro-table" }), editing: null, variables: [] };
  state.macros = page;
  const title = el("input", { type: "text", testid: "macro-title", maxlength: "100", required: true });
  const body = el("textarea", { testid: "macro-body", rows: "5", maxlength: "2000", required: true });
  const hint = el("p", { class: "small muted", testid: "macro-variables" });
  const heading = el("h2", null, "New macro");
  const cancel = el("button", { type: "button", class: "btn", hidden: true, onclick: () => edit(page, null) }, "Cancel editing");
  const form = el("form", { class: "card pad macro-form", testid: "macro-form" },
    heading,
    el("label", { class: "field" }, el("span", null, "Title"), title),
    el("label", { class: "field" }, el("span", null, "Text"), body),
    hint,
    el("div", { class: "actions" }, el("button", { type: "submit", class: "btn btn-primary", testid: "macro-save" }, "Save"), cancel));
  Object.assign(page, { title, body, hint, heading, cancel, form });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(page);
  });
  root.append(el("div", { class: "page-head" }, el("h1", null, "Macros")),
    el("p", { class: "muted" }, "Canned replies agents insert from the reply box; variables are filled for each ticket."),
    form, page.list);
  setHidden(root, false);
  document.title = "Macros — Frontdesk console";
  load(page);
}

async function load(page) {
  try {
    const data = await api("GET", "/api/macros");
    if (state.macros !== page) return;
    page.variables = data.variables || [];
    page.hint.textContent = `Variables: ${page.variables.map((name) => `{${name}}`).join(" ")}`;
    draw(page, data.items || []);
  } catch (error) {
    report(error);
  }
}

function draw(page, items) {
  if (!items.length) {
    page.list.replaceChildren(el("p", { class: "muted pad" }, "No macros yet."));
    return;
  }
  page.list.replaceChildren(el("table", { class: "table" },
    el("thead", null, el("tr", null, el("th", { scope: "col" }, "Title"), el("th", { scope: "col" }, "Text"),
      el("th", { scope: "col" }, "Changed by"), el("th", { scope: "col" }, ""))),
    el("tbody", null, items.map((macro) => el("tr", { testid: "macro-row", data: { macroId: macro.id } },
      el("td", null, macro.title),
      el("td", { class: "macro-text" }, macro.body),
      el("td", null, macro.updated_by),
      el("td", { class: "nowrap" },
        el("button", { type: "button", class: "btn btn-small", onclick: () => edit(page, macro) }, "Edit"),
        " ",
        el("button", { type: "button", class: "btn btn-small", testid: "macro-delete", onclick: () => remove(page, macro) }, "Delete")))))));
}

function edit(page, macro) {
  page.editing = macro;
  page.title.value = macro ? macro.title : "";
  page.body.value = macro ? macro.body : "";
  page.heading.textContent = macro ? `Edit “${macro.title}”` : "New macro";
  page.cancel.hidden = !macro;
  page.title.focus();
}

async function save(page) {
  const payload = { title: page.title.value.trim(), body: page.body.value.trim() };
  try {
    if (page.editing) await api("PUT", `/api/macros/${page.editing.id}`, payload);
    else await api("POST", "/api/macros", payload);
    clearAlert("action");
    showNotice(`Macro “${payload.title}” saved.`);
    edit(page, null);
    load(page);
  } catch (error) {
    report(error);
  }
}

async function remove(page, macro) {
  const confirmed = await confirmDialog({ title: `Delete the macro “${macro.title}”?`, confirmLabel: "Delete", danger: true });
  if (!confirmed) return;
  try {
    await api("DELETE", `/api/macros/${macro.id}`);
    showNotice(`Macro “${macro.title}” deleted.`);
    load(page);
  } catch (error) {
    report(error);
  }
}

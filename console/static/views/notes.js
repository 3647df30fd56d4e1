// Private notes and labels on the ticket, for agents only: the server keeps them in the console's own
// database and never sends them to the customer.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";

// The panel is the view's own element: the side panels re-render around it without losing what is typed.
export function notesPanel(conv) {
  if (!conv.notes) {
    conv.notes = buildPanel(conv);
    loadNotes(conv);
  }
  return conv.notes.panel;
}

function buildPanel(conv) {
  const labelInput = el("input", {
    type: "text", testid: "label-input", maxlength: "30", placeholder: "Add a label", "aria-label": "Add a label", list: "known-labels",
  });
  const known = el("datalist", { id: "known-labels" });
  const labels = el("ul", { class: "chips", testid: "labels" });
  const list = el("ol", { class: "note-list", testid: "notes" });
  const body = el("textarea", {
    testid: "note-input", rows: "2", maxlength: "5000", "aria-label": "Private note",
    placeholder: "Private note: agents only, never sent to the customer",
  });
  const labelForm = el("form", { class: "label-form" }, labelInput, known,
    el("button", { type: "submit", class: "btn btn-small", testid: "label-add" }, "Add"));
  const noteForm = el("form", { class: "note-form" }, body,
    el("button", { type: "submit", class: "btn btn-small", testid: "note-add" }, "Add note"));
  const panel = el("section", { class: "card panel", testid: "notes-panel" },
    el("h2", null, "Labels and private notes"), labels, labelForm, list, noteForm);
  const notes = { panel, labels, list, body, labelInput, known, current: [] };
  labelForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const label = labelInput.value.trim().toLowerCase();
    if (label) saveLabels(conv, [...notes.current, label]);
  });
  noteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    addNote(conv);
  });
  return notes;
}

async function loadNotes(conv) {
  try {
    const [data, known] = await Promise.all([api("GET", `/api/tickets/${conv.id}/notes`), api("GET", "/api/labels")]);
    if (state.conv !== conv) return;
    drawLabels(conv, data.labels || []);
    conv.notes.known.replaceChildren(...(known.labels || []).map((label) => el("option", { value: label })));
    conv.notes.list.replaceChildren(...(data.notes || []).map(noteItem));
  } catch (error) {
    report(error);
  }
}

function drawLabels(conv, labels) {
  conv.notes.current = labels;
  conv.notes.labels.replaceChildren(...(labels.length
    ? labels.map((label) => el("li", { class: "chip", testid: "label", data: { label } }, label,
      el("button", {
        type: "button", class: "chip-remove", "aria-label": `Remove label ${label}`,
        onclick: () => saveLabels(conv, conv.notes.current.filter((l) => l !== label)),
      }, "×")))
    : [el("li", { class: "muted small" }, "No labels.")]));
}

function noteItem(note) {
  const at = parseIso(note.created_at);
  return el("li", { class: "note", testid: "note" },
    el("div", { class: "small muted" }, note.author, " · ", timeElement(at, formatDateTime(at))),
    el("div", { class: "note-body" }, note.body));
}

async function saveLabels(conv, labels) {
  try {
    const data = await api("PUT", `/api/tickets/${conv.id}/labels`, { labels });
    if (state.conv !== conv) return;
    conv.notes.labelInput.value = "";
    drawLabels(conv, data.labels || []);
  } catch (error) {
    report(error);
  }
}

async function addNote(conv) {
  const text = conv.notes.body.value.trim();
  if (!text) return;
  try {
    const data = await api("POST", `/api/tickets/${conv.id}/notes`, { body: text });
    if (state.conv !== conv) return;
    conv.notes.body.value = "";
    conv.notes.list.append(noteItem(data.note));
    showNotice("Note added (agents only).");
  } catch (error) {
    report(error);
  }
}

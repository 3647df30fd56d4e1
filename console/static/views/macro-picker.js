// The macro picker in the reply box: canned replies filled for this ticket by the server, filtered as the
// agent types, inserted at the cursor. Arrow keys move, Enter inserts, Escape closes. Opens with the
// "Macros" button or Ctrl+/ in the reply box.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";

export function buildMacroPicker(conv, input) {
  const filter = el("input", {
    type: "search", class: "macro-filter", testid: "macro-filter", placeholder: "Filter macros…", "aria-label": "Filter macros",
  });
  const list = el("ul", { class: "macro-list", role: "listbox", "aria-label": "Macros", testid: "macro-list" });
  const popover = el("div", { class: "macro-picker", testid: "macro-picker", hidden: true }, filter, list);
  const button = el("button", {
    type: "button", class: "btn btn-small", testid: "macro-button", "aria-haspopup": "listbox", "aria-expanded": "false",
    title: "Insert a canned reply (Ctrl+/)",
  }, "Macros");
  const picker = { button, popover, items: [], shown: [], active: 0 };

  const close = () => {
    popover.hidden = true;
    button.setAttribute("aria-expanded", "false");
  };
  const draw = () => {
    const needle = filter.value.trim().toLowerCase();
    picker.shown = picker.items.filter((m) => !needle || m.title.toLowerCase().includes(needle) || m.text.toLowerCase().includes(needle));
    picker.active = Math.min(picker.active, Math.max(picker.shown.length - 1, 0));
    list.replaceChildren(...(picker.shown.length
      ? picker.shown.map((macro, index) => el("li", {
        role: "option", class: "macro-option", testid: "macro-option", "aria-selected": String(index === picker.active),
        data: { macroId: macro.id },
        onmousedown: (event) => { event.preventDefault(); insert(macro); },
      }, el("strong", null, macro.title), el("span", { class: "small muted" }, macro.text)))
      : [el("li", { class: "muted small" }, picker.items.length ? "No macro matches." : "No macros yet. Admins add them under Macros.")]));
  };
  const insert = (macro) => {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.value = input.value.slice(0, start) + macro.text + input.value.slice(end);
    input.dispatchEvent(new Event("input"));
    close();
    input.focus();
    const caret = start + macro.text.length;
    input.setSelectionRange(caret, caret);
    if (macro.missing && macro.missing.length) {
      showNotice(`Fill in before sending: ${macro.missing.map((name) => `{${name}}`).join(", ")}`);
    }
  };
  picker.open = async () => {
    if (input.disabled) return;
    try {
      const data = await api("GET", `/api/tickets/${conv.id}/macros`);
      picker.items = (data && data.items) || [];
    } catch (error) {
      report(error);
      return;
    }
    filter.value = "";
    picker.active = 0;
    draw();
    popover.hidden = false;
    button.setAttribute("aria-expanded", "true");
    filter.focus();
  };

  button.addEventListener("click", () => (popover.hidden ? picker.open() : close()));
  filter.addEventListener("input", () => { picker.active = 0; draw(); });
  filter.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      picker.active = (picker.active + step + picker.shown.length) % Math.max(picker.shown.length, 1);
      draw();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (picker.shown[picker.active]) insert(picker.shown[picker.active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      input.focus();
    }
  });
  filter.addEventListener("blur", () => setTimeout(() => { if (!popover.contains(document.activeElement)) close(); }, 150));
  input.addEventListener("keydown", (event) => {
    if (event.key === "/" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      picker.open();
    }
  });
  return picker;
}

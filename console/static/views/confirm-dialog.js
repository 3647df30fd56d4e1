// An in-page confirmation (a modal <dialog>), instead of the browser's confirm(): the agent sees what will
// happen, fills in what the action needs (a reason, a size, a product, an amount) and confirms or cancels.
// confirmDialog() resolves with the filled values, or null when cancelled.
import { el } from "../dom.js";

let open = null;

// fields: [{name, label, required, placeholder, value, pattern, hint, options: [{value, label}] for a <select>}]
export function confirmDialog({ title, message, confirmLabel = "Confirm", danger = false, fields = [] }) {
  if (open) open.close("cancel");
  const inputs = fields.map((field) => {
    if (field.options) {
      const select = el("select", { name: field.name, testid: `confirm-${field.name}`, required: Boolean(field.required) },
        field.options.map((option) => el("option", { value: option.value }, option.label)));
      return { field, input: select };
    }
    const input = el(field.multiline ? "textarea" : "input", {
      name: field.name, testid: `confirm-${field.name}`, required: Boolean(field.required),
      placeholder: field.placeholder || null, pattern: field.pattern || null, rows: field.multiline ? "3" : null,
      maxlength: field.maxLength ? String(field.maxLength) : null, inputmode: field.inputmode || null,
      value: field.value || "",
    });
    return { field, input };
  });
  const error = el("p", { class: "dialog-error", testid: "confirm-error", role: "alert", hidden: true });
  const ok = el("button", { type: "submit", class: danger ? "btn btn-danger" : "btn btn-primary", testid: "confirm-ok", value: "ok" }, confirmLabel);
  const cancel = el("button", { type: "button", class: "btn", testid: "confirm-cancel" }, "Cancel");
  const form = el("form", { method: "dialog", class: "dialog-form", novalidate: true },
    el("h2", { id: "confirm-title" }, title),
    message ? el("p", { testid: "confirm-message" }, message) : null,
    inputs.map(({ field, input }) => el("label", { class: "field" },
      el("span", null, field.label, field.required ? "" : " (optional)"), input,
      field.hint ? el("span", { class: "small muted" }, field.hint) : null)),
    error,
    el("div", { class: "actions" }, cancel, ok));
  const dialog = el("dialog", { class: "confirm-dialog", testid: "confirm-dialog", "aria-labelledby": "confirm-title" }, form);
  document.body.append(dialog);
  open = dialog;

  return new Promise((resolve) => {
    cancel.addEventListener("click", () => dialog.close("cancel"));
    form.addEventListener("submit", (event) => {
      const values = {};
      for (const { field, input } of inputs) {
        const value = input.value.trim();
        if (field.required && value.length < (field.minLength || 1)) {
          event.preventDefault();
          error.textContent = `${field.label}: ${field.minLength ? `at least ${field.minLength} characters` : "required"}.`;
          error.hidden = false;
          input.focus();
          return;
        }
        values[field.name] = value;
      }
      dialog.returnValue = "ok";
      dialog.values = values;
    });
    dialog.addEventListener("close", () => {
      if (open === dialog) open = null;
      dialog.remove();
      resolve(dialog.returnValue === "ok" ? dialog.values || {} : null);
    });
    dialog.showModal();
    const first = inputs.length ? inputs[0].input : ok;
    first.focus();
  });
}

// A fresh id per confirmation: the server turns it into the idempotency key, so a retry acts once.
export function newRequestId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

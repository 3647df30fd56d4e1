// The label controls for a group or one message: accept the model's intent, pick another, out of scope,
// propose a new intent, or mark a question the knowledge base should answer. A trainer's new label replaces
// their earlier one on the same messages; the server checks intent names against the domain.
import { clearAlert, report, showAlert, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { confirmDialog } from "./confirm-dialog.js";

const NEW_INTENT_PATTERN = "^[a-z][a-z0-9]*(_[a-z0-9]+)*$";

export function labelControls(page, { path, topIntent, onDone }) {
  const buttons = [];
  const button = (testid, text, onclick, props) => {
    const node = el("button", { type: "button", class: "btn btn-small", testid, onclick, ...props }, text);
    buttons.push(node);
    return node;
  };

  async function send(body, done) {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api("POST", path, body);
      clearAlert("action");
      showNotice(done);
      onDone();
    } catch (error) {
      report(error);
    } finally {
      buttons.forEach((b) => { b.disabled = b.dataset.never === "true"; });
    }
  }

  const select = el("select", { testid: "label-intent-select", "aria-label": "Another intent" },
    el("option", { value: "" }, "Another intent…"),
    page.intents.filter((name) => name !== topIntent).map((name) => el("option", { value: name }, name)));
  const accept = button("label-accept", topIntent ? ["Accept ", el("span", { class: "mono" }, topIntent)] : "Accept",
    () => send({ kind: "accept" }, `Accepted ${topIntent}.`),
    { class: "btn btn-small btn-success", disabled: !topIntent, title: topIntent ? null : "The model gave no intent." });
  if (!topIntent) accept.dataset.never = "true";
  const apply = button("label-intent-apply", "Apply", () => {
    if (!select.value) {
      select.focus();
      return;
    }
    send({ kind: "intent", intent: select.value }, `Labelled ${select.value}.`);
  });
  return el("div", { class: "label-controls" },
    el("div", { class: "actions" },
      accept,
      el("span", { class: "intent-pick" }, select, apply)),
    el("div", { class: "actions" },
      button("label-out-of-scope", "Out of scope", () => send({ kind: "out_of_scope" }, "Marked out of scope.")),
      button("label-new-intent", "New intent…", async () => {
        const values = await confirmDialog({
          title: "Propose a new intent",
          message: "A name in snake_case, e.g. gift_wrapping. It becomes an intent only when a developer adds it to the domain.",
          confirmLabel: "Label",
          fields: [{ name: "intent", label: "Intent name", required: true, maxLength: 60, pattern: NEW_INTENT_PATTERN }],
        });
        if (!values) return;
        if (!new RegExp(NEW_INTENT_PATTERN).test(values.intent)) {
          showAlert("A new intent's name is snake_case, e.g. gift_wrapping.");
          return;
        }
        send({ kind: "new_intent", intent: values.intent }, `Proposed ${values.intent}.`);
      }),
      button("label-needs-answer", "Needs an answer", () => send({ kind: "needs_answer" }, "Sent to the knowledge base drafts."))));
}

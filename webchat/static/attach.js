// Sending a picture or a PDF to the person helping the customer (channels/attachments.py checks type, size and
// that a person has the conversation; its refusals come back as domain.yml sentences and are shown as such).
import { config, text } from "./texts.js";

export function setUpAttachments({ input, label, session, onSent, onRefused }) {
  input.setAttribute("aria-label", text("utter_webchat_attach_label"));
  label.title = text("utter_webchat_attach_label");
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    const sessionId = session();
    input.value = "";
    if (!file || !sessionId) {
      return;
    }
    // A form post: a "simple" cross-origin request, so no preflight (Rasa's server answers OPTIONS itself).
    const form = new FormData();
    form.append("session_id", sessionId);
    form.append("file", file, file.name);
    let answer;
    try {
      answer = await fetch(`${config.socketUrl}/webhooks/socketio/attachments`, { method: "POST", body: form });
    } catch {
      onRefused(text("utter_webchat_attachment_failed"));
      return;
    }
    if (answer.ok) {
      onSent(file.name);
      return;
    }
    const body = await answer.json().catch(() => null);
    const refusal = body && body.error && typeof body.error.message === "string" ? body.error.message : null;
    onRefused(refusal || text("utter_webchat_attachment_failed"));
  });
}

// The control is offered only while a person has, or is about to take, the conversation.
export function showAttachments(label, state) {
  label.hidden = state !== "waiting" && state !== "with-agent";
}

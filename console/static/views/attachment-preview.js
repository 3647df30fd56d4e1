// A file the customer sent, in the transcript: a picture as a thumbnail that opens full size in a new tab, a
// PDF as a link with its name and size. The address is the console's own (GET /api/attachments/<id>), which
// answers logged-in agents only; the server checked the file's type by its content and its conversation.
import { el } from "../dom.js";

const ATTACHMENT_URL = /^\/api\/attachments\/[A-Za-z0-9_-]{22}$/;

export function formatBytes(size) {
  if (!Number.isFinite(size) || size < 0) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

// null when the message carries no attachment the console can show.
export function attachmentPreview(attachment) {
  if (!attachment || typeof attachment.url !== "string" || !ATTACHMENT_URL.test(attachment.url)) return null;
  const name = typeof attachment.name === "string" && attachment.name ? attachment.name : "file";
  const size = formatBytes(Number(attachment.size));
  const type = String(attachment.content_type || "");
  if (type.startsWith("image/")) {
    return el("a", {
      class: "attachment attachment-image", testid: "attachment-preview", href: attachment.url,
      target: "_blank", rel: "noopener noreferrer", title: `Open ${name} full size`, data: { type },
    },
    el("img", {
      class: "attachment-thumb", testid: "attachment-thumb", src: attachment.url, alt: `Picture from the customer: ${name}`,
      loading: "lazy",
    }));
  }
  return el("a", {
    class: "attachment attachment-file", testid: "attachment-preview", href: attachment.url,
    target: "_blank", rel: "noopener noreferrer", data: { type },
  },
  el("span", { class: "attachment-name", testid: "attachment-name" }, name),
  size ? el("span", { class: "muted attachment-size", testid: "attachment-size" }, ` (${size})`) : null);
}

// Message text with its links made clickable, built from text nodes and checked link targets, never as HTML.

// A markdown link to an http(s) address, or a bare http(s) address.
const LINK_PATTERN = /\[([^\]\n]+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>"'`]+)/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

export function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function appendLink(parent, href, label) {
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = label;
  parent.appendChild(link);
}

// Newlines stay in the text nodes; CSS (white-space: pre-wrap) shows them.
export function appendRichText(parent, text) {
  let position = 0;
  let match;
  LINK_PATTERN.lastIndex = 0;
  while ((match = LINK_PATTERN.exec(text)) !== null) {
    let raw = match[0];
    let label = match[1];
    let href = match[2];
    let trailing = "";
    if (href === undefined) {
      // A sentence's closing punctuation is not part of the address it ends with.
      const cut = TRAILING_PUNCTUATION.exec(raw);
      if (cut) {
        trailing = cut[0];
        raw = raw.slice(0, raw.length - trailing.length);
      }
      href = raw;
      label = raw;
    }
    const url = safeUrl(href);
    parent.appendChild(document.createTextNode(text.slice(position, match.index)));
    if (url) {
      appendLink(parent, url, label);
    } else {
      parent.appendChild(document.createTextNode(raw));
    }
    position = match.index + raw.length;
    LINK_PATTERN.lastIndex = position + trailing.length;
  }
  parent.appendChild(document.createTextNode(text.slice(position)));
}

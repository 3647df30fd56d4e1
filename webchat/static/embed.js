// The page inside the widget's frame (/embed, opened by widget.js on a store's page): the store's title, colour
// and greeting from the frame's address, a close button, and focus and closing agreed with the launcher by
// postMessage. The store's words are shown as text, never parsed; its colour only as a checked #rrggbb.
import { text } from "./texts.js";

const TITLE_MAX = 60;
const GREETING_MAX = 300;
const WHITE = "#ffffff";

export const embedded = window.location.pathname === "/embed" && window.parent !== window;

// WCAG relative luminance and contrast ratio.
function luminance(hex) {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const linear = channels.map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

function darker(hex) {
  const channels = [1, 3, 5].map((start) => Math.floor(parseInt(hex.slice(start, start + 2), 16) * 0.85));
  return "#" + channels.map((c) => c.toString(16).padStart(2, "0")).join("");
}

// The store's colour on buttons (with black or white text, whichever reads better) and, darkened until it
// keeps 4.5:1 on white, for links and outlines drawn on the page's white.
function applyColour(colour) {
  const style = document.documentElement.style;
  const ink = contrast(colour, WHITE) >= contrast(colour, "#111111") ? WHITE : "#111111";
  let onWhite = colour;
  while (contrast(onWhite, WHITE) < 4.5) {
    onWhite = darker(onWhite);
  }
  style.setProperty("--accent", onWhite);
  style.setProperty("--user", colour);
  style.setProperty("--user-ink", ink);
  style.setProperty("--brand", colour);
}

function askToClose() {
  window.parent.postMessage({ type: "frontdesk:close" }, "*");
}

// Returns the store's greeting (or null) for the transcript to show first.
export function setUpEmbedding({ title, closeButton, input }) {
  if (!embedded) {
    return null;
  }
  document.body.dataset.embed = "true";
  const params = new URLSearchParams(window.location.search);
  const colour = params.get("color");
  if (colour && /^#[0-9a-f]{6}$/i.test(colour)) {
    applyColour(colour);
  }
  const storeTitle = (params.get("title") || "").trim().slice(0, TITLE_MAX);
  if (storeTitle) {
    title.textContent = storeTitle;
  }
  closeButton.hidden = false;
  closeButton.setAttribute("aria-label", text("utter_webchat_widget_close"));
  closeButton.addEventListener("click", askToClose);
  document.addEventListener("keydown", (event) => {
    // Escape in the confirmation dialog closes only the dialog.
    if (event.key === "Escape" && !document.querySelector("dialog[open]")) {
      askToClose();
    }
  });
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data && event.data.type === "frontdesk:focus" && !input.disabled) {
      input.focus();
    }
  });
  const greeting = (params.get("greeting") || "").trim().slice(0, GREETING_MAX);
  return greeting || null;
}

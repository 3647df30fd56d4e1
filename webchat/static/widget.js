// The Frontdesk chat widget, for a store's own pages:
//   <script src="https://chat.example/widget.js" data-title="Acme" data-color="#0f766e"
//           data-greeting="Questions about an order? Ask us." defer></script>
// It draws a launcher button and opens the chat page (/embed on the chat's server) in a frame: the same client
// as the full page, with its code, styles and storage kept apart from the store's page. A classic script, not a
// module, so it can find its own tag (document.currentScript) and runs on any page. Its sentences come from
// domain.yml: webchat/server.py writes them in place of the placeholder below.
(function () {
  "use strict";
  const TEXTS = /*FRONTDESK_WIDGET_TEXTS*/ {};
  const script = document.currentScript;
  if (!script || !script.src || document.querySelector("[data-frontdesk-widget]")) {
    return;
  }
  const chatOrigin = new URL(script.src).origin;
  const options = script.dataset;
  const DEFAULT_COLOUR = "#1d4ed8";
  const colour = /^#[0-9a-f]{6}$/i.test(options.color || "") ? options.color : DEFAULT_COLOUR;

  // WCAG relative luminance and contrast ratio, to put black or white text on the store's colour.
  function luminance(hex) {
    const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
    const linear = channels.map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }
  function contrast(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }
  const ink = contrast(colour, "#ffffff") >= contrast(colour, "#111111") ? "#ffffff" : "#111111";

  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = chatOrigin + "/static/widget.css";
  document.head.appendChild(stylesheet);

  const root = document.createElement("div");
  root.className = "frontdesk-widget";
  root.setAttribute("data-frontdesk-widget", "");
  root.style.setProperty("--frontdesk-accent", colour);
  root.style.setProperty("--frontdesk-accent-ink", ink);

  const panel = document.createElement("div");
  panel.className = "frontdesk-widget__panel";
  panel.id = "frontdesk-widget-panel";
  panel.hidden = true;

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "frontdesk-widget__launcher";
  launcher.setAttribute("data-testid", "widget-launcher");
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-label", TEXTS.utter_webchat_widget_open || "");
  launcher.appendChild(bubbleIcon());

  let frame = null;

  function bubbleIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // The frame is made on first opening, so a store's page loads nothing of the chat until a customer asks.
  function ensureFrame() {
    if (frame) {
      return;
    }
    const params = new URLSearchParams({ color: colour });
    if (options.title) {
      params.set("title", options.title.slice(0, 60));
    }
    if (options.greeting) {
      params.set("greeting", options.greeting.slice(0, 300));
    }
    frame = document.createElement("iframe");
    frame.className = "frontdesk-widget__frame";
    frame.src = chatOrigin + "/embed?" + params.toString();
    frame.title = TEXTS.utter_webchat_widget_frame_title || "";
    frame.setAttribute("data-testid", "widget-frame");
    panel.appendChild(frame);
  }

  function isOpen() {
    return !panel.hidden;
  }

  function open() {
    ensureFrame();
    panel.hidden = false;
    root.dataset.open = "true";
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXTS.utter_webchat_widget_close || "");
    // Keyboard focus goes into the chat; the page puts it in the message field once it can send.
    frame.focus();
    frame.contentWindow.postMessage({ type: "frontdesk:focus" }, chatOrigin);
  }

  function close() {
    panel.hidden = true;
    delete root.dataset.open;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", TEXTS.utter_webchat_widget_open || "");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (isOpen() ? close() : open()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      close();
    }
  });
  // The chat in the frame asks to close (its close button, or Escape inside it).
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.origin !== chatOrigin || !frame || event.source !== frame.contentWindow) {
      return;
    }
    if (data && data.type === "frontdesk:close" && isOpen()) {
      close();
    }
  });

  root.appendChild(panel);
  root.appendChild(launcher);
  if (document.body) {
    document.body.appendChild(root);
  } else {
    // A tag in <head> without defer runs before there is a body.
    document.addEventListener("DOMContentLoaded", () => document.body.appendChild(root));
  }
})();

// The live transcript: the customer's connection line, the messages in time order, and the form for
// flagging a wrong bot answer for the trainers.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { capitalize, formatShortTime, fromUnix } from "../format.js";
import { state } from "../state.js";
import { attachmentPreview } from "./attachment-preview.js";
import { REPLY_MAX } from "./reply.js";

const KNOWN_AUTHORS = ["customer", "bot", "agent", "system"];
const NEAR_BOTTOM_PX = 80;

export function renderConnection(conv, connected, paused) {
  let text;
  let cls;
  if (connected === true) {
    text = "Customer is online";
    cls = "online";
  } else if (connected === false) {
    text = "Customer is offline — replies go by email";
    cls = "offline";
  } else {
    text = "Customer connection unknown";
    cls = "unknown";
  }
  conv.connection.replaceChildren(
    el("span", { class: `conn conn-${cls}`, data: { connected: String(connected) } },
      el("span", { class: `dot dot-${cls === "online" ? "available" : cls === "offline" ? "offline" : "away"}`, "aria-hidden": "true" }),
      text),
    el("span", { class: "sep", "aria-hidden": "true" }, " · "),
    el("span", { class: `bot-state ${paused ? "paused" : "active"}`, testid: "bot-paused", data: { paused: String(Boolean(paused)) } },
      paused ? "Bot is paused" : "Bot is not paused"));
}

function messageKey(m) {
  return `${m.timestamp}|${m.author}|${m.text}`;
}

function authorLabel(m) {
  switch (m.author) {
    case "customer": {
      const customer = state.conv && state.conv.data && state.conv.data.customer;
      return customer && customer.name ? `${customer.name} (customer)` : "Customer";
    }
    case "bot": return "Bot";
    case "agent": return m.agent || "Agent";
    case "system": return "System";
    default: return capitalize(m.author || "unknown");
  }
}

export function addMessages(conv, list) {
  if (!Array.isArray(list) || !list.length) return;
  const box = conv.transcript;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
  let added = 0;
  for (const m of list) {
    if (!m) continue;
    const key = messageKey(m);
    if (conv.keys.has(key)) continue;
    conv.keys.add(key);
    const ts = Number(m.timestamp);
    if (Number.isFinite(ts) && ts > conv.lastTs) conv.lastTs = ts;

    if (m.author === "agent") {
      // The live feed brought back a reply sent from here: replace the local copy.
      const index = conv.pending.findIndex((p) => p.text === m.text);
      if (index >= 0) {
        conv.pending[index].node.remove();
        conv.pending.splice(index, 1);
      }
    }

    const entry = { ts: Number.isFinite(ts) ? ts : 0, author: m.author, text: m.text, node: null };
    entry.node = buildMessage(conv, m, entry);
    const after = conv.messages.findIndex((other) => other.ts > entry.ts);
    if (after >= 0) {
      box.insertBefore(entry.node, conv.messages[after].node);
      conv.messages.splice(after, 0, entry);
    } else {
      // after every server message but before nothing: local (pending) copies keep their place
      box.append(entry.node);
      conv.messages.push(entry);
    }
    added += 1;
  }
  if (added) {
    conv.emptyTranscript.remove();
    if (nearBottom) box.scrollTop = box.scrollHeight;
  }
}

function buildMessage(conv, m, entry) {
  const author = m.author || "unknown";
  const known = KNOWN_AUTHORS.includes(author);
  const date = fromUnix(m.timestamp);
  const text = m.text === null || m.text === undefined || m.text === "" ? null : String(m.text);
  const node = el("article", {
    class: `msg msg-${known ? author : "system"}`,
    testid: "message",
    data: { author, timestamp: m.timestamp },
  },
  el("header", { class: "msg-meta" },
    el("span", { class: "msg-author" }, authorLabel(m)),
    timeElement(date, formatShortTime(date), "msg-time")),
  el("div", { class: "msg-text" }, text === null ? el("em", { class: "muted" }, "(no text)") : text),
  attachmentPreview(m.attachment));

  if (author === "bot" && text !== null) {
    const tools = el("div", { class: "msg-tools" });
    const flag = el("button", {
      type: "button", class: "link-button", testid: "flag", title: "Tell the trainers what the bot should have said",
      onclick: () => openFlagForm(conv, entry, m, tools, flag),
    }, "Flag as wrong");
    tools.append(flag);
    node.append(tools);
  }
  return node;
}

function customerMessageBefore(conv, entry) {
  const index = conv.messages.indexOf(entry);
  for (let i = (index >= 0 ? index : conv.messages.length) - 1; i >= 0; i -= 1) {
    if (conv.messages[i].author === "customer") return conv.messages[i].text || null;
  }
  return null;
}

function openFlagForm(conv, entry, m, tools, flagButton) {
  const existing = tools.querySelector("form");
  if (existing) {
    existing.querySelector("textarea").focus();
    return;
  }
  const inputId = `correction-${String(m.timestamp).replace(/\W/g, "-")}`;
  const input = el("textarea", {
    id: inputId, class: "correction-input", testid: "correction-input", rows: 2, maxlength: REPLY_MAX,
    placeholder: "What should the bot have said?",
  });
  const error = el("p", { class: "field-error", role: "alert", hidden: true });
  const save = el("button", { type: "submit", class: "btn btn-small btn-primary", testid: "correction-save" }, "Save");
  const cancel = el("button", {
    type: "button", class: "btn btn-small btn-quiet", testid: "correction-cancel",
    onclick: () => {
      form.remove();
      entry.node.classList.remove("flagging");
      flagButton.hidden = false;
      flagButton.focus();
    },
  }, "Cancel");
  const form = el("form", { class: "flag-form" },
    el("label", { for: inputId }, "Correct answer for trainers"),
    input, error,
    el("div", { class: "flag-buttons" }, save, cancel));

  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancel.click();
    else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const correction = input.value.trim();
    if (!correction) {
      error.textContent = "Write the answer the bot should have given.";
      error.hidden = false;
      input.focus();
      return;
    }
    error.hidden = true;
    save.disabled = true;
    try {
      await api("POST", "/api/corrections", {
        ticket_id: conv.id,
        bot_text: String(m.text),
        bot_timestamp: m.timestamp,
        customer_text: customerMessageBefore(conv, entry),
        correction,
      });
      form.replaceWith(el("p", { class: "flag-saved", testid: "correction-saved", role: "status" }, "Saved for trainers"));
      flagButton.remove();
      entry.node.classList.remove("flagging");
    } catch (err) {
      report(err);
      save.disabled = false;
    }
  });

  flagButton.hidden = true;
  tools.append(form);
  entry.node.classList.add("flagging");
  input.focus();
}

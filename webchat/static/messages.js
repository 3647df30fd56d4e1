// One message of the transcript as the customer sees it, and the bot's socket.io answers turned into
// entries that can be stored and shown again after a reload.
import { renderReceipt } from "./receipts.js";
import { appendRichText, safeUrl } from "./rich-text.js";
import { text } from "./texts.js";

const AGENT_NAME_MAX = 100;
// The notices the console sends (common/vocabulary.py AGENT_NOTICES).
export const AGENT_NOTICES = ["agent_joined", "agent_transferred", "agent_left"];
// The entry behind each quick-reply group, so setQuickRepliesReady() knows which were answered.
const quickReplyGroups = new WeakMap();

function agentOf(entry) {
  return typeof entry.agent === "string" && entry.agent ? entry.agent : null;
}

// chat: {isReady(): boolean, choose(reply)}, what a quick reply needs from the conversation.
// A person joining, taking over or leaving: a line about the conversation, not a message from anyone.
function renderNotice(entry) {
  const line = document.createElement("p");
  line.className = "message message--notice";
  line.setAttribute("data-testid", "system-line");
  line.setAttribute("data-notice", entry.notice);
  line.textContent = entry.text;
  return line;
}

export function renderMessage(entry, chat) {
  if (entry.notice) {
    return renderNotice(entry);
  }
  const agent = agentOf(entry);
  const message = document.createElement("div");
  message.className = `message message--${entry.author}`;
  message.setAttribute("data-testid", entry.author === "bot" ? "bot-message" : "user-message");
  // Named rather than prefixed with hidden text, so the message's own text stays exactly what was said.
  message.setAttribute("role", "article");
  message.setAttribute(
    "aria-label",
    entry.author === "bot" ? agent || text("utter_webchat_author_support") : text("utter_webchat_author_you"),
  );
  if (agent) {
    // A person from the support team wrote this, not the assistant: say who.
    message.classList.add("message--agent");
    const name = document.createElement("span");
    name.className = "message__agent";
    name.setAttribute("data-testid", "agent-name");
    name.textContent = agent;
    message.appendChild(name);
  }

  const bubble = document.createElement("div");
  bubble.className = "message__bubble";
  if (entry.text) {
    const paragraph = document.createElement("p");
    paragraph.className = "message__text";
    paragraph.setAttribute("data-testid", "message-text");
    appendRichText(paragraph, entry.text);
    bubble.appendChild(paragraph);
  }
  if (typeof entry.image === "string" && safeUrl(entry.image)) {
    const image = document.createElement("img");
    image.className = "message__image";
    image.src = safeUrl(entry.image);
    image.alt = text("utter_webchat_image_alt");
    image.loading = "lazy";
    image.referrerPolicy = "no-referrer";
    bubble.appendChild(image);
  }
  message.appendChild(bubble);
  if (typeof entry.at === "number") {
    message.appendChild(renderTime(entry.at));
  }
  if (entry.author === "user" && typeof entry.id === "string" && typeof entry.receipt === "string") {
    // A message to a person: its delivered/read mark (receipts.js) is found again by the message's id.
    message.setAttribute("data-message-id", entry.id);
    message.appendChild(renderReceipt(entry));
  }

  if (Array.isArray(entry.buttons) && entry.buttons.length > 0) {
    message.appendChild(renderQuickReplies(entry, chat));
  }
  return message;
}

// When it was said, in the customer's own clock format (hours and minutes).
function renderTime(at) {
  const moment = new Date(at);
  const time = document.createElement("time");
  time.className = "message__time";
  time.setAttribute("data-testid", "message-time");
  time.dateTime = moment.toISOString();
  time.textContent = moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return time;
}

function renderQuickReplies(entry, chat) {
  const group = document.createElement("div");
  group.className = "quick-replies";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", text("utter_webchat_quick_replies_label"));
  const buttons = [];
  entry.buttons.forEach((reply, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = entry.chosen === index ? "quick-reply quick-reply--chosen" : "quick-reply";
    button.setAttribute("data-testid", "quick-reply");
    button.textContent = reply.title;
    button.disabled = Boolean(entry.answered) || !chat.isReady();
    button.addEventListener("click", () => {
      if (entry.answered || !chat.isReady()) {
        return;
      }
      // Answered once: the choice is kept with the entry, so a reload shows it too.
      entry.answered = true;
      entry.chosen = index;
      buttons.forEach((other) => {
        other.disabled = true;
      });
      button.classList.add("quick-reply--chosen");
      chat.choose(reply);
    });
    buttons.push(button);
    group.appendChild(button);
  });
  quickReplyGroups.set(group, entry);
  return group;
}

// Quick replies can be pressed only while the conversation is ready, and each group only once.
export function setQuickRepliesReady(container, ready) {
  container.querySelectorAll(".quick-replies").forEach((group) => {
    const entry = quickReplyGroups.get(group);
    group.querySelectorAll("button").forEach((button) => {
      button.disabled = !ready || Boolean(entry && entry.answered);
    });
  });
}

// The bot's (or an agent's) message from socket.io as a transcript entry; null when it shows nothing.
export function botEntry(data) {
  if (data === null || typeof data !== "object") {
    return null;
  }
  const entry = { author: "bot", text: typeof data.text === "string" ? data.text : "" };
  if (typeof data.agent === "string" && data.agent) {
    entry.agent = data.agent.slice(0, AGENT_NAME_MAX);
    if (AGENT_NOTICES.includes(data.notice)) {
      entry.notice = data.notice;
    }
  }
  if (Array.isArray(data.quick_replies)) {
    const buttons = data.quick_replies
      .filter((reply) => reply && typeof reply.title === "string" && typeof reply.payload === "string")
      .map((reply) => ({ title: reply.title, payload: reply.payload }));
    if (buttons.length > 0) {
      entry.buttons = buttons;
    }
  }
  const attachment = data.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) {
    const src = safeUrl(attachment.payload.src);
    if (src) {
      entry.image = src;
    }
  }
  return entry.text || entry.image || entry.buttons ? entry : null;
}

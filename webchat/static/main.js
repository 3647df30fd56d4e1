// Frontdesk customer web chat. Talks to Rasa's socket.io channel (channels/socketio.py): the server issues a
// signed session id, which this page keeps in localStorage together with a copy of the transcript (see
// storage.js), so a reload shows the same conversation and continues it. Message text only ever reaches the
// page through textContent and checked link targets, never as HTML; the page's own sentences come from
// domain.yml (texts.js).
import { setUpAttachments, showAttachments } from "./attach.js";
import { setUpEmbedding } from "./embed.js";
import { archive, loadHistory, renderHistory } from "./history.js";
import { botEntry, renderMessage, setQuickRepliesReady } from "./messages.js";
import { DELIVERED, READ, SENDING, advanceReceipts, newMessageId } from "./receipts.js";
import { SESSION_KEY, TRANSCRIPT_KEY, load, loadTranscript, save, saveTranscript } from "./storage.js";
import {
  acknowledgedSinceSupportSpoke,
  createTyping,
  createWaitWatcher,
  personHolds,
  waitingSentence,
} from "./states.js";
import { config, hasTexts, text } from "./texts.js";

const transcriptElement = document.getElementById("transcript");
const form = document.getElementById("chat-form");
const input = document.getElementById("chat-input");
const sendButton = document.getElementById("chat-send");
const statusElement = document.getElementById("chat-status");
const newConversation = document.getElementById("new-conversation");
const loadFailed = document.getElementById("chat-load-failed");
const confirmNew = document.getElementById("confirm-new");
// In the widget's frame: the store's greeting opens the transcript (not stored: it is the store's, not ours).
const storeGreeting = setUpEmbedding({
  title: document.getElementById("chat-title"),
  closeButton: document.getElementById("close-widget"),
  input,
});

const typing = createTyping(document.getElementById("typing"));
const QUEUE_POLL_MS = (Number(config.queuePollSeconds) || 10) * 1000;

let sessionId = null;
let transcript = [];
let history = loadHistory();
let socket = null;

// What a message's quick replies need from the conversation.
const chat = {
  isReady: () => Boolean(sessionId),
  choose(reply) {
    send(reply.payload, reply.title);
    input.focus();
  },
};

function scrollToEnd() {
  transcriptElement.scrollTop = transcriptElement.scrollHeight;
}

function render(entry) {
  transcriptElement.appendChild(renderMessage(entry, chat));
  scrollToEnd();
}

function add(entry) {
  entry.at = Date.now();
  transcript.push(entry);
  transcript = saveTranscript(transcript);
  render(entry);
}

function renderAll() {
  transcriptElement.replaceChildren();
  const earlier = renderHistory(history);
  if (earlier) {
    transcriptElement.appendChild(earlier);
  }
  if (storeGreeting) {
    const greeting = document.createElement("p");
    greeting.className = "message message--store-greeting";
    greeting.setAttribute("data-testid", "store-greeting");
    greeting.textContent = storeGreeting;
    transcriptElement.appendChild(greeting);
  }
  transcript.forEach(render);
}

// state: connecting, connected, with-agent, waiting, reconnecting or error (CSS and tests read it).
const attachLabel = document.getElementById("chat-attach-label");
function setStatus(state, sentence) {
  showAttachments(attachLabel, state);
  statusElement.dataset.state = state;
  statusElement.textContent = sentence;
}

// The header says who the customer is talking to: a person who joined, a wait for one, or the assistant
// again (the bot stays silent while a person has the conversation, so its next message means it is back).
let withPerson = false;
function followWhoIsTalking(entry) {
  if (entry.notice === "agent_joined" || entry.notice === "agent_transferred") {
    withPerson = true;
    wait.stop();
    setStatus("with-agent", text("utter_webchat_chatting_with").replace("{agent_name}", entry.agent));
  } else if (entry.notice === "agent_left") {
    withPerson = false;
    setStatus("waiting", text("utter_webchat_waiting_for_agent"));
    wait.checkSoon();
  } else if (!entry.agent && withPerson) {
    withPerson = false;
    setStatus("connected", text("utter_webchat_back_with_assistant"));
  }
}

// While the conversation waits for a person, the header shows the place in the queue, asked again and again.
const wait = createWaitWatcher({
  ask(answer) {
    if (!socket || !sessionId) {
      answer(null);
      return;
    }
    socket.emit("queue_status", { session_id: sessionId }, answer);
  },
  onWaiting(answer) {
    if (!withPerson) {
      typing.hide();
      setStatus("waiting", waitingSentence(answer));
    }
  },
  onDone() {
    if (statusElement.dataset.state === "waiting") {
      setStatus("connected", text("utter_webchat_connected"));
    }
  },
  intervalMs: QUEUE_POLL_MS,
});

function setReady(ready) {
  form.dataset.ready = ready ? "true" : "false";
  input.disabled = !ready;
  sendButton.disabled = !ready;
  setQuickRepliesReady(transcriptElement, ready);
}

// A message to a person moves from sending to delivered (the server's acknowledgement) to read (agent_read).
function advance(ids, receipt) {
  if (advanceReceipts(transcriptElement, transcript, ids, receipt)) {
    transcript = saveTranscript(transcript);
  }
}

// payload goes to Rasa; shown is what the customer sees in their bubble (a quick reply's title).
function send(payload, shown) {
  if (!sessionId) {
    return;
  }
  const id = newMessageId();
  socket.emit("user_uttered", { message: payload, session_id: sessionId, message_id: id }, (answer) => {
    if (answer && answer.delivered === true) {
      advance([id], DELIVERED);
    }
  });
  add(withPerson ? { author: "user", text: shown, id, receipt: SENDING } : { author: "user", text: shown });
  if (wait.isWaiting()) {
    // Nobody answers until a person joins: say once that the messages are kept for them.
    if (!acknowledgedSinceSupportSpoke(transcript)) {
      add({ author: "bot", notice: "received", text: text("utter_webchat_waiting_message_received") });
    }
  } else if (!withPerson) {
    typing.show();
  }
}

function startConversation(storedId) {
  sessionId = null;
  setReady(false);
  socket.emit("session_request", { session_id: storedId });
}

function forgetConversation() {
  typing.hide();
  wait.stop();
  save(SESSION_KEY, null);
  history = archive(transcript);
  save(TRANSCRIPT_KEY, null);
  transcript = [];
  renderAll();
}

function connect() {
  socket = window.io(config.socketUrl, { path: config.socketPath, transports: ["websocket"] });

  socket.on("connect", () => {
    setStatus("connected", text("utter_webchat_connected"));
    startConversation(load(SESSION_KEY));
  });

  socket.on("session_confirm", (id) => {
    if (typeof id !== "string" || id === "") {
      return;
    }
    if (id !== load(SESSION_KEY)) {
      // A new session (first visit, expired or unknown id): an old transcript belongs to another
      // conversation, kept with the earlier ones.
      history = archive(transcript);
      transcript = [];
      save(TRANSCRIPT_KEY, null);
      renderAll();
    }
    save(SESSION_KEY, id);
    sessionId = id;
    document.body.dataset.session = id;
    setReady(true);
    const person = personHolds(transcript);
    if (person) {
      // A reload while chatting with a person: still with them (their messages stay marked, the header says so).
      withPerson = true;
      setStatus("with-agent", text("utter_webchat_chatting_with").replace("{agent_name}", person));
    }
    wait.check();
    if (!document.activeElement || document.activeElement === document.body) {
      input.focus();
    }
  });

  socket.on("session_refused", (data) => {
    // Too many new chats from this network: say so instead of waiting forever.
    const refusal = data && typeof data.text === "string" ? data.text : text("utter_webchat_unavailable");
    setReady(false);
    setStatus("error", refusal);
  });

  socket.on("bot_uttered", (data) => {
    const entry = botEntry(data);
    if (entry) {
      typing.hide();
      add(entry);
      followWhoIsTalking(entry);
      if (!withPerson) {
        wait.checkSoon();
      }
    }
  });

  socket.on("agent_typing", (data) => {
    if (data && typeof data.agent === "string" && data.agent) {
      typing.showAgent(data.agent);
    }
  });

  socket.on("agent_read", (data) => {
    if (data && Array.isArray(data.message_ids)) {
      advance(data.message_ids.filter((id) => typeof id === "string"), READ);
    }
  });

  socket.on("disconnect", () => {
    typing.hide();
    wait.stop();
    sessionId = null;
    setReady(false);
    setStatus("reconnecting", text("utter_webchat_connection_lost"));
  });

  socket.on("connect_error", () => {
    setStatus("reconnecting", text("utter_webchat_unreachable"));
  });

  socket.io.on("reconnect_attempt", () => {
    setStatus("reconnecting", text("utter_webchat_reconnecting"));
  });
}

// The page's controls, wired only once there is a server to talk to (until then index.html keeps them
// disabled).
function listen() {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!typed || !sessionId) {
      return;
    }
    input.value = "";
    send(typed, typed);
  });

  // "New conversation" asks first, in the page (a <dialog>: focus stays inside, Escape keeps chatting).
  document.getElementById("confirm-new-text").textContent = text("utter_webchat_confirm_new");
  document.getElementById("confirm-new-keep").textContent = text("utter_webchat_confirm_new_keep");
  document.getElementById("confirm-new-start").textContent = text("utter_webchat_confirm_new_start");
  let starting = false;
  newConversation.addEventListener("click", () => confirmNew.showModal());
  document.getElementById("confirm-new-keep").addEventListener("click", () => confirmNew.close());
  confirmNew.addEventListener("close", () => {
    if (!starting) {
      newConversation.focus();
    }
    starting = false;
  });
  document.getElementById("confirm-new-start").addEventListener("click", () => {
    starting = true;
    confirmNew.close();
    forgetConversation();
    delete document.body.dataset.session;
    if (socket.connected) {
      startConversation(null);
    }
    input.focus();
  });

  // Another tab of the same page wrote the transcript or changed the session: follow it, so two tabs do not
  // overwrite each other's copy.
  window.addEventListener("storage", (event) => {
    if (event.key === TRANSCRIPT_KEY) {
      history = loadHistory();
      transcript = loadTranscript();
      renderAll();
      setReady(Boolean(sessionId));
    } else if (event.key === SESSION_KEY && event.newValue && event.newValue !== sessionId && socket.connected) {
      // Only a new id is followed: a removed one means the other tab is starting over and will store its
      // new id in a moment, and asking for a session of our own now would make the two tabs disagree.
      startConversation(event.newValue);
    }
  });
}

setUpAttachments({
  input: document.getElementById("chat-attach"),
  label: attachLabel,
  session: () => sessionId,
  onSent: (name) => add({ author: "user", text: name, attachment: true }),
  onRefused: (refusal) => add({ author: "bot", notice: "attachment_refused", text: refusal }),
});

transcript = loadTranscript();
renderAll();

if (!hasTexts) {
  // /config.js did not load, so there is neither a server to talk to nor words from it: index.html's
  // notice says so.
  statusElement.dataset.state = "error";
  statusElement.hidden = true;
  loadFailed.hidden = false;
} else if (typeof window.io !== "function") {
  setStatus("error", text("utter_webchat_load_failed"));
} else {
  setStatus("connecting", text("utter_webchat_connecting"));
  connect();
  listen();
}

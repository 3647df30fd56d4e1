// Frontdesk customer web chat. Talks to Rasa's socket.io channel (channels/socketio.py): the server issues a
// signed session id, which this page keeps in localStorage together with a copy of the transcript, so a
// reload shows the same conversation and continues it. Message text only ever reaches the page through
// textContent and checked link targets, never as HTML.
(function () {
  "use strict";

  var SESSION_KEY = "frontdesk.session";
  var TRANSCRIPT_KEY = "frontdesk.transcript";
  var TRANSCRIPT_LIMIT = 200;
  // A markdown link to an http(s) address, or a bare http(s) address.
  var LINK_PATTERN = /\[([^\]\n]+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>"'`]+)/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

  var config = window.FRONTDESK_CONFIG || {};
  var transcriptElement = document.getElementById("transcript");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var sendButton = document.getElementById("chat-send");
  var statusElement = document.getElementById("chat-status");
  var newConversation = document.getElementById("new-conversation");

  var sessionId = null;
  var transcript = [];
  var quickReplyGroups = new WeakMap();

  // localStorage can be missing or full (private windows, quotas): the chat still works, just not across
  // reloads.
  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function save(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch (error) {
      /* see load() */
    }
  }

  function loadTranscript() {
    try {
      var entries = JSON.parse(load(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(entries) ? entries.filter(isEntry) : [];
    } catch (error) {
      return [];
    }
  }

  function isEntry(entry) {
    return (
      entry !== null &&
      typeof entry === "object" &&
      (entry.author === "user" || entry.author === "bot") &&
      typeof entry.text === "string"
    );
  }

  function saveTranscript() {
    if (transcript.length > TRANSCRIPT_LIMIT) {
      transcript = transcript.slice(transcript.length - TRANSCRIPT_LIMIT);
    }
    save(TRANSCRIPT_KEY, JSON.stringify(transcript));
  }

  function safeUrl(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function appendLink(parent, href, label) {
    var link = document.createElement("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = label;
    parent.appendChild(link);
  }

  // Newlines stay in the text nodes; CSS (white-space: pre-wrap) shows them.
  function appendRichText(parent, text) {
    var position = 0;
    var match;
    LINK_PATTERN.lastIndex = 0;
    while ((match = LINK_PATTERN.exec(text)) !== null) {
      var raw = match[0];
      var label = match[1];
      var href = match[2];
      var trailing = "";
      if (href === undefined) {
        // A sentence's closing punctuation is not part of the address it ends with.
        var cut = TRAILING_PUNCTUATION.exec(raw);
        if (cut) {
          trailing = cut[0];
          raw = raw.slice(0, raw.length - trailing.length);
        }
        href = raw;
        label = raw;
      }
      var url = safeUrl(href);
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

  function scrollToEnd() {
    transcriptElement.scrollTop = transcriptElement.scrollHeight;
  }

  function render(entry) {
    var message = document.createElement("div");
    message.className = "message message--" + entry.author;
    message.setAttribute("data-testid", entry.author === "bot" ? "bot-message" : "user-message");
    // Named rather than prefixed with hidden text, so the message's own text stays exactly what was said.
    message.setAttribute("role", "article");
    message.setAttribute("aria-label", entry.author === "bot" ? (typeof entry.agent === "string" && entry.agent) || "Support" : "You");
    if (typeof entry.agent === "string" && entry.agent) {
      // A person from the support team wrote this, not the assistant: say who.
      message.classList.add("message--agent");
      var name = document.createElement("span");
      name.className = "message__agent";
      name.setAttribute("data-testid", "agent-name");
      name.textContent = entry.agent;
      message.appendChild(name);
    }

    var bubble = document.createElement("div");
    bubble.className = "message__bubble";
    if (entry.text) {
      var text = document.createElement("p");
      text.className = "message__text";
      appendRichText(text, entry.text);
      bubble.appendChild(text);
    }
    if (typeof entry.image === "string" && safeUrl(entry.image)) {
      var image = document.createElement("img");
      image.className = "message__image";
      image.src = safeUrl(entry.image);
      image.alt = "Image sent by support";
      image.loading = "lazy";
      image.referrerPolicy = "no-referrer";
      bubble.appendChild(image);
    }
    message.appendChild(bubble);

    if (Array.isArray(entry.buttons) && entry.buttons.length > 0) {
      message.appendChild(renderQuickReplies(entry));
    }
    transcriptElement.appendChild(message);
    scrollToEnd();
  }

  function renderQuickReplies(entry) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    var buttons = [];
    entry.buttons.forEach(function (reply, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = entry.chosen === index ? "quick-reply quick-reply--chosen" : "quick-reply";
      button.setAttribute("data-testid", "quick-reply");
      button.textContent = reply.title;
      button.disabled = Boolean(entry.answered) || !sessionId;
      button.addEventListener("click", function () {
        if (entry.answered || !sessionId) {
          return;
        }
        entry.answered = true;
        entry.chosen = index;
        buttons.forEach(function (other) {
          other.disabled = true;
        });
        button.classList.add("quick-reply--chosen");
        send(reply.payload, reply.title);
        input.focus();
      });
      buttons.push(button);
      group.appendChild(button);
    });
    quickReplyGroups.set(group, entry);
    return group;
  }

  function add(entry) {
    transcript.push(entry);
    saveTranscript();
    render(entry);
  }

  function renderAll() {
    transcriptElement.replaceChildren();
    transcript.forEach(render);
  }

  function setStatus(state, text) {
    statusElement.dataset.state = state;
    statusElement.textContent = text;
  }

  function setReady(ready) {
    form.dataset.ready = ready ? "true" : "false";
    input.disabled = !ready;
    sendButton.disabled = !ready;
    transcriptElement.querySelectorAll(".quick-replies").forEach(function (group) {
      var entry = quickReplyGroups.get(group);
      group.querySelectorAll("button").forEach(function (button) {
        button.disabled = !ready || Boolean(entry && entry.answered);
      });
    });
  }

  // payload goes to Rasa; shown is what the customer sees in their bubble (a quick reply's title).
  function send(payload, shown) {
    if (!sessionId) {
      return;
    }
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
    add({ author: "user", text: shown });
  }

  function botEntry(data) {
    if (data === null || typeof data !== "object") {
      return null;
    }
    var entry = { author: "bot", text: typeof data.text === "string" ? data.text : "" };
    if (typeof data.agent === "string" && data.agent) {
      entry.agent = data.agent.slice(0, 100);
    }
    if (Array.isArray(data.quick_replies)) {
      var buttons = data.quick_replies
        .filter(function (reply) {
          return reply && typeof reply.title === "string" && typeof reply.payload === "string";
        })
        .map(function (reply) {
          return { title: reply.title, payload: reply.payload };
        });
      if (buttons.length > 0) {
        entry.buttons = buttons;
      }
    }
    var attachment = data.attachment;
    if (attachment && attachment.type === "image" && attachment.payload) {
      var src = safeUrl(attachment.payload.src);
      if (src) {
        entry.image = src;
      }
    }
    return entry.text || entry.image || entry.buttons ? entry : null;
  }

  function startConversation(storedId) {
    sessionId = null;
    setReady(false);
    socket.emit("session_request", { session_id: storedId });
  }

  transcript = loadTranscript();
  renderAll();

  if (typeof window.io !== "function") {
    setStatus("error", "The chat could not load. Please try again later.");
    return;
  }

  var socket = window.io(config.socketUrl, { path: config.socketPath, transports: ["websocket"] });

  socket.on("connect", function () {
    setStatus("connected", "Connected");
    startConversation(load(SESSION_KEY));
  });

  socket.on("session_confirm", function (id) {
    if (typeof id !== "string" || id === "") {
      return;
    }
    if (id !== load(SESSION_KEY)) {
      // A new session (first visit, expired or unknown id): an old transcript belongs to another
      // conversation.
      transcript = [];
      save(TRANSCRIPT_KEY, null);
      renderAll();
    }
    save(SESSION_KEY, id);
    sessionId = id;
    document.body.dataset.session = id;
    setReady(true);
    if (!document.activeElement || document.activeElement === document.body) {
      input.focus();
    }
  });

  socket.on("session_refused", function (data) {
    // Too many new chats from this network: say so instead of waiting forever.
    var text = data && typeof data.text === "string" ? data.text : "The chat is not available right now.";
    setReady(false);
    setStatus("error", text);
  });

  socket.on("bot_uttered", function (data) {
    var entry = botEntry(data);
    if (entry) {
      add(entry);
    }
  });

  socket.on("disconnect", function () {
    sessionId = null;
    setReady(false);
    setStatus("reconnecting", "Connection lost. Reconnecting…");
  });

  socket.on("connect_error", function () {
    setStatus("reconnecting", "Can't reach support right now. Retrying…");
  });

  socket.io.on("reconnect_attempt", function () {
    setStatus("reconnecting", "Reconnecting…");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !sessionId) {
      return;
    }
    input.value = "";
    send(text, text);
  });

  newConversation.addEventListener("click", function () {
    save(SESSION_KEY, null);
    save(TRANSCRIPT_KEY, null);
    transcript = [];
    renderAll();
    delete document.body.dataset.session;
    if (socket.connected) {
      startConversation(null);
    }
    input.focus();
  });

  // Another tab of the same page wrote the transcript or changed the session: follow it, so two tabs do not
  // overwrite each other's copy.
  window.addEventListener("storage", function (event) {
    if (event.key === TRANSCRIPT_KEY) {
      transcript = loadTranscript();
      renderAll();
      setReady(Boolean(sessionId));
    } else if (event.key === SESSION_KEY && event.newValue && event.newValue !== sessionId && socket.connected) {
      // Only a new id is followed: a removed one means the other tab is starting over and will store its
      // new id in a moment, and asking for a session of our own now would make the two tabs disagree.
      startConversation(event.newValue);
    }
  });
})();

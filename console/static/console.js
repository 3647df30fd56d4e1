/* Frontdesk agent console: a small single-page app over the console JSON API (docs/console-api.md).
 *
 * Rules kept throughout this file:
 * - data from the API only ever reaches the page through textContent / text nodes (never innerHTML);
 * - every request goes through api(), which sends the session cookie, JSON bodies, and turns a 401 into
 *   the login view;
 * - every failed request ends up in the visible alert area (report()), nothing is swallowed.
 */
"use strict";

(function () {
  const QUEUE_POLL_MS = 3000;
  const MESSAGES_POLL_MS = 1500;
  const TICKET_REFRESH_TICKS = 6; // the open ticket's header and side panel refresh every 6 message polls
  const REPLY_MAX = 2000;
  const LAST_MESSAGE_CHARS = 90;

  const REASONS = {
    user_requested: "Customer asked for a person",
    low_confidence: "Bot was unsure",
    escalation_loop: "Conversation going in circles",
    sensitive_topic: "Sensitive topic",
    verification_failed: "Identity check failed",
    backend_unavailable: "Systems unavailable",
    policy_exception: "Policy exception",
  };

  const DELIVERY = {
    live: "delivered live",
    email: "customer offline: sent by email",
    stored: "stored; no email on file",
  };

  // Used only when an error answer carries no message of its own.
  const FALLBACK_ERRORS = {
    not_logged_in: "Your session has ended. Please sign in again.",
    invalid_credentials: "Wrong username or password.",
    too_many_attempts: "Too many sign-in attempts. Wait a little and try again.",
    ticket_not_found: "This ticket does not exist.",
    already_claimed: "Another agent has already claimed this conversation.",
    not_your_conversation: "This conversation is assigned to someone else.",
    empty_reply: "The reply is empty.",
    unknown_agent: "That agent does not exist.",
    network_error: "Cannot reach the console server. Check your connection and try again.",
  };

  const state = {
    agent: null, // {username, display_name, status, online}
    agents: [], // last known list of all agents (from the queue or a ticket)
    poller: null,
    queue: null, // the queue view's live objects
    conv: null, // the conversation view's live objects
    corrections: null,
    alertSource: null,
    noticeTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  /* ------------------------------------------------------------------ DOM helpers */

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) continue;
        if (key === "class") node.className = value;
        else if (key === "testid") node.setAttribute("data-testid", value);
        else if (key === "data") {
          for (const [name, v] of Object.entries(value)) {
            if (v !== null && v !== undefined) node.dataset[name] = String(v);
          }
        } else if (key === "text") node.textContent = String(value);
        else if (key === "value" || key === "checked" || key === "selected" || key === "disabled") node[key] = value;
        else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
        else if (value === true) node.setAttribute(key, "");
        else node.setAttribute(key, String(value));
      }
    }
    appendChildren(node, children);
    return node;
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function setHidden(node, hidden) {
    node.hidden = Boolean(hidden);
  }

  /* ------------------------------------------------------------------ formatting */

  function reasonLabel(code) {
    if (!code) return "Unknown reason";
    if (Object.prototype.hasOwnProperty.call(REASONS, code)) return REASONS[code];
    const text = String(code).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function capitalize(text) {
    const s = String(text ?? "");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function formatWait(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "—";
    const total = Math.max(0, Math.floor(Number(seconds)));
    if (total < 60) return "<1 min";
    const minutes = Math.floor(total / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    const restMinutes = minutes % 60;
    if (hours < 24) return restMinutes ? `${hours} h ${restMinutes} min` : `${hours} h`;
    const days = Math.floor(hours / 24);
    const restHours = hours % 24;
    return restHours ? `${days} d ${restHours} h` : `${days} d`;
  }

  // created_at is ISO 8601 UTC; a value without a zone designator is read as UTC, not local time.
  function parseIso(value) {
    if (!value) return null;
    let text = String(value).trim().replace(" ", "T");
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function fromUnix(seconds) {
    const n = Number(seconds);
    if (!Number.isFinite(n)) return null;
    return new Date(n * 1000);
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function formatDate(date) {
    if (!date) return "—";
    return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  function formatDateTime(date) {
    if (!date) return "—";
    return date.toLocaleString(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
  }

  function formatShortTime(date) {
    if (!date) return "";
    const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    if (sameDay(date, new Date())) return time;
    return `${date.toLocaleDateString(undefined, { month: "short", day: "numeric" })}, ${time}`;
  }

  function timeElement(date, text, className) {
    if (!date) return el("span", { class: className }, text || "—");
    return el("time", { class: className, datetime: date.toISOString(), title: date.toLocaleString() }, text);
  }

  function truncate(text, max) {
    const s = String(text ?? "").replace(/\s+/g, " ").trim();
    return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
  }

  function formatMoney(total, currency) {
    if (total === null || total === undefined) return "—";
    const amount = Number(total);
    if (currency && Number.isFinite(amount)) {
      try {
        return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
      } catch (_) {
        /* unknown currency code: plain text below */
      }
    }
    return currency ? `${total} ${currency}` : String(total);
  }

  function formatPercent(value) {
    if (value === null || value === undefined || value === "") return null;
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    return `${Math.round((n <= 1 ? n * 100 : n))}%`;
  }

  function formatSlotValue(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "string") return value;
    try {
      return JSON.stringify(value);
    } catch (_) {
      return String(value);
    }
  }

  /* ------------------------------------------------------------------ agents */

  function rememberAgents(list) {
    if (!Array.isArray(list)) return;
    state.agents = list;
    const me = state.agent && list.find((a) => a.username === state.agent.username);
    if (me && me.status !== state.agent.status) {
      state.agent = Object.assign({}, state.agent, { status: me.status });
      renderMe();
    }
  }

  function agentName(username, list) {
    if (!username) return "";
    const pool = (list && list.length ? list : state.agents) || [];
    const found = pool.find((a) => a.username === username);
    if (state.agent && state.agent.username === username) {
      return `${state.agent.display_name || username} (you)`;
    }
    return (found && found.display_name) || username;
  }

  function availability(agent) {
    if (!agent.online) return { key: "offline", label: "Offline" };
    if (agent.status === "available") return { key: "available", label: "Available" };
    return { key: "away", label: "Away" };
  }

  /* ------------------------------------------------------------------ alerts and notices */

  function showAlert(message, source) {
    $("alert").textContent = message;
    state.alertSource = source || "action";
    setHidden($("alert-box"), false);
  }

  // Without a source, clears whatever is shown; with one, only an alert raised by that source.
  function clearAlert(source) {
    if (source && state.alertSource !== source) return;
    $("alert").textContent = "";
    state.alertSource = null;
    setHidden($("alert-box"), true);
  }

  function showNotice(message) {
    const notice = $("notice");
    notice.textContent = message;
    setHidden(notice, false);
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => setHidden(notice, true), 5000);
  }

  function report(error, source) {
    if (error && error.handled) return; // a 401: the login view is already showing
    if (error instanceof ApiError) {
      showAlert(error.message, source);
    } else {
      console.error(error);
      showAlert(`Unexpected error in the console: ${error && error.message ? error.message : error}`, source);
    }
  }

  /* ------------------------------------------------------------------ API */

  class ApiError extends Error {
    constructor(status, code, message, handled) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
      this.handled = Boolean(handled);
    }
  }

  function detailMessage(data) {
    // FastAPI's own error shape, in case an error escapes the API's {"error": ...} format.
    if (!data || data.detail === undefined) return null;
    if (typeof data.detail === "string") return data.detail;
    if (Array.isArray(data.detail)) {
      return data.detail.map((d) => (d && d.msg ? d.msg : JSON.stringify(d))).join("; ");
    }
    return null;
  }

  async function api(method, path, body) {
    const init = {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (_) {
      throw new ApiError(0, "network_error", FALLBACK_ERRORS.network_error);
    }
    let data = null;
    if (response.status !== 204) {
      const raw = await response.text().catch(() => "");
      if (raw) {
        try {
          data = JSON.parse(raw);
        } catch (_) {
          data = null;
        }
      }
    }
    if (response.ok) return data;

    const error = data && data.error && typeof data.error === "object" ? data.error : {};
    const code = error.code || (response.status === 401 ? "not_logged_in" : `http_${response.status}`);
    const message =
      error.message || detailMessage(data) || FALLBACK_ERRORS[code] ||
      `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
    if (response.status === 401 && path !== "/api/login") {
      sessionEnded();
      throw new ApiError(401, code, message, true);
    }
    throw new ApiError(response.status, code, message, false);
  }

  /* ------------------------------------------------------------------ polling */

  // Runs fn now and then every `interval` ms after the previous run finished (never overlapping),
  // skipping runs while the browser tab is hidden. Errors go to the alert area under `source`
  // and are cleared by the next successful run.
  function startPoller(fn, interval, source) {
    stopPoller();
    const poller = { stopped: false, timer: null, running: false };
    const tick = async () => {
      poller.timer = null;
      if (poller.stopped) return;
      if (!document.hidden) {
        poller.running = true;
        try {
          await fn();
          if (!poller.stopped) clearAlert(source);
        } catch (error) {
          if (!poller.stopped) report(error, source);
        }
        poller.running = false;
      }
      if (!poller.stopped && !poller.timer) poller.timer = setTimeout(tick, interval);
    };
    poller.now = () => {
      if (poller.stopped || poller.running) return;
      clearTimeout(poller.timer);
      poller.timer = null;
      tick();
    };
    poller.stop = () => {
      poller.stopped = true;
      clearTimeout(poller.timer);
    };
    state.poller = poller;
    tick();
    return poller;
  }

  function stopPoller() {
    if (state.poller) state.poller.stop();
    state.poller = null;
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && state.poller) state.poller.now();
  });

  /* ------------------------------------------------------------------ session */

  function renderMe() {
    const agent = state.agent;
    if (!agent) return;
    $("me-name").textContent = agent.display_name || agent.username;
    $("me-name").title = `Signed in as ${agent.username}`;
    const available = agent.status === "available";
    $("status-available").setAttribute("aria-pressed", String(available));
    $("status-away").setAttribute("aria-pressed", String(!available));
  }

  async function setStatus(status) {
    if (!state.agent || state.agent.status === status) return;
    const buttons = [$("status-available"), $("status-away")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const data = await api("POST", "/api/me/status", { status });
      if (data && data.agent) state.agent = data.agent;
      renderMe();
      showNotice(status === "available" ? "You are available for new conversations." : "You are marked as away.");
      if (state.poller) state.poller.now();
    } catch (error) {
      report(error);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function leaveViews() {
    stopPoller();
    state.queue = null;
    state.conv = null;
    state.corrections = null;
    for (const id of ["view-queue", "view-ticket", "view-corrections"]) {
      const view = $(id);
      setHidden(view, true);
      view.replaceChildren();
    }
    $("view-ticket").removeAttribute("data-ticket-id");
  }

  function showLogin(notice) {
    leaveViews();
    setHidden($("boot"), true);
    setHidden($("topbar"), true);
    setHidden($("view-login"), false);
    setHidden($("login-error"), true);
    $("login-error").textContent = "";
    $("login-notice").textContent = notice || "";
    setHidden($("login-notice"), !notice);
    $("login-password").value = "";
    document.title = "Sign in — Frontdesk console";
    $("login-username").focus();
  }

  // Any 401 outside the login call lands here (possibly several at once: it is idempotent).
  function sessionEnded() {
    const wasSignedIn = Boolean(state.agent);
    state.agent = null;
    clearAlert();
    showLogin(wasSignedIn ? FALLBACK_ERRORS.not_logged_in : null);
  }

  function enterApp() {
    setHidden($("boot"), true);
    setHidden($("view-login"), true);
    setHidden($("topbar"), false);
    renderMe();
    if (!parseRoute(location.hash)) history.replaceState(null, "", "#/queue");
    route();
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    const username = $("login-username").value.trim();
    const password = $("login-password").value;
    const errorBox = $("login-error");
    if (!username || !password) {
      errorBox.textContent = "Enter your username and password.";
      setHidden(errorBox, false);
      return;
    }
    setHidden(errorBox, true);
    setHidden($("login-notice"), true);
    const submit = $("login-submit");
    submit.disabled = true;
    try {
      const data = await api("POST", "/api/login", { username, password });
      if (!data || !data.agent) throw new ApiError(500, "bad_answer", "The server's login answer had no agent.");
      state.agent = data.agent;
      $("login-password").value = "";
      clearAlert();
      enterApp();
    } catch (error) {
      if (error && error.handled) return;
      errorBox.textContent = error && error.message ? error.message : String(error);
      setHidden(errorBox, false);
      $("login-password").value = "";
      $("login-password").focus();
    } finally {
      submit.disabled = false;
    }
  }

  async function logout() {
    const button = $("logout");
    button.disabled = true;
    try {
      await api("POST", "/api/logout");
    } catch (error) {
      if (!error.handled) {
        report(error);
        button.disabled = false;
        return;
      }
    }
    button.disabled = false;
    state.agent = null;
    state.agents = [];
    history.replaceState(null, "", "#/queue");
    clearAlert();
    showLogin("You have signed out.");
  }

  /* ------------------------------------------------------------------ routing */

  function parseRoute(hash) {
    const path = String(hash || "").replace(/^#/, "");
    if (path === "/queue") return { name: "queue" };
    if (path === "/corrections") return { name: "corrections" };
    const match = /^\/tickets\/(\d+)$/.exec(path);
    if (match) return { name: "ticket", id: Number(match[1]) };
    return null;
  }

  function route() {
    if (!state.agent) return; // the login view is showing; it routes after signing in
    let current = parseRoute(location.hash);
    if (!current) {
      history.replaceState(null, "", "#/queue");
      current = { name: "queue" };
    }
    leaveViews();
    clearAlert();
    for (const link of document.querySelectorAll(".nav a")) {
      const active = link.dataset.nav === (current.name === "ticket" ? "queue" : current.name);
      if (active) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (current.name === "queue") showQueue();
    else if (current.name === "ticket") showTicket(current.id);
    else showCorrections();
    window.scrollTo(0, 0);
  }

  /* ------------------------------------------------------------------ badges */

  function priorityBadge(priority) {
    const value = priority || "normal";
    return el("span", { class: `badge priority priority-${value}`, title: `Priority: ${value}` }, capitalize(value));
  }

  function reasonBadge(code, testid) {
    return el("span", { class: `badge reason reason-${code || "unknown"}`, title: code || "", testid, data: { reason: code } },
      reasonLabel(code));
  }

  function statusBadge(status, testid) {
    return el("span", { class: `badge status status-${status || "unknown"}`, testid }, capitalize(status || "unknown"));
  }

  /* ------------------------------------------------------------------ queue view */

  function showQueue() {
    const root = $("view-queue");
    const tbody = el("tbody", null,
      el("tr", null, el("td", { colspan: 7, class: "empty" }, "Loading the queue…")));
    const count = el("span", { class: "count", testid: "queue-count" });
    const updated = el("span", { class: "updated muted" });
    const agentsList = el("ul", { class: "agents", testid: "agents" }, el("li", { class: "muted" }, "Loading…"));

    root.append(
      el("div", { class: "page-head" },
        el("h1", null, "Waiting conversations ", count),
        updated),
      el("div", { class: "queue-layout" },
        el("div", { class: "card table-card" },
          el("table", { class: "table queue-table", testid: "queue-table" },
            el("thead", null,
              el("tr", null,
                el("th", { scope: "col" }, "Priority"),
                el("th", { scope: "col" }, "Reason"),
                el("th", { scope: "col" }, "Subject"),
                el("th", { scope: "col" }, "Customer"),
                el("th", { scope: "col" }, "Waiting"),
                el("th", { scope: "col" }, "Assignee"),
                el("th", { scope: "col" }, "Last customer message"))),
            tbody)),
        el("aside", { class: "card agents-card", "aria-labelledby": "agents-title" },
          el("h2", { id: "agents-title" }, "Agents"),
          agentsList)));
    setHidden(root, false);
    document.title = "Queue — Frontdesk console";

    const view = { tbody, count, updated, agentsList };
    state.queue = view;
    startPoller(() => refreshQueue(view), QUEUE_POLL_MS, "queue");
  }

  async function refreshQueue(view) {
    const data = await api("GET", "/api/queue");
    if (state.queue !== view) return;
    const items = (data && data.items) || [];
    const agents = (data && data.agents) || [];
    rememberAgents(agents);
    renderQueueRows(view, items, agents);
    renderAgents(view.agentsList, agents);
    view.count.textContent = `(${items.length})`;
    view.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    document.title = `Queue (${items.length}) — Frontdesk console`;
  }

  function renderQueueRows(view, items, agents) {
    if (!items.length) {
      view.tbody.replaceChildren(
        el("tr", null, el("td", { colspan: 7, class: "empty", testid: "queue-empty" }, "No conversations waiting.")));
      return;
    }
    const me = state.agent && state.agent.username;
    const rows = items.map((item) => {
      const href = `#/tickets/${item.id}`;
      const mine = item.assignee && item.assignee === me;
      const last = item.last_customer_message;
      return el("tr", {
        class: `queue-row${mine ? " mine" : ""}${item.assignee ? "" : " unassigned"}`,
        testid: "queue-row",
        data: { ticketId: item.id },
        onclick: (event) => {
          if (event.target.closest("a")) return; // the link navigates by itself
          location.hash = href;
        },
      },
      el("td", null, priorityBadge(item.priority)),
      el("td", { testid: "queue-reason", data: { reason: item.reason } }, reasonBadge(item.reason)),
      el("td", { class: "subject" },
        el("a", { href }, el("span", { class: "ticket-id" }, `#${item.id}`), " ", item.subject || "(no subject)")),
      el("td", { class: "email" }, item.customer_email || el("span", { class: "muted" }, "no email")),
      el("td", { class: "nowrap", title: item.created_at ? `Created ${formatDateTime(parseIso(item.created_at))}` : null },
        formatWait(item.waiting_seconds)),
      el("td", { class: "nowrap" },
        item.assignee ? agentName(item.assignee, agents) : el("span", { class: "muted" }, "unassigned")),
      el("td", { class: "last-message", title: last || null },
        last ? truncate(last, LAST_MESSAGE_CHARS) : el("span", { class: "muted" }, "—")));
    });
    view.tbody.replaceChildren(...rows);
  }

  function renderAgents(list, agents) {
    if (!agents.length) {
      list.replaceChildren(el("li", { class: "muted" }, "No agents."));
      return;
    }
    const order = { available: 0, away: 1, offline: 2 };
    const sorted = agents.slice().sort((a, b) => {
      const diff = order[availability(a).key] - order[availability(b).key];
      return diff || String(a.display_name || a.username).localeCompare(String(b.display_name || b.username));
    });
    list.replaceChildren(...sorted.map((agent) => {
      const avail = availability(agent);
      return el("li", { class: "agent", testid: "agent", data: { username: agent.username, availability: avail.key } },
        el("span", { class: `dot dot-${avail.key}`, "aria-hidden": "true" }),
        el("span", { class: "agent-name" }, agentName(agent.username, agents)),
        el("span", { class: `agent-state state-${avail.key}` }, avail.label));
    }));
  }

  /* ------------------------------------------------------------------ conversation view */

  function showTicket(id) {
    const root = $("view-ticket");
    root.setAttribute("data-ticket-id", String(id));

    const conv = {
      id,
      data: null,
      fetchedAt: 0,
      ticks: 0,
      lastTs: 0,
      messages: [], // [{ts, author, text, node}], sorted by ts
      keys: new Set(),
      pending: [], // replies sent from here, shown until the live feed brings them back
      actionsKey: null,
    };
    conv.head = el("div", { class: "conv-head card" }, el("p", { class: "muted" }, `Loading ticket #${id}…`));
    conv.connection = el("p", { class: "connection", testid: "connection-status" },
      el("span", { class: "muted" }, "Checking whether the customer is connected…"));
    conv.transcript = el("div", {
      class: "transcript", testid: "transcript", role: "log", "aria-label": "Conversation transcript", tabindex: "0",
    });
    conv.emptyTranscript = el("p", { class: "muted transcript-empty" }, "No messages yet.");
    conv.transcript.append(conv.emptyTranscript);
    conv.reply = buildReplyBox(conv);
    conv.side = el("aside", { class: "conv-side" });

    conv.grid = el("div", { class: "conv-grid" },
      el("section", { class: "conv-main card", "aria-label": "Conversation" },
        conv.connection, conv.transcript, conv.reply.form),
      conv.side);
    root.append(conv.head, conv.grid);
    setHidden(root, false);
    document.title = `Ticket #${id} — Frontdesk console`;
    state.conv = conv;

    loadTicket(conv)
      .then(() => {
        if (state.conv !== conv) return;
        startPoller(() => convTick(conv), MESSAGES_POLL_MS, "messages");
      })
      .catch((error) => {
        if (state.conv !== conv || (error && error.handled)) return;
        report(error);
        conv.grid.remove();
        const retry = el("button", { type: "button", class: "btn", onclick: () => route() }, "Try again");
        conv.head.replaceChildren(
          el("p", null, error.code === "ticket_not_found"
            ? `Ticket #${id} was not found.`
            : `Ticket #${id} could not be loaded.`),
          el("div", { class: "actions" },
            error.code === "ticket_not_found" ? null : retry,
            backButton()));
      });
  }

  function backButton() {
    return el("button", { type: "button", class: "btn btn-quiet", testid: "back", onclick: () => { location.hash = "#/queue"; } },
      "← Back to queue");
  }

  async function loadTicket(conv) {
    const data = await api("GET", `/api/tickets/${conv.id}`);
    if (state.conv !== conv) return;
    conv.data = data;
    conv.fetchedAt = Date.now();
    if (data && Array.isArray(data.agents)) rememberAgents(data.agents);
    renderConversation(conv);
    addMessages(conv, (data && data.transcript) || []);
  }

  async function convTick(conv) {
    conv.ticks += 1;
    const work = [pollMessages(conv)];
    if (conv.ticks % TICKET_REFRESH_TICKS === 0) work.push(loadTicket(conv));
    await Promise.all(work);
    if (state.conv === conv) updateWaiting(conv);
  }

  async function pollMessages(conv) {
    const data = await api("GET", `/api/tickets/${conv.id}/messages?after=${encodeURIComponent(String(conv.lastTs))}`);
    if (state.conv !== conv || !data) return;
    renderConnection(conv, data.connected, data.paused);
    addMessages(conv, data.messages || []);
  }

  function isMine(ticket) {
    return Boolean(state.agent && ticket && ticket.assignee === state.agent.username);
  }

  // The API accepts replies, transfers, unassigning and resolving only from the assignee of an open ticket.
  function canWork(ticket) {
    return isMine(ticket) && ticket.status === "open";
  }

  function isClosed(ticket) {
    return ticket && (ticket.status === "solved" || ticket.status === "closed");
  }

  function currentWaitSeconds(conv) {
    const ticket = conv.data && conv.data.ticket;
    if (!ticket || ticket.waiting_seconds === null || ticket.waiting_seconds === undefined) return null;
    const base = Number(ticket.waiting_seconds);
    // The wait stops when someone claims the conversation (or it is closed).
    if (ticket.assignee || ticket.status !== "open") return base;
    return base + (Date.now() - conv.fetchedAt) / 1000;
  }

  function updateWaiting(conv) {
    if (conv.waitingNode) conv.waitingNode.textContent = formatWait(currentWaitSeconds(conv));
  }

  function renderConversation(conv) {
    renderHeader(conv);
    renderSide(conv);
    updateReplyBox(conv);
  }

  function renderHeader(conv) {
    const ticket = conv.data.ticket || {};
    const agents = conv.data.agents || [];
    if (!conv.titleRow) {
      conv.titleRow = el("div", { class: "conv-title-row" });
      conv.meta = el("dl", { class: "conv-meta" });
      conv.actions = el("div", { class: "actions", role: "toolbar", "aria-label": "Ticket actions" });
      conv.head.replaceChildren(conv.titleRow, el("div", { class: "conv-head-row" }, conv.meta, conv.actions));
    }

    conv.titleRow.replaceChildren(
      el("h1", { class: "conv-title" },
        el("span", { class: "ticket-id", testid: "ticket-id" }, `#${ticket.id ?? conv.id}`), " ",
        el("span", { testid: "ticket-subject" }, ticket.subject || "(no subject)")),
      el("div", { class: "badges" },
        reasonBadge(ticket.reason, "reason-badge"),
        priorityBadge(ticket.priority),
        statusBadge(ticket.status, "ticket-status"),
        ticket.csat_rating !== null && ticket.csat_rating !== undefined ? csatBadge(ticket.csat_rating) : null),
      el("span", { class: "spacer" }),
      backButton());

    conv.waitingNode = el("dd", { testid: "waiting" }, formatWait(currentWaitSeconds(conv)));
    const created = parseIso(ticket.created_at);
    conv.meta.replaceChildren(
      metaItem("Assignee", ticket.assignee
        ? el("span", { testid: "assignee" }, agentName(ticket.assignee, agents))
        : el("span", { testid: "assignee", class: "muted" }, "unassigned")),
      el("div", { class: "meta-item" }, el("dt", null, "Waiting"), conv.waitingNode),
      metaItem("Created", timeElement(created, formatDateTime(created))),
      metaItem("Customer email", ticket.customer_email || el("span", { class: "muted" }, "none")));

    renderActions(conv);
  }

  function metaItem(label, value) {
    return el("div", { class: "meta-item" }, el("dt", null, label), el("dd", null, value));
  }

  function csatBadge(rating) {
    const n = Math.max(0, Math.min(5, Math.round(Number(rating)) || 0));
    return el("span", { class: "badge csat", testid: "csat", title: `Customer satisfaction: ${rating} out of 5` },
      "CSAT ", el("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(n) + "☆".repeat(5 - n)), ` ${rating}/5`);
  }

  function renderActions(conv) {
    const ticket = conv.data.ticket || {};
    const others = (conv.data.agents || []).filter((a) => !state.agent || a.username !== state.agent.username);
    const key = JSON.stringify([
      ticket.assignee, ticket.status, state.agent && state.agent.username,
      others.map((a) => [a.username, a.display_name, a.status, a.online]),
    ]);
    if (key === conv.actionsKey) return; // unchanged: keep the transfer choice and focus as they are
    conv.actionsKey = key;

    const previous = conv.transferSelect ? conv.transferSelect.value : "";
    const buttons = [];

    if (!ticket.assignee && ticket.status === "open") {
      buttons.push(el("button", {
        type: "button", class: "btn btn-primary", testid: "claim",
        onclick: (e) => ticketAction(conv, e.currentTarget, "claim", undefined, "You claimed this conversation."),
      }, "Claim"));
    }

    conv.transferSelect = null;
    if (canWork(ticket)) {
      const select = el("select", { testid: "transfer-select", "aria-label": "Transfer to agent", disabled: !others.length },
        el("option", { value: "" }, others.length ? "Transfer to…" : "No other agents"),
        others.map((agent) => el("option", { value: agent.username },
          `${agent.display_name || agent.username} — ${availability(agent).label.toLowerCase()}`)));
      if (previous && others.some((a) => a.username === previous)) select.value = previous;
      conv.transferSelect = select;
      buttons.push(el("span", { class: "transfer" },
        select,
        el("button", {
          type: "button", class: "btn", testid: "transfer", disabled: !others.length,
          onclick: (e) => {
            const to = select.value;
            if (!to) {
              showAlert("Choose the agent to transfer this conversation to.");
              select.focus();
              return;
            }
            ticketAction(conv, e.currentTarget, "transfer", { to }, `Transferred to ${agentName(to, others)}.`);
          },
        }, "Transfer")));
      buttons.push(el("button", {
        type: "button", class: "btn", testid: "unassign",
        onclick: (e) => ticketAction(conv, e.currentTarget, "unassign", undefined, "Returned to the queue."),
      }, "Unassign"));
      buttons.push(el("button", {
        type: "button", class: "btn btn-success", testid: "resolve",
        onclick: (e) => {
          if (!window.confirm(`Resolve ticket #${conv.id}? The conversation goes back to the bot.`)) return;
          ticketAction(conv, e.currentTarget, "resolve", undefined, "Conversation resolved.");
        },
      }, "Resolve"));
    }

    conv.actions.replaceChildren(...buttons);
  }

  async function ticketAction(conv, button, action, body, successMessage) {
    if (button) button.disabled = true;
    try {
      const data = await api("POST", `/api/tickets/${conv.id}/${action}`, body);
      if (state.conv !== conv) return;
      if (data && data.ticket && conv.data) {
        conv.data.ticket = data.ticket;
        conv.fetchedAt = Date.now();
        renderConversation(conv);
      }
      clearAlert("action");
      showNotice(successMessage);
    } catch (error) {
      report(error);
    } finally {
      if (button) button.disabled = false;
      if (state.conv === conv) {
        // Pick up whatever changed (also after a refused action, e.g. someone else claimed first).
        loadTicket(conv).catch((error) => report(error));
      }
    }
  }

  /* ---------- connection line */

  function renderConnection(conv, connected, paused) {
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

  /* ---------- transcript */

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

  function addMessages(conv, list) {
    if (!Array.isArray(list) || !list.length) return;
    const box = conv.transcript;
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
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
    const known = ["customer", "bot", "agent", "system"].includes(author);
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
    el("div", { class: "msg-text" }, text === null ? el("em", { class: "muted" }, "(no text)") : text));

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

  /* ---------- reply box */

  function buildReplyBox(conv) {
    const input = el("textarea", {
      id: "reply-input", class: "reply-input", testid: "reply-input", rows: 3, maxlength: REPLY_MAX,
      placeholder: "Loading…", disabled: true, "aria-describedby": "reply-help",
    });
    const send = el("button", { type: "submit", class: "btn btn-primary", testid: "reply-send", disabled: true }, "Send");
    const status = el("span", { class: "reply-status", testid: "reply-status", role: "status", "aria-live": "polite" });
    const counter = el("span", { class: "muted counter", "aria-hidden": "true" }, `0/${REPLY_MAX}`);
    const form = el("form", { class: "reply" },
      el("label", { for: "reply-input", class: "sr-only" }, "Reply to the customer"),
      input,
      el("div", { class: "reply-bar" },
        el("span", { id: "reply-help", class: "muted help" }, "Enter sends · Shift+Enter for a new line"),
        status, counter, send));

    input.addEventListener("input", () => {
      counter.textContent = `${input.value.length}/${REPLY_MAX}`;
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) {
        event.preventDefault();
        if (!send.disabled) form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendReply(conv);
    });
    return { form, input, send, status, counter, sending: false };
  }

  function updateReplyBox(conv) {
    const reply = conv.reply;
    const ticket = conv.data && conv.data.ticket;
    const canReply = canWork(ticket);
    let hint;
    if (canReply) hint = "Write a reply to the customer…";
    else if (isClosed(ticket)) hint = "This conversation is resolved.";
    else if (ticket && ticket.status !== "open") hint = `This conversation is ${ticket.status || "not open"}.`;
    else if (ticket && ticket.assignee) hint = `Only ${agentName(ticket.assignee, conv.data.agents)} can reply.`;
    else hint = "Claim this conversation to reply.";
    reply.input.placeholder = hint;
    reply.input.disabled = !canReply;
    reply.send.disabled = !canReply || reply.sending;
    reply.form.classList.toggle("disabled", !canReply);
  }

  async function sendReply(conv) {
    const reply = conv.reply;
    const text = reply.input.value.trim();
    if (reply.sending || reply.input.disabled) return;
    if (!text) {
      reply.status.textContent = "Write something first.";
      reply.status.className = "reply-status warn";
      reply.input.focus();
      return;
    }
    if (text.length > REPLY_MAX) {
      showAlert(`A reply can be at most ${REPLY_MAX} characters.`);
      return;
    }
    reply.sending = true;
    reply.send.disabled = true;
    reply.status.textContent = "Sending…";
    reply.status.className = "reply-status";
    try {
      const data = await api("POST", `/api/tickets/${conv.id}/reply`, { text });
      if (state.conv !== conv) return;
      const delivered = data && data.delivered;
      reply.status.textContent = DELIVERY[delivered] || `sent (${delivered || "no delivery information"})`;
      reply.status.className = `reply-status ok delivered-${delivered || "unknown"}`;
      reply.status.dataset.delivered = delivered || "";
      reply.input.value = "";
      reply.counter.textContent = `0/${REPLY_MAX}`;
      addPendingReply(conv, text, delivered);
      if (state.poller) state.poller.now();
    } catch (error) {
      if (state.conv !== conv) return;
      reply.status.textContent = error.handled ? "" : "Not sent.";
      reply.status.className = "reply-status warn";
      report(error);
    } finally {
      reply.sending = false;
      if (state.conv === conv) {
        updateReplyBox(conv);
        if (!reply.input.disabled) reply.input.focus();
      }
    }
  }

  // Shows a sent reply right away; the copy from the live feed replaces it when it arrives.
  function addPendingReply(conv, text, delivered) {
    const date = new Date();
    const node = el("article", { class: "msg msg-agent pending", data: { author: "agent", pending: "true" } },
      el("header", { class: "msg-meta" },
        el("span", { class: "msg-author" }, (state.agent && state.agent.display_name) || "You"),
        timeElement(date, formatShortTime(date), "msg-time")),
      el("div", { class: "msg-text" }, text),
      el("div", { class: "msg-tools muted" }, DELIVERY[delivered] || "sent"));
    conv.pending.push({ text, node });
    conv.emptyTranscript.remove();
    conv.transcript.append(node);
    conv.transcript.scrollTop = conv.transcript.scrollHeight;
  }

  /* ---------- side panel */

  function renderSide(conv) {
    const data = conv.data;
    conv.side.replaceChildren(
      renderSummary(data.summary),
      renderCustomer(data.customer, data.ticket),
      renderOrders(data.orders),
      renderOtherTickets(data.tickets, conv.id));
  }

  function panel(title, testid, ...content) {
    return el("section", { class: "card panel", testid },
      el("h2", null, title), ...content);
  }

  function chipList(items, emptyText) {
    if (!Array.isArray(items) || !items.length) return el("p", { class: "muted" }, emptyText);
    return el("ul", { class: "chips" }, items.map((item) => el("li", { class: "chip" }, String(item))));
  }

  function renderSummary(summary) {
    const s = summary || {};
    const slots = s.filled_slots && typeof s.filled_slots === "object" ? Object.entries(s.filled_slots) : [];
    const confidence = formatPercent(s.last_nlu_confidence);
    const verification = s.verification || {};
    return panel("Summary", "summary",
      el("h3", null, "Detected intents"),
      chipList(s.detected_intents, "None"),
      el("h3", null, "Filled slots"),
      slots.length
        ? el("dl", { class: "kv", testid: "slots" },
          slots.map(([name, value]) => el("div", { class: "kv-row" },
            el("dt", null, name), el("dd", null, formatSlotValue(value)))))
        : el("p", { class: "muted" }, "No slots filled"),
      el("h3", null, "Actions taken"),
      Array.isArray(s.actions_taken) && s.actions_taken.length
        ? el("ol", { class: "actions-list" }, s.actions_taken.map((a) => el("li", null, String(a))))
        : el("p", { class: "muted" }, "None"),
      el("dl", { class: "kv" },
        el("div", { class: "kv-row" },
          el("dt", null, "Last intent"),
          el("dd", { testid: "last-intent" },
            s.last_intent ? String(s.last_intent) : "—",
            confidence ? el("span", { class: "confidence", testid: "nlu-confidence" }, ` (${confidence} confidence)`) : null)),
        el("div", { class: "kv-row" },
          el("dt", null, "Verification"),
          el("dd", { testid: "verification", data: { verified: String(Boolean(verification.verified)) } },
            verification.verified
              ? el("span", { class: "verified" }, "Verified", verification.contact ? ` (${verification.contact})` : "")
              : el("span", { class: "not-verified" }, "Not verified",
                verification.contact ? ` (contact: ${verification.contact})` : "")))));
  }

  function renderCustomer(customer, ticket) {
    if (!customer) {
      return panel("Customer", "customer-profile",
        el("p", { class: "muted" }, "Unknown customer"),
        ticket && ticket.customer_email
          ? el("p", { class: "small" }, "Ticket email: ", ticket.customer_email)
          : null);
    }
    return panel("Customer", "customer-profile",
      el("dl", { class: "kv" },
        el("div", { class: "kv-row" }, el("dt", null, "Name"), el("dd", null, customer.name || "—")),
        el("div", { class: "kv-row" }, el("dt", null, "Email"), el("dd", null, customer.email || "—")),
        el("div", { class: "kv-row" }, el("dt", null, "Phone"), el("dd", null, customer.phone || "—"))));
  }

  function renderOrders(orders) {
    if (!Array.isArray(orders) || !orders.length) {
      return panel("Orders", "orders", el("p", { class: "muted" }, "No orders."));
    }
    return panel("Orders", "orders",
      el("table", { class: "table compact" },
        el("thead", null, el("tr", null,
          el("th", { scope: "col" }, "Order"), el("th", { scope: "col" }, "Status"),
          el("th", { scope: "col", class: "num" }, "Total"), el("th", { scope: "col" }, "Date"))),
        el("tbody", null, orders.map((order) => {
          const placed = parseIso(order.placed_at);
          return el("tr", { testid: "order", data: { orderId: order.id } },
            el("td", null, `#${order.id}`),
            el("td", null, capitalize(order.status || "—")),
            el("td", { class: "num" }, formatMoney(order.total, order.currency)),
            el("td", { class: "nowrap" }, timeElement(placed, formatDate(placed))));
        }))));
  }

  function renderOtherTickets(tickets, currentId) {
    const others = (Array.isArray(tickets) ? tickets : []).filter((t) => t && t.id !== currentId);
    if (!others.length) return panel("Other tickets", "other-tickets", el("p", { class: "muted" }, "No other tickets."));
    return panel("Other tickets", "other-tickets",
      el("ul", { class: "ticket-list" }, others.map((t) => {
        const created = parseIso(t.created_at);
        return el("li", null,
          el("a", { href: `#/tickets/${t.id}` }, `#${t.id} `, t.subject || "(no subject)"),
          el("span", { class: "ticket-list-meta" }, statusBadge(t.status), " ", timeElement(created, formatDate(created))));
      })));
  }

  /* ------------------------------------------------------------------ corrections view */

  function showCorrections() {
    const root = $("view-corrections");
    const body = el("div", { class: "card table-card" }, el("p", { class: "muted pad" }, "Loading corrections…"));
    const refresh = el("button", { type: "button", class: "btn btn-quiet", onclick: () => load() }, "Refresh");
    root.append(
      el("div", { class: "page-head" },
        el("h1", null, "Corrections for trainers"),
        refresh),
      el("p", { class: "muted" }, "Bot answers agents flagged as wrong, newest first."),
      body);
    setHidden(root, false);
    document.title = "Corrections — Frontdesk console";
    const view = { body };
    state.corrections = view;

    async function load() {
      refresh.disabled = true;
      try {
        const data = await api("GET", "/api/corrections");
        if (state.corrections !== view) return;
        renderCorrections(view, (data && data.items) || []);
      } catch (error) {
        if (state.corrections === view) report(error);
      } finally {
        refresh.disabled = false;
      }
    }
    load();
  }

  function renderCorrections(view, items) {
    if (!items.length) {
      view.body.replaceChildren(el("p", { class: "muted pad", testid: "corrections-empty" }, "No corrections yet."));
      return;
    }
    view.body.replaceChildren(
      el("table", { class: "table corrections-table", testid: "corrections-table" },
        el("thead", null, el("tr", null,
          el("th", { scope: "col" }, "When"),
          el("th", { scope: "col" }, "Ticket"),
          el("th", { scope: "col" }, "Agent"),
          el("th", { scope: "col" }, "Customer said"),
          el("th", { scope: "col" }, "Bot answered"),
          el("th", { scope: "col" }, "Correction"))),
        el("tbody", null, items.map((c) => {
          const created = parseIso(c.created_at);
          return el("tr", { testid: "correction-row", data: { correctionId: c.id } },
            el("td", { class: "nowrap" }, timeElement(created, formatDateTime(created))),
            el("td", { class: "nowrap" }, c.ticket_id !== null && c.ticket_id !== undefined
              ? el("a", { href: `#/tickets/${c.ticket_id}` }, `#${c.ticket_id}`)
              : "—"),
            el("td", { class: "nowrap" }, c.agent ? agentName(c.agent) : "—"),
            el("td", { class: "quote" }, c.customer_text || el("span", { class: "muted" }, "—")),
            el("td", { class: "quote" }, c.bot_text || el("span", { class: "muted" }, "—")),
            el("td", { class: "quote correction" }, c.correction || "—"));
        }))));
  }

  /* ------------------------------------------------------------------ start */

  async function boot() {
    $("login-form").addEventListener("submit", onLoginSubmit);
    $("logout").addEventListener("click", logout);
    $("status-available").addEventListener("click", () => setStatus("available"));
    $("status-away").addEventListener("click", () => setStatus("away"));
    $("alert-close").addEventListener("click", () => clearAlert());
    window.addEventListener("hashchange", route);

    try {
      const data = await api("GET", "/api/me");
      if (data && data.agent) {
        state.agent = data.agent;
        enterApp();
        return;
      }
      showLogin(null);
      showAlert("The server's answer to /api/me had no agent.");
    } catch (error) {
      if (error && error.handled) return; // 401: the login view is showing
      showLogin(null);
      report(error);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();

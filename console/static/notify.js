// Opt-in desktop notifications and a short sound for new conversations and conversations assigned to the
// signed-in agent. The choice is kept in this browser; it watches the queue on its own timer (the view's
// poller pauses in a hidden tab, which is when a notification matters most).
import { report, showAlert, showNotice } from "./alerts.js";
import { api } from "./api.js";
import { $ } from "./dom.js";
import { state } from "./state.js";

const KEY = "frontdesk.notifications";
const WATCH_MS = 5000;
const watcher = { timer: null, known: null, audio: null };

function wanted() {
  return localStorage.getItem(KEY) === "on";
}

function renderToggle() {
  const on = wanted();
  const button = $("notify-toggle");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Alerts on" : "Alerts off";
  button.title = on ? "Desktop notifications and sound for new and assigned conversations are on" : "Get a desktop notification and a sound for new and assigned conversations";
}

function beep() {
  if (!watcher.audio) return;
  const ctx = watcher.audio;
  const tone = ctx.createOscillator();
  const gain = ctx.createGain();
  tone.frequency.value = 880;
  gain.gain.value = 0.06;
  tone.connect(gain).connect(ctx.destination);
  tone.start();
  tone.stop(ctx.currentTime + 0.18);
}

function notify(title, ticket) {
  beep();
  document.body.dataset.lastNotification = `${title}: #${ticket.id}`;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const shown = new Notification(title, { body: `#${ticket.id} ${ticket.subject || ""}`, tag: `ticket-${ticket.id}` });
  shown.onclick = () => {
    window.focus();
    location.hash = `#/tickets/${ticket.id}`;
  };
}

async function watch() {
  watcher.timer = null;
  if (!wanted()) return;
  if (state.agent) {
    try {
      const data = await api("GET", "/api/queue");
      const me = state.agent && state.agent.username;
      const now = new Map(((data && data.items) || []).map((item) => [item.id, item]));
      if (watcher.known) {
        for (const [id, item] of now) {
          const before = watcher.known.get(id);
          if (!before && !item.assignee) notify("New conversation waiting", item);
          else if (item.assignee === me && (!before || before.assignee !== me)) notify("Conversation assigned to you", item);
        }
      }
      watcher.known = new Map([...now].map(([id, item]) => [id, { assignee: item.assignee }]));
      document.body.dataset.notificationsWatching = "true";
    } catch (error) {
      if (!error || !error.handled) report(error, "notifications");
    }
  }
  if (wanted()) watcher.timer = setTimeout(watch, WATCH_MS);
}

function start() {
  clearTimeout(watcher.timer);
  watcher.known = null; // the first look only learns what is already there
  watch();
}

async function toggle() {
  if (wanted()) {
    localStorage.setItem(KEY, "off");
    clearTimeout(watcher.timer);
    renderToggle();
    showNotice("Alerts are off.");
    return;
  }
  // Created on this click: browsers only let a page make sound after the user did something.
  const Audio = window.AudioContext || window.webkitAudioContext;
  if (Audio && !watcher.audio) watcher.audio = new Audio();
  let permission = "unsupported";
  if ("Notification" in window) permission = await Notification.requestPermission();
  localStorage.setItem(KEY, "on");
  renderToggle();
  if (permission === "granted") showNotice("Alerts are on: desktop notifications and a sound.");
  else showAlert("The browser does not allow notifications for this page: you will get the sound only.");
  start();
}

export function initNotifications() {
  $("notify-toggle").addEventListener("click", toggle);
  renderToggle();
  if (wanted()) {
    const Audio = window.AudioContext || window.webkitAudioContext;
    if (Audio) watcher.audio = new Audio(); // may stay silent until the next click in the page
    start();
  }
}

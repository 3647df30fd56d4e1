// Hash routes: #/queue, #/tickets/<id>, #/corrections, #/audit, #/metrics, #/macros, #/inbox, #/models, #/privacy,
// #/kb (#/kb/<article id>, #/kb?new) and #/history?<filters>. Each route change leaves the current view (its
// poller stops) and builds the next one from scratch.
import { clearAlert } from "./alerts.js";
import { state } from "./state.js";
import { showAudit } from "./views/audit.js";
import { showTicket } from "./views/conversation.js";
import { showCorrections } from "./views/corrections.js";
import { showHistory } from "./views/history.js";
import { showInbox } from "./views/inbox.js";
import { showKb } from "./views/kb.js";
import { showMacros } from "./views/macros.js";
import { showMetrics } from "./views/metrics.js";
import { showModels } from "./views/models.js";
import { showPrivacy } from "./views/privacy.js";
import { showQueue } from "./views/queue.js";
import { leaveViews } from "./views/shell.js";

export function parseRoute(hash) {
  const path = String(hash || "").replace(/^#/, "");
  if (path === "/queue") return { name: "queue" };
  if (path === "/corrections") return { name: "corrections" };
  if (path === "/audit") return { name: "audit" };
  if (path === "/metrics") return { name: "metrics" };
  if (path === "/macros") return { name: "macros" };
  if (path === "/inbox") return { name: "inbox" };
  if (path === "/models") return { name: "models" };
  if (path === "/privacy") return { name: "privacy" };
  if (path === "/kb") return { name: "kb" };
  if (path === "/kb?new") return { name: "kb", creating: true };
  const article = /^\/kb\/([a-z0-9][a-z0-9_-]{0,99})$/.exec(path);
  if (article) return { name: "kb", id: article[1] };
  const historyMatch = /^\/history(?:\?(.*))?$/.exec(path);
  if (historyMatch) return { name: "history", query: historyMatch[1] || "" };
  const match = /^\/tickets\/(\d+)$/.exec(path);
  if (match) return { name: "ticket", id: Number(match[1]) };
  return null;
}

export function route() {
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
  else if (current.name === "audit") showAudit();
  else if (current.name === "metrics") showMetrics();
  else if (current.name === "macros") showMacros();
  else if (current.name === "history") showHistory(current.query);
  else if (current.name === "inbox") showInbox();
  else if (current.name === "models") showModels();
  else if (current.name === "privacy") showPrivacy();
  else if (current.name === "kb") showKb(current);
  else showCorrections();
  window.scrollTo(0, 0);
}

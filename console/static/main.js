/* Frontdesk agent console: a small single-page app over the console JSON API (docs/console-api.md).
 *
 * Rules kept throughout its modules:
 * - data from the API only ever reaches the page through textContent / text nodes (never innerHTML);
 * - every request goes through api() (api.js), which sends the session cookie, JSON bodies, and turns a 401
 *   into the login view;
 * - every failed request ends up in the visible alert area (report() in alerts.js), nothing is swallowed.
 *
 * This module wires the page's fixed controls and starts: signed in already, or the login view.
 */
import { clearAlert, report, showAlert } from "./alerts.js";
import { api, onSessionEnded } from "./api.js";
import { $ } from "./dom.js";
import { initNotifications } from "./notify.js";
import { route } from "./router.js";
import { initShortcuts } from "./shortcuts.js";
import { state } from "./state.js";
import { enterApp, logout, onLoginSubmit, sessionEnded, showLogin } from "./views/login.js";
import { setStatus } from "./views/topbar.js";

async function boot() {
  onSessionEnded(sessionEnded);
  $("login-form").addEventListener("submit", onLoginSubmit);
  $("logout").addEventListener("click", logout);
  $("status-available").addEventListener("click", () => setStatus("available"));
  $("status-away").addEventListener("click", () => setStatus("away"));
  $("alert-close").addEventListener("click", () => clearAlert());
  window.addEventListener("hashchange", route);
  initShortcuts();
  initNotifications();

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

// Module scripts run once the document is parsed, so the page's elements are all there.
boot();

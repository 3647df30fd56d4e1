// Signing in and out. Any 401 from the API comes back here through sessionEnded().
import { clearAlert, report } from "../alerts.js";
import { ApiError, FALLBACK_ERRORS, api } from "../api.js";
import { $, setHidden } from "../dom.js";
import { parseRoute, route } from "../router.js";
import { state } from "../state.js";
import { leaveViews } from "./shell.js";
import { renderMe } from "./topbar.js";

export function showLogin(notice) {
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
export function sessionEnded() {
  const wasSignedIn = Boolean(state.agent);
  state.agent = null;
  clearAlert();
  showLogin(wasSignedIn ? FALLBACK_ERRORS.not_logged_in : null);
}

export function enterApp() {
  setHidden($("boot"), true);
  setHidden($("view-login"), true);
  setHidden($("topbar"), false);
  renderMe();
  if (!parseRoute(location.hash)) history.replaceState(null, "", "#/queue");
  route();
}

export async function onLoginSubmit(event) {
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

export async function logout() {
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

// The alert area (errors, which stay until dismissed or cleared by their source) and the notice (a
// confirmation that fades). Every failed request ends up in report(): nothing is swallowed.
import { ApiError } from "./api.js";
import { $, setHidden } from "./dom.js";
import { state } from "./state.js";

const NOTICE_MS = 5000;

// source names what raised the alert (a poller, or "action"), so its next success can clear only its own.
export function showAlert(message, source) {
  $("alert").textContent = message;
  state.alertSource = source || "action";
  setHidden($("alert-box"), false);
}

// Without a source, clears whatever is shown; with one, only an alert raised by that source.
export function clearAlert(source) {
  if (source && state.alertSource !== source) return;
  $("alert").textContent = "";
  state.alertSource = null;
  setHidden($("alert-box"), true);
}

export function showNotice(message) {
  const notice = $("notice");
  notice.textContent = message;
  setHidden(notice, false);
  clearTimeout(state.noticeTimer);
  state.noticeTimer = setTimeout(() => setHidden(notice, true), NOTICE_MS);
}

export function report(error, source) {
  if (error && error.handled) return; // a 401: the login view is already showing
  if (error instanceof ApiError) {
    showAlert(error.message, source);
  } else {
    console.error(error);
    showAlert(`Unexpected error in the console: ${error && error.message ? error.message : error}`, source);
  }
}

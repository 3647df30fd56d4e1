// Every request goes through api(): it sends the session cookie and JSON bodies, and turns any failure into
// an ApiError whose message can be shown as it is. A 401 outside the login call ends the session (see
// onSessionEnded), so no view has to handle it.

// Used only when an error answer carries no message of its own.
export const FALLBACK_ERRORS = {
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

export class ApiError extends Error {
  constructor(status, code, message, handled) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    // true for a 401: the login view is already showing, so there is nothing left to report.
    this.handled = Boolean(handled);
  }
}

// The login view registers itself here (main.js): it imports api(), so api() cannot import it.
let sessionEndedHandler = () => {};

export function onSessionEnded(handler) {
  sessionEndedHandler = handler;
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

export async function api(method, path, body) {
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
  } catch {
    throw new ApiError(0, "network_error", FALLBACK_ERRORS.network_error);
  }
  let data = null;
  if (response.status !== 204) {
    const raw = await response.text().catch(() => "");
    if (raw) {
      try {
        data = JSON.parse(raw);
      } catch {
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
    sessionEndedHandler();
    throw new ApiError(401, code, message, true);
  }
  throw new ApiError(response.status, code, message, false);
}

// The small coloured labels for a ticket's reason, priority, status and rating.
import { el } from "./dom.js";
import { capitalize } from "./format.js";

export const REASONS = {
  user_requested: "Customer asked for a person",
  low_confidence: "Bot was unsure",
  escalation_loop: "Conversation going in circles",
  sensitive_topic: "Sensitive topic",
  verification_failed: "Identity check failed",
  backend_unavailable: "Systems unavailable",
  policy_exception: "Policy exception",
};

export function reasonLabel(code) {
  if (!code) return "Unknown reason";
  if (Object.prototype.hasOwnProperty.call(REASONS, code)) return REASONS[code];
  const text = String(code).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function priorityBadge(priority) {
  const value = priority || "normal";
  return el("span", { class: `badge priority priority-${value}`, title: `Priority: ${value}` }, capitalize(value));
}

export function reasonBadge(code, testid) {
  return el("span", { class: `badge reason reason-${code || "unknown"}`, title: code || "", testid, data: { reason: code } },
    reasonLabel(code));
}

export function statusBadge(status, testid) {
  return el("span", { class: `badge status status-${status || "unknown"}`, testid }, capitalize(status || "unknown"));
}

export function csatBadge(rating) {
  const n = Math.max(0, Math.min(5, Math.round(Number(rating)) || 0));
  return el("span", { class: "badge csat", testid: "csat", title: `Customer satisfaction: ${rating} out of 5` },
    "CSAT ", el("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(n) + "☆".repeat(5 - n)), ` ${rating}/5`);
}

// What the knowledge-base screens share: the roles, how a state and a review-by date look.
import { el } from "../dom.js";
import { formatDate, parseIso } from "../format.js";

export const KB_READERS = ["trainer", "editor", "approver", "admin"];
export const KB_EDITORS = ["trainer", "editor"];
export const STATE_TEXT = { draft: "Draft", in_review: "In review", published: "Published", retired: "Retired" };

export function stateBadge(value) {
  return el("span", { class: `badge kb-state kb-${value}`, testid: "kb-state", data: { state: value } },
    STATE_TEXT[value] || value);
}

// A review-by date: overdue ones stand out, and say so in words (not only in colour).
export function reviewDate(value, overdue) {
  const date = parseIso(value ? `${value}T00:00:00` : null);
  return el("span", { class: overdue ? "kb-overdue" : "", testid: "kb-review-by", data: { overdue: overdue ? "true" : "false" } },
    formatDate(date), overdue ? el("span", { class: "badge kb-overdue-badge" }, "Overdue") : null);
}

// How the inbox words its sources and confidences.
import { el } from "../dom.js";

// console/inbox/models.py SOURCES, with the words trainers read.
export const SOURCES = {
  fallback: "Fallback",
  low_confidence: "Low confidence",
  declined: "Declined as off-topic",
  agent_correction: "Agent correction",
  handoff_low_confidence: "Handoff: unsure",
  handoff_escalation_loop: "Handoff: loop",
  low_csat: "Low rating",
  sample: "Sample",
};

export function sourceLabel(code) {
  return Object.prototype.hasOwnProperty.call(SOURCES, code) ? SOURCES[code] : String(code).replace(/_/g, " ");
}

export function sourceChips(sources) {
  return el("ul", { class: "chips source-chips" }, (sources || []).map((source) =>
    el("li", { class: `chip source source-${source}`, data: { source } }, sourceLabel(source))));
}

export function confidenceText(value) {
  return typeof value === "number" ? `${Math.round(value * 100)} %` : "—";
}

// Leaving a view: its poller stops, its live objects are dropped (late answers then find a different
// object in state and are ignored) and its section is emptied.
import { $, setHidden } from "../dom.js";
import { stopPoller } from "../poller.js";
import { state } from "../state.js";

const VIEW_IDS = ["view-queue", "view-ticket", "view-corrections", "view-audit", "view-metrics", "view-macros", "view-history", "view-inbox", "view-models", "view-privacy", "view-kb"];

export function leaveViews() {
  stopPoller();
  state.queue = null;
  state.conv = null;
  state.corrections = null;
  state.audit = null;
  state.metrics = null;
  state.macros = null;
  state.history = null;
  state.inbox = null;
  state.models = null;
  state.privacy = null;
  state.kb = null;
  for (const id of VIEW_IDS) {
    const view = $(id);
    setHidden(view, true);
    view.replaceChildren();
  }
  $("view-ticket").removeAttribute("data-ticket-id");
}

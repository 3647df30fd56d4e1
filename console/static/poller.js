// One poller at a time (the live view's): it runs fn now and then every `interval` ms after the previous run
// finished (never overlapping), skipping runs while the browser tab is hidden. Errors go to the alert area
// under `source` and are cleared by the next successful run.
import { clearAlert, report } from "./alerts.js";
import { state } from "./state.js";

export function startPoller(fn, interval, source) {
  stopPoller();
  const poller = { stopped: false, timer: null, running: false };
  const tick = async () => {
    poller.timer = null;
    if (poller.stopped) return;
    if (!document.hidden) {
      poller.running = true;
      try {
        await fn();
        if (!poller.stopped) clearAlert(source);
      } catch (error) {
        if (!poller.stopped) report(error, source);
      }
      poller.running = false;
    }
    if (!poller.stopped && !poller.timer) poller.timer = setTimeout(tick, interval);
  };
  poller.now = () => {
    if (poller.stopped || poller.running) return;
    clearTimeout(poller.timer);
    poller.timer = null;
    tick();
  };
  poller.stop = () => {
    poller.stopped = true;
    clearTimeout(poller.timer);
  };
  state.poller = poller;
  tick();
  return poller;
}

export function stopPoller() {
  if (state.poller) state.poller.stop();
  state.poller = null;
}

// Something changed (a reply sent, a status set): fetch now instead of at the next tick.
export function pollNow() {
  if (state.poller) state.poller.now();
}

// A tab that comes back into view catches up at once instead of waiting for the next tick.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) pollNow();
});

// What the conversation is doing besides messages: the typing indicator while a reply is being written, and
// the wait for a person (place in the queue, polled while waiting; channels/queue_status.py answers).
import { text } from "./texts.js";

// A reply that never comes must not leave the indicator on for good.
const TYPING_GIVES_UP_MS = 30_000;
// The console says an agent is typing every 2 s while they type: after 6 s without it, they stopped.
const AGENT_TYPING_GIVES_UP_MS = 6_000;
const AGENT_NAME_MAX = 100;
// Bot messages come in bursts: ask about the queue once the burst is over.
const CHECK_AFTER_MS = 800;

export function createTyping(element) {
  let timer = null;
  function hide() {
    clearTimeout(timer);
    timer = null;
    element.hidden = true;
  }
  function showFor(sentence, milliseconds) {
    element.textContent = sentence;
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(hide, milliseconds);
  }
  return {
    // The assistant is writing a reply.
    show: () => showFor(text("utter_webchat_typing"), TYPING_GIVES_UP_MS),
    // The person holding the conversation is writing (socket.io `agent_typing`, repeated while they type).
    showAgent: (name) =>
      showFor(text("utter_webchat_agent_typing").replace("{agent_name}", name.slice(0, AGENT_NAME_MAX)), AGENT_TYPING_GIVES_UP_MS),
    hide,
  };
}

// Whether, by the transcript, a person holds the conversation now (so a reloaded page knows it too).
export function personHolds(transcript) {
  for (let index = transcript.length - 1; index >= 0; index -= 1) {
    const entry = transcript[index];
    if (entry.notice === "agent_joined" || entry.notice === "agent_transferred") {
      return entry.agent || null;
    }
    if (entry.notice === "agent_left" || (entry.author === "bot" && !entry.agent && !entry.notice)) {
      return null;
    }
  }
  return null;
}

// ask(callback) asks the server (callback gets {waiting, position?, minutes?}); onWaiting(answer) and
// onDone() update the page. While waiting it asks again every intervalMs.
export function createWaitWatcher({ ask, onWaiting, onDone, intervalMs }) {
  let timer = null;
  let waiting = false;
  function check() {
    clearTimeout(timer);
    timer = null;
    ask((answer) => {
      if (answer && answer.waiting === true) {
        waiting = true;
        onWaiting(answer);
        timer = setTimeout(check, intervalMs);
      } else {
        const was = waiting;
        waiting = false;
        if (was) {
          onDone();
        }
      }
    });
  }
  return {
    check,
    checkSoon() {
      clearTimeout(timer);
      timer = setTimeout(check, CHECK_AFTER_MS);
    },
    stop() {
      clearTimeout(timer);
      timer = null;
      waiting = false;
    },
    isWaiting: () => waiting,
  };
}

// The header's sentence for a wait: with the place in the queue when the server knows it.
export function waitingSentence(answer) {
  if (Number.isInteger(answer.position) && Number.isInteger(answer.minutes)) {
    return text("utter_webchat_waiting_in_line")
      .replace("{position}", String(answer.position))
      .replace("{minutes}", String(answer.minutes));
  }
  return text("utter_webchat_waiting_for_agent");
}

// Messages sent while waiting are acknowledged once: true when the transcript has the acknowledgement since
// the last thing support said.
export function acknowledgedSinceSupportSpoke(transcript) {
  for (let index = transcript.length - 1; index >= 0; index -= 1) {
    const entry = transcript[index];
    if (entry.notice === "received") {
      return true;
    }
    if (entry.author === "bot") {
      return false;
    }
  }
  return false;
}

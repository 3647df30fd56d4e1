// History of conversations the bot handled alone (never handed to a person), read from Rasa's tracker store:
// when, which channel, the first customer message (redacted by the server), and a read-only redacted transcript.
// Lives in #/history?kind=bot (filters: from, to); a transcript is #/history?kind=bot&conversation=<id>.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { el, timeElement } from "../dom.js";
import { fetchPage, pager } from "./history-pages.js";
import { formatDateTime, parseIso } from "../format.js";
import { state } from "../state.js";

const AUTHORS = { customer: "Customer", bot: "Bot", agent: "Agent" };

export function botHref(params) {
  const q = new URLSearchParams(params);
  q.set("kind", "bot");
  return `#/history?${q}`;
}

export async function loadBotConversations(page, params) {
  const conversation = params.get("conversation");
  if (conversation) return loadTranscript(page, params, conversation);
  const query = new URLSearchParams();
  for (const name of ["from", "to"]) if (params.get(name)) query.set(name, params.get(name));
  const data = await fetchPage(page, "/api/history/conversations", query);
  if (!data) return;
  const items = data.items || [];
  if (!items.length) {
    page.results.replaceChildren(el("p", { class: "muted pad", testid: "history-empty" }, "No bot-only conversations match."));
    return;
  }
  page.results.replaceChildren(
    el("table", { class: "table" },
      el("thead", null, el("tr", null, ["Started", "Channel", "First customer message", "Messages", ""]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, items.map((c) => {
        const started = parseIso(c.started_at);
        const q = new URLSearchParams(params);
        q.set("conversation", c.conversation_id);
        return el("tr", { testid: "bot-conversation-row", data: { conversationId: c.conversation_id } },
          el("td", { class: "nowrap" }, timeElement(started, formatDateTime(started))),
          el("td", null, c.channel || el("span", { class: "muted" }, "unknown")),
          el("td", { testid: "bot-conversation-first" }, c.first_message || el("span", { class: "muted" }, "—")),
          el("td", null, String(c.customer_messages)),
          el("td", null, el("a", { href: botHref(q), testid: "bot-conversation-open" }, "Transcript")));
      }))),
    pager(page, data, params, "conversation", botHref));
}

async function loadTranscript(page, params, conversation) {
  let data;
  try {
    data = await api("GET", `/api/history/conversations/${encodeURIComponent(conversation)}`);
  } catch (error) {
    report(error);
    return;
  }
  if (state.history !== page) return;
  const back = new URLSearchParams(params);
  back.delete("conversation");
  page.results.replaceChildren(
    el("div", { class: "pad", testid: "bot-transcript" },
      el("p", null, el("a", { class: "btn btn-small", href: botHref(back) }, "Back to the list")),
      el("h2", null, `Conversation ${data.conversation_id}`, data.channel ? ` · ${data.channel}` : ""),
      el("p", { class: "muted small" }, "Read-only. Personal data and one-time codes are hidden."),
      el("ol", { class: "transcript-lines" }, (data.lines || []).map((line) => {
        const at = parseIso(line.at);
        return el("li", { testid: "bot-transcript-line", data: { author: line.author } },
          el("strong", null, `${AUTHORS[line.author] || line.author}: `),
          el("span", { testid: "message-text" }, line.text), " ",
          timeElement(at, formatDateTime(at), "muted small"));
      }))));
}

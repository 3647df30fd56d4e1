// The console's shared, mutable state: who is signed in and which view is live. A view keeps its own object
// here and compares it after every await, so an answer that arrives after the agent left the view is dropped.
export const state = {
  agent: null, // {username, display_name, status, online, roles}
  agents: [], // last known list of all agents (from the queue or a ticket)
  poller: null,
  queue: null, // the queue view's live objects
  conv: null, // the conversation view's live objects
  corrections: null,
  audit: null,
  metrics: null,
  macros: null,
  history: null,
  privacy: null,
  kb: null, // the knowledge-base list or the open article
  alertSource: null,
  noticeTimer: null,
};

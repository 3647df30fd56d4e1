// What the API lets the signed-in agent do with a ticket, and how much its customer email can be trusted.
import { el } from "../dom.js";
import { state } from "../state.js";

export function isMine(ticket) {
  return Boolean(state.agent && ticket && ticket.assignee === state.agent.username);
}

// The API accepts replies, transfers, unassigning and resolving only from the assignee of an open ticket.
export function canWork(ticket) {
  return isMine(ticket) && ticket.status === "open";
}

export function isClosed(ticket) {
  return ticket && (ticket.status === "solved" || ticket.status === "closed");
}

// An email nobody verified is only what someone typed in the chat: the server shows no account data for it,
// and the page must not let it read like the customer's address either. Anything but an explicit true
// counts as unverified.
export function isUnverifiedClaim(ticket) {
  return Boolean(ticket && ticket.customer_email && ticket.customer_verified !== true);
}

export function unverifiedMark(ticket, testid) {
  if (!isUnverifiedClaim(ticket)) return null;
  return el("span", {
    class: "unverified-mark", testid, title: "The customer typed this address; nobody verified it belongs to them",
  }, "not verified");
}

// The top bar: who is signed in, their availability, and the links their roles give them.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { $, setHidden } from "../dom.js";
import { pollNow } from "../poller.js";
import { state } from "../state.js";
import { KB_READERS } from "./kb-format.js";

const ADMIN = "admin";
const LEAD = "lead";

// Only decides what the page offers: the server checks the role again on every request that needs it.
export function isAdmin(agent) {
  return Boolean(agent && Array.isArray(agent.roles) && agent.roles.includes(ADMIN));
}

export function hasRole(agent, ...roles) {
  return Boolean(agent && Array.isArray(agent.roles) && roles.some((role) => agent.roles.includes(role)));
}

export function renderMe() {
  const agent = state.agent;
  if (!agent) return;
  $("me-name").textContent = agent.display_name || agent.username;
  $("me-name").title = `Signed in as ${agent.username}`;
  const available = agent.status === "available";
  $("status-available").setAttribute("aria-pressed", String(available));
  $("status-away").setAttribute("aria-pressed", String(!available));
  setHidden($("nav-audit"), !isAdmin(agent));
  setHidden($("nav-macros"), !isAdmin(agent));
  setHidden($("nav-metrics"), !(isAdmin(agent) || agent.roles.includes(LEAD)));
  setHidden($("nav-inbox"), !hasRole(agent, "trainer"));
  setHidden($("nav-models"), !hasRole(agent, "trainer", "approver", ADMIN));
  setHidden($("nav-privacy"), !hasRole(agent, "privacy"));
  setHidden($("nav-kb"), !hasRole(agent, ...KB_READERS));
}

export async function setStatus(status) {
  if (!state.agent || state.agent.status === status) return;
  const buttons = [$("status-available"), $("status-away")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const data = await api("POST", "/api/me/status", { status });
    if (data && data.agent) state.agent = data.agent;
    renderMe();
    showNotice(status === "available" ? "You are available for new conversations." : "You are marked as away.");
    pollNow();
  } catch (error) {
    report(error);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

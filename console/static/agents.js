// What the console knows about the other agents: names to show and who is available.
import { state } from "./state.js";
import { renderMe } from "./views/topbar.js";

export function rememberAgents(list) {
  if (!Array.isArray(list)) return;
  state.agents = list;
  const me = state.agent && list.find((a) => a.username === state.agent.username);
  if (me && me.status !== state.agent.status) {
    state.agent = Object.assign({}, state.agent, { status: me.status });
    renderMe();
  }
}

export function agentName(username, list) {
  if (!username) return "";
  const pool = (list && list.length ? list : state.agents) || [];
  const found = pool.find((a) => a.username === username);
  if (state.agent && state.agent.username === username) {
    return `${state.agent.display_name || username} (you)`;
  }
  return (found && found.display_name) || username;
}

export function availability(agent) {
  if (!agent.online) return { key: "offline", label: "Offline" };
  if (agent.status === "available") return { key: "available", label: "Available" };
  return { key: "away", label: "Away" };
}

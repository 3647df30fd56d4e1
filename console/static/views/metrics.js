// The support leads' dashboard (#/metrics, leads and admins; the server refuses everyone else with 403):
// every metric with its 95 % interval, over days or weeks, handoff reasons, CSAT bot vs human, the messages
// the bot most often did not understand (redacted when stored), the knowledge-base articles most answered from
// (with the conversations handed to a person after them: for trainers) and the model versions side by side.
// Definitions and formulas come from the server (analytics/definitions.py), never from this file.
import { report } from "../alerts.js";
import { api } from "../api.js";
import { intervalChart } from "../chart.js";
import { $, el, setHidden } from "../dom.js";
import { state } from "../state.js";

const percent = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 1000) / 10} %`);
const seconds = (value) => {
  if (value === null || value === undefined) return "—";
  if (value < 1) return `${Math.round(value * 1000)} ms`;
  return value < 120 ? `${Math.round(value * 10) / 10} s` : `${Math.round(value / 6) / 10} min`;
};

function interval(estimate, format) {
  if (!estimate || estimate.value === null) return "no data";
  return `${format(estimate.low)} – ${format(estimate.high)}`;
}

function count(estimate) {
  if (!estimate) return "";
  return estimate.numerator === null ? `n = ${estimate.denominator}` : `${estimate.numerator} / ${estimate.denominator}`;
}

export function showMetrics() {
  const root = $("view-metrics");
  const period = el("select", { testid: "metrics-period", "aria-label": "Period" },
    el("option", { value: "day" }, "By day"), el("option", { value: "week" }, "By week"));
  const metric = el("select", { testid: "metrics-metric", "aria-label": "Metric" });
  const refresh = el("button", { type: "button", class: "btn btn-quiet", onclick: () => load() }, "Refresh");
  const body = el("div", { testid: "metrics-body" }, el("p", { class: "muted pad" }, "Loading the metrics…"));
  root.append(
    el("div", { class: "page-head" }, el("h1", null, "Metrics"), el("div", { class: "metrics-controls" }, metric, period, refresh)),
    el("p", { class: "muted" }, "Bot conversations, from the analytics store. Intervals are 95 %: Wilson for rates, bootstrap for times."),
    body);
  setHidden(root, false);
  document.title = "Metrics — Frontdesk console";
  const view = { body, period, metric, data: null };
  state.metrics = view;
  period.addEventListener("change", () => view.data && renderChart(view));
  metric.addEventListener("change", () => view.data && renderChart(view));

  async function load() {
    refresh.disabled = true;
    try {
      const data = await api("GET", "/api/metrics");
      if (state.metrics !== view) return;
      view.data = data;
      renderMetrics(view);
    } catch (error) {
      if (state.metrics !== view) return;
      report(error);
      if (!error.handled) view.body.replaceChildren(el("p", { class: "muted pad" }, "The metrics could not be loaded."));
    } finally {
      refresh.disabled = false;
    }
  }
  load();
}

function headline(definition, value) {
  if (definition.kind === "proportion") {
    return el("div", { class: "card metric-card", testid: "metric-card", data: { metric: definition.key } },
      el("div", { class: "metric-name", title: definition.formula }, definition.name),
      el("div", { class: "metric-value" }, percent(value.value)),
      el("div", { class: "muted" }, `95 % ${interval(value, percent)} · ${count(value)}`));
  }
  return el("div", { class: "card metric-card", testid: "metric-card", data: { metric: definition.key } },
    el("div", { class: "metric-name", title: definition.formula }, definition.name),
    el("div", { class: "metric-value" }, `${seconds(value.median.value)} median`),
    el("div", { class: "muted" }, `p90 ${seconds(value.p90.value)} · n = ${value.median.denominator}, ${value.missing} without`));
}

function table(testid, headers, rows) {
  return el("table", { class: "table", testid },
    el("thead", null, el("tr", null, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", null, rows.length ? rows : [el("tr", null, el("td", { colspan: headers.length, class: "muted" }, "No data yet."))]));
}

// Replies agents sent from agent-assist drafts, with how much of a draft they changed on average.
function assisted(overall) {
  if (!overall.suggestions_sent) return "no replies sent from agent-assist suggestions";
  return `${overall.suggestions_sent} replies sent from agent-assist suggestions (mean edit rate ${(100 * overall.mean_edit_rate).toFixed(1)} %)`;
}

function renderMetrics(view) {
  const data = view.data;
  const values = data.overall.values;
  if (!view.metric.options.length) {
    for (const definition of data.definitions) view.metric.append(el("option", { value: definition.key }, definition.name));
  }
  const names = Object.fromEntries(data.definitions.map((d) => [d.key, d.name]));
  const reasons = Object.entries(data.overall.handoff_reasons);
  const modelKeys = data.models.length ? Object.keys(data.models[0].values) : [];
  view.chart = el("div", { class: "card chart-card", testid: "metrics-chart" });
  view.body.replaceChildren(
    el("p", { testid: "metrics-summary" },
      `${data.overall.conversations} bot conversations; ${data.overall.pending} still within 24 h (not yet counted for resolution and abandonment); ${data.overall.kb_answers} answers from knowledge-base articles; ${assisted(data.overall)}.`),
    ...(data.overall.degraded
      ? [el("p", { class: "alert-inline", testid: "metrics-degraded" },
        `${data.overall.degraded} conversations went straight to a person because the store's systems were failing.`)]
      : []),
    el("div", { class: "metric-grid" }, data.definitions.map((d) => headline(d, values[d.key]))),
    view.chart,
    el("div", { class: "metric-tables" },
      tableCard("Reasons for handoff",
        table("metrics-reasons", ["Reason", "Handoffs"], reasons.map(([reason, n]) =>
          el("tr", null, el("td", null, reason.replace(/_/g, " ")), el("td", null, String(n)))))),
      tableCard("CSAT: bot vs human",
        table("metrics-csat", ["Handled by", "Good (4–5)", "95 % interval", "Ratings"],
          [["Bot only", data.csat.bot], ["A person", data.csat.human]].map(([who, e]) =>
            el("tr", null, el("td", null, who), el("td", null, percent(e.value)), el("td", null, interval(e, percent)), el("td", null, count(e)))))),
      tableCard("Top fallback messages (redacted)",
        table("metrics-fallbacks", ["Message", "Times"], data.top_fallbacks.map((f) =>
          el("tr", null, el("td", { class: "quote" }, f.text), el("td", null, String(f.count)))))),
      tableCard("Top knowledge-base articles",
        table("metrics-articles", ["Article", "Version", "Answers", "Conversations", "Handed over later"], data.top_articles.map((a) =>
          el("tr", null, el("td", { class: "mono" }, a.article_id), el("td", null, a.version), el("td", null, String(a.answers)),
            el("td", null, String(a.conversations)), el("td", null, String(a.handed_off_later)))))),
      ["channel", "intent"].map((dimension) => breakdownTable(dimension, data.breakdowns[dimension] || {}, names)),
      tableCard("Model versions",
        table("metrics-models", ["Model", "Conversations", ...modelKeys.map((k) => names[k] || k)], data.models.map((m) =>
          el("tr", null, el("td", { class: "mono" }, m.model_id), el("td", null, String(m.conversations)),
            modelKeys.map((k) => el("td", { title: interval(m.values[k], percent) }, percent(m.values[k].value)))))))));
  renderChart(view);
}

// A table that may scroll sideways: a named region a keyboard can reach and scroll (axe: scrollable regions
// must be focusable).
function tableCard(title, ...content) {
  return el("section", { class: "card table-card", role: "region", "aria-label": title, tabindex: "0" },
    el("h2", null, title), ...content);
}

function breakdownTable(dimension, groups, names) {
  const rows = Object.entries(groups);
  const keys = rows.length ? Object.keys(rows[0][1]) : [];
  return tableCard(`By ${dimension}`,
    table(`metrics-by-${dimension}`, [dimension, ...keys.map((k) => names[k] || k)], rows.map(([value, metrics]) =>
      el("tr", null, el("td", { class: "mono" }, value),
        keys.map((k) => el("td", { title: interval(metrics[k], percent) }, percent(metrics[k].value)))))));
}

function renderChart(view) {
  const key = view.metric.value || view.data.definitions[0].key;
  const definition = view.data.definitions.find((d) => d.key === key);
  const periods = view.data.series[view.period.value] || [];
  const points = periods.map((p) => {
    const value = definition.kind === "proportion" ? p.values[key] : p.values[key].median;
    return { label: p.start, value: value.value, low: value.low, high: value.high };
  });
  const highest = Math.max(1, ...points.map((p) => p.high ?? p.value ?? 0));
  const format = definition.kind === "proportion" ? percent : seconds;
  view.chart.replaceChildren(
    el("h2", null, `${definition.name}, ${view.period.value === "day" ? "by day" : "by week"}`),
    points.length
      ? intervalChart(points, { yMax: definition.kind === "proportion" ? 1 : highest, format, title: definition.name })
      : el("p", { class: "muted pad" }, "No conversations yet."));
}

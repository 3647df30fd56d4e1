// Training a candidate (trainers) and the latest job's progress (everyone on the Models page). While a job is
// queued or running the page polls its status every 2 s (else every 10 s); when it ends, the model list reloads.
import { report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { capitalize, formatDateTime, parseIso } from "../format.js";
import { startPoller } from "../poller.js";
import { state } from "../state.js";

const POLL_MS = 2000;
const IDLE_POLL_MS = 10000;
const ACTIVE = new Set(["queued", "running"]);

export function trainingCard(page) {
  const status = el("div", { class: "training-status", testid: "training-status" }, el("span", { class: "muted" }, "Loading…"));
  const button = page.canTrain
    ? el("button", { type: "button", class: "btn btn-primary", testid: "train-button", onclick: () => train() }, "Train a candidate")
    : null;
  const card = el("div", { class: "card pad training-card", testid: "training" },
    el("div", { class: "training-head" }, el("strong", null, "Training"), button),
    status);
  const training = { card, status, button, job: null, polling: false }; // polling: at the fast rate

  async function fetchJob() {
    const data = await api("GET", "/api/registry/training");
    if (state.models !== page) return;
    const previous = training.job;
    training.job = (data && data.job) || null;
    render(training);
    const active = isActive(training.job);
    if (active !== training.polling) {
      // Fast while a job runs; slowly otherwise, so a job another trainer starts shows up too.
      training.polling = active;
      startPoller(fetchJob, active ? POLL_MS : IDLE_POLL_MS, "training");
    }
    if (!active && previous && isActive(previous)) finished(training.job);
  }

  function finished(job) {
    if (!job) return;
    if (job.status === "succeeded") showNotice(`Training finished: ${job.version || "a new candidate"} (${job.stage}).`);
    page.reload();
  }

  async function train() {
    button.disabled = true;
    try {
      const data = await api("POST", "/api/registry/training");
      if (state.models !== page) return;
      training.job = (data && data.job) || null;
      render(training);
      showNotice("Training started.");
      await fetchJob();
    } catch (error) {
      report(error);
      if (state.models === page) fetchJob().catch(report);
    }
  }

  training.start = () => startPoller(fetchJob, IDLE_POLL_MS, "training");
  return training;
}

function isActive(job) {
  return Boolean(job && ACTIVE.has(job.status));
}

function render(training) {
  const job = training.job;
  if (training.button) {
    training.button.disabled = isActive(job);
    training.button.title = isActive(job) ? "A training job is running." : "";
  }
  if (!job) {
    training.status.replaceChildren(el("p", { class: "muted small" }, "No training job yet."));
    return;
  }
  const progress = Math.max(0, Math.min(100, Number(job.progress) || 0));
  const created = parseIso(job.created_at);
  const finishedAt = parseIso(job.finished_at);
  training.status.dataset.status = job.status;
  training.status.replaceChildren(
    el("div", { class: "training-line" },
      el("span", { class: `badge job-${job.status}`, testid: "training-job-status", data: { status: job.status } },
        capitalize(job.status)),
      el("span", { testid: "training-stage" }, job.stage || ""),
      el("span", { class: "muted small" }, `${progress} %`)),
    el("progress", {
      class: `training-progress progress-${job.status}`, testid: "training-progress", max: "100", value: String(progress),
      "aria-label": "Training progress", data: { progress },
    }),
    el("p", { class: "small muted" },
      `Job ${job.id} by ${job.requested_by}, ${formatDateTime(created)}`,
      finishedAt ? `, ended ${formatDateTime(finishedAt)}` : "",
      job.version ? ` → ${job.version}` : ""),
    job.error ? el("p", { class: "small error-text", testid: "training-error" }, job.error) : "");
}

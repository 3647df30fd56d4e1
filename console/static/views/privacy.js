// Data-subject requests, for users with the `privacy` role: ask for a customer's export or erasure, and decide
// the requests others asked for (privacy-request.js). A second person must approve (maker-checker); the
// server checks the role and the second person again on every request, the page only decides what it offers.
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { $, el, setHidden } from "../dom.js";
import { state } from "../state.js";
import { confirmDialog } from "./confirm-dialog.js";
import { requestCard } from "./privacy-request.js";
import { hasRole } from "./topbar.js";

const PRIVACY = "privacy";
const REASON_MIN = 3; // RequestIn.reason's min_length on the server

export function showPrivacy() {
  const root = $("view-privacy");
  document.title = "Privacy — Frontdesk console";
  setHidden(root, false);
  if (!hasRole(state.agent, PRIVACY)) {
    root.append(el("h1", null, "Privacy"),
      el("p", { class: "muted", testid: "privacy-forbidden" }, "Only users with the privacy role see data-subject requests."));
    return;
  }
  const page = {
    list: el("div", { class: "privacy-list", testid: "privacy-requests", "aria-live": "polite" },
      el("p", { class: "muted" }, "Loading requests…")),
  };
  page.reload = () => loadRequests(page);
  state.privacy = page;
  const refresh = el("button", { type: "button", class: "btn btn-quiet", testid: "privacy-refresh", onclick: () => page.reload() }, "Refresh");
  root.append(
    el("div", { class: "page-head" }, el("h1", null, "Privacy"), refresh),
    el("p", { class: "muted" },
      "A customer's export (right of access) or erasure. One person asks, a second one approves; only then is it carried out."),
    el("div", { class: "privacy-layout" },
      el("section", { "aria-labelledby": "privacy-ask-title" }, askForm(page)),
      el("section", { "aria-labelledby": "privacy-list-title" },
        el("h2", { id: "privacy-list-title", class: "section-title" }, "Requests"),
        page.list)));
  page.reload();
}

async function loadRequests(page) {
  const token = {}; // only the latest of overlapping loads draws
  page.token = token;
  try {
    const data = await api("GET", "/api/privacy/requests");
    if (state.privacy !== page || page.token !== token) return;
    renderRequests(page, (data && data.items) || []);
  } catch (error) {
    if (state.privacy !== page || page.token !== token) return;
    report(error);
    if (!error.handled) page.list.replaceChildren(el("p", { class: "muted" }, "The requests could not be loaded."));
  }
}

function renderRequests(page, items) {
  if (!items.length) {
    page.list.replaceChildren(el("p", { class: "muted", testid: "privacy-empty" }, "No requests yet."));
    return;
  }
  page.list.replaceChildren(el("ul", { class: "privacy-cards" },
    items.map((request) => el("li", null, requestCard(page, request)))));
}

function field(label, input, hint) {
  return el("label", { class: "field" }, el("span", null, label), input,
    hint ? el("span", { class: "small muted field-hint" }, hint) : null);
}

function askForm(page) {
  const kind = el("select", { name: "kind", testid: "privacy-kind" },
    el("option", { value: "export" }, "Export: send the customer their data"),
    el("option", { value: "erasure" }, "Erasure: delete the customer's data everywhere"));
  const customer = el("input", {
    type: "text", name: "customer", testid: "privacy-customer", autocomplete: "off", spellcheck: "false",
    maxlength: "254", required: true, placeholder: "name@example.com or +44 20 7946 0000",
  });
  const reason = el("textarea", { name: "reason", testid: "privacy-reason", rows: "3", maxlength: "500", required: true });
  const ticket = el("input", {
    type: "text", name: "ticket", testid: "privacy-ticket", inputmode: "numeric", pattern: "[0-9]*", maxlength: "10",
  });
  const error = el("p", { class: "field-error", testid: "privacy-form-error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", class: "btn btn-primary", testid: "privacy-submit" }, "Ask for it");
  const form = el("form", { class: "card pad privacy-form", testid: "privacy-form", novalidate: true },
    el("h2", { id: "privacy-ask-title" }, "New request"),
    field("Kind", kind),
    field("Customer email or phone", customer, "The address they wrote from; it is masked in the list."),
    field("Reason", reason, "For the audit log: how and when the customer asked."),
    field("Deletion-request ticket (optional)", ticket),
    error,
    el("div", { class: "actions" }, submit));

  function fail(message, input) {
    error.textContent = message;
    setHidden(error, false);
    if (input) input.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setHidden(error, true);
    const address = customer.value.trim();
    const why = reason.value.trim();
    const ticketText = ticket.value.trim();
    if (!address) return fail("Customer email or phone: required.", customer);
    if (why.length < REASON_MIN) return fail(`Reason: at least ${REASON_MIN} characters.`, reason);
    if (ticketText && !/^[1-9][0-9]*$/.test(ticketText)) return fail("Ticket: a ticket number, or leave it empty.", ticket);
    const body = { kind: kind.value, reason: why, ticket_id: ticketText ? Number(ticketText) : null };
    if (address.includes("@")) body.email = address;
    else body.phone = address;
    if (body.kind === "erasure") {
      const confirmed = await confirmDialog({
        title: "Ask to erase this customer's data?",
        message: `Once a second privacy user approves, everything about ${address} is deleted from every store. This cannot be undone.`,
        confirmLabel: "Ask for erasure",
        danger: true,
      });
      if (!confirmed) return;
    }
    submit.disabled = true;
    try {
      const created = await api("POST", "/api/privacy/requests", body);
      if (state.privacy !== page) return;
      form.reset();
      clearAlert("action"); // an earlier refusal no longer applies
      showNotice(`Request #${created.id} asked for: a second privacy user must approve it.`);
      page.reload();
    } catch (failure) {
      if (state.privacy !== page) return;
      report(failure); // the alert area, like every other screen's API errors
    } finally {
      submit.disabled = false;
    }
    return undefined;
  });
  return form;
}

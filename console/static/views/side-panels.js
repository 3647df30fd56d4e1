// The conversation view's side panels: what the bot gathered, who the customer is, their orders and tickets.
import { statusBadge } from "../badges.js";
import { el, timeElement } from "../dom.js";
import { capitalize, formatDate, formatMoney, formatPercent, formatSlotValue, parseIso } from "../format.js";
import { assistPanel } from "./assist.js";
import { notesPanel } from "./notes.js";
import { isUnverifiedClaim } from "./ticket-rules.js";
import { toolsPanel } from "./tools.js";

export function renderSide(conv) {
  const data = conv.data;
  conv.side.replaceChildren(
    renderSummary(data.summary),
    renderCustomer(data.customer, data.ticket),
    assistPanel(conv),
    toolsPanel(conv),
    notesPanel(conv),
    renderOrders(data.orders),
    renderOtherTickets(data.tickets, conv.id));
}

function panel(title, testid, ...content) {
  return el("section", { class: "card panel", testid },
    el("h2", null, title), ...content);
}

function chipList(items, emptyText) {
  if (!Array.isArray(items) || !items.length) return el("p", { class: "muted" }, emptyText);
  return el("ul", { class: "chips" }, items.map((item) => el("li", { class: "chip" }, String(item))));
}

function renderSummary(summary) {
  const s = summary || {};
  const brief = s.brief || null;
  return panel("Summary", "summary",
    brief ? renderBrief(brief) : null,
    renderVerification(s.verification || {}),
    // What developers and trainers need; folded, so agents read the brief first.
    el("details", { class: "technical", testid: "technical-details" },
      el("summary", null, "Technical details"),
      ...renderTechnical(s)));
}

function renderBrief(brief) {
  return el("div", { class: "brief", testid: "brief" },
    el("p", { class: "brief-description", testid: "brief-description" }, String(brief.description || "")),
    el("dl", { class: "kv" },
      kvRow("Goal", brief.goal, "brief-goal"),
      kvRow("Still open", brief.unresolved, "brief-unresolved")),
    Array.isArray(brief.done) && brief.done.length
      ? el("ul", { class: "brief-done", testid: "brief-done" }, brief.done.map((item) => el("li", null, String(item))))
      : null,
    brief.last_answer ? el("p", { class: "small", testid: "brief-last-answer" }, String(brief.last_answer)) : null,
    brief.verification ? el("p", { class: "small", testid: "brief-verification" }, String(brief.verification)) : null);
}

function kvRow(label, value, testid) {
  return el("div", { class: "kv-row" }, el("dt", null, label), el("dd", { testid }, value ? String(value) : "—"));
}

function renderVerification(verification) {
  return el("dl", { class: "kv" },
    el("div", { class: "kv-row" },
      el("dt", null, "Verification"),
      el("dd", { testid: "verification", data: { verified: String(Boolean(verification.verified)) } },
        verification.verified
          ? el("span", { class: "verified" }, "Verified", verification.contact ? ` (${verification.contact})` : "")
          : el("span", { class: "not-verified" }, "Not verified",
            verification.contact ? ` (contact: ${verification.contact})` : ""))));
}

function renderTechnical(s) {
  const slots = s.filled_slots && typeof s.filled_slots === "object" ? Object.entries(s.filled_slots) : [];
  const confidence = formatPercent(s.last_nlu_confidence);
  return [
    el("h3", null, "Detected intents"),
    chipList(s.detected_intents, "None"),
    el("h3", null, "Filled slots"),
    slots.length
      ? el("dl", { class: "kv", testid: "slots" },
        slots.map(([name, value]) => el("div", { class: "kv-row" },
          el("dt", null, name), el("dd", null, formatSlotValue(value)))))
      : el("p", { class: "muted" }, "No slots filled"),
    el("h3", null, "Actions taken"),
    Array.isArray(s.actions_taken) && s.actions_taken.length
      ? el("ol", { class: "actions-list" }, s.actions_taken.map((a) => el("li", null, String(a))))
      : el("p", { class: "muted" }, "None"),
    el("dl", { class: "kv" },
      el("div", { class: "kv-row" },
        el("dt", null, "Last intent"),
        el("dd", { testid: "last-intent" },
          s.last_intent ? String(s.last_intent) : "—",
          confidence ? el("span", { class: "confidence", testid: "nlu-confidence" }, ` (${confidence} confidence)`) : null))),
  ];
}

function renderCustomer(customer, ticket) {
  if (!customer && isUnverifiedClaim(ticket)) {
    // Said plainly, so nobody takes the typed address for an identity (the server sends no account data).
    return panel("Customer", "customer-profile",
      el("p", { class: "unverified-claim", testid: "unverified-claim" },
        "Says they are ", el("strong", null, ticket.customer_email), " — not verified. ",
        "No account data is shown for unverified claims."));
  }
  if (!customer) {
    return panel("Customer", "customer-profile",
      el("p", { class: "muted" }, "Unknown customer"),
      ticket && ticket.customer_email
        ? el("p", { class: "small" }, "Ticket email: ", ticket.customer_email)
        : null);
  }
  return panel("Customer", "customer-profile",
    el("dl", { class: "kv" },
      el("div", { class: "kv-row" }, el("dt", null, "Name"), el("dd", null, customer.name || "—")),
      el("div", { class: "kv-row" }, el("dt", null, "Email"), el("dd", null, customer.email || "—")),
      el("div", { class: "kv-row" }, el("dt", null, "Phone"), el("dd", null, customer.phone || "—")),
      el("div", { class: "kv-row" }, el("dt", null, "Linked accounts"),
        el("dd", { testid: "linked-accounts" }, linkedAccounts(customer.linked_accounts)))));
}

// Slack or Telegram accounts the customer asked to link after verifying through them (not a verification).
function linkedAccounts(links) {
  if (!Array.isArray(links) || !links.length) return "none";
  return links.map((link) => `${capitalize(String(link.channel))}: ${link.identity}`).join(", ");
}

function renderOrders(orders) {
  if (!Array.isArray(orders) || !orders.length) {
    return panel("Orders", "orders", el("p", { class: "muted" }, "No orders."));
  }
  return panel("Orders", "orders",
    el("table", { class: "table compact" },
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "Order"), el("th", { scope: "col" }, "Status"),
        el("th", { scope: "col", class: "num" }, "Total"), el("th", { scope: "col" }, "Date"))),
      el("tbody", null, orders.map((order) => {
        const placed = parseIso(order.placed_at);
        return el("tr", { testid: "order", data: { orderId: order.id } },
          el("td", null, `#${order.id}`),
          el("td", null, capitalize(order.status || "—")),
          el("td", { class: "num" }, formatMoney(order.total, order.currency)),
          el("td", { class: "nowrap" }, timeElement(placed, formatDate(placed))));
      }))));
}

function renderOtherTickets(tickets, currentId) {
  const others = (Array.isArray(tickets) ? tickets : []).filter((t) => t && t.id !== currentId);
  if (!others.length) return panel("Other tickets", "other-tickets", el("p", { class: "muted" }, "No other tickets."));
  return panel("Other tickets", "other-tickets",
    el("ul", { class: "ticket-list" }, others.map((t) => {
      const created = parseIso(t.created_at);
      return el("li", null,
        el("a", { href: `#/tickets/${t.id}` }, `#${t.id} `, t.subject || "(no subject)"),
        el("span", { class: "ticket-list-meta" }, statusBadge(t.status), " ", timeElement(created, formatDate(created))));
    })));
}

// Agent tools in the conversation view: act for the ticket's verified customer (cancel an unshipped order,
// change an item's size or swap it for a product at the same price before shipping, refund within the policy, resend an invoice). Each goes through an
// in-page confirmation with a reason; the backend applies its own policy and may refuse with its reason.
import { clearAlert, report, showNotice } from "../alerts.js";
import { api } from "../api.js";
import { el } from "../dom.js";
import { capitalize, formatMoney } from "../format.js";
import { state } from "../state.js";
import { confirmDialog, newRequestId } from "./confirm-dialog.js";
import { canWork } from "./ticket-rules.js";

const REASON = { name: "reason", label: "Reason (kept in the audit trail)", required: true, minLength: 3, maxLength: 500, multiline: true };

// The panel is the view's own element: the side panels re-render around it without losing it.
export function toolsPanel(conv) {
  if (!conv.tools) {
    conv.tools = { panel: el("section", { class: "card panel", testid: "tools" }, el("h2", null, "Actions")), key: null, data: null };
  }
  const ticket = (conv.data && conv.data.ticket) || {};
  const key = JSON.stringify([ticket.assignee, ticket.status, state.agent && state.agent.username]);
  if (key !== conv.tools.key) {
    conv.tools.key = key;
    loadTools(conv);
  }
  return conv.tools.panel;
}

async function loadTools(conv) {
  try {
    conv.tools.data = await api("GET", `/api/tickets/${conv.id}/tools`);
  } catch (error) {
    report(error);
    return;
  }
  if (state.conv === conv) drawTools(conv);
}

function drawTools(conv) {
  const data = conv.tools.data || {};
  const ticket = conv.data.ticket || {};
  const working = canWork(ticket);
  const body = [el("h2", null, "Actions")];
  if (!data.available) {
    body.push(el("p", { class: "muted" }, "Only for a verified customer."));
  } else {
    if (!working) body.push(el("p", { class: "muted small", testid: "tools-hint" }, "Claim the conversation to act for the customer."));
    body.push(el("ul", { class: "tool-list" }, (data.orders || []).map((order) => orderTools(conv, order, working))));
    if ((data.invoices || []).length) {
      body.push(el("h3", null, "Invoices"),
        el("ul", { class: "tool-list" }, data.invoices.map((invoice) => el("li", { testid: "tool-invoice", data: { invoiceId: invoice.id } },
          el("span", null, `${invoice.id} · ${formatMoney(invoice.amount, invoice.currency)} · ${invoice.status}`),
          working ? toolButton("Resend", "tool-resend-invoice", () => resendInvoice(conv, invoice)) : null))));
    }
  }
  conv.tools.panel.replaceChildren(...body);
}

function orderTools(conv, order, working) {
  return el("li", { testid: "tool-order", data: { orderId: order.id, status: order.status } },
    el("div", { class: "tool-order-head" },
      el("strong", null, `#${order.id}`), ` ${capitalize(order.status)} · ${formatMoney(order.total, order.currency)}`),
    el("ul", { class: "tool-items" }, (order.items || []).map((item) => el("li", { testid: "tool-item", data: { itemId: item.id } },
      `${item.quantity} × ${item.name}`,
      el("span", { class: "muted", testid: "tool-item-size" }, item.size ? ` · size ${item.size}` : ""),
      working && order.can_change ? toolButton("Change size", "tool-change-size", () => changeSize(conv, order, item)) : null,
      working && order.can_change && swapsFor(conv, order, item).length
        ? toolButton("Swap product", "tool-swap-item", () => swapItem(conv, order, item)) : null))),
    working
      ? el("div", { class: "actions" },
        order.can_cancel ? toolButton("Cancel order", "tool-cancel-order", () => cancelOrder(conv, order)) : null,
        order.can_refund ? toolButton("Refund", "tool-refund", () => refund(conv, order)) : null)
      : null);
}

function toolButton(label, testid, onclick) {
  return el("button", { type: "button", class: "btn btn-small", testid, onclick }, label);
}

async function run(conv, path, body, values) {
  try {
    const data = await api("POST", `/api/tickets/${conv.id}/tools/${path}`, { ...body, reason: values.reason, request_id: newRequestId() });
    clearAlert("action");
    showNotice(data.done);
  } catch (error) {
    report(error);
  } finally {
    if (state.conv === conv) loadTools(conv);
  }
}

async function changeSize(conv, order, item) {
  const values = await confirmDialog({
    title: `Change the size of ${item.name}`,
    message: `Order #${order.id}, now size ${item.size || "not set"}. Only possible until the order ships.`,
    confirmLabel: "Change size",
    fields: [{ name: "size", label: "New size", required: true, maxLength: 20, placeholder: "e.g. L or 42" }, REASON],
  });
  if (values) run(conv, "change-size", { order_id: order.id, item_id: item.id, size: values.size }, values);
}

// Only products at the item's own price, in the order's currency: the backend refuses any other (no money moves).
function swapsFor(conv, order, item) {
  const products = (conv.tools.data && conv.tools.data.products) || [];
  return products.filter((product) => product.sku !== item.sku && product.currency === order.currency
    && item.unit_price !== null && Number(product.unit_price) === Number(item.unit_price));
}

async function swapItem(conv, order, item) {
  const options = swapsFor(conv, order, item).map((product) => ({
    value: product.sku,
    label: `${product.name} (${product.sku})${product.sizes.length ? ` · sizes ${product.sizes.join(", ")}` : ""}`,
  }));
  const values = await confirmDialog({
    title: `Swap ${item.name} for another product`,
    message: `Order #${order.id}. Only products at the same price (${formatMoney(item.unit_price, order.currency)}) and only until the order ships.`,
    confirmLabel: "Swap product",
    fields: [
      { name: "sku", label: "New product", required: true, options },
      { name: "size", label: "Size", maxLength: 20, placeholder: "e.g. L or 42", hint: "Only for a product sold in sizes." },
      REASON,
    ],
  });
  if (values) run(conv, "swap-item", { order_id: order.id, item_id: item.id, sku: values.sku, size: values.size || null }, values);
}

async function cancelOrder(conv, order) {
  const values = await confirmDialog({
    title: `Cancel order #${order.id}?`,
    message: `Whatever was paid (${formatMoney(order.total, order.currency)}) is refunded. This cannot be undone.`,
    confirmLabel: "Cancel the order", danger: true, fields: [REASON],
  });
  if (values) run(conv, "cancel-order", { order_id: order.id }, values);
}

async function refund(conv, order) {
  const values = await confirmDialog({
    title: `Refund order #${order.id}`,
    message: "Within the refund policy only; the store refuses anything outside it.",
    confirmLabel: "Refund",
    fields: [{ name: "amount", label: "Amount", inputmode: "decimal", pattern: "\\d+(\\.\\d{1,2})?", hint: "Empty: everything still refundable." }, REASON],
  });
  if (values) run(conv, "refund", { order_id: order.id, amount: values.amount || null }, values);
}

async function resendInvoice(conv, invoice) {
  const values = await confirmDialog({
    title: `Resend invoice ${invoice.id}?`,
    message: "A copy goes to the email address on file.",
    confirmLabel: "Resend", fields: [REASON],
  });
  if (values) run(conv, "resend-invoice", { invoice_id: invoice.id }, values);
}

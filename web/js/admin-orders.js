// Orders section of the admin page: all orders with filters, status changes, tracking, refunds,
// invoices and credit notes (PDF) and CSV export. The Sales section (admin-sales.js) reads its figures
// from the API and is told when a change here may have moved them.
import { apiFile } from "./api.js";
import { el, formatPrice, saveFile, say } from "./ui.js";
import { adminApi, centsText, exportAllPages, parseCents } from "./admin-common.js";
import { ADDRESS_FIELDS, addressLines, sameAddress } from "./addresses.js";
import { SALES_STALE_EVENT } from "./admin-sales.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 100;
const STATUSES = ["pending", "paid", "processing", "shipped", "delivered", "cancelled", "refunded", "failed"];
const PAYMENT_STATUSES = ["unpaid", "paid", "refund_requested", "refunded", "failed"];
// The moves the API allows (lambdas/shop/order_state.py); the API still has the last word.
const NEXT = {
  pending: ["paid", "cancelled", "failed"],
  paid: ["processing", "cancelled", "refunded", "failed"],
  processing: ["shipped", "cancelled", "refunded"],
  shipped: ["delivered", "refunded"],
  delivered: ["refunded"],
  failed: ["refunded"],
};

const orders = new Map();
let cursor = null;
// Only the latest list request may fill the table: an older answer arriving late is dropped.
let generation = 0;
let acting = null;

const status = () => $("orders-status");
const money = (order, cents) => formatPrice(cents, order.currency || "USD");

function filters() {
  const form = $("order-filters");
  return { status: form.status.value, payment_status: form.payment_status.value, from: form.from.value, to: form.to.value };
}

function fetchPage(query, pageCursor) {
  return adminApi("/orders/admin/list", { query: { ...query, limit: PAGE_SIZE, cursor: pageCursor } });
}

function statusControl(order) {
  const targets = NEXT[order.order_status] || [];
  if (!targets.length) return null;
  const label = `New status of ${order.order_number}`;
  const select = el("select", { "aria-label": label }, targets.map((target) => el("option", { value: target, text: target })));
  return el("span", { class: "inline" }, [
    select,
    el("button", { type: "button", class: "button secondary small", text: "Change", "aria-label": `Change status of ${order.order_number}`, onclick: () => changeStatus(order.order_id, select.value) }),
  ]);
}

/** Where the order goes (every line of the address) and, when the bill goes elsewhere, where that is. */
function shipTo(order) {
  const lines = (address) => addressLines(address).flatMap((line, index) => [index ? el("br") : null, line]);
  const billing = order.billing_address;
  const separate = billing && !sameAddress(billing, order.shipping_address);
  return el("td", { class: "ship-to" }, [
    order.shipping_address
      ? el("address", {}, lines(order.shipping_address))
      : el("span", { class: "muted", text: "Nothing to ship (digital)" }),
    separate ? el("details", {}, [el("summary", { text: "Billing address" }), el("address", {}, lines(billing))]) : null,
  ]);
}

// The order's documents: numbered when it was paid, and when its refund completed.
const DOCUMENTS = [
  { kind: "invoice", label: "invoice", number: "invoice_number" },
  { kind: "credit-note", label: "credit note", number: "credit_note_number" },
];

async function downloadDocument(order, { kind, label, number }, button) {
  button.disabled = true;
  try {
    const { blob, fileName } = await apiFile(`/orders/${encodeURIComponent(order.order_id)}/${kind}`, { fileName: `${order[number]}.pdf` });
    saveFile(blob, fileName);
    say(status(), `The ${label} ${fileName} of ${order.order_number} was downloaded.`, "ok");
  } catch (error) {
    say(status(), `The ${label} of ${order.order_number} could not be downloaded: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

function documentButtons(order) {
  return DOCUMENTS.filter((documentKind) => order[documentKind.number]).map((documentKind) => {
    const text = `Download ${documentKind.label} (PDF)`;
    const button = el("button", { type: "button", class: "button secondary small", text, "aria-label": `${text} of ${order.order_number}`, title: order[documentKind.number] });
    button.addEventListener("click", () => downloadDocument(order, documentKind, button));
    return button;
  });
}

/** The customer's address; when SES refused it for good, that too (the shopper got no email). */
function emailCell(order) {
  const problem = order.email_status === "undeliverable" ? order.email_problem || {} : null;
  return el("td", { class: "email" }, [
    order.user_email + (order.guest ? " (guest)" : ""),
    problem
      ? el("p", { class: "email-undeliverable error", text: `Email undeliverable${problem.at ? ` since ${new Date(problem.at).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" })}` : ""}: ${problem.reason || "SES refused the address"}` })
      : null,
  ]);
}

function row(order) {
  const number = order.order_number;
  const tracking = order.tracking_number ? `${order.carrier || ""} ${order.tracking_number}`.trim() : "";
  const refundNote = order.refund_requested ? ` (refund of ${money(order, order.refund_amount ?? order.total)} requested)` : "";
  return el("tr", { "data-order-id": order.order_id }, [
    el("th", { scope: "row", text: number }),
    el("td", { text: new Date(order.order_date).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) }),
    emailCell(order),
    shipTo(order),
    el("td", { class: "number", text: money(order, order.total) }),
    el("td", {}, [el("span", { class: `status-badge ${order.order_status}`, text: order.order_status })]),
    el("td", { class: "payment", text: `${order.payment_status}${refundNote}` }),
    el("td", { class: "tracking", text: tracking }),
    el("td", { class: "actions" }, [
      statusControl(order),
      ["paid", "processing", "shipped"].includes(order.order_status)
        ? el("button", { type: "button", class: "button secondary small", text: "Tracking", "aria-label": `Add tracking to ${number}`, onclick: () => openTracking(order.order_id) })
        : null,
      el("button", { type: "button", class: "button secondary small", text: "Refund", "aria-label": `Refund ${number}`, onclick: () => openRefund(order.order_id) }),
      ...documentButtons(order),
    ]),
  ]);
}

function replaceRow(order) {
  orders.set(order.order_id, order);
  const existing = $("order-rows").querySelector(`tr[data-order-id="${CSS.escape(order.order_id)}"]`);
  if (existing) existing.replaceWith(row(order));
  else $("order-rows").prepend(row(order));
  window.dispatchEvent(new CustomEvent(SALES_STALE_EVENT));
}

async function loadOrders({ more = false } = {}) {
  const mine = ++generation;
  if (!more) {
    cursor = null;
    orders.clear();
    $("order-rows").replaceChildren();
  }
  say(status(), "Loading orders…");
  try {
    const page = await fetchPage(filters(), cursor);
    if (mine !== generation) return;
    cursor = page.next_cursor || null;
    for (const order of page.orders || []) {
      orders.set(order.order_id, order);
      $("order-rows").append(row(order));
    }
    $("more-orders").hidden = !cursor;
    $("order-count").textContent = `${orders.size} ${orders.size === 1 ? "order" : "orders"} listed${cursor ? " (more available)" : ""}.`;
    say(status(), orders.size ? "" : "No orders match these filters.");
  } catch (error) {
    if (mine !== generation) return;
    say(status(), `Orders could not be loaded: ${error.message}`, "error");
  }
}

// -- actions ----------------------------------------------------------------------------------------

async function act(orderId, verb, call, messageNode = status()) {
  const number = orders.get(orderId)?.order_number || orderId;
  try {
    replaceRow(await call());
    say(status(), `${verb} ${number}.`, "ok");
    return true;
  } catch (error) {
    // The API's own words, e.g. "only a paid order can be refunded; its payment status is unpaid".
    say(messageNode, `${number} was not changed: ${error.message}`, "error");
    return false;
  }
}

function changeStatus(orderId, target) {
  return act(orderId, `Moved to ${target}:`, () =>
    adminApi(`/orders/${encodeURIComponent(orderId)}/status`, { method: "PUT", body: { status: target } }));
}

function openTracking(orderId) {
  acting = orders.get(orderId);
  $("tracking-form").reset();
  $("tracking-title").textContent = `Add tracking to ${acting.order_number}`;
  $("t-carrier").value = acting.carrier || "";
  $("t-number").value = acting.tracking_number || "";
  say($("tracking-status"), "");
  $("tracking-dialog").showModal();
}

async function saveTracking(event) {
  event.preventDefault();
  const form = event.target;
  const body = { carrier: form.carrier.value.trim(), tracking_number: form.tracking_number.value.trim() };
  if (!body.carrier || !body.tracking_number) {
    say($("tracking-status"), "Enter the carrier and the tracking number.", "error");
    return;
  }
  const { order_id: orderId } = acting;
  const done = await act(orderId, "Tracking saved for", () =>
    adminApi(`/orders/${encodeURIComponent(orderId)}/tracking`, { method: "PUT", body }), $("tracking-status"));
  if (done) $("tracking-dialog").close();
}

function openRefund(orderId) {
  acting = orders.get(orderId);
  $("refund-form").reset();
  $("refund-title").textContent = `Refund ${acting.order_number}`;
  $("refund-summary").textContent = `Order total ${money(acting, acting.total)}, paid by ${acting.payment_method || "an unknown method"}; payment status ${acting.payment_status}. The refund goes to the payment provider and cannot be undone.`;
  $("refund-confirm").textContent = `Refund ${money(acting, acting.total)}`;
  say($("refund-status"), "");
  $("refund-dialog").showModal();
}

async function saveRefund(event) {
  event.preventDefault();
  const form = event.target;
  const body = {};
  if (form.amount.value.trim()) {
    const cents = parseCents(form.amount.value);
    if (!cents) {
      say($("refund-status"), "Enter the amount such as 12.50, or leave it empty for the whole total.", "error");
      return;
    }
    // The API's bound (shop.contracts.admin_limits), carried by the input's data-max.
    if (cents > Number(form.amount.dataset.max) * 100) {
      say($("refund-status"), `A refund may be ${form.amount.dataset.max} at most.`, "error");
      return;
    }
    body.amount = cents;
  }
  if (form.reason.value.trim()) body.reason = form.reason.value.trim();
  const { order_id: orderId } = acting;
  const done = await act(orderId, "Refund requested for", () =>
    adminApi(`/orders/${encodeURIComponent(orderId)}/refund`, { method: "POST", body }), $("refund-status"));
  if (done) $("refund-dialog").close();
}

// -- CSV --------------------------------------------------------------------------------------------

const ADDRESS_COLUMNS = (prefix) => ADDRESS_FIELDS.map((name) => `${prefix}_${name}`);
const CSV_HEADER = ["order_number", "order_id", "order_date", "customer_email", "guest", "order_status", "payment_status", "payment_method", "subtotal", "discount", "tax", "shipping", "total", "currency", "items", "carrier", "tracking_number", "refund_amount", ...ADDRESS_COLUMNS("ship_to"), ...ADDRESS_COLUMNS("bill_to")];

function csvRow(order) {
  return [
    order.order_number, order.order_id, order.order_date, order.user_email, order.guest ? "yes" : "no",
    order.order_status, order.payment_status, order.payment_method, centsText(order.subtotal),
    centsText(order.discount), centsText(order.tax), centsText(order.shipping), centsText(order.total), order.currency,
    (order.items || []).map((line) => `${line.quantity} x ${line.name} (${line.sku})`).join("; "),
    order.carrier, order.tracking_number, centsText(order.refund_amount),
    ...ADDRESS_FIELDS.map((name) => (order.shipping_address || {})[name]),
    ...ADDRESS_FIELDS.map((name) => (order.billing_address || order.shipping_address || {})[name]),
  ];
}

function exportOrders() {
  return exportAllPages(status(), {
    name: "orders",
    noun: "orders",
    itemsKey: "orders",
    fetchPage: (cursor) => fetchPage(filters(), cursor),
    header: CSV_HEADER,
    rowOf: csvRow,
  });
}

// -- wiring -----------------------------------------------------------------------------------------

export async function initOrders() {
  $("order-state").append(...STATUSES.map((value) => el("option", { value, text: value })));
  $("order-payment").append(...PAYMENT_STATUSES.map((value) => el("option", { value, text: value.replace("_", " ") })));
  $("order-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadOrders();
  });
  $("more-orders").addEventListener("click", () => loadOrders({ more: true }));
  $("export-orders").addEventListener("click", exportOrders);
  $("tracking-form").addEventListener("submit", saveTracking);
  $("tracking-cancel").addEventListener("click", () => $("tracking-dialog").close());
  $("refund-form").addEventListener("submit", saveRefund);
  $("refund-cancel").addEventListener("click", () => $("refund-dialog").close());
  await loadOrders();
}

// Orders section of the admin page: all orders with filters, a search by order number or email, the
// actions the API allows on each order (ship with tracking, deliver, cancel, refund, status changes),
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
// Every status is shown in words as well as its colour (css/admin.css): colour is never the only cue.
const LABELS = {
  pending: "Pending",
  unpaid: "Unpaid",
  paid: "Paid",
  processing: "Processing",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
  refund_requested: "Refund requested",
  refunded: "Refunded",
  failed: "Failed",
};
const labelOf = (value) => LABELS[value] || String(value || "").replace(/_/g, " ");

const orders = new Map();
let cursor = null;
// The active search (order number, order id or email); "" lists the orders the filters choose.
let search = "";
// Only the latest list request may fill the table: an older answer arriving late is dropped.
let generation = 0;
let acting = null;

const status = () => $("orders-status");
const money = (order, cents) => formatPrice(cents, order.currency || "USD");

function filters() {
  const form = $("order-filters");
  return { status: form.status.value, payment_status: form.payment_status.value, from: form.from.value, to: form.to.value };
}

/** What the list shows now: a search's matches (the filters set aside), else the filtered orders. */
function listQuery() {
  return search ? { q: search } : filters();
}

function fetchPage(query, pageCursor) {
  return adminApi("/orders/admin/list", { query: { ...query, limit: PAGE_SIZE, cursor: pageCursor } });
}

function statusBadge(value) {
  return el("span", { class: `status-badge state status-${value}`, text: labelOf(value) });
}

// Status moves that have their own action button: the select offers only the others. Shipping always
// goes through "Ship" (it needs the carrier and tracking number).
const COVERED = { shipped: () => true, delivered: (allowed) => allowed.has("deliver"), cancelled: (allowed) => allowed.has("cancel"), refunded: (allowed) => allowed.has("refund") };

/** The other status changes the API accepts from here (its `next_statuses`), e.g. a payment taken
 * outside the payment providers (pending → paid). */
function statusControl(order) {
  const allowed = new Set(order.allowed_actions || []);
  const targets = (order.next_statuses || []).filter((target) => !COVERED[target]?.(allowed));
  if (!targets.length) return null;
  const label = `New status of ${order.order_number}`;
  const select = el("select", { "aria-label": label }, targets.map((target) => el("option", { value: target, text: labelOf(target) })));
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

function actionButton(text, label, onclick) {
  return el("button", { type: "button", class: "button secondary small", text, "aria-label": label, onclick });
}

// The buttons of the actions the API lists in the order's `allowed_actions` (shop.orders.state decides
// them from the status and the payment), in this order; an action it does not list is not shown.
const ACTIONS = {
  ship: (order) => actionButton("Ship", `Ship ${order.order_number}`, () => openTracking(order.order_id, "ship")),
  update_tracking: (order) => actionButton("Update tracking", `Update tracking of ${order.order_number}`, () => openTracking(order.order_id, "update")),
  deliver: (order) => actionButton("Mark delivered", `Mark delivered: ${order.order_number}`, () => markDelivered(order.order_id)),
  refund: (order) => actionButton("Refund", `Refund ${order.order_number}`, () => openRefund(order.order_id)),
  cancel: (order) => actionButton("Cancel order", `Cancel order ${order.order_number}`, () => cancelOrder(order.order_id)),
};

function actionButtons(order) {
  const allowed = new Set(order.allowed_actions || []);
  return Object.entries(ACTIONS).filter(([action]) => allowed.has(action)).map(([, button]) => button(order));
}

function row(order) {
  const number = order.order_number;
  const tracking = order.tracking_number ? `${order.carrier || ""} ${order.tracking_number}`.trim() : "";
  const refundNote = order.refund_requested && order.payment_status !== "refunded" ? ` of ${money(order, order.refund_amount ?? order.total)}` : "";
  return el("tr", { "data-order-id": order.order_id }, [
    el("th", { scope: "row", text: number }),
    el("td", { text: new Date(order.order_date).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) }),
    emailCell(order),
    shipTo(order),
    el("td", { class: "number", text: money(order, order.total) }),
    el("td", { class: "order-status" }, [statusBadge(order.order_status)]),
    el("td", { class: "payment" }, [statusBadge(order.payment_status), refundNote]),
    el("td", { class: "tracking", text: tracking }),
    // A flex box inside the cell, not a flex cell: the row's borders stay aligned.
    el("td", { class: "order-actions" }, [el("div", { class: "actions" }, [...actionButtons(order), statusControl(order), ...documentButtons(order)])]),
  ]);
}

/** Puts the API's new copy of the order (new status, new allowed actions) in its row; returns the row. */
function replaceRow(order) {
  orders.set(order.order_id, order);
  const fresh = row(order);
  const existing = $("order-rows").querySelector(`tr[data-order-id="${CSS.escape(order.order_id)}"]`);
  if (existing) existing.replaceWith(fresh);
  else $("order-rows").prepend(fresh);
  window.dispatchEvent(new CustomEvent(SALES_STALE_EVENT));
  return fresh;
}

/** A search term the API refused (400 on q), told in words rather than as the parameter's rule. */
function searchProblem(error) {
  if (error.status === 400 && error.field === "q") {
    return `“${search}” is not an order number, an order id or an email address. Search for an order number such as SO-20261206-1A2B3C4D, an order id (ord_ and 24 letters and digits) or the customer's email address.`;
  }
  return `Orders could not be loaded: ${error.message}`;
}

function countText() {
  const noun = orders.size === 1 ? "order" : "orders";
  const more = cursor ? " (more available)" : "";
  if (search) return `${orders.size} ${noun} ${orders.size === 1 ? "matches" : "match"} “${search}”${more}; the filters do not apply to a search.`;
  return `${orders.size} ${noun} listed${more}.`;
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
    const page = await fetchPage(listQuery(), cursor);
    if (mine !== generation) return;
    cursor = page.next_cursor || null;
    for (const order of page.orders || []) {
      orders.set(order.order_id, order);
      $("order-rows").append(row(order));
    }
    $("more-orders").hidden = !cursor;
    $("order-count").textContent = countText();
    if (orders.size) say(status(), "");
    else say(status(), search ? `No order matches “${search}”.` : "No orders match these filters.");
  } catch (error) {
    if (mine !== generation) return;
    $("more-orders").hidden = true;
    $("order-count").textContent = "";
    say(status(), searchProblem(error), "error");
  }
}

// -- search -----------------------------------------------------------------------------------------

function startSearch(event) {
  event.preventDefault();
  const term = $("order-q").value.trim();
  if (!term) {
    clearSearch();
    return;
  }
  search = term;
  $("order-search-clear").hidden = false;
  loadOrders();
}

/** Back to the list the filters choose. */
function clearSearch() {
  const wasSearching = Boolean(search);
  search = "";
  $("order-q").value = "";
  $("order-search-clear").hidden = true;
  if (wasSearching) loadOrders();
}

// -- actions ----------------------------------------------------------------------------------------

/** Runs one action; on success the row shows the order as the API returned it and `done(number)` is
 * said; on failure the API's reason is said on `messageNode`. */
async function act(orderId, done, call, messageNode = status()) {
  const number = orders.get(orderId)?.order_number || orderId;
  try {
    const fresh = replaceRow(await call());
    say(status(), done(number), "ok");
    // The button that was used is gone with the old row: keep the keyboard on the order.
    const header = fresh.querySelector("th");
    header.tabIndex = -1;
    header.focus();
    return true;
  } catch (error) {
    // The API's own words, e.g. "only a paid order can be refunded; its payment status is unpaid".
    say(messageNode, `${number} was not changed: ${error.message}`, "error");
    return false;
  }
}

function moveTo(orderId, target) {
  return adminApi(`/orders/${encodeURIComponent(orderId)}/status`, { method: "PUT", body: { status: target } });
}

function changeStatus(orderId, target) {
  return act(orderId, (number) => `Moved ${number} to ${labelOf(target).toLowerCase()}.`, () => moveTo(orderId, target));
}

function markDelivered(orderId) {
  return act(orderId, (number) => `Marked ${number} delivered.`, () => moveTo(orderId, "delivered"));
}

function cancelOrder(orderId) {
  const order = orders.get(orderId);
  const refund = order.payment_status === "paid" ? ` Its payment of ${money(order, order.total)} is refunded.` : "";
  if (!window.confirm(`Cancel order ${order.order_number}? The customer is emailed.${refund}`)) return null;
  return act(orderId, (number) => `Cancelled ${number}.`, () => moveTo(orderId, "cancelled"));
}

// "ship": a paid or processing order gets its parcel and becomes shipped (one shipping email);
// "update": a shipped order's carrier or tracking number is corrected (no second email).
const TRACKING_MODES = {
  ship: {
    title: (number) => `Ship ${number}`,
    note: "The order becomes shipped and the customer gets the shipping email with the tracking number.",
    button: "Ship order",
    done: (number) => `Shipped ${number}.`,
  },
  update: {
    title: (number) => `Update tracking of ${number}`,
    note: "Corrects the carrier or the tracking number; the customer is not emailed again.",
    button: "Save tracking",
    done: (number) => `Tracking updated for ${number}.`,
  },
};
let trackingMode = TRACKING_MODES.ship;

function openTracking(orderId, mode) {
  acting = orders.get(orderId);
  trackingMode = TRACKING_MODES[mode];
  $("tracking-form").reset();
  $("tracking-title").textContent = trackingMode.title(acting.order_number);
  $("tracking-note").textContent = trackingMode.note;
  $("tracking-save").textContent = trackingMode.button;
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
  const done = await act(orderId, trackingMode.done, () =>
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
  const done = await act(orderId, (number) => `Refund requested for ${number}.`, () =>
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
    fetchPage: (cursor) => fetchPage(listQuery(), cursor),
    header: CSV_HEADER,
    rowOf: csvRow,
  });
}

// -- wiring -----------------------------------------------------------------------------------------

export async function initOrders() {
  $("order-state").append(...STATUSES.map((value) => el("option", { value, text: labelOf(value) })));
  $("order-payment").append(...PAYMENT_STATUSES.map((value) => el("option", { value, text: labelOf(value) })));
  // One badge per status the orders can show (order and payment), each colour with its word.
  $("status-legend").replaceChildren(...Object.keys(LABELS).map(statusBadge));
  $("order-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    // Filtering leaves a search: the list is the filtered orders again.
    search = "";
    $("order-q").value = "";
    $("order-search-clear").hidden = true;
    loadOrders();
  });
  $("order-search").addEventListener("submit", startSearch);
  $("order-search-clear").addEventListener("click", () => {
    clearSearch();
    $("order-q").focus();
  });
  // Emptying the box (typing or its own clear button) returns to the filtered list.
  $("order-q").addEventListener("input", () => {
    if (!$("order-q").value.trim() && search) clearSearch();
  });
  $("more-orders").addEventListener("click", () => loadOrders({ more: true }));
  $("export-orders").addEventListener("click", exportOrders);
  $("tracking-form").addEventListener("submit", saveTracking);
  $("tracking-cancel").addEventListener("click", () => $("tracking-dialog").close());
  $("refund-form").addEventListener("submit", saveRefund);
  $("refund-cancel").addEventListener("click", () => $("refund-dialog").close());
  await loadOrders();
}

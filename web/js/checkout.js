// Checkout: address -> shipping -> payment -> review in one page, one order per checkout (the
// Idempotency-Key is made once), the sandbox card payment, then polling until the order is paid.
import { ADDRESS_FIELDS, addressLines, sameAddress } from "./addresses.js";
import { ApiError, api, cart, guestCartId, isSignedIn } from "./api.js";
import { siteConfig } from "./config.js";
import { fillCountrySelect } from "./countries.js";
import { el, formatPrice, say } from "./ui.js";

const CODE_KEY = "shop.discountCode";
const $ = (id) => document.getElementById(id);
const status = $("status");
const formStatus = $("form-status");
const STEPS = ["address", "shipping", "payment", "review"];
// The billing address's fields have these ids with this prefix (shown when not the same as shipping).
const BILLING = "billing-";
const POLL_MS = 1000;
const POLL_LIMIT_MS = 30000;

let idempotencyKey = crypto.randomUUID();
let placing = false;
let placed = null; // {order_id, order_number, access_token?} once the order exists
let currentCart = null;

function savedCode() {
  try {
    return sessionStorage.getItem(CODE_KEY) || "";
  } catch {
    return "";
  }
}

function showStep(step) {
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  for (const item of document.querySelectorAll(".steps li")) {
    if (item.dataset.step === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  if (step === "review") renderReview();
  const heading = $(`${step}-title`);
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function clearErrors() {
  for (const node of document.querySelectorAll(".field-error")) say(node, "");
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  say(formStatus, "");
}

/** Puts an error's words next to the field it names (`field` of the error body), else under the form. */
function showError(error, prefix = "") {
  const field = String(error.field || "").replace(/^body\./, "");
  const node =
    (field && document.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`)) ||
    (field && document.querySelector(`.field-error[data-field$=".${CSS.escape(field.split(".").pop())}"]`));
  if (node) {
    say(node, error.message, "error");
    const input = node.parentElement.querySelector("input, select");
    if (input) input.setAttribute("aria-invalid", "true");
    const section = node.closest(".step");
    if (section) showStep(section.id.replace("step-", ""));
    if (input) input.focus();
    say(formStatus, `${prefix}${error.message}`, "error");
    return;
  }
  say(formStatus, `${prefix}${error.message}`, "error");
}

const REQUIRED = {
  email: "Enter your email address.",
  name: "Enter the name to ship to.",
  line1: "Enter your street address.",
  city: "Enter your city.",
  postal_code: "Enter your postal code.",
  country: "Choose your country.",
  [`${BILLING}name`]: "Enter the name on the bill.",
  [`${BILLING}line1`]: "Enter the billing street address.",
  [`${BILLING}city`]: "Enter the billing city.",
  [`${BILLING}postal_code`]: "Enter the billing postal code.",
  [`${BILLING}country`]: "Choose the billing country.",
};

function billsToShipping() {
  return $("billing-same").checked;
}

/** The API gateway refuses a body missing a field without naming it, so empty fields are named here. */
function checkRequired() {
  const missing = Object.keys(REQUIRED).filter(
    (id) =>
      !(id === "email" && isSignedIn()) && !(id.startsWith(BILLING) && billsToShipping()) && !$(id).value.trim(),
  );
  for (const id of missing) {
    say($(`error-${id}`), REQUIRED[id], "error");
    $(id).setAttribute("aria-invalid", "true");
  }
  if (!missing.length) return true;
  showStep("address");
  $(missing[0]).focus();
  say(formStatus, "Some address fields are missing; they are marked above.", "error");
  return false;
}

/** The shipping address (or, with prefix "billing-", the billing one) as the API takes it; empty
 * optional fields are left out. */
function address(prefix = "") {
  const result = {};
  for (const name of ADDRESS_FIELDS) {
    const value = $(`${prefix}${name}`).value.trim();
    if (value) result[name] = name === "country" ? value.toUpperCase() : value;
  }
  return result;
}

/** The billing address when it differs from the shipping one; null when the order bills to shipping. */
function billingAddress() {
  if (billsToShipping()) return null;
  const billing = address(BILLING);
  return sameAddress(billing, address()) ? null : billing;
}

function fillAddress(prefix, saved) {
  for (const name of ADDRESS_FIELDS) {
    if (name === "country") fillCountrySelect($(`${prefix}country`), saved ? saved.country : "US");
    else $(`${prefix}${name}`).value = saved ? saved[name] || "" : "";
  }
}

function showBillingFields() {
  $("billing-fields").hidden = billsToShipping();
}

function initAddressStep() {
  fillCountrySelect($("country"));
  fillCountrySelect($(`${BILLING}country`));
  $("billing-same").addEventListener("change", () => {
    showBillingFields();
    if (!billsToShipping()) $(`${BILLING}name`).focus();
  });
  showBillingFields();
}

function renderSummary(body) {
  const { totals } = body;
  const currency = totals.currency || "USD";
  const money = (cents) => formatPrice(cents, currency);
  $("summary-items").replaceChildren(
    ...(body.items || []).map((line) =>
      el("li", { class: "summary-item" }, [
        el("span", { text: `${line.name} × ${line.quantity}` }),
        el("span", { text: money(line.line_total) }),
      ]),
    ),
  );
  $("subtotal").textContent = money(totals.subtotal);
  $("discount").textContent = totals.discount ? `−${money(totals.discount)}` : money(0);
  $("discount-label").textContent = totals.discount_code ? `Discount (${totals.discount_code})` : "Discount";
  $("tax").textContent = money(totals.tax);
  $("shipping").textContent = totals.shipping ? money(totals.shipping) : "Free";
  $("shipping-cost").textContent = totals.shipping ? money(totals.shipping) : "free";
  $("total").textContent = money(totals.total);
}

function renderReview() {
  const a = address();
  const method = document.querySelector("input[name=payment]:checked");
  const rows = [
    ["Email", isSignedIn() ? "Your account's email" : $("email").value.trim()],
    ["Ship to", addressLines(a).join(", ")],
    ["Bill to", billingAddress() ? addressLines(billingAddress()).join(", ") : "Same as shipping"],
    ["Shipping", `Standard (${$("shipping").textContent})`],
    ["Payment", method ? method.dataset.label : ""],
    ["Total", $("total").textContent],
  ];
  $("review").replaceChildren(...rows.flatMap(([term, text]) => [el("dt", { text: term }), el("dd", { text })]));
}

function paymentOptions(mode) {
  const box = $("payment-methods");
  const option = (value, label, { checked = false, disabled = false } = {}) =>
    el("label", { class: disabled ? "muted" : "" }, [
      el("input", { type: "radio", name: "payment", value, checked, disabled, "data-label": label }),
      ` ${label}`,
    ]);
  if (mode === "live") {
    box.append(
      option("stripe", "Card (Stripe) — coming soon", { disabled: true }),
      option("paypal", "PayPal — coming soon", { disabled: true }),
      el("p", { class: "muted", text: "Online payment is not available on this page yet." }),
    );
  } else {
    box.append(
      option("sandbox", "Test card (sandbox, no real charge)", { checked: true }),
      el("p", { class: "muted", text: "Stripe and PayPal are offered on the live shop only." }),
    );
  }
}

/** A select of saved addresses (the default chosen) that fills every field of the form it serves. */
function offerSaved(saved, select, box, prefix) {
  if (!saved.length) return;
  const label = (item) => [item.name, item.line1, item.line2, item.city].filter(Boolean).join(", ");
  const chosen = saved.find((item) => item.is_default) || saved[0];
  select.replaceChildren(
    ...saved.map((item) => el("option", { value: item.id, text: label(item), selected: item === chosen })),
    el("option", { value: "", text: "A new address" }),
  );
  const fill = () => fillAddress(prefix, saved.find((item) => item.id === select.value));
  select.addEventListener("change", fill);
  box.hidden = false;
  fill();
}

async function loadProfile() {
  if (!isSignedIn()) return;
  $("email-box").hidden = true;
  try {
    const profile = await api("/me");
    const addresses = profile.addresses || [];
    const ofKind = (kind) => addresses.filter((item) => (item.kind || "shipping") === kind);
    offerSaved(ofKind("shipping"), $("saved-addresses"), $("saved-addresses-box"), "");
    const billing = ofKind("billing");
    if (billing.length) {
      // A saved billing address is where this shopper's bills go: offered (and filled) from the start.
      $("billing-same").checked = false;
      showBillingFields();
      offerSaved(billing, $("saved-billing"), $("saved-billing-box"), BILLING);
    }
  } catch (error) {
    say(formStatus, `Your saved addresses could not be loaded: ${error.message}`, "error");
  }
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function orderPath() {
  return placed.access_token ? `/guest/orders/${encodeURIComponent(placed.order_id)}` : `/orders/${encodeURIComponent(placed.order_id)}`;
}

function orderQuery() {
  return placed.access_token ? { token: placed.access_token } : undefined;
}

async function createOrder() {
  const body = { shipping_address: address() };
  const billing = billingAddress();
  if (billing) body.billing_address = billing;
  const code = savedCode();
  if (code) body.discount_code = code;
  const headers = { "Idempotency-Key": idempotencyKey };
  if (isSignedIn()) return api("/orders/create", { method: "POST", body, headers });
  body.email = $("email").value.trim();
  const cartId = guestCartId();
  if (cartId) headers["X-Cart-Id"] = cartId;
  return api("/guest/orders/create", { method: "POST", body, headers });
}

async function pay() {
  const access = placed.access_token ? { access_token: placed.access_token } : {};
  const intent = await api("/payment/stripe/intent", { method: "POST", body: { order_id: placed.order_id, ...access } });
  await api("/payment/stripe/confirm", {
    method: "POST",
    body: { order_id: placed.order_id, payment_id: intent.payment_intent_id || intent.payment_id, ...access },
  });
}

async function pollUntilPaid() {
  const started = Date.now();
  while (Date.now() - started < POLL_LIMIT_MS) {
    try {
      const order = await api(orderPath(), { query: orderQuery() });
      const current = order.order_status || order.status;
      if (current === "paid" || order.payment_status === "paid") return "paid";
      if (current === "failed" || order.payment_status === "failed") return "failed";
    } catch {
      // A read that failed: try again until the time is up.
    }
    await wait(POLL_MS);
  }
  return "timeout";
}

function showConfirmation() {
  $("checkout").hidden = true;
  status.hidden = true;
  $("confirmation").hidden = false;
  $("order-number").textContent = placed.order_number;
  const link = placed.access_token
    ? `orders.html?id=${encodeURIComponent(placed.order_id)}&token=${encodeURIComponent(placed.access_token)}`
    : "orders.html";
  $("order-link").setAttribute("href", link);
  $("order-link-box").hidden = false;
}

function paymentsUnavailable(error) {
  const seconds = Number(error.body && error.body.retry_after_seconds) || Number(error.retryAfter) || 60;
  return `Payments are unavailable right now; nothing was charged. Try again in ${seconds} seconds.`;
}

async function placeOrder(event) {
  event.preventDefault();
  if (placing) return;
  clearErrors();
  if (!$("terms").checked) {
    say($("error-terms"), "Accept the terms of sale to place your order.", "error");
    $("terms").setAttribute("aria-invalid", "true");
    $("terms").focus();
    return;
  }
  if (!checkRequired()) return;
  placing = true;
  const button = $("place-order");
  button.disabled = true;
  try {
    if (!placed) {
      say(formStatus, "Placing your order…");
      try {
        placed = await createOrder();
      } catch (error) {
        // The same key with a changed body is refused: a corrected form is a new checkout attempt.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 409) {
          idempotencyKey = crypto.randomUUID();
        }
        showError(error, "Your order could not be placed: ");
        return;
      }
      window.dispatchEvent(new CustomEvent("shop:cart", { detail: { item_count: 0 } }));
    }
    say(formStatus, "Paying…");
    try {
      await pay();
    } catch (error) {
      if (error.status === 503) say(formStatus, paymentsUnavailable(error), "error");
      else showError(error, "Your payment did not go through: ");
      return;
    }
    showConfirmation();
    $("confirmation-text").textContent = "We are waiting for the payment to be confirmed…";
    const outcome = await pollUntilPaid();
    if (outcome === "paid") {
      $("confirmation-title").textContent = "Thank you! Your order is paid";
      $("confirmation-text").textContent = "A confirmation email is on its way.";
    } else if (outcome === "failed") {
      $("confirmation-title").textContent = "Your payment failed";
      $("confirmation-text").textContent = "The order was not paid. Contact us with the order number.";
    } else {
      $("confirmation-text").textContent =
        "This is taking longer than usual. The order page will show the payment when it arrives.";
    }
  } finally {
    placing = false;
    button.disabled = false;
  }
}

async function load() {
  for (const button of document.querySelectorAll("[data-next]")) {
    button.addEventListener("click", () => showStep(button.dataset.next));
  }
  $("checkout-form").addEventListener("submit", placeOrder);
  initAddressStep();
  try {
    paymentOptions((await siteConfig()).paymentMode || "live");
  } catch {
    paymentOptions("live");
  }
  if (!cart.hasOne()) {
    $("empty").hidden = false;
    say(status, "");
    return;
  }
  try {
    const code = savedCode();
    currentCart = await cart.get(code || undefined);
  } catch (error) {
    say(status, `Your cart could not be loaded: ${error.message}`, "error");
    return;
  }
  if (!(currentCart.items || []).length) {
    $("empty").hidden = false;
    say(status, "");
    return;
  }
  renderSummary(currentCart);
  $("checkout").hidden = false;
  say(status, "");
  await loadProfile();
}

load();

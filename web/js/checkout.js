// Checkout: address -> shipping -> payment -> review in one page, one order per checkout (the
// Idempotency-Key is made once), paid by card (Stripe.js) or PayPal (PayPal's buttons), then polling
// until the provider's webhook has marked the order paid. The order holds its stock while the shopper
// pays; a declined card can be replaced by another without a second order.
import { ADDRESS_FIELDS, addressLines, sameAddress } from "./addresses.js";
import { ApiError, api, cart, guestCartId, isSignedIn } from "./api.js";
import { campaignMessageId } from "./campaign.js";
import { CardError, cardEntry, cardToken, focusCard, mountCard, payByCard } from "./card-payment.js";
import { productVariants, variantLabel } from "./cart-drawer.js";
import { siteConfig } from "./config.js";
import { track } from "./consent.js";
import { countryName, fillCountrySelect } from "./countries.js";
import { offersPayPal, renderPayPalButtons } from "./paypal-payment.js";
import { el, formatPrice, say } from "./ui.js";

const CODE_KEY = "shop.discountCode";
const $ = (id) => document.getElementById(id);
const status = $("status");
const formStatus = $("form-status");
const STEPS = ["address", "shipping", "payment", "review"];
// The billing address's fields have these ids with this prefix (shown when not the same as shipping).
const BILLING = "billing-";
// The page polls its order until the payment shows: every second at first, then half as long again
// after each read, up to every 5 s, so thousands of pages waiting in a sale do not multiply the
// load on the order-status route. A 429 or 503 waits at least the Retry-After the shop gave, and the
// page keeps polling through them until its overall wait is over.
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 5000;
const POLL_GROWTH = 1.5;
const POLL_LIMIT_MS = 30000;
// The webhook normally marks the order paid within seconds; after this long the page also asks the
// shop to check with the provider (a webhook that is late, or cannot reach a laptop's local shop).
const CONFIRM_NUDGE_MS = 8000;

let idempotencyKey = crypto.randomUUID();
let placing = false;
let placed = null; // {order_id, order_number, access_token?} once the order exists
let currentCart = null;
let reorderLines = null; // the lines of an order that expired while the page was open
let digitalOnly = false; // nothing in the cart ships: no shipping address, only whom to bill
let currentStep = "address";
let purchaseTracked = false;
// What a digital-only order still needs: an email (guests) and the billing name and country.
const DIGITAL_REQUIRED = ["email", `${BILLING}name`, `${BILLING}country`];

function savedCode() {
  try {
    return sessionStorage.getItem(CODE_KEY) || "";
  } catch {
    return "";
  }
}

function showStep(step) {
  currentStep = step;
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  for (const item of document.querySelectorAll(".steps li")) {
    if (item.dataset.step === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
    item.classList.toggle("done", STEPS.indexOf(item.dataset.step) < STEPS.indexOf(step));
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
    // A 422 gives each field its own words ("not a valid email address: ..."); the message repeats the name.
    const own = (error.fields || []).find((entry) => entry.field === field);
    say(node, own ? own.message : error.message, "error");
    const input = node.parentElement.querySelector("input, select");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", node.id);
    }
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
  return !digitalOnly && $("billing-same").checked;
}

/** A cart of downloads only: the address step asks whom to bill (name and country), not where to ship. */
function applyDigitalOnly(body) {
  digitalOnly = (body.items || []).length > 0 && body.items.every((line) => line.requires_shipping === false);
  $("shipping-fields").hidden = digitalOnly;
  $("saved-addresses-box").hidden = digitalOnly || !$("saved-addresses").options.length;
  $("billing-same-box").hidden = digitalOnly;
  $("digital-note").hidden = !digitalOnly;
  $("address-title").textContent = digitalOnly ? "Your details" : "Shipping address";
  $("standard-shipping").hidden = digitalOnly;
  $("digital-delivery").hidden = !digitalOnly;
  showBillingFields();
}

/** A field's words under it, tied to it (aria-describedby) and marked invalid. */
function markInvalid(id, message) {
  const node = $(`error-${id}`);
  say(node, message, "error");
  $(id).setAttribute("aria-invalid", "true");
  $(id).setAttribute("aria-describedby", node.id);
}

// The formats the shop's API checks, checked here first so the step can say what is wrong at once.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9 +().-]+$/;
const US_ZIP = /^\d{5}(-\d{4})?$/;

/** Whether the form shows field `id` now: email to guests, billing fields unless billed to the
 * shipping address, shipping fields unless nothing ships. */
function asked(id) {
  if (id === "email") return !isSignedIn();
  if (id.startsWith(BILLING)) return !billsToShipping();
  return !digitalOnly;
}

/** The address step's problems as [field id, words]: empty required fields (the API gateway refuses
 * a body missing a field without naming it), then malformed ones, in the order they appear. */
function addressProblems() {
  const value = (id) => $(id).value.trim();
  const required = (id) => asked(id) && (!digitalOnly || DIGITAL_REQUIRED.includes(id));
  const problems = Object.keys(REQUIRED)
    .filter((id) => required(id) && !value(id))
    .map((id) => [id, REQUIRED[id]]);
  const given = (id) => asked(id) && value(id);
  if (given("email") && !EMAIL.test(value("email"))) {
    problems.push(["email", "Enter a valid email address, such as name@example.com."]);
  }
  for (const prefix of ["", BILLING]) {
    const postal = `${prefix}postal_code`;
    if (given(postal) && $(`${prefix}country`).value === "US" && !US_ZIP.test(value(postal))) {
      problems.push([postal, "Enter a 5-digit ZIP code, such as 12345."]);
    }
    const phone = `${prefix}phone`;
    if (given(phone) && !PHONE.test(value(phone))) {
      problems.push([phone, "Enter a phone number using digits, spaces and + ( ) . - only."]);
    }
  }
  const order = [...document.querySelectorAll("#step-address input, #step-address select")].map((node) => node.id);
  return problems.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
}

/** Marks what is missing or wrong in `step`; resolves to the first element to fix, or null. */
function stepProblem(step) {
  if (step === "address") {
    const problems = addressProblems();
    for (const [id, message] of problems) markInvalid(id, message);
    return problems.length ? $(problems[0][0]) : null;
  }
  if (step === "shipping") {
    if (digitalOnly || document.querySelector("input[name=shipping]:checked")) return null;
    say($("error-shipping-method"), "Choose a shipping method.", "error");
    return document.querySelector("input[name=shipping]");
  }
  if (step === "payment") {
    const method = chosenMethod();
    if (!method) {
      const offered = document.querySelector("input[name=payment]");
      say(
        $("error-payment-method"),
        offered ? "Choose how you would like to pay." : "Online payment is not available right now, so orders cannot be placed.",
        "error",
      );
      return offered || $("payment-title");
    }
    if (method !== "card") return null;
    const entry = cardEntry();
    if (entry.state === "ready") return null;
    say($("error-card"), entry.state === "empty" ? "Enter your card details." : entry.message, "error");
    return $("card-element");
  }
  return null;
}

function focusProblem(target) {
  if (target.id === "card-element") focusCard(target);
  else target.focus();
}

/** Each step checks its own fields before the next is shown; going back never does. */
function goToStep(step) {
  if (STEPS.indexOf(step) > STEPS.indexOf(currentStep)) {
    clearErrors();
    const problem = stepProblem(currentStep);
    if (problem) {
      focusProblem(problem);
      say(formStatus, "Some details are missing or need correcting; each is marked above.", "error");
      return;
    }
  }
  showStep(step);
}

/** Before ordering: every step again (a step's fields may have changed after it was left). */
function stepsReady() {
  for (const step of ["address", "shipping", "payment"]) {
    const problem = stepProblem(step);
    if (!problem) continue;
    showStep(step);
    focusProblem(problem);
    say(formStatus, "Some details are missing or need correcting; each is marked above.", "error");
    return false;
  }
  return true;
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
  if (digitalOnly) return address(BILLING);
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
    ...(body.items || []).map((line) => {
      const option = el("span", { class: "muted summary-option" });
      if (line.variant_sku) {
        productVariants(line.product_id).then((variants) => {
          option.textContent = variantLabel(variants.find((each) => each.sku === line.variant_sku), line.variant_sku);
        });
      }
      return el("li", { class: "summary-item" }, [
        line.image_url
          ? el("img", { src: line.image_url, alt: "", width: "64", height: "48", class: "summary-image" })
          : el("span", { class: "summary-image", "aria-hidden": "true" }),
        el("span", { class: "summary-name" }, [el("span", { text: `${line.name} × ${line.quantity}` }), option]),
        el("span", { class: "summary-price", text: money(line.line_total) }),
      ]);
    }),
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
    ["Ship to", digitalOnly ? "Nothing to ship: digital delivery" : addressLines(a, countryName).join(", ")],
    ["Bill to", billingAddress() ? addressLines(billingAddress(), countryName).join(", ") : "Same as shipping"],
    ["Shipping", digitalOnly ? "None" : `Standard (${$("shipping").textContent})`],
    ["Payment", method ? method.dataset.label : ""],
    ["Total", $("total").textContent],
  ];
  $("review").replaceChildren(...rows.flatMap(([term, text]) => [el("dt", { text: term }), el("dd", { text })]));
}

function chosenMethod() {
  const chosen = document.querySelector("input[name=payment]:checked");
  return chosen ? chosen.value : null;
}

/** Place order for a card; PayPal's own buttons when PayPal is chosen (they open PayPal's window). */
function showPayButton() {
  const paypal = chosenMethod() === "paypal";
  $("place-order").hidden = paypal;
  $("paypal-buttons").hidden = !paypal;
  $("card-box").hidden = chosenMethod() !== "card";
}

async function paymentOptions(config) {
  const box = $("payment-methods");
  const option = (value, label, checked) =>
    el("label", {}, [el("input", { type: "radio", name: "payment", value, checked, "data-label": label }), ` ${label}`]);
  const offersCard = Boolean(config.stripePublishableKey);
  const paypal = offersPayPal(config);
  if (offersCard) box.append(option("card", "Card", true));
  if (paypal) box.append(option("paypal", "PayPal", !offersCard));
  if (!offersCard && !paypal) {
    box.append(el("p", { class: "muted", text: "Online payment is not set up for this shop yet." }));
    $("place-order").disabled = true;
    return;
  }
  box.addEventListener("change", showPayButton);
  showPayButton();
  if (offersCard) {
    try {
      await mountCard(config, $("card-element"));
    } catch (error) {
      say($("error-card"), `Card payments cannot be loaded right now (${error.message}).`, "error");
    }
  }
  if (paypal) {
    const currency = (currentCart && currentCart.totals && currentCart.totals.currency) || "USD";
    renderPayPalButtons(config, currency, $("paypal-buttons"), paypalHandlers()).catch((error) => {
      say($("error-paypal"), `PayPal cannot be loaded right now (${error.message}).`, "error");
    });
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
    if (!digitalOnly) offerSaved(ofKind("shipping"), $("saved-addresses"), $("saved-addresses-box"), "");
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

/** A guest reads their order with its access token in the X-Order-Token header (never in a URL). */
function orderHeaders() {
  return placed.access_token ? { "X-Order-Token": placed.access_token } : {};
}

async function createOrder() {
  // A digital-only order sends no shipping address: order_api needs one only when a line ships.
  const body = digitalOnly ? {} : { shipping_address: address() };
  // After an expired order the cart is already empty (it became that order): order its lines again.
  if (reorderLines) body.items = reorderLines;
  const billing = billingAddress();
  if (billing) body.billing_address = billing;
  const code = savedCode();
  if (code) body.discount_code = code;
  const campaign = campaignMessageId();
  if (campaign) body.campaign_message_id = campaign;
  const headers = { "Idempotency-Key": idempotencyKey };
  if (isSignedIn()) return api("/orders/create", { method: "POST", body, headers });
  body.email = $("email").value.trim();
  const cartId = guestCartId();
  if (cartId) headers["X-Cart-Id"] = cartId;
  return api("/guest/orders/create", { method: "POST", body, headers });
}

/** How long to wait after the shop refused a read for its load: its Retry-After (the body's
 * `retry_after_seconds`; API Gateway's own 429 has none) or the backoff, whichever is longer. */
function busyWait(error, backoffMs) {
  const seconds = Number(error.body && error.body.retry_after_seconds);
  return seconds > 0 ? Math.max(backoffMs, seconds * 1000) : backoffMs;
}

/** "paid", "failed" or "timeout"; `onBusy(ms)` hears of each read the shop refused for its load (with
 * the wait before the next), `onBusy(0)` of the next one it answered. */
async function pollUntilPaid(nudge, onBusy = () => {}) {
  const started = Date.now();
  let nudged = false;
  let backoff = POLL_FIRST_MS;
  for (;;) {
    let pause = backoff;
    try {
      const order = await api(orderPath(), { headers: orderHeaders() });
      const current = order.order_status || order.status;
      if (current === "paid" || order.payment_status === "paid") return "paid";
      if (current === "failed" || order.payment_status === "failed") return "failed";
      onBusy(0);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 429 || error.status === 503)) {
        pause = busyWait(error, backoff);
        onBusy(pause);
      }
      // Any other failed read: try again after the backoff until the time is up.
    }
    if (nudge && !nudged && Date.now() - started > CONFIRM_NUDGE_MS) {
      nudged = true;
      nudge().catch(() => {});
    }
    const left = POLL_LIMIT_MS - (Date.now() - started);
    if (left <= 0) return "timeout";
    // The last wait ends at the deadline, and one more read is made there.
    await wait(Math.min(pause, left));
    backoff = Math.min(POLL_MAX_MS, backoff * POLL_GROWTH);
  }
}

function showConfirmation() {
  $("checkout").hidden = true;
  status.hidden = true;
  $("confirmation").hidden = false;
  $("order-number").textContent = placed.order_number;
  const link = placed.access_token
    ? `orders.html?id=${encodeURIComponent(placed.order_id)}#token=${encodeURIComponent(placed.access_token)}`
    : "orders.html";
  $("order-link").setAttribute("href", link);
  $("order-link-box").hidden = false;
}

function paymentsUnavailable(error) {
  const seconds = Number(error.body && error.body.retry_after_seconds) || Number(error.retryAfter) || 60;
  if (error.body && error.body.reason === "payment_provider_busy") {
    // The provider's rate limit (a 429 to the shop): a matter of seconds, and the order is kept.
    return `The payment provider is busy right now; nothing was charged. Try again in ${seconds} seconds: your order is kept.`;
  }
  return `Payments are unavailable right now; nothing was charged. Try again in ${seconds} seconds.`;
}

function paymentsUnavailableText(error) {
  if (error.body && error.body.reason === "payments_paused") {
    return "Payments are paused right now, so orders cannot be placed. Nothing was charged and nothing was ordered; please try again later.";
  }
  return paymentsUnavailable(error);
}

/** The shopper's words for a form that is not ready; false when something is missing. */
function formReady() {
  clearErrors();
  if (!stepsReady()) return false;
  if (!$("terms").checked) {
    markInvalid("terms", "Accept the terms of sale to place your order.");
    $("terms").focus();
    return false;
  }
  return true;
}

/** The order of this checkout, created once (a retry after a declined card pays the same order). */
async function ensureOrder() {
  if (placed) return placed;
  say(formStatus, "Placing your order…");
  try {
    placed = await createOrder();
  } catch (error) {
    // The same key with a changed body is refused: a corrected form is a new checkout attempt.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 409) {
      idempotencyKey = crypto.randomUUID();
    }
    if (error.status === 503) say(formStatus, paymentsUnavailableText(error), "error");
    else showError(error, "Your order could not be placed: ");
    throw error;
  }
  window.dispatchEvent(new CustomEvent("shop:cart", { detail: { item_count: 0 } }));
  return placed;
}

function accessOf(order) {
  return order.access_token ? { access_token: order.access_token } : {};
}

async function waitForPayment(nudge) {
  showConfirmation();
  const waiting = "We are waiting for the payment to be confirmed…";
  $("confirmation-text").textContent = waiting;
  const outcome = await pollUntilPaid(nudge, (busyMs) => {
    $("confirmation-text").textContent = busyMs
      ? `The shop is very busy right now; we are still checking your payment (again in ${Math.ceil(busyMs / 1000)} s)…`
      : waiting;
  });
  if (outcome === "paid") {
    trackPurchase();
    $("confirmation-title").textContent = "Thank you! Your order is paid";
    $("confirmation-text").textContent = "A confirmation email is on its way.";
  } else if (outcome === "failed") {
    $("confirmation-title").textContent = "Your payment failed";
    $("confirmation-text").textContent = "The order was not paid. Contact us with the order number.";
  } else {
    $("confirmation-text").textContent =
      "This is taking longer than usual. The order page will show the payment when it arrives.";
  }
}

/** A paid order is a purchase of each of its products (sent only with the shopper's consent). */
function trackPurchase() {
  if (purchaseTracked) return;
  purchaseTracked = true;
  const lines = reorderLines || (currentCart && currentCart.items) || [];
  for (const productId of new Set(lines.map((line) => line.product_id))) track("purchase", { product_id: productId });
}

/** The order can no longer be paid (its hold expired while the page was open): nothing was charged,
 * and the next "Place order" places a new one. */
function startOver() {
  placed = null;
  reorderLines = (currentCart.items || []).map((line) => ({
    product_id: line.product_id,
    quantity: line.quantity,
    ...(line.variant_sku ? { sku: line.variant_sku } : {}),
  }));
  idempotencyKey = crypto.randomUUID();
  say(
    formStatus,
    "This order was kept for you for a while and has now expired; nothing was charged. Place the order again to pay.",
    "error",
  );
}

function cardRefused(message) {
  say($("error-card"), message, "error");
  say(formStatus, `Your payment did not go through: ${message} Your order is kept while you try again.`, "error");
}

async function placeOrder(event) {
  event.preventDefault();
  if (placing || !formReady()) return;
  placing = true;
  const button = $("place-order");
  button.disabled = true;
  try {
    say(formStatus, "Checking your card…");
    let token;
    try {
      token = await cardToken(billingAddress() || address());
    } catch (error) {
      cardRefused(error.message);
      return;
    }
    try {
      await ensureOrder();
    } catch {
      return;
    }
    say(formStatus, "Paying…");
    let paymentId;
    try {
      paymentId = await payByCard(placed, token);
    } catch (error) {
      if (error instanceof CardError) cardRefused(error.message);
      else if (error.status === 503) say(formStatus, paymentsUnavailable(error), "error");
      else if (error.status === 409 && error.field === "order_id") startOver();
      else showError(error, "Your payment did not go through: ");
      return;
    }
    await waitForPayment(() =>
      api("/payment/stripe/confirm", {
        method: "POST",
        body: { order_id: placed.order_id, payment_id: paymentId, ...accessOf(placed) },
      }),
    );
  } finally {
    placing = false;
    button.disabled = false;
  }
}

class FormIncomplete extends Error {}

function paypalHandlers() {
  return {
    order: async () => {
      if (!formReady()) throw new FormIncomplete("the checkout form is not complete");
      return ensureOrder();
    },
    create: async (order) => {
      say(formStatus, "Opening PayPal…");
      const created = await api("/payment/paypal/create", {
        method: "POST",
        body: { order_id: order.order_id, ...accessOf(order) },
      });
      return created.paypal_order_id;
    },
    capture: async (order, paypalOrderId) => {
      say(formStatus, "Confirming your PayPal payment…");
      await api("/payment/paypal/capture", {
        method: "POST",
        body: { order_id: order.order_id, payment_id: paypalOrderId, ...accessOf(order) },
      });
      await waitForPayment(null);
    },
    cancelled: () => {
      say(
        formStatus,
        "You closed PayPal before paying. Nothing was charged; your order is kept while you pay with PayPal or a card.",
        "error",
      );
    },
    failed: (error) => {
      if (error instanceof FormIncomplete) return; // the form already says what is missing
      if (error instanceof ApiError && error.status === 503) say(formStatus, paymentsUnavailableText(error), "error");
      else if (error instanceof ApiError) showError(error, "PayPal could not take the payment: ");
      else say(formStatus, "PayPal could not take the payment. Nothing was charged; try again or pay by card.", "error");
    },
  };
}

async function load() {
  for (const button of document.querySelectorAll("[data-next]")) {
    button.addEventListener("click", () => goToStep(button.dataset.next));
  }
  $("checkout-form").addEventListener("submit", placeOrder);
  initAddressStep();
  let config = {};
  try {
    config = await siteConfig();
  } catch {
    // No config: no payment method is offered, and the page says so.
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
  applyDigitalOnly(currentCart);
  $("checkout").hidden = false;
  say(status, "");
  await Promise.all([loadProfile(), paymentOptions(config)]);
}

load();

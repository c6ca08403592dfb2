// Checkout: address -> shipping -> payment -> review in one page, one order per checkout (the
// Idempotency-Key is made once), the sandbox card payment, then polling until the order is paid.
import { ApiError, api, cart, guestCartId, isSignedIn } from "./api.js";
import { siteConfig } from "./config.js";
import { el, formatPrice, say } from "./ui.js";

const CODE_KEY = "shop.discountCode";
const $ = (id) => document.getElementById(id);
const status = $("status");
const formStatus = $("form-status");
const STEPS = ["address", "shipping", "payment", "review"];
const ADDRESS_FIELDS = ["name", "line1", "city", "postal_code", "country"];
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
  country: "Enter a two-letter country code, e.g. US.",
};

/** The API gateway refuses a body missing a field without naming it, so empty fields are named here. */
function checkRequired() {
  const missing = Object.keys(REQUIRED).filter(
    (id) => !(id === "email" && isSignedIn()) && !$(id).value.trim(),
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

function address() {
  const value = (id) => $(id).value.trim();
  const result = {};
  for (const name of ADDRESS_FIELDS) result[name] = name === "country" ? value(name).toUpperCase() : value(name);
  return result;
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
    ["Ship to", [a.name, a.line1, `${a.postal_code} ${a.city}`, a.country].filter(Boolean).join(", ")],
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

async function loadProfile() {
  if (!isSignedIn()) return;
  $("email-box").hidden = true;
  try {
    const profile = await api("/me");
    const saved = (profile.addresses || []).filter((item) => (item.kind || "shipping") === "shipping");
    if (!saved.length) return;
    const select = $("saved-addresses");
    select.replaceChildren(
      ...saved.map((item) =>
        el("option", { value: item.id, text: `${item.name}, ${item.line1}, ${item.city}`, selected: item.is_default }),
      ),
      el("option", { value: "", text: "A new address" }),
    );
    const fill = () => {
      const chosen = saved.find((item) => item.id === select.value);
      for (const name of ADDRESS_FIELDS) $(name).value = chosen ? chosen[name] || "" : "";
    };
    select.addEventListener("change", fill);
    $("saved-addresses-box").hidden = false;
    fill();
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

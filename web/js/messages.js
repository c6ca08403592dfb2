// What a shopper reads when the API refuses: one plain sentence per error the shop's routes raise
// (lambdas/shop/platform/errors.py and the domains' errors), chosen by the answer's status, `error` code,
// `field`, `reason` and details, never by the server's phrasing, which names ids and internals
// ("no product prod_…", "unknown discount code 'BOGUS'"). api.js's errorFrom uses it for every page.
// The request (its query and body) supplies what the answer leaves out, such as the code typed.

const NETWORK = "We couldn't reach the shop. Check your internet connection and try again.";
const SERVER = "Something went wrong on our side. Please try again in a moment.";

export const messages = {
  network: NETWORK,
  server: SERVER,
};

const plural = (count, one, many) => (count === 1 ? one : many);

/** "in 7 seconds" from the Retry-After header or the body; "in a moment" when neither says. */
function when(body, headerSeconds) {
  const value = Number(headerSeconds) || Number(body.retry_after_seconds);
  if (!(value > 0)) return "in a moment";
  const seconds = Math.ceil(value);
  return `in ${seconds} ${plural(seconds, "second", "seconds")}`;
}

/** The discount code the shopper typed: the request's query or body, upper-cased as the shop stores it. */
function typedCode(request) {
  const query = request.query || {};
  const body = request.body || {};
  const code = query.discount_code || body.discount_code || body.code || "";
  return String(code).trim().toUpperCase();
}

// A code's refusal (400, field discount_code, with the domain's `reason`).
function discountMessage(reason, code, body) {
  const named = code ? `the code ${code}` : "this code";
  const Named = code ? `The code ${code}` : "This code";
  switch (reason) {
    case "unknown":
      return code
        ? `We don't recognise the code ${code}. Check the spelling, or continue without a code.`
        : "We don't recognise this code. Check the spelling, or continue without a code.";
    case "inactive":
      return `${Named} is no longer active. You can continue without a code.`;
    case "not_started":
      return `${Named} can't be used yet. Please try again later.`;
    case "expired":
      return `${Named} has expired. You can continue without a code.`;
    case "used_up":
      return `${Named} has been used as many times as allowed. You can continue without a code.`;
    case "used_by_you":
      return `You have already used ${named}; it can be used once per shopper.`;
    case "other_email":
      return `${Named} belongs to another email address.`;
    case "below_minimum": {
      // The minimum is the only figure the body carries in its words ("minimum subtotal $50.00 ...").
      const minimum = /\$[\d,]+(?:\.\d{2})?/.exec(String(body.message || ""));
      return minimum
        ? `${Named} needs an order of at least ${minimum[0]}. Add a little more, or continue without it.`
        : `${Named} needs a larger order. Add a little more, or continue without it.`;
    }
    case "out_of_scope":
      return `${Named} doesn't apply to the items in your cart.`;
    default:
      return `${Named} can't be used with this cart.`;
  }
}

// The words for a field the shopper fills in, as "the postal code" in "Check the postal code.".
const FIELD_NAMES = {
  email: "your email address",
  name: "the name",
  line1: "the street address",
  line2: "the apartment or suite",
  city: "the city",
  region: "the state or region",
  postal_code: "the postal code",
  country: "the country",
  phone: "the phone number",
  quantity: "the quantity",
  rating: "the rating",
  title: "the title",
  body: "the text",
  code: "the code",
  discount_code: "the discount code",
  target_price: "the target price",
  display_name: "the display name",
};

const FIELD_SENTENCES = {
  email: "Enter a valid email address, such as name@example.com.",
  country: "Choose a country from the list.",
  phone: "Enter a phone number using digits, spaces and + ( ) . - only.",
  quantity: "Enter a quantity from 1 to 99.",
  rating: "Choose a rating from 1 to 5 stars.",
};

const lastPart = (field) => String(field || "").split(".").pop();

/** One field of a 422 in words: what to do about it, not the validator's phrasing. */
export function fieldMessage(field, serverMessage = "") {
  const key = lastPart(field);
  const server = String(serverMessage);
  const named = FIELD_NAMES[key];
  if (!named) return "Check this field and try again.";
  if (/required|missing|at least 1 character/i.test(server)) return `Enter ${named}.`;
  if (/at most|too long/i.test(server)) return `Shorten ${named}: it is too long.`;
  return FIELD_SENTENCES[key] || `Check ${named}.`;
}

function validationMessage(body) {
  const fields = (body.fields || []).map((entry) => ({ field: entry.field, message: fieldMessage(entry.field, entry.message) }));
  if (fields.length === 1) return fields[0].message;
  if (fields.length > 1) return "Some details need correcting; each is marked.";
  return "Some details need correcting. Please check the form and try again.";
}

function stockMessage(body, request) {
  const path = String(request.path || "");
  const available = Number(body.available);
  const inCart = Number(body.in_cart) || 0;
  const known = Number.isFinite(available) && available > 0;
  if (/\/orders\/create$/.test(path)) {
    return known
      ? `One of the items in your cart has only ${available} left. Lower its quantity in your cart, then try again.`
      : "One of the items in your cart has just sold out. Remove it from your cart, then try again.";
  }
  if (!known) return "Sorry, this item is sold out.";
  const left = `Only ${available} ${plural(available, "is", "are")} available`;
  // An add counts what the cart holds already; an update replaces it.
  if (inCart > 0 && !/\/update$/.test(path)) {
    if (inCart >= available) return `You already have the last ${available === 1 ? "one" : available} in your cart.`;
    return `${left}, and you already have ${inCart} in your cart.`;
  }
  return `${left}.`;
}

function badRequest(field, body, request) {
  const key = lastPart(field);
  if (field === "discount_code") return discountMessage(body.reason, typedCode(request), body);
  switch (key) {
    case "variant_sku":
      return /choose/i.test(body.message || "")
        ? "Please choose an option (such as size or colour) first."
        : "That option is no longer available. Please choose another.";
    case "email":
      return "Enter your email address so we can send your order confirmation.";
    case "shipping_address":
      return "Enter the address to ship to.";
    case "billing_address":
      return "Enter the name and country for the bill.";
    case "items":
      return "Your cart is empty. Add something before checking out.";
    case "X-Cart-Id":
    case "cart_id":
      return "We couldn't find your cart. Please add the items again.";
    case "min_price":
      return "The lowest price can't be more than the highest price.";
    case "q":
      return "Enter a word to search for.";
    case "cursor":
      return "This list has changed. Please reload the page.";
    case "Idempotency-Key":
      return "Something went wrong placing the order. Please reload the page and try again.";
    default:
      return "Something in the request wasn't right. Please check your details and try again.";
  }
}

function notFound(field, body) {
  switch (lastPart(field)) {
    case "product_id":
      // "no product …" names it in `product_id`; "that product is not in the cart" does not.
      return body.product_id !== undefined || /no product/.test(body.message || "")
        ? "This product is no longer available."
        : "That item is no longer in your cart.";
    case "X-Cart-Id":
    case "cart_id":
      return "Your cart has expired. Please add the items again.";
    case "order_id":
      return "We couldn't find this order. Check the link, or sign in to see your orders.";
    case "address_id":
      return "This saved address no longer exists.";
    case "review_id":
      return "This review no longer exists.";
    case "token":
      return "This link is not valid any more.";
    case "file":
      return "This file is no longer available.";
    case "code":
      return "We don't recognise this code.";
    default:
      return "We couldn't find what you were looking for.";
  }
}

function conflict(field, body, request) {
  const key = lastPart(field);
  if (key === "quantity") return stockMessage(body, request);
  if (key === "product_id") {
    const most = /at most (\d+) lines/.exec(body.message || "");
    if (most) return `Your cart is full (${most[1]} different items at most). Check out or remove something first.`;
    return "This product can't be ordered right now.";
  }
  if (key === "cart" || key === "cart_id") return "Your cart was changed at the same time elsewhere. Please try again.";
  if (key === "order_id") return "This order can no longer be paid. Nothing was charged.";
  if (key === "Idempotency-Key") return "This order was already placed with other details. Please reload the page and try again.";
  if (key === "review_id") return "You have already voted on this review.";
  if (key === "addresses") {
    const most = /at most (\d+)/.exec(body.message || "");
    return `You have saved the most addresses allowed${most ? ` (${most[1]})` : ""}. Delete one first.`;
  }
  return "Something changed while you were on this page. Please reload it and try again.";
}

function unavailable(body, retry) {
  if (body.reason === "payments_paused") {
    return "Payments are paused right now, so orders can't be placed. Nothing was charged; please try again later.";
  }
  if (body.reason === "payment_provider_busy") {
    return `The payment provider is busy right now; nothing was charged. Try again ${retry}.`;
  }
  return `The shop is very busy right now. Please try again ${retry}.`;
}

// Codes of their own (a refusal's class names it more precisely than its status).
const BY_CODE = {
  order_not_paid: "This order is not paid yet, so its downloads are not available.",
  illegal_transition: "This order can't be changed that way any more: its status has moved on. Reload the page to see it.",
  document_not_issued: "This document is not ready yet: an invoice comes once the order is paid, a credit note once it is refunded.",
  forged_link: "This link is not valid. Please use the link in the newest email we sent you.",
};

const GONE = {
  download_expired: "This download link has expired. Open your orders page for a new one.",
  download_revoked: "This download is no longer available.",
  download_limit_reached: "You have used all the downloads of this file. Contact us if you need it again.",
  file_unavailable: "This file is not available right now. Please try again later.",
};

/**
 * The shopper's sentence for an API error: `error` has the answer's status, body (`error` code, `field`,
 * details) and the Retry-After header's seconds; `request` the query and body that were sent.
 */
export function humanMessage({ status = 0, body = {}, retryAfter } = {}, request = {}) {
  const code = body.error || "";
  const field = body.field || "";
  if (!status) return NETWORK;
  if (status === 429) return `You're going a little fast for the shop. Please try again ${when(body, retryAfter)}.`;
  if (code === "payment_declined") {
    // The provider's words are written for the card holder ("Your card was declined.").
    return body.message || "Your payment was declined. Nothing was charged; try another card or payment method.";
  }
  if (code === "validation_error" || status === 422) return validationMessage(body);
  if (code in GONE) return GONE[code];
  if (code in BY_CODE) return BY_CODE[code];
  switch (status) {
    case 400:
      return badRequest(field, body, request);
    case 401:
      return "Your sign-in has expired. Sign in again to continue.";
    case 403:
      return "You don't have access to this. Try signing in again.";
    case 404:
      return notFound(field, body);
    case 409:
      return conflict(field, body, request);
    case 410:
      return "This is no longer available.";
    case 413:
      return "That is too large to send. Please try something smaller.";
    case 501:
      return "This isn't available in the shop yet.";
    case 502:
      return "We couldn't start the payment. Nothing was charged; please try again or choose another payment method.";
    case 503:
      return unavailable(body, when(body, retryAfter));
    default:
      return status >= 500 ? SERVER : "Something went wrong. Please try again.";
  }
}

/** A 422's fields, each with the shopper's words: [{ field, message }]. */
export function fieldMessages(body = {}) {
  return (body.fields || []).map((entry) => ({ field: entry.field, message: fieldMessage(entry.field, entry.message) }));
}

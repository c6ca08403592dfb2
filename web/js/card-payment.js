// Card payments with Stripe.js: the card is typed into Stripe's own Element and turned into a token by
// Stripe, so it never reaches the shop. The shop creates and confirms the PaymentIntent with that token
// (a decline is known at once); when the bank asks for 3-D Secure, Stripe.js runs it here. Stripe's
// signed webhook then marks the order paid. The local shop loads localstripe's Stripe.js instead:
// config.json says which (stripeJsUrl), the code is the same.
import { api } from "./api.js";
import { loadScript } from "./script-loader.js";

let stripe = null;
let card = null;
let lastChange = null; // Stripe's latest change event of the card field: { empty, complete, error }

/** Loads Stripe.js and mounts the card field in `container`; false when this shop takes no cards. */
export async function mountCard(config, container) {
  if (!config.stripePublishableKey || !config.stripeJsUrl) return false;
  await loadScript(config.stripeJsUrl);
  stripe = window.Stripe(config.stripePublishableKey);
  card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount(container);
  card.on("change", (event) => {
    lastChange = event || null;
  });
  return true;
}

/** What the card field holds before any call: "empty", "incomplete" (with Stripe's words in `message`)
 * or "ready". Stripe.js says so in its change events; localstripe's stand-in sends none, so its typed
 * number is read instead. */
export function cardEntry() {
  if (!card) return { state: "empty" };
  if (lastChange && typeof lastChange === "object") {
    if (lastChange.error) return { state: "incomplete", message: lastChange.error.message };
    if (lastChange.empty) return { state: "empty" };
    if (!lastChange.complete) return { state: "incomplete", message: "Your card details are incomplete." };
    return { state: "ready" };
  }
  const typed = card.value && card.value.card ? card.value.card.number : "";
  return typed ? { state: "ready" } : { state: "empty" };
}

/** Moves focus into the card field: its first input (localstripe's), else Stripe's own element. */
export function focusCard(container) {
  const input = container.querySelector("input");
  if (input) input.focus();
  else if (card && typeof card.focus === "function") card.focus();
}

export class CardError extends Error {}

/** Stripe's words for a refused card or a failed authentication, else a plain sentence. */
function wordsOf(error, fallback) {
  return (error && (error.message || error.code)) || fallback;
}

/** The card as a Stripe token, before any order exists: a mistyped number costs the shopper nothing. */
export async function cardToken(billing) {
  if (!stripe || !card) throw new CardError("Card payments are not available on this page.");
  const result = await stripe.createToken(card, {
    name: billing.name,
    address_line1: billing.line1,
    address_line2: billing.line2 || undefined,
    address_city: billing.city,
    address_state: billing.region || undefined,
    address_zip: billing.postal_code,
    address_country: billing.country,
  });
  if (!result || result.error || !result.token) {
    throw new CardError(wordsOf(result && result.error, "Check the card number, expiry date and CVC."));
  }
  return result.token.id;
}

/**
 * Pays the order with the tokenized card. Resolves when Stripe took the payment (the webhook then marks
 * the order paid); throws CardError with Stripe's words when the card is declined or 3-D Secure fails,
 * and the ApiError of the shop for anything else.
 */
export async function payByCard(order, token) {
  const access = order.access_token ? { access_token: order.access_token } : {};
  let intent;
  try {
    intent = await api("/payment/stripe/intent", {
      method: "POST",
      body: { order_id: order.order_id, card_token: token, ...access },
    });
  } catch (error) {
    if (error.status === 402) throw new CardError(wordsOf(error, "Your card was declined."));
    throw error;
  }
  if (intent.status === "requires_action") {
    const result = await stripe.confirmCardPayment(intent.client_secret);
    if (result.error) throw new CardError(wordsOf(result.error, "The card could not be authenticated."));
    const paid = result.paymentIntent || {};
    if (paid.status !== "succeeded" && paid.status !== "processing") {
      throw new CardError(
        wordsOf(paid.last_payment_error, "Your bank did not confirm the payment. Try again or use another card."),
      );
    }
    return paid.id || intent.payment_intent_id;
  }
  if (intent.status && intent.status !== "succeeded" && intent.status !== "processing") {
    throw new CardError("Your card was not charged. Try again or use another card.");
  }
  return intent.payment_intent_id;
}

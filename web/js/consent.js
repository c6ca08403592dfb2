// The shopper's choice about behavioural tracking, and the one way pages send tracking events.
// No event leaves the page without consent (issue #16 item 5). Owner: the consent banner's module;
// this first version keeps the interface other pages import: track(kind, body) and hasConsent().
import { api } from "./api.js";

const CONSENT_KEY = "shop.trackingConsent"; // "granted" | "denied"; absent: not asked yet
const SESSION_KEY = "shop.trackingSession"; // a random id, made only once the shopper agreed

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function sessionId() {
  let id = read(SESSION_KEY);
  if (!id) {
    id = crypto.randomUUID();
    try {
      localStorage.setItem(SESSION_KEY, id);
    } catch {
      // Storage disabled: one id per page view.
    }
  }
  return id;
}

export function hasConsent() {
  return read(CONSENT_KEY) === "granted";
}

/** Sends a tracking event ("view", "cart-add", "purchase") for a product, only with consent. Never
 * throws: tracking must not break shopping. Resolves to true when the event was sent. */
export async function track(kind, body) {
  if (!hasConsent()) return false;
  try {
    await api(`/track/${kind}`, { method: "POST", body: { session_id: sessionId(), ...body } });
    return true;
  } catch {
    return false;
  }
}

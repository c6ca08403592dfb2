// The shopper's choice about product tracking, and the one way pages send tracking events (issue #16
// item 5): no event leaves the page without consent, and declining also forgets the session id.
// Imported by every page (web/_layout/page.html); on import it shows the consent banner where no choice
// is stored yet, wires the privacy page's "Your tracking choice" buttons and the footer's "Tracking
// preferences" link ([data-consent-settings]), which opens the banner again.
// The banner is fixed to the bottom of the window (nothing moves when it appears) and its text is kept
// small, so it is never the page's largest paint (Lighthouse runs with a fresh profile: it always sees it).

const CONSENT_KEY = "shop.trackingConsent"; // "granted" | "denied"; absent: not asked yet
const SESSION_KEY = "shop.trackingSession"; // a random id, made only once the shopper agreed
export const CONSENT_EVENT = "shop:consent"; // dispatched on window with detail { choice }
const BANNER_ID = "consent-banner";

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled (some private modes): the choice lasts as long as the page.
  }
}

let pageChoice = null; // the choice where storage is refused

/** "granted", "denied" or null (not asked yet). */
export function consentChoice() {
  const stored = read(CONSENT_KEY);
  if (stored === "granted" || stored === "denied") return stored;
  return pageChoice;
}

export function hasConsent() {
  return consentChoice() === "granted";
}

function sessionId() {
  let id = read(SESSION_KEY);
  if (!id) {
    id = crypto.randomUUID();
    write(SESSION_KEY, id);
  }
  return id;
}

function deviceType() {
  return window.matchMedia("(max-width: 767px), (pointer: coarse)").matches ? "mobile" : "desktop";
}

/** Stores the shopper's choice ("granted" or "denied"). Declining deletes the session id, so events
 * sent before cannot be tied to later ones. */
export function setConsent(choice) {
  if (choice !== "granted" && choice !== "denied") throw new Error(`unknown consent choice ${choice}`);
  pageChoice = choice;
  write(CONSENT_KEY, choice);
  if (choice === "denied") write(SESSION_KEY, null);
  hideBanner();
  showChoice();
  window.dispatchEvent(new CustomEvent(CONSENT_EVENT, { detail: { choice } }));
}

/** Sends a tracking event ("view", "cart-add", "purchase") for a product, only with consent. Never
 * throws: tracking must not break shopping. Resolves to true when the event was sent. */
export async function track(kind, body) {
  if (!hasConsent()) return false;
  try {
    // Loaded on the first event only: the banner does not wait for the API client.
    const { api } = await import("./api.js");
    await api(`/track/${kind}`, {
      method: "POST",
      body: { device_type: deviceType(), ...body, session_id: sessionId() },
    });
    return true;
  } catch {
    return false;
  }
}

// -- the banner --------------------------------------------------------------------------------------

function node(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

function choiceButton(text, choice) {
  const button = node("button", { type: "button", class: "button consent-button", text });
  button.addEventListener("click", () => setConsent(choice));
  return button;
}

function buildBanner() {
  const privacy = node("a", { href: "/privacy.html#tracking-choice", text: "How we use it" });
  return node("section", { id: BANNER_ID, class: "consent-banner", "aria-labelledby": "consent-title" }, [
    node("div", { class: "consent-inner" }, [
      node("div", { class: "consent-text" }, [
        node("h2", { id: "consent-title", class: "consent-title", text: "Product tracking" }),
        node("p", {}, [
          "May we record the products you view, add to your cart and buy? We use it only to recommend " +
            "products and send reminders. ",
          privacy,
        ]),
      ]),
      node("div", { class: "consent-actions" }, [choiceButton("Accept", "granted"), choiceButton("Decline", "denied")]),
    ]),
  ]);
}

/** Shows the banner (again, from "Tracking preferences"); `focus` moves the keyboard into it. */
export function showBanner({ focus = false } = {}) {
  let banner = document.getElementById(BANNER_ID);
  if (!banner) {
    banner = buildBanner();
    // Right after the skip link: early in the reading order, though it is drawn at the bottom.
    const skip = document.querySelector(".skip-link");
    if (skip) skip.after(banner);
    else document.body.prepend(banner);
  }
  document.body.classList.add("has-consent-banner");
  if (focus) banner.querySelector("button").focus();
}

function hideBanner() {
  const banner = document.getElementById(BANNER_ID);
  if (!banner) return;
  const hadFocus = banner.contains(document.activeElement);
  banner.remove();
  document.body.classList.remove("has-consent-banner");
  // Focus must not fall back to the page's start unannounced: it goes to the header's first link.
  if (hadFocus) document.querySelector("#site-header a, main a, a")?.focus();
}

// -- the privacy page's switch ----------------------------------------------------------------------

const CHOICE_WORDS = {
  granted: "You accepted product tracking: the products you view, add to your cart and buy are recorded.",
  denied: "You declined product tracking: nothing is recorded.",
  null: "You have not chosen yet: nothing is recorded until you accept.",
};

function showChoice() {
  const state = document.getElementById("tracking-choice-state");
  if (state) state.textContent = CHOICE_WORDS[consentChoice()];
  for (const button of document.querySelectorAll("[data-consent-choice]")) {
    button.setAttribute("aria-pressed", String(button.dataset.consentChoice === consentChoice()));
  }
}

function start() {
  for (const button of document.querySelectorAll("[data-consent-choice]")) {
    button.addEventListener("click", () => setConsent(button.dataset.consentChoice));
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-consent-settings]");
    if (!link) return;
    event.preventDefault();
    showBanner({ focus: true });
  });
  // A choice made in another tab of this shop applies here too.
  window.addEventListener("storage", (event) => {
    if (event.key !== CONSENT_KEY) return;
    if (consentChoice()) hideBanner();
    showChoice();
  });
  showChoice();
  if (!consentChoice()) showBanner();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();

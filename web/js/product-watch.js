// "Watch price" (with an optional target) and "Notify me when back" on the product page, for signed-in
// shoppers; guests get a sign-in link that comes back here. The watch list itself is the tracking API's
// (GET /track/watchlist, POST /track/watchlist/add, DELETE /track/watchlist/remove).
import { api, isSignedIn } from "./api.js";
import { el, formatPrice, say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const DOLLARS = /^\d{1,7}(?:\.\d{1,2})?$/;

/** The target the shopper typed, in cents: null when empty, NaN when it is not a dollar amount. */
export function targetCents(raw) {
  const text = String(raw || "").trim().replace(/^\$\s*/, "").replace(/,/g, "");
  if (!text) return null;
  if (!DOLLARS.test(text)) return Number.NaN;
  return Math.round(Number(text) * 100);
}

function watchingText(entry, product, soldOut) {
  const currency = entry.currency || product.currency;
  if (entry.target_price != null) return `Watching — alert at or below ${formatPrice(entry.target_price, currency)}`;
  if (soldOut) return "Watching — we will email you when it is back in stock";
  return "Watching — alert on any price drop";
}

/** What the shopper will get, and a pointer to the preferences when those emails are turned off there
 * (the alerts follow the account's email preferences). */
async function confirmWatch(status, entry, product, soldOut) {
  const when = soldOut
    ? "when it is back"
    : entry.target_price != null
      ? `when the price is ${formatPrice(entry.target_price, entry.currency || product.currency)} or less`
      : "when the price drops";
  say(status, `We will email you ${when}.`, "ok");
  const flag = soldOut ? "back_in_stock_alerts" : "price_drop_alerts";
  try {
    const preferences = await api("/me/preferences");
    if (preferences[flag] === true && !preferences.unsubscribed) return;
  } catch {
    return; // the watch is saved; the preferences page says the rest
  }
  status.replaceChildren(
    `Saved, but ${soldOut ? "back-in-stock" : "price-drop"} emails are off: turn them on in your `,
    el("a", { href: "preferences.html", text: "email preferences" }),
    ".",
  );
  status.classList.remove("ok");
}

export function renderWatch(product) {
  const soldOut = !product.digital_download && product.availability === "sold_out";
  const status = $("watch-status");
  if (!isSignedIn()) {
    const next = `product.html?id=${product.product_id}`;
    $("watch-signin-link").href = `signin.html?next=${encodeURIComponent(next)}`;
    $("watch-signin").hidden = false;
    return;
  }

  const show = (entry, { focus = false } = {}) => {
    $("watching").hidden = !entry;
    $("watch-form").hidden = Boolean(entry) || soldOut;
    $("notify-row").hidden = Boolean(entry) || !soldOut;
    if (entry) $("watching-text").textContent = watchingText(entry, product, soldOut);
    if (!focus) return;
    if (entry) $("unwatch").focus();
    else (soldOut ? $("notify") : $("watch-button")).focus();
  };

  const watch = async (targetPrice) => {
    const body = { product_id: product.product_id };
    if (targetPrice != null) body.target_price = targetPrice;
    say(status, "Saving…");
    try {
      const entry = await api("/track/watchlist/add", { method: "POST", body });
      show(entry, { focus: true });
      await confirmWatch(status, entry, product, soldOut);
    } catch (error) {
      say(status, error.message, "error");
    }
  };

  $("watch-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = $("target-price");
    const cents = targetCents(field.value);
    let problem = "";
    if (Number.isNaN(cents)) problem = "Enter the price in dollars, for example 19.99, or leave it empty.";
    else if (cents !== null && cents >= product.price) {
      problem = `Enter a price below today's ${formatPrice(product.price, product.currency)}, or leave it empty.`;
    }
    field.setAttribute("aria-invalid", String(Boolean(problem)));
    if (problem) {
      say(status, problem, "error");
      field.focus();
      return;
    }
    watch(cents);
  });
  $("notify").addEventListener("click", () => watch(null));
  $("unwatch").addEventListener("click", async () => {
    try {
      await api("/track/watchlist/remove", { method: "DELETE", body: { product_id: product.product_id } });
      $("target-price").value = "";
      show(null, { focus: true });
      say(status, "You stopped watching this product.", "ok");
    } catch (error) {
      say(status, error.message, "error");
    }
  });

  // Shown at once as "not watching"; the list says whether this product is already watched.
  show(null);
  api("/track/watchlist")
    .then((list) => show((list.items || []).find((item) => item.product_id === product.product_id) || null))
    .catch((error) => say(status, `Your watch list could not be loaded: ${error.message}`, "error"));
}

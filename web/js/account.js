// account.html: the profile (GET/PUT /me), saved addresses (/me/addresses...), the watch list
// (GET /track/watchlist, DELETE /track/watchlist/remove), a password change (Cognito ChangePassword) and
// sign-out. Everything from the API reaches the page as text.
import { ADDRESS_FIELDS as POSTAL_FIELDS, addressLines } from "./addresses.js";
import { ApiError, api, forgetSession, isSignedIn } from "./api.js";
import { changePassword } from "./cognito.js";
import { countryName, fillCountrySelect } from "./countries.js";
import { formsReady, valueOf, whileBusy } from "./forms.js";
import { currentUser, freshAccessToken, signOut, signOutEverywhere } from "./session.js";
import { el, formatPrice, say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const ADDRESS_FIELDS = ["kind", ...POSTAL_FIELDS];
// The API's 422 names the field; these are the words for it.
const FIELD_WORDS = {
  name: "Please enter a name (up to 100 characters).",
  phone: "Please enter a phone number using digits, spaces and + ( ) . - only.",
  line1: "Please enter the street address.",
  city: "Please enter the city.",
  postal_code: "Please enter the postal code.",
  country: "Please choose the country from the list.",
  addresses: "You have saved the most addresses allowed (20). Delete one first.",
};
let editing = null; // the id of the address in the form, or null for a new one

function signInAgain() {
  forgetSession();
  location.replace("signin.html?next=account.html");
}

/** An API failure in words; an expired or refused token sends the shopper to sign in again. */
function explain(error) {
  if (error instanceof ApiError && error.status === 401) {
    signInAgain();
    return new Error("Your session has ended. Please sign in again.");
  }
  const field = String(error.field || "").split(".").pop();
  const words = (error.status === 422 || error.status === 409) && FIELD_WORDS[field] ? FIELD_WORDS[field] : error.message;
  return Object.assign(new Error(words), { field: error.field, status: error.status });
}

const call = (path, options) => api(path, options).catch((error) => Promise.reject(explain(error)));

function markInvalid(form, error) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const field = String(error.field || "").split(".").pop();
  const input = field && form.querySelector(`[name="${CSS.escape(field)}"]`);
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

// -- profile -------------------------------------------------------------------------------------------

function showProfile(profile) {
  $("profile-email").textContent = profile.email || "";
  $("password-username").value = profile.email || "";
  $("profile-name").value = profile.name || "";
  $("profile-phone").value = profile.phone || "";
  showAddresses(profile.addresses || []);
}

$("profile-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { name: valueOf("profile-name"), phone: valueOf("profile-phone") || null };
  const saved = await whileBusy(form, $("profile-status"), () => call("/me", { method: "PUT", body }), {
    onError: (error) => markInvalid(form, error),
  });
  if (!saved) return;
  markInvalid(form, {});
  showProfile(saved);
  say($("profile-status"), "Profile saved.", "ok");
});

// -- addresses -------------------------------------------------------------------------------------------

function addressCard(address) {
  const kind = address.kind === "billing" ? "Billing" : "Shipping";
  const label = `${kind} address of ${address.name}, ${address.line1}`;
  const button = (text, onclick, extra = {}) =>
    el("button", { type: "button", class: "button secondary small", text, onclick, ...extra });
  return el("li", { class: "address-card", "data-address-id": address.id }, [
    el("p", { class: "address-kind" }, [
      el("strong", { text: kind }),
      address.is_default ? el("span", { class: "badge default-badge", text: "Default" }) : null,
    ]),
    el("address", {}, addressLines(address, countryName).flatMap((line, index) => [index ? el("br") : null, line])),
    el("div", { class: "inline address-actions" }, [
      button("Edit", () => openAddressForm(address), { "aria-label": `Edit ${label}` }),
      address.is_default
        ? null
        : button("Make default", (event) => addressAction(event.target, `/me/addresses/${address.id}/default`, "POST", "Default address changed."), {
            "aria-label": `Make ${label} the default`,
            class: "button secondary small make-default",
          }),
      button("Delete", (event) => addressAction(event.target, `/me/addresses/${address.id}`, "DELETE", "Address deleted."), {
        "aria-label": `Delete ${label}`,
        class: "button secondary small delete-address",
      }),
    ]),
  ]);
}

function showAddresses(addresses) {
  $("addresses").replaceChildren(...addresses.map(addressCard));
  $("no-addresses").hidden = addresses.length > 0;
}

async function addressAction(button, path, method, done) {
  const card = button.closest(".address-card");
  const answer = await whileBusy(card, $("addresses-status"), () => call(path, { method }));
  if (!answer) return;
  showAddresses(answer.addresses || []);
  say($("addresses-status"), done, "ok");
  $("addresses-title").focus();
}

function openAddressForm(address) {
  editing = address ? address.id : null;
  const form = $("address-form");
  form.reset();
  markInvalid(form, {});
  say($("address-status"), "");
  for (const name of ADDRESS_FIELDS) if (address && address[name]) $(`address-${name}`).value = address[name];
  fillCountrySelect($("address-country"), address ? address.country : "US");
  $("address-default").checked = Boolean(address && address.is_default);
  $("address-form-title").textContent = address ? "Edit address" : "New address";
  form.hidden = false;
  $("add-address").hidden = true;
  $("address-name").focus();
}

function closeAddressForm() {
  editing = null;
  $("address-form").hidden = true;
  $("add-address").hidden = false;
  $("add-address").focus();
}

$("add-address").addEventListener("click", () => openAddressForm(null));
$("cancel-address").addEventListener("click", closeAddressForm);

$("address-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { is_default: $("address-default").checked };
  for (const name of ADDRESS_FIELDS) {
    const value = valueOf(`address-${name}`);
    if (value) body[name] = name === "country" ? value.toUpperCase() : value;
  }
  const path = editing ? `/me/addresses/${editing}` : "/me/addresses";
  const answer = await whileBusy(form, $("address-status"), () => call(path, { method: editing ? "PUT" : "POST", body }), {
    onError: (error) => markInvalid(form, error),
  });
  if (!answer) return;
  const wasEditing = editing;
  showAddresses(answer.addresses || []);
  closeAddressForm();
  say($("addresses-status"), wasEditing ? "Address saved." : "Address added.", "ok");
});

// -- watch list -------------------------------------------------------------------------------------------

const AVAILABILITY_WORDS = { in_stock: "In stock", low_stock: "In stock", sold_out: "Sold out", unavailable: "No longer sold" };

/** What the shopper is waiting for: the target price, any drop, or the restock of a sold-out product. */
function watchedFor(item) {
  if (item.target_price !== null && item.target_price !== undefined) {
    return `Alert at ${formatPrice(item.target_price, item.currency)} or less`;
  }
  if (item.availability === "sold_out" || (item.notify_on_restock && !item.notify_on_price_drop)) {
    return "Alert when back in stock";
  }
  return "Alert on any price drop";
}

function watchCard(item) {
  const link = `product.html?id=${encodeURIComponent(item.product_id)}`;
  const availability = item.availability || (item.in_stock ? "in_stock" : "sold_out");
  const gone = availability === "unavailable";
  const image = item.image_url
    ? el("img", { src: item.image_url, alt: "", width: "64", height: "64", loading: "lazy" })
    : el("span", { class: "watch-image-none" });
  return el("li", { class: "watch-item", "data-product-id": item.product_id }, [
    gone ? el("span", { class: "watch-image" }, [image]) : el("a", { class: "watch-image", href: link, tabindex: "-1", "aria-hidden": "true" }, [image]),
    el("p", { class: "watch-name" }, [gone ? item.name || item.product_id : el("a", { href: link, text: item.name || item.product_id })]),
    el("p", { class: "watch-facts" }, [
      gone ? null : el("span", { class: "price", text: formatPrice(item.price, item.currency) }),
      el("span", { text: watchedFor(item) }),
      el("span", {
        class: availability === "sold_out" ? "watch-sold-out" : gone ? "watch-unavailable" : "",
        text: AVAILABILITY_WORDS[availability] || "",
      }),
    ]),
    el("button", {
      type: "button",
      class: "button secondary small stop-watching",
      text: "Stop watching",
      "aria-label": `Stop watching ${item.name || item.product_id}`,
      onclick: (event) => stopWatching(event.target, item),
    }),
  ]);
}

function showWatchList(items) {
  $("watchlist").replaceChildren(...items.map(watchCard));
  $("no-watches").hidden = items.length > 0;
}

async function stopWatching(button, item) {
  const card = button.closest(".watch-item");
  const body = { product_id: item.product_id };
  const done = await whileBusy(card, $("watchlist-status"), () =>
    call("/track/watchlist/remove", { method: "DELETE", body, query: body }).catch((error) =>
      // Watched no more (another tab stopped it): the list only catches up.
      error.status === 404 ? body : Promise.reject(error),
    ),
  );
  if (!done) return;
  card.remove();
  $("no-watches").hidden = $("watchlist").children.length > 0;
  say($("watchlist-status"), `You no longer watch ${item.name || "this product"}.`, "ok");
  $("watchlist-title").focus();
}

/** The watch list, or null when it could not be read (the rest of the account still shows). */
async function loadWatchList() {
  try {
    return (await call("/track/watchlist")).items || [];
  } catch (error) {
    say($("watchlist-status"), `Your watch list could not be loaded: ${error.message}`, "error");
    return null;
  }
}

// -- password and sign-out -------------------------------------------------------------------------------

$("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const changed = await whileBusy(form, $("password-status"), async () => {
    const accessToken = await freshAccessToken();
    if (!accessToken) throw new Error("Your session has ended. Please sign in again.");
    await changePassword({
      accessToken,
      previousPassword: $("current-password").value,
      proposedPassword: $("new-password").value,
    });
    return true;
  });
  if (!changed) return;
  form.reset();
  say($("password-status"), "Your password has been changed.", "ok");
});

$("account-sign-out").addEventListener("click", async () => {
  await whileBusy($("signout-form"), $("signout-status"), signOut);
  location.assign("index.html");
});

$("sign-out-everywhere").addEventListener("click", async () => {
  await whileBusy($("signout-form"), $("signout-status"), signOutEverywhere);
  if (!isSignedIn()) location.assign("index.html");
});

// -- on load ----------------------------------------------------------------------------------------------

async function load() {
  if (!isSignedIn()) {
    location.replace("signin.html?next=account.html");
    return;
  }
  const status = $("status");
  // Read with the profile, so the list is in place before the page shows (nothing moves later).
  const watchList = loadWatchList();
  try {
    let profile = await call("/me");
    // A new account's profile has no name yet: take the one given at sign-up (Cognito's `name`).
    const signUpName = (currentUser() || {}).name;
    if (!profile.name && signUpName) profile = await call("/me", { method: "PUT", body: { name: signUpName.slice(0, 100) } });
    showProfile(profile);
    const items = await watchList;
    if (items) showWatchList(items);
    say(status, "");
    status.hidden = true;
    $("account").hidden = false;
  } catch (error) {
    say(status, `Your account could not be loaded: ${error.message}`, "error");
  }
}

formsReady();
load();

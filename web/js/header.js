// The header of every page: the layout renders brand, search and nav (web/_layout/page.html); this fills
// in the visitor's part: the cart's live item count, and for a signed-in shopper the account menu (the
// email opening Account, Orders, Preferences, Admin, Marketing and Sign out) in place of "Sign in".
// Links are absolute: the 404 page is served at any path (/a/b/c).
import { CART_EVENT, cart } from "./api.js";
import "./campaign.js"; // keeps the marketing email a click-through came from (any landing page)
import { currentUser, signOut } from "./session.js";
import { el } from "./ui.js";

// Pages with nothing to show a guest: signing out there goes back to the home page.
const PRIVATE_PAGES = new Set(["account.html", "orders.html", "preferences.html"]);
const AUTH_PAGES = new Set(["signin.html", "signup.html"]);

// "Cart 2 items": the visible text ("Cart 2") stays part of the link's name, as axe's
// label-content-name-mismatch asks (an aria-label would replace it).
function setCount(count) {
  const badge = document.getElementById("cart-count");
  if (!badge) return;
  badge.textContent = String(count);
  const unit = document.getElementById("cart-count-unit");
  if (unit) unit.textContent = count === 1 ? " item" : " items";
}

/** "signin.html?next=<this page>" (on the sign-in pages themselves, their own `next` is kept). */
function signInHref(here) {
  const next = AUTH_PAGES.has(here)
    ? new URLSearchParams(location.search).get("next")
    : `${here}${location.search}`;
  return next ? `/signin.html?next=${encodeURIComponent(next)}` : "/signin.html";
}

function accountMenu(user, here, link) {
  const button = el("button", {
    type: "button",
    id: "account-button",
    class: "account-button",
    "aria-expanded": "false",
    "aria-controls": "account-menu",
    title: "Your account",
  }, [el("span", { class: "account-email", text: user.email || "Your account" })]);
  const status = el("span", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const signOutButton = el("button", { type: "button", id: "sign-out", class: "link-button", text: "Sign out" });
  const menu = el("ul", { id: "account-menu", class: "account-menu", hidden: true }, [
    el("li", {}, [link("/account.html", ["Account"])]),
    el("li", {}, [link("/orders.html", ["Orders"])]),
    el("li", {}, [link("/preferences.html", ["Preferences"])]),
    user.isAdmin ? el("li", {}, [link("/admin-shop.html", ["Admin"])]) : null,
    user.isAdmin ? el("li", {}, [link("/admin-marketing.html", ["Marketing"])]) : null,
    el("li", {}, [signOutButton]),
  ]);
  const wrapper = el("div", { class: "account" }, [button, menu, status]);
  const open = (shown) => {
    menu.hidden = !shown;
    button.setAttribute("aria-expanded", String(shown));
  };
  button.addEventListener("click", () => open(menu.hidden));
  wrapper.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !menu.hidden) {
      open(false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!wrapper.contains(event.target)) open(false);
  });
  wrapper.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !wrapper.contains(event.relatedTarget)) open(false);
  });
  signOutButton.addEventListener("click", async () => {
    signOutButton.disabled = true;
    status.textContent = "Signing out…";
    await signOut();
    if (PRIVATE_PAGES.has(here) || here.startsWith("admin")) location.assign("/index.html");
    else location.reload();
  });
  return wrapper;
}

export function renderHeader() {
  const header = document.getElementById("site-header");
  if (!header) return;
  const here = location.pathname.split("/").pop() || "index.html";
  const link = (href, children, props = {}) =>
    el("a", { href, ...(href === `/${here}` ? { "aria-current": "page" } : {}), ...props }, children);
  for (const anchor of header.querySelectorAll(".site-nav > a")) {
    if (anchor.getAttribute("href") === `/${here}`) anchor.setAttribute("aria-current", "page");
  }
  const user = currentUser();
  const slot = header.querySelector(".site-nav .account");
  if (slot) {
    slot.replaceWith(
      user
        ? accountMenu(user, here, link)
        : el("span", { class: "account" }, [link(signInHref(here), ["Sign in"], { id: "sign-in-link", class: "sign-in" })]),
    );
  }
  // The search box shows what the shop page is searching for.
  const search = document.getElementById("site-search");
  if (search && here === "shop.html") search.value = new URLSearchParams(location.search).get("q") || "";
  setCount(0);
  window.addEventListener(CART_EVENT, (event) => setCount(event.detail.item_count || 0));
  // The cart page loads the cart itself; elsewhere the count needs one read (only if a cart exists).
  if (here !== "cart.html" && cart.hasOne()) cart.get().catch(() => {});
}

renderHeader();

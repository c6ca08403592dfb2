// The header of every page: brand, Shop, Cart with a live item count, and the account menu (a "Sign in"
// link for guests; the shopper's email opening Account, Orders, Preferences, Admin, Marketing and Sign out).
import { CART_EVENT, cart } from "./api.js";
import "./campaign.js"; // keeps the marketing email a click-through came from (any landing page)
import { currentUser, signOut } from "./session.js";
import { el } from "./ui.js";

// Pages with nothing to show a guest: signing out there goes back to the home page.
const PRIVATE_PAGES = new Set(["account.html", "orders.html", "preferences.html"]);
const AUTH_PAGES = new Set(["signin.html", "signup.html"]);

function setCount(count) {
  const badge = document.getElementById("cart-count");
  if (!badge) return;
  badge.textContent = String(count);
  badge.closest("a").setAttribute("aria-label", `Cart, ${count} ${count === 1 ? "item" : "items"}`);
}

/** "signin.html?next=<this page>" (on the sign-in pages themselves, their own `next` is kept). */
function signInHref(here) {
  const next = AUTH_PAGES.has(here)
    ? new URLSearchParams(location.search).get("next")
    : `${here}${location.search}`;
  return next ? `signin.html?next=${encodeURIComponent(next)}` : "signin.html";
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
    el("li", {}, [link("account.html", ["Account"])]),
    el("li", {}, [link("orders.html", ["Orders"])]),
    el("li", {}, [link("preferences.html", ["Preferences"])]),
    user.isAdmin ? el("li", {}, [link("admin-shop.html", ["Admin"])]) : null,
    user.isAdmin ? el("li", {}, [link("admin-marketing.html", ["Marketing"])]) : null,
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
    if (PRIVATE_PAGES.has(here) || here.startsWith("admin")) location.assign("index.html");
    else location.reload();
  });
  return wrapper;
}

export function renderHeader() {
  const header = document.getElementById("site-header");
  if (!header) return;
  header.classList.add("site-header");
  const here = location.pathname.split("/").pop() || "index.html";
  const link = (href, children, props = {}) =>
    el("a", { href, ...(here === href ? { "aria-current": "page" } : {}), ...props }, children);
  const user = currentUser();
  // The brand (logo and name) is rendered into the page with the stage's brand; the rest is per visitor.
  const brand = header.querySelector(".brand") || el("a", { class: "brand", href: "index.html", text: "Shop" });
  header.replaceChildren(
    brand,
    el("nav", { "aria-label": "Main" }, [
      link("shop.html", ["Shop"]),
      link("cart.html", ["Cart ", el("span", { id: "cart-count", class: "badge", "aria-live": "polite", text: "0" })], {
        class: "cart-link",
      }),
      user
        ? accountMenu(user, here, link)
        : link(signInHref(here), ["Sign in"], { id: "sign-in-link", class: "account sign-in" }),
    ]),
  );
  setCount(0);
  window.addEventListener(CART_EVENT, (event) => setCount(event.detail.item_count || 0));
  // The cart page loads the cart itself; elsewhere the count needs one read (only if a cart exists).
  if (here !== "cart.html" && cart.hasOne()) cart.get().catch(() => {});
}

renderHeader();

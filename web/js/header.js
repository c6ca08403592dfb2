// The header of every page: brand, Shop, Cart with a live item count, and the account placeholder.
import { CART_EVENT, cart, isSignedIn } from "./api.js";
import { el } from "./ui.js";

function setCount(count) {
  const badge = document.getElementById("cart-count");
  if (!badge) return;
  badge.textContent = String(count);
  badge.closest("a").setAttribute("aria-label", `Cart, ${count} ${count === 1 ? "item" : "items"}`);
}

export function renderHeader() {
  const header = document.getElementById("site-header");
  if (!header) return;
  header.classList.add("site-header");
  const here = location.pathname.split("/").pop() || "index.html";
  const link = (href, children, props = {}) =>
    el("a", { href, ...(here === href ? { "aria-current": "page" } : {}), ...props }, children);
  header.replaceChildren(
    el("a", { class: "brand", href: "index.html", text: "Shop" }),
    el("nav", { "aria-label": "Main" }, [
      link("shop.html", ["Shop"]),
      link("cart.html", ["Cart ", el("span", { id: "cart-count", class: "badge", "aria-live": "polite", text: "0" })], {
        class: "cart-link",
      }),
      el("span", { class: "account muted", text: isSignedIn() ? "Signed in" : "Guest" }),
    ]),
  );
  setCount(0);
  window.addEventListener(CART_EVENT, (event) => setCount(event.detail.item_count || 0));
  // The cart page loads the cart itself; elsewhere the count needs one read (only if a cart exists).
  if (here !== "cart.html" && cart.hasOne()) cart.get().catch(() => {});
}

renderHeader();

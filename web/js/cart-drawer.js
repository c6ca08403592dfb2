// Adding to the cart from any page: the one function product cards and the product page call. It adds
// the line, records the cart-add (with consent) and shows the cart drawer: the line just added, the
// cart's subtotal, how far the cart is from free shipping, "View cart" and "Checkout".
// The drawer is a modal <dialog>: focus moves into it, Escape or "Close" closes it, and focus goes back
// to what the shopper was on (the "Add to cart" button).
import { api, cart } from "./api.js";
import { siteConfig } from "./config.js";
import { track } from "./consent.js";
import { el, formatPrice } from "./ui.js";

let drawer = null;
let returnFocus = null;
// Pages disable their "Add to cart" button while the add runs, which takes the focus off it: the last
// element focused outside the drawer is where focus goes back when it closes.
let lastFocused = null;
document.addEventListener("focusin", (event) => {
  if (!drawer || !drawer.contains(event.target)) lastFocused = event.target;
});

/** The stage's free-shipping threshold in cents (config.json), or null when shipping is never free. */
export async function freeShippingThreshold() {
  try {
    const pricing = (await siteConfig()).pricing || {};
    const cents = pricing.freeShippingThresholdCents;
    return Number.isInteger(cents) && cents > 0 ? cents : null;
  } catch {
    return null;
  }
}

/**
 * How far `body` (a cart as the API sends it) is from free shipping: a progress bar with "Add $12.50
 * more for free shipping", or "You get free shipping" once reached (or waived by a code). Null when
 * nothing ships (a cart of downloads) or the shop has no threshold. `id` keeps ids unique on a page.
 */
export function freeShippingProgress(body, threshold, id = "free-shipping") {
  const items = body.items || [];
  const ships = items.some((line) => line.requires_shipping !== false);
  if (!threshold || !ships) return null;
  const totals = body.totals || {};
  const currency = totals.currency || "USD";
  // The shop compares the subtotal after the discount with the threshold (shop.cart.pricing).
  const counted = Math.max(0, (totals.subtotal || 0) - (totals.discount || 0));
  const free = counted >= threshold || totals.shipping === 0;
  const text = free
    ? "You get free shipping"
    : `Add ${formatPrice(threshold - counted, currency)} more for free shipping`;
  const label = el("p", { id: `${id}-text`, class: "free-shipping-text", text });
  const bar = el("progress", {
    class: "free-shipping-bar",
    max: String(threshold),
    value: String(free ? threshold : counted),
    "aria-labelledby": `${id}-text`,
  });
  return el("div", { class: free ? "free-shipping reached" : "free-shipping", id }, [label, bar]);
}

/** A product's variants (size, colour, picture): the cart line names only the SKU. Empty when the
 * product cannot be read; the line is still shown, without its option's words. */
export async function productVariants(productId) {
  try {
    return (await api(`/products/${encodeURIComponent(productId)}`)).variants || [];
  } catch {
    return [];
  }
}

async function variantOf(productId, sku) {
  if (!sku) return null;
  return (await productVariants(productId)).find((variant) => variant.sku === sku) || null;
}

export function variantLabel(variant, sku) {
  const words = variant ? [variant.size, variant.colour].filter(Boolean).join(" / ") : "";
  return words || sku;
}

function build() {
  const close = el("button", { type: "button", class: "button secondary drawer-close", text: "Close" });
  const dialog = el("dialog", { id: "cart-drawer", class: "cart-drawer", "aria-labelledby": "cart-drawer-title" }, [
    el("div", { class: "drawer-panel" }, [
      el("div", { class: "drawer-head" }, [
        el("h2", { id: "cart-drawer-title", tabindex: "-1", text: "Added to your cart" }),
        close,
      ]),
      el("div", { id: "cart-drawer-line", class: "drawer-line" }),
      el("dl", { class: "drawer-totals" }, [
        el("dt", { id: "cart-drawer-count", text: "Subtotal" }),
        el("dd", { id: "cart-drawer-subtotal" }),
      ]),
      el("p", { class: "muted drawer-note", text: "Tax and shipping are worked out at checkout." }),
      el("div", { id: "cart-drawer-shipping" }),
      el("div", { class: "drawer-actions" }, [
        el("a", { class: "button checkout", href: "/checkout.html", text: "Checkout" }),
        el("a", { class: "button secondary", href: "/cart.html", text: "View cart" }),
      ]),
    ]),
  ]);
  close.addEventListener("click", () => dialog.close());
  // A click on the dimmed page beside the panel (the dialog box itself, outside the panel) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    const target = returnFocus;
    returnFocus = null;
    if (target && target.isConnected && typeof target.focus === "function") target.focus();
  });
  document.body.append(dialog);
  return dialog;
}

function lineOf(body, productId, sku) {
  return (body.items || []).find((line) => line.product_id === productId && (line.variant_sku || null) === (sku || null));
}

function renderLine(line, quantity, variant, currency) {
  const image = (variant && variant.image_url) || line.image_url;
  return [
    image
      ? el("img", { src: image, alt: "", width: "96", height: "72", class: "drawer-image" })
      : el("span", { class: "drawer-image placeholder", "aria-hidden": "true" }),
    el("div", { class: "drawer-line-info" }, [
      el("p", { class: "drawer-name" }, [el("a", { href: `/product.html?id=${encodeURIComponent(line.product_id)}`, text: line.name })]),
      line.variant_sku ? el("p", { class: "muted", text: variantLabel(variant, line.variant_sku) }) : null,
      el("p", {
        class: "muted",
        text: line.quantity > quantity ? `Quantity ${quantity} (${line.quantity} in your cart)` : `Quantity ${quantity}`,
      }),
      el("p", { class: "drawer-price", text: formatPrice(line.line_total, line.currency || currency) }),
    ]),
  ];
}

/** Fills the drawer with the cart after an add of `quantity` of the line and opens it. */
export async function showCartDrawer(body, { productId, quantity, sku, variant } = {}) {
  drawer = drawer || build();
  const totals = body.totals || {};
  const currency = totals.currency || "USD";
  const line = lineOf(body, productId, sku);
  $("cart-drawer-line").replaceChildren(...(line ? renderLine(line, quantity, variant, currency) : []));
  const count = body.item_count || 0;
  $("cart-drawer-count").textContent = `Subtotal (${count} ${count === 1 ? "item" : "items"})`;
  $("cart-drawer-subtotal").textContent = formatPrice(totals.subtotal, currency);
  const progress = freeShippingProgress(body, await freeShippingThreshold(), "cart-drawer-free-shipping");
  $("cart-drawer-shipping").replaceChildren(...(progress ? [progress] : []));
  if (!drawer.open) {
    const active = document.activeElement;
    returnFocus = active && active !== document.body ? active : lastFocused;
    drawer.showModal();
  }
  $("cart-drawer-title").focus();
  return drawer;
}

function $(id) {
  return document.getElementById(id);
}

/** Adds `quantity` of a product (or of its variant `sku`) and shows the drawer. Resolves to the cart;
 * rejects with the API's error (whose message, in the shopper's words, pages show). */
export async function addToCartAndShow({ productId, quantity = 1, sku } = {}) {
  const [updated, variant] = await Promise.all([cart.add(productId, quantity, sku), variantOf(productId, sku)]);
  track("cart-add", { product_id: productId });
  await showCartDrawer(updated, { productId, quantity, sku, variant });
  return updated;
}

// The cart: lines, quantity changes, removal, a discount code, and totals exactly as the API sends.
import { cart } from "./api.js";
import { freeShippingProgress, freeShippingThreshold, productVariants, variantLabel } from "./cart-drawer.js";
import { el, formatPrice, say } from "./ui.js";

const CODE_KEY = "shop.discountCode";
const MAX_QUANTITY = 99; // a line's most (shop.cart.model.MAX_LINE_QUANTITY)
const $ = (id) => document.getElementById(id);
const status = $("status");

function savedCode() {
  try {
    return sessionStorage.getItem(CODE_KEY) || "";
  } catch {
    return "";
  }
}

function saveCode(code) {
  try {
    if (code) sessionStorage.setItem(CODE_KEY, code);
    else sessionStorage.removeItem(CODE_KEY);
  } catch {
    // Storage disabled: the code applies until the page is left.
  }
}

function productLink(line) {
  return `product.html?id=${encodeURIComponent(line.product_id)}`;
}

// Variant lines name only their SKU: the products' size and colour, read once per product.
const variantsOf = new Map();

async function optionWords(line) {
  if (!line.variant_sku) return null;
  if (!variantsOf.has(line.product_id)) variantsOf.set(line.product_id, productVariants(line.product_id));
  const variant = (await variantsOf.get(line.product_id)).find((each) => each.sku === line.variant_sku);
  return variantLabel(variant, line.variant_sku);
}

function stepper(line, input, delta, text, label) {
  return el("button", {
    type: "button",
    class: "step-button",
    text,
    "aria-label": label,
    disabled: delta < 0 ? line.quantity <= 0 : line.quantity >= MAX_QUANTITY,
    onclick: () => {
      const wanted = line.quantity + delta;
      input.value = String(wanted);
      change(() => (wanted > 0 ? cart.update(line.product_id, wanted, line.variant_sku) : cart.remove(line.product_id, line.variant_sku)), () => {
        input.value = String(line.quantity);
      });
    },
  });
}

function lineItem(line, currency) {
  const inputId = `qty-${line.product_id}-${line.variant_sku || ""}`.replace(/[^\w-]/g, "_");
  const quantity = el("input", {
    id: inputId,
    type: "number",
    min: "0",
    max: String(MAX_QUANTITY),
    value: String(line.quantity),
    inputmode: "numeric",
    class: "quantity",
  });
  quantity.addEventListener("change", () => {
    const wanted = Number.parseInt(quantity.value, 10);
    if (!Number.isInteger(wanted) || wanted < 0 || wanted > MAX_QUANTITY) {
      say(status, `Enter a quantity from 0 to ${MAX_QUANTITY}.`, "error");
      quantity.value = String(line.quantity);
      return;
    }
    change(() => cart.update(line.product_id, wanted, line.variant_sku), () => {
      quantity.value = String(line.quantity);
    });
  });
  const option = el("p", { class: "muted line-option", text: line.variant_sku ? " " : "" });
  optionWords(line).then((words) => {
    option.textContent = words;
  });
  return el("li", { class: "cart-item", "data-product-id": line.product_id }, [
    line.image_url
      ? el("img", { src: line.image_url, alt: "", width: "96", height: "72", class: "line-image" })
      : el("span", { class: "line-image placeholder", "aria-hidden": "true" }),
    el("div", { class: "line-info" }, [
      el("h3", {}, [el("a", { href: productLink(line), text: line.name })]),
      line.variant_sku ? option : null,
      el("p", { class: "muted", text: `${formatPrice(line.unit_price, line.currency || currency)} each` }),
      line.requires_shipping ? null : el("p", { class: "muted", text: "Digital download: nothing to ship" }),
    ]),
    el("div", { class: "line-quantity" }, [
      el("label", { for: inputId }, ["Quantity", el("span", { class: "visually-hidden", text: ` of ${line.name}` })]),
      el("div", { class: "stepper" }, [
        stepper(line, quantity, -1, "−", `Decrease the quantity of ${line.name}`),
        quantity,
        stepper(line, quantity, 1, "+", `Increase the quantity of ${line.name}`),
      ]),
    ]),
    el("p", { class: "line-total", text: formatPrice(line.line_total, line.currency || currency) }),
    el("button", {
      type: "button",
      class: "button secondary remove",
      text: "Remove",
      "aria-label": `Remove ${line.name}`,
      onclick: () => change(() => cart.remove(line.product_id, line.variant_sku)),
    }),
  ]);
}

const NOTICES = {
  no_longer_sold: "An item is no longer sold and was removed from your cart.",
  quantity_capped: "An item's quantity was lowered to the stock available.",
};

let threshold = null;

function render(body) {
  const { totals } = body;
  const currency = totals.currency || "USD";
  const money = (cents) => formatPrice(cents, currency);
  const items = body.items || [];
  $("cart").hidden = items.length === 0;
  $("empty").hidden = items.length !== 0;
  $("cart-items").replaceChildren(...items.map((line) => lineItem(line, currency)));
  $("subtotal").textContent = money(totals.subtotal);
  $("discount").textContent = totals.discount ? `−${money(totals.discount)}` : money(0);
  $("discount-label").textContent = totals.discount_code ? `Discount (${totals.discount_code})` : "Discount";
  $("tax").textContent = money(totals.tax);
  $("shipping").textContent = totals.shipping ? money(totals.shipping) : "Free";
  $("total").textContent = money(totals.total);
  const progress = freeShippingProgress(body, threshold, "free-shipping");
  $("free-shipping-box").replaceChildren(...(progress ? [progress] : []));
  const notices = (body.notices || []).map((notice) => NOTICES[notice.notice]).filter(Boolean);
  say(status, notices.join(" "), notices.length ? "error" : "");
}

/** Runs a cart change; the totals shown always come from the API (re-read with the discount code). */
async function change(action, undo) {
  say(status, "Updating your cart…");
  try {
    const updated = await action();
    const code = savedCode();
    render(code ? await cart.get(code) : updated);
  } catch (error) {
    if (undo) undo();
    say(status, `Your cart could not be updated. ${error.message}`, "error");
  }
}

async function applyCode(event) {
  event.preventDefault();
  const code = $("discount-code").value.trim();
  const message = $("discount-status");
  $("discount-code").removeAttribute("aria-invalid");
  try {
    const body = await cart.get(code || undefined);
    saveCode(code);
    render(body);
    if (!code) say(message, "");
    else if (body.totals.discount) say(message, `Code ${body.totals.discount_code} applied.`, "ok");
    else say(message, `Code ${code.toUpperCase()} is valid but does not apply to this cart yet.`, "");
  } catch (error) {
    say(message, error.message, "error");
    if (error.field === "discount_code") $("discount-code").setAttribute("aria-invalid", "true");
  }
}

async function load() {
  const code = savedCode();
  $("discount-code").value = code;
  if (!cart.hasOne()) {
    $("empty").hidden = false;
    say(status, "");
    return;
  }
  try {
    const [body, cents] = await Promise.all([cart.get(code || undefined), freeShippingThreshold()]);
    threshold = cents;
    render(body);
  } catch (error) {
    if (code && error.field === "discount_code") {
      // The stage no longer knows the saved code: show the cart without it.
      saveCode("");
      load();
      return;
    }
    say(status, `Your cart could not be loaded. ${error.message}`, "error");
  }
}

$("discount-form").addEventListener("submit", applyCode);
load();

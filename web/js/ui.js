// Shared rendering helpers. Data from the API only ever reaches the page through textContent and
// attributes, never innerHTML: names and reviews may contain markup.

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

export function formatPrice(cents, currency = "USD") {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format((cents || 0) / 100);
}

/** Five stars as text, read out as "4.5 out of 5". */
export function stars(rating, reviewCount) {
  const value = Math.round((Number(rating) || 0) * 10) / 10;
  const full = Math.round(value);
  const label = `${value} out of 5`;
  const node = el("span", { class: "stars", role: "img", "aria-label": label, title: label }, [
    el("span", { class: "stars-on", "aria-hidden": "true", text: "★".repeat(full) }),
    el("span", { class: "stars-off", "aria-hidden": "true", text: "★".repeat(5 - full) }),
  ]);
  if (reviewCount === undefined) return node;
  return el("span", { class: "rating" }, [
    node,
    el("span", { class: "muted", text: ` (${reviewCount} ${reviewCount === 1 ? "review" : "reviews"})` }),
  ]);
}

// The API shows shoppers availability, never the stock figure: `availability` is in_stock, low_stock
// (with `low_stock_quantity`, a handful at most) or sold_out, on products and on each variant.
export function isSoldOut(item) {
  return item.availability === "sold_out";
}

export function availabilityText(item) {
  if (isSoldOut(item)) return "Sold out";
  if (item.availability === "low_stock") return `Only ${item.low_stock_quantity} left in stock`;
  return "In stock";
}

export function availability(product) {
  if (product.digital_download) return "Digital download: available now";
  return availabilityText(product);
}

export function productUrl(product) {
  return `product.html?id=${encodeURIComponent(product.product_id)}`;
}

/** True when the shopper must pick a size or colour first: such a product is never added blind. */
export function needsOptions(product) {
  return (product.variants || []).length > 0;
}

function cardBadges(product) {
  const badges = [];
  if (isSoldOut(product)) badges.push(el("span", { class: "card-badge sold-out-badge", text: "Sold out" }));
  else if (product.availability === "low_stock") badges.push(el("span", { class: "card-badge low-stock-badge", text: "Low stock" }));
  return badges.length ? el("div", { class: "card-badges" }, badges) : null;
}

/** A product card (li). `onAdd(product, button)` and `onQuickView(product)` are optional; `heading` is
 * the name's heading level ("h2" on a page whose h1 is the list, "h3" under a section's h2). Buttons
 * name the product after their visible text ("Add to cart: Mug"), so screen readers tell the cards
 * apart and the visible words stay in the name (axe's label-content-name-mismatch). */
export function productCard(product, { onAdd, onQuickView, heading = "h2" } = {}) {
  const link = productUrl(product);
  const image = product.image_url || (product.images || [])[0];
  const soldOut = isSoldOut(product);
  const actions = el("div", { class: "card-actions" });
  if (onAdd) {
    if (needsOptions(product) && !soldOut) {
      actions.append(el("a", { class: "button choose-options", href: link, text: "Choose options", "aria-label": `Choose options: ${product.name}` }));
    } else {
      const label = soldOut ? "Sold out" : "Add to cart";
      const button = el("button", {
        type: "button",
        class: "button add-to-cart",
        text: label,
        disabled: soldOut,
        "aria-label": `${label}: ${product.name}`,
      });
      if (!soldOut) button.addEventListener("click", () => onAdd(product, button));
      actions.append(button);
    }
  }
  if (onQuickView) {
    actions.append(
      el("button", {
        type: "button",
        class: "button secondary quick-view",
        text: "Quick view",
        "aria-label": `Quick view: ${product.name}`,
        onclick: () => onQuickView(product),
      }),
    );
  }
  const stockClass = soldOut ? "stock sold-out" : product.availability === "low_stock" ? "stock low-stock" : "stock muted";
  return el("li", { class: "product-card", "data-product-id": product.product_id }, [
    // The picture repeats the name's link: hidden from the keyboard and screen readers.
    el("a", { class: "card-image", href: link, tabindex: "-1", "aria-hidden": "true" }, [
      image ? el("img", { src: image, alt: "", loading: "lazy", decoding: "async", width: "800", height: "600" }) : el("span", { class: "image-box" }),
    ]),
    cardBadges(product),
    el("div", { class: "card-body" }, [
      el(heading, { class: "card-title" }, [el("a", { href: link, text: product.name })]),
      el("p", { class: "category muted", text: product.category }),
      el("div", { class: "card-rating" }, [product.review_count ? stars(product.rating, product.review_count) : null]),
      el("p", { class: "price", text: formatPrice(product.price, product.currency) }),
      // "In stock" goes without saying on a card; what a shopper must know is shown. The line is kept
      // empty otherwise, so every card (and the placeholder before it) has the same height.
      el("p", {
        class: stockClass,
        text: product.digital_download
          ? "Instant download"
          : product.availability && product.availability !== "in_stock" ? availability(product) : "",
      }),
      actions,
    ]),
  ]);
}

/** `count` empty cards the size of product cards: a list ships with them, so the cards that replace
 * them move nothing below (no layout shift). Hidden from assistive technology. */
export function cardPlaceholders(count) {
  return Array.from({ length: count }, () =>
    el("li", { class: "card-placeholder", "aria-hidden": "true" }, [
      el("span", { class: "image-box" }),
      el("span", { class: "placeholder-body" }, [el("span", { class: "line" }), el("span", { class: "line short" })]),
    ]),
  );
}

/** Shows a message in a status element; `kind` is "error", "ok" or "" (clears the styling). */
export function say(node, message, kind = "") {
  node.textContent = message;
  node.classList.toggle("error", kind === "error");
  node.classList.toggle("ok", kind === "ok");
}

/** Hands `blob` to the browser as a downloaded file named `fileName`. */
export function saveFile(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

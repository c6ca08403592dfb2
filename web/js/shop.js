// The catalog: filters reflected in the URL, grid/list view, "Load more", add to cart, quick view (with
// the size/colour choice of a product that has variants). A category in the URL names the page.
import { api } from "./api.js";
import { addToCartAndShow } from "./cart-drawer.js";
import { setCanonical, setMeta } from "./seo.js";
import {
  availability,
  availabilityText,
  cardPlaceholders,
  el,
  formatPrice,
  isSoldOut,
  needsOptions,
  productCard,
  productUrl,
  say,
  stars,
} from "./ui.js";

const PAGE_SIZE = 12;
const form = document.getElementById("filters");
const list = document.getElementById("products");
const status = document.getElementById("status");
const more = document.getElementById("load-more");
const dialog = document.getElementById("quick-view");
let nextCursor = null;
let loading = 0; // the number of the latest listing request: older answers are dropped

function readUrl() {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get("q") || "",
    category: params.get("category") || "",
    min: params.get("min") || "",
    max: params.get("max") || "",
    sort: params.get("sort") || "newest",
    view: params.get("view") === "list" ? "list" : "grid",
  };
}

function writeUrl(filters) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value && !(name === "sort" && value === "newest") && !(name === "view" && value === "grid")) {
      params.set(name, value);
    }
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function formFilters() {
  const data = new FormData(form);
  return {
    q: String(data.get("q") || "").trim(),
    category: String(data.get("category") || ""),
    min: String(data.get("min") || ""),
    max: String(data.get("max") || ""),
    sort: String(data.get("sort") || "newest"),
    view: readUrl().view,
  };
}

const toCents = (dollars) => (dollars === "" ? "" : Math.round(Number(dollars) * 100));

async function addToCart(product, button) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "Adding…";
  try {
    await addToCartAndShow({ productId: product.product_id, quantity: 1 });
    say(status, `${product.name} was added to your cart.`, "ok");
    button.textContent = "Added";
  } catch (error) {
    say(status, `${product.name} could not be added: ${error.message}`, "error");
    button.textContent = label;
  } finally {
    button.disabled = false;
    setTimeout(() => {
      if (button.textContent === "Added") button.textContent = label;
    }, 1500);
  }
}

/** "M / Navy" (what a variant is), "M / Navy, sold out" when it cannot be bought. */
function variantLabel(variant, product) {
  const name = [variant.size, variant.colour].filter(Boolean).join(" / ") || variant.sku;
  const price = variant.price && variant.price !== product.price ? `, ${formatPrice(variant.price, product.currency)}` : "";
  return isSoldOut(variant) ? `${name}${price}, sold out` : `${name}${price}`;
}

/** The size/colour select of the quick view; its label says which of the two the variants have. */
function variantPicker(product, onChange) {
  const variants = product.variants;
  const kinds = [variants.some((v) => v.size) ? "Size" : "", variants.some((v) => v.colour) ? "colour" : ""].filter(Boolean);
  const label = kinds.length === 2 ? "Size and colour" : kinds[0] ? kinds[0][0].toUpperCase() + kinds[0].slice(1) : "Option";
  const select = el(
    "select",
    { id: "quick-view-variant", name: "sku" },
    variants.map((variant) =>
      el("option", { value: variant.sku, text: variantLabel(variant, product), disabled: isSoldOut(variant) }),
    ),
  );
  const first = variants.find((variant) => !isSoldOut(variant));
  if (first) select.value = first.sku;
  select.addEventListener("change", () => onChange(variants.find((variant) => variant.sku === select.value)));
  return {
    select,
    field: el("div", { class: "field variant-field" }, [el("label", { for: "quick-view-variant", text: label }), select]),
    chosen: () => variants.find((variant) => variant.sku === select.value && !isSoldOut(variant)),
  };
}

function quickView(product) {
  const image = product.image_url || (product.images || [])[0];
  const soldOut = isSoldOut(product);
  const message = el("p", { class: "form-status", role: "status" });
  const picture = image ? el("img", { src: image, alt: product.name, width: "800", height: "600" }) : null;
  const price = el("p", { class: "price", text: formatPrice(product.price, product.currency) });
  const stock = el("p", { class: soldOut ? "stock sold-out" : "stock", text: availability(product) });
  const add = el("button", {
    type: "button",
    class: "button add-to-cart",
    text: soldOut ? "Sold out" : "Add to cart",
    disabled: soldOut,
  });
  // A product with variants is added as the size/colour chosen here, never blind.
  const picker = needsOptions(product)
    ? variantPicker(product, (variant) => {
        price.textContent = formatPrice(variant.price || product.price, product.currency);
        stock.textContent = availabilityText(variant);
        stock.className = isSoldOut(variant) ? "stock sold-out" : "stock";
        if (picture && variant.image_url) picture.src = variant.image_url;
      })
    : null;
  if (picker && !picker.chosen()) add.disabled = true;
  add.addEventListener("click", async () => {
    const variant = picker ? picker.chosen() : null;
    add.disabled = true;
    try {
      await addToCartAndShow({ productId: product.product_id, quantity: 1, sku: variant ? variant.sku : undefined });
      say(message, variant ? `Added ${variantLabel(variant, product)} to your cart.` : "Added to your cart.", "ok");
    } catch (error) {
      say(message, error.message, "error");
    } finally {
      add.disabled = false;
    }
  });
  document.getElementById("quick-view-content").replaceChildren(
    el("div", { class: "quick-view" }, [
      picture,
      el("div", {}, [
        el("h2", { id: "quick-view-title", text: product.name }),
        stars(product.rating, product.review_count || 0),
        price,
        stock,
        el("p", { class: "description", text: product.description }),
        picker ? picker.field : null,
        el("div", { class: "dialog-actions" }, [add, el("a", { class: "button secondary", href: productUrl(product), text: "Full details" })]),
        message,
      ]),
    ]),
  );
  dialog.showModal();
}

/** The page's title, heading and canonical URL follow the category: "Apparel" is a page of its own. */
function nameThePage(category) {
  const shopName = document.querySelector(".brand-name")?.textContent || "";
  const heading = category || "All products";
  document.getElementById("catalog-title").textContent = heading;
  document.title = shopName ? `${heading} - ${shopName}` : heading;
  setMeta("og:title", heading);
  // Encoded as the page writes its own address (URLSearchParams: "Digital+Downloads").
  setCanonical(category ? `/shop.html?${new URLSearchParams({ category })}` : "/shop.html");
}

async function loadPage({ append }) {
  const filters = readUrl();
  const request = ++loading;
  if (!append) {
    nextCursor = null;
    say(status, "Loading products…");
    nameThePage(filters.category);
    // The first page ships with placeholders; a new filter shows them again while it loads.
    if (!list.querySelector(".card-placeholder")) list.replaceChildren(...cardPlaceholders(Math.min(list.children.length || PAGE_SIZE, PAGE_SIZE)));
  }
  more.disabled = true;
  try {
    const page = await api("/products", {
      query: {
        q: filters.q,
        category: filters.category,
        min_price: toCents(filters.min),
        max_price: toCents(filters.max),
        sort: filters.sort,
        limit: PAGE_SIZE,
        cursor: append ? nextCursor : "",
      },
    });
    if (request !== loading) return;
    const cards = page.items.map((product) => productCard(product, { onAdd: addToCart, onQuickView: quickView }));
    if (append) list.append(...cards);
    else list.replaceChildren(...cards);
    nextCursor = page.next_cursor;
    more.hidden = !nextCursor;
    const shown = list.children.length;
    const total = page.total ?? shown;
    say(status, total ? `Showing ${shown} of ${total} ${total === 1 ? "product" : "products"}` : "No products match these filters.");
  } catch (error) {
    if (request !== loading) return;
    if (!append) list.replaceChildren();
    say(status, `The products could not be loaded: ${error.message}`, "error");
  } finally {
    more.disabled = false;
  }
}

async function loadCategories(selected) {
  const select = document.getElementById("category");
  try {
    const { categories } = await api("/categories");
    select.append(
      ...categories.map((entry) =>
        el("option", { value: entry.name, text: `${entry.name} (${entry.product_count})` }),
      ),
    );
  } catch {
    // The listing reports the API's state; without categories the filter offers "All" only.
    if (selected) select.append(el("option", { value: selected, text: selected }));
  }
  select.value = selected;
}

function setView(view) {
  list.classList.toggle("product-list", view === "list");
  list.classList.toggle("product-grid", view !== "list");
  document.getElementById("view-grid").setAttribute("aria-pressed", String(view !== "list"));
  document.getElementById("view-list").setAttribute("aria-pressed", String(view === "list"));
}

function start() {
  const filters = readUrl();
  for (const name of ["q", "min", "max", "sort"]) form.elements[name].value = filters[name];
  setView(filters.view);
  loadCategories(filters.category);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = formFilters();
    if (chosen.min && chosen.max && Number(chosen.min) > Number(chosen.max)) {
      say(status, "The minimum price must not exceed the maximum price.", "error");
      return;
    }
    writeUrl(chosen);
    loadPage({ append: false });
  });
  for (const name of ["category", "sort"]) {
    form.elements[name].addEventListener("change", () => form.requestSubmit());
  }
  form.addEventListener("reset", () => {
    setTimeout(() => {
      form.elements.sort.value = "newest";
      form.requestSubmit();
    });
  });
  for (const view of ["grid", "list"]) {
    document.getElementById(`view-${view}`).addEventListener("click", () => {
      writeUrl({ ...readUrl(), view });
      setView(view);
    });
  }
  more.addEventListener("click", () => loadPage({ append: true }));
  document.getElementById("quick-view-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  loadPage({ append: false });
}

start();

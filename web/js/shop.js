// The catalog: filters reflected in the URL, grid/list view, "Load more", add to cart, quick view.
import { api, cart } from "./api.js";
import { availability, el, formatPrice, isSoldOut, productCard, productUrl, say, stars } from "./ui.js";

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
    await cart.add(product.product_id, 1);
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

function quickView(product) {
  const image = product.image_url || (product.images || [])[0];
  const soldOut = isSoldOut(product);
  const message = el("p", { class: "form-status", role: "status" });
  const add = el("button", {
    type: "button",
    class: "button add-to-cart",
    text: soldOut ? "Sold out" : "Add to cart",
    disabled: soldOut || (product.variants || []).length > 0,
  });
  add.addEventListener("click", async () => {
    add.disabled = true;
    try {
      await cart.add(product.product_id, 1);
      say(message, "Added to your cart.", "ok");
    } catch (error) {
      say(message, error.message, "error");
    } finally {
      add.disabled = false;
    }
  });
  document.getElementById("quick-view-content").replaceChildren(
    el("div", { class: "quick-view" }, [
      image ? el("img", { src: image, alt: product.name }) : null,
      el("div", {}, [
        el("h2", { id: "quick-view-title", text: product.name }),
        stars(product.rating, product.review_count || 0),
        el("p", { class: "price", text: formatPrice(product.price, product.currency) }),
        el("p", { class: soldOut ? "stock sold-out" : "stock", text: availability(product) }),
        el("p", { class: "description", text: product.description }),
        el("div", { class: "card-actions" }, [add, el("a", { href: productUrl(product), text: "Full details" })]),
        message,
      ]),
    ]),
  );
  dialog.showModal();
}

async function loadPage({ append }) {
  const filters = readUrl();
  const request = ++loading;
  if (!append) {
    nextCursor = null;
    say(status, "Loading products…");
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

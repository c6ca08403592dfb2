// The home page: categories (each with a picture of one of its products, linking to its listing),
// featured products, best sellers, and for a signed-in shopper "Recommended for you".
import { api } from "./api.js";
import { addToCartAndShow } from "./cart-drawer.js";
import { claims } from "./session.js";
import { el, productCard, say } from "./ui.js";

const status = document.getElementById("status");

async function addToCart(product, button) {
  button.disabled = true;
  try {
    await addToCartAndShow({ productId: product.product_id, quantity: 1 });
    say(status, `${product.name} was added to your cart.`, "ok");
  } catch (error) {
    say(status, `${product.name} could not be added: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

const cards = (products, options = { onAdd: addToCart }) =>
  products.map((product) => productCard(product, { heading: "h3", ...options }));

async function showProducts(path, listId) {
  const list = document.getElementById(listId);
  try {
    const products = (await api(path)).items || [];
    list.replaceChildren(...cards(products));
    list.closest("section").hidden = products.length === 0;
    return products;
  } catch (error) {
    list.replaceChildren();
    throw error;
  }
}

function categoryTile(category, product) {
  const image = product ? product.image_url || (product.images || [])[0] : null;
  const count = `${category.product_count} ${category.product_count === 1 ? "product" : "products"}`;
  return el("li", { class: "category-tile" }, [
    el("a", { href: `/shop.html?category=${encodeURIComponent(category.name)}` }, [
      image
        ? el("img", { src: image, alt: "", width: "800", height: "600", loading: "lazy", decoding: "async" })
        : el("span", { class: "image-box" }),
      el("span", { class: "category-name" }, [category.name, el("span", { class: "category-count", text: count })]),
    ]),
  ]);
}

/** The categories, each pictured by a product of its own: one from the featured and best-selling
 * lists already loaded when there is one (no extra call), else the category's best seller. */
async function showCategories(loaded) {
  const list = document.getElementById("categories");
  try {
    const { categories } = await api("/categories");
    const known = (await loaded).flat();
    const pictures = await Promise.all(
      categories.map((category) => {
        const shown = known.find((product) => product.category === category.name && product.image_url);
        if (shown) return shown;
        return api("/products", { query: { category: category.name, sort: "best_selling", limit: 1 } })
          .then((page) => page.items[0])
          .catch(() => null);
      }),
    );
    list.replaceChildren(...categories.map((category, index) => categoryTile(category, pictures[index])));
  } catch {
    // The featured list reports the API's state; the section goes rather than stay empty.
    list.closest("section").hidden = true;
  }
}

/** "Recommended for you": only for a signed-in shopper, only when the API has some. */
async function showRecommendations() {
  const userId = claims()?.sub;
  if (!userId) return;
  try {
    const { recommendations } = await api(`/track/recommendations/${encodeURIComponent(userId)}`);
    if (!recommendations?.length) return;
    // Recommendations carry no variants or stock: their cards link to the product, with no blind add.
    document.getElementById("recommended").replaceChildren(...cards(recommendations, {}));
    document.getElementById("recommended-section").hidden = false;
  } catch {
    // An expired session or an outage only leaves the section out.
  }
}

async function start() {
  showRecommendations();
  const bestsellers = showProducts("/bestsellers", "bestsellers").catch(() => []);
  const featured = showProducts("/featured", "products");
  showCategories(Promise.all([featured.catch(() => []), bestsellers]));
  try {
    const products = await featured;
    say(status, products.length ? "" : "No featured products yet.");
    if (!products.length) document.getElementById("products").closest("section").hidden = false;
  } catch (error) {
    say(status, `The catalog could not be loaded: ${error.message}`, "error");
  }
}

start();

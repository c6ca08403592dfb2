import { api, cart } from "./api.js";
import { productCard, say } from "./ui.js";

async function addToCart(product, button) {
  const status = document.getElementById("status");
  button.disabled = true;
  try {
    await cart.add(product.product_id, 1);
    say(status, `${product.name} was added to your cart.`, "ok");
  } catch (error) {
    say(status, `${product.name} could not be added: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

async function showFeatured() {
  const status = document.getElementById("status");
  try {
    const body = await api("/featured");
    const products = body.items || [];
    document.getElementById("products").replaceChildren(...products.map((p) => productCard(p, { onAdd: addToCart })));
    status.textContent = products.length ? "" : "No featured products yet.";
  } catch (error) {
    status.textContent = `The catalog could not be loaded: ${error.message}`;
  }
}

showFeatured();

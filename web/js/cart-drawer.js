// Adding to the cart from any page: the one function product cards and the product page call. It adds
// the line, records the cart-add (with consent) and shows the cart drawer with totals and "Checkout".
// Owner: the cart drawer's module; this first version keeps the interface other pages import.
import { cart } from "./api.js";
import { track } from "./consent.js";

/** Adds `quantity` of a product (or of its variant `sku`) and shows the drawer. Resolves to the cart;
 * rejects with the API's error (whose message pages show). */
export async function addToCartAndShow({ productId, quantity = 1, sku } = {}) {
  const updated = await cart.add(productId, quantity, sku);
  track("cart-add", { product_id: productId });
  return updated;
}

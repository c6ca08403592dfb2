// "You may also like" on the product page: a signed-in shopper's recommendations (from the products
// they looked at), topped up with products of the same category; a guest gets those alone. Below the
// fold, so arriving late moves nothing the shopper is looking at.
import { api, isSignedIn } from "./api.js";
import { claims } from "./session.js";
import { productCard } from "./ui.js";

const SHOWN = 4;
const $ = (id) => document.getElementById(id);

async function recommended() {
  const userId = isSignedIn() ? claims()?.sub : null;
  if (!userId) return [];
  try {
    const answer = await api(`/track/recommendations/${encodeURIComponent(userId)}`);
    return answer.recommendations || [];
  } catch {
    return []; // A suggestion: the related products below stand in.
  }
}

async function related(product) {
  try {
    const page = await api("/products", { query: { category: product.category, limit: SHOWN + 1 } });
    return page.items || [];
  } catch {
    return [];
  }
}

export async function renderRecommendations(product) {
  const [mine, sameCategory] = await Promise.all([recommended(), related(product)]);
  const seen = new Set([product.product_id]);
  const picked = [];
  for (const item of [...mine, ...sameCategory]) {
    if (picked.length === SHOWN || seen.has(item.product_id)) continue;
    seen.add(item.product_id);
    picked.push(item);
  }
  if (!picked.length) return;
  $("related").replaceChildren(...picked.map((item) => productCard(item)));
  $("related-section").hidden = false;
}

import { siteConfig } from "./config.js";

function formatPrice(cents, currency = "USD") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(cents / 100);
}

function productCard(product) {
  const item = document.createElement("li");
  item.className = "product-card";
  if (product.image_url) {
    const image = document.createElement("img");
    image.src = product.image_url;
    image.alt = product.name;
    image.loading = "lazy";
    item.append(image);
  }
  const name = document.createElement("h2");
  name.textContent = product.name; // textContent: names come from admins and are never HTML
  const price = document.createElement("p");
  price.textContent = formatPrice(product.price, product.currency);
  item.append(name, price);
  return item;
}

async function showFeatured() {
  const status = document.getElementById("status");
  try {
    const { apiUrl } = await siteConfig();
    const response = await fetch(`${apiUrl}/featured`);
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
    const products = body.items || body.products || [];
    document.getElementById("products").replaceChildren(...products.map(productCard));
    status.textContent = products.length ? "" : "No featured products yet.";
  } catch (error) {
    status.textContent = `The catalog could not be loaded: ${error.message}`;
  }
}

showFeatured();

// One product: gallery, size and colour, price and stock, add to cart (the cart drawer), watch and
// "notify me", reviews, "You may also like", share, and the head's SEO data. The page's frame is laid
// out before the product arrives (product.css), and filled in one go, so nothing shifts.
import { api } from "./api.js";
import { addToCartAndShow } from "./cart-drawer.js";
import { siteConfig } from "./config.js";
import { track } from "./consent.js";
import { productImages, renderGallery } from "./product-gallery.js";
import { applyProductSeo } from "./product-seo.js";
import { renderVariantPickers } from "./product-variants.js";
import { renderWatch } from "./product-watch.js";
import { setMeta } from "./seo.js";
import { availability, availabilityText, el, formatPrice, isSoldOut, say, stars } from "./ui.js";

const $ = (id) => document.getElementById(id);
const productId = new URLSearchParams(location.search).get("id");
const MAX_PICK = 99; // the picker's ceiling when the API says only "in stock"; the cart caps the rest

/** The most a shopper may pick of `item` (the product or a variant): the few left when the API says so. */
function stockOf(product, item) {
  if (product.digital_download) return MAX_PICK;
  if (!item || isSoldOut(item)) return 0;
  return item.availability === "low_stock" ? item.low_stock_quantity : MAX_PICK;
}

function renderPurchase(product, showImage) {
  const hasVariants = (product.variants || []).length > 0;
  let chosen = null; // the variant picked, when the product has variants

  const update = () => {
    const item = hasVariants ? chosen : product;
    const price = chosen && chosen.price != null ? chosen.price : product.price;
    $("price").textContent = formatPrice(price, product.currency);
    const stock = stockOf(product, item);
    const missing = hasVariants && !chosen;
    const soldOut = stock <= 0;
    let text = "Not available in this combination";
    if (!missing) text = product.digital_download ? availability(product) : availabilityText(item);
    $("availability").textContent = text;
    $("availability").classList.toggle("sold-out", soldOut);
    $("quantity").max = String(Math.max(stock, 1));
    $("quantity").disabled = soldOut;
    $("add").disabled = soldOut;
    $("add").textContent = missing ? "Unavailable" : soldOut ? "Sold out" : "Add to cart";
  };
  renderVariantPickers(product, {
    showImage,
    onChange: (variant) => {
      chosen = variant;
      update();
    },
  });
  update();

  $("add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const quantity = Number.parseInt($("quantity").value, 10);
    if (!Number.isInteger(quantity) || quantity < 1) {
      say($("add-status"), "Choose a quantity of at least 1.", "error");
      return;
    }
    if (hasVariants && !chosen) return; // the button is disabled; Enter in the quantity still submits
    $("add").disabled = true;
    say($("add-status"), "Adding…");
    try {
      const updated = await addToCartAndShow({
        productId: product.product_id,
        quantity,
        sku: hasVariants ? chosen.sku : undefined,
      });
      say($("add-status"), `Added ${quantity} to your cart (${updated.item_count} in cart).`, "ok");
    } catch (error) {
      say($("add-status"), error.message, "error");
    } finally {
      update();
    }
  });
}

async function share() {
  const url = location.href;
  try {
    if (!navigator.clipboard) throw new Error("no clipboard");
    await navigator.clipboard.writeText(url);
    say($("share-status"), "Link copied.", "ok");
  } catch {
    // Without the Clipboard API: show the link, selected, for the shopper to copy.
    const field = el("input", { class: "share-url", value: url, readonly: true, "aria-label": "Link to this product" });
    $("share-status").replaceChildren(field);
    field.select();
  }
}

/** Paragraphs are separated by a blank line in the catalog's descriptions. */
function paragraphs(text) {
  return String(text || "")
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => el("p", { text: part }));
}

/** The average and count by the title, a link down to the reviews. */
function ratingSummary(product) {
  const count = product.review_count || 0;
  if (!count) return [el("span", { class: "muted", text: "No reviews yet" })];
  return [
    el("a", { href: "#reviews-section", class: "rating-link" }, [
      stars(product.rating),
      ` ${Number(product.rating || 0).toFixed(1)} (${count} ${count === 1 ? "review" : "reviews"})`,
    ]),
  ];
}

function fail(message) {
  setMeta("robots", "noindex"); // no product here: nothing for search engines to keep
  $("product").hidden = true;
  $("status").classList.remove("visually-hidden");
  say($("status"), message, "error");
}

function recordView(product) {
  const body = { product_id: product.product_id };
  if (document.referrer) body.referrer = document.referrer.slice(0, 2048);
  track("view", body); // sends nothing without the shopper's consent (consent.js adds the device type)
}

async function start() {
  if (!productId) {
    fail("No product was chosen. Pick one in the shop.");
    return;
  }
  let product;
  let config;
  try {
    [product, config] = await Promise.all([
      api(`/products/${encodeURIComponent(productId)}`),
      siteConfig().catch(() => ({})),
    ]);
  } catch (error) {
    fail(`The product could not be loaded: ${error.message}`);
    return;
  }
  const shopName =
    config.brand?.shopName || document.querySelector('meta[property="og:site_name"]')?.content || "Shop";
  const category = product.subcategory ? `${product.category} · ${product.subcategory}` : product.category;
  $("category").replaceChildren(
    el("a", { href: `shop.html?category=${encodeURIComponent(product.category)}`, text: category }),
  );
  $("name").textContent = product.name;
  $("rating").replaceChildren(...ratingSummary(product));
  $("description").replaceChildren(...paragraphs(product.description));
  $("tags").replaceChildren(...(product.tags || []).map((tag) => el("span", { class: "tag", text: tag })));
  const showImage = renderGallery(product);
  renderPurchase(product, showImage);
  renderWatch(product);
  applyProductSeo(product, { shopName, images: productImages(product) });
  $("share").addEventListener("click", share);
  say($("status"), "");
  $("product").classList.remove("loading");
  $("product").removeAttribute("aria-busy");
  // Below the fold and not needed for the first paint: loaded and run after it, so the product's own
  // request starts sooner and the task that draws it stays short.
  afterPaint(async () => {
    recordView(product);
    const [reviews, recommendations] = await Promise.all([
      import("./product-reviews.js"),
      import("./product-recommendations.js"),
    ]);
    reviews.renderReviews(product);
    recommendations.renderRecommendations(product);
  });
}

function afterPaint(work) {
  requestAnimationFrame(() => setTimeout(work, 0));
}

start();

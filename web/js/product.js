// One product: gallery with zoom, price and stock, quantity, add to cart, reviews, related, share.
import { api, cart, isSignedIn } from "./api.js";
import { availability, availabilityText, el, formatPrice, isSoldOut, productCard, say, stars } from "./ui.js";

const $ = (id) => document.getElementById(id);
const productId = new URLSearchParams(location.search).get("id");
let reviewCursor = null;

function showImage(url, name) {
  $("main-image").src = url;
  $("main-image").alt = name;
  $("zoom-image").src = url;
  $("zoom-image").alt = name;
  for (const thumb of $("thumbnails").querySelectorAll("button")) {
    thumb.setAttribute("aria-pressed", String(thumb.dataset.url === url));
  }
}

function renderGallery(product) {
  const images = [...new Set([product.image_url, ...(product.images || [])].filter(Boolean))];
  if (!images.length) {
    $("zoom").hidden = true;
    return;
  }
  showImage(images[0], product.name);
  $("thumbnails").replaceChildren(
    ...(images.length > 1 ? images : []).map((url, index) =>
      el("li", {}, [
        el(
          "button",
          {
            type: "button",
            "data-url": url,
            "aria-label": `Image ${index + 1} of ${images.length}`,
            "aria-pressed": String(index === 0),
            onclick: () => showImage(url, product.name),
          },
          [el("img", { src: url, alt: "" })],
        ),
      ]),
    ),
  );
  $("zoom").addEventListener("click", () => $("zoom-dialog").showModal());
  $("zoom-close").addEventListener("click", () => $("zoom-dialog").close());
  $("zoom-dialog").addEventListener("click", (event) => {
    if (event.target === $("zoom-dialog")) $("zoom-dialog").close();
  });
}

/** The most a shopper may pick: the few left when the API says so, else up to 99 (the cart caps the rest). */
function stockOf(product, sku) {
  if (product.digital_download) return 99;
  const item = (product.variants || []).find((entry) => entry.sku === sku) || product;
  if (isSoldOut(item)) return 0;
  return item.availability === "low_stock" ? item.low_stock_quantity : 99;
}

function renderPurchase(product) {
  const variants = product.variants || [];
  const select = $("variant");
  if (variants.length) {
    $("variant-field").hidden = false;
    select.replaceChildren(
      ...variants.map((variant) =>
        el("option", {
          value: variant.sku,
          text: [variant.size, variant.colour].filter(Boolean).join(" / ") || variant.sku,
        }),
      ),
    );
  }
  const update = () => {
    const sku = variants.length ? select.value : undefined;
    const variant = variants.find((entry) => entry.sku === sku);
    const price = variant && variant.price != null ? variant.price : product.price;
    $("price").textContent = formatPrice(price, product.currency);
    const stock = stockOf(product, sku);
    const soldOut = !product.digital_download && stock <= 0;
    $("availability").textContent = variant && !product.digital_download ? availabilityText(variant) : availability(product);
    $("availability").classList.toggle("sold-out", soldOut);
    $("quantity").max = String(Math.max(stock, 1));
    $("quantity").disabled = soldOut;
    $("add").disabled = soldOut;
    $("add").textContent = soldOut ? "Sold out" : "Add to cart";
  };
  select.addEventListener("change", update);
  update();
  $("add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const quantity = Number.parseInt($("quantity").value, 10);
    if (!Number.isInteger(quantity) || quantity < 1) {
      say($("add-status"), "Choose a quantity of at least 1.", "error");
      return;
    }
    $("add").disabled = true;
    say($("add-status"), "Adding…");
    try {
      const updated = await cart.add(product.product_id, quantity, variants.length ? select.value : undefined);
      say($("add-status"), `Added ${quantity} to your cart (${updated.item_count} in cart).`, "ok");
    } catch (error) {
      let message = error.message;
      if (error.status === 409 && error.body.available !== undefined) {
        message = `Could not add ${quantity}: ${error.message}`;
        if (error.body.in_cart) message += ` (${error.body.in_cart} already in your cart)`;
        message += ".";
      }
      say($("add-status"), message, "error");
    } finally {
      $("add").disabled = false;
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

function voteButtons(review) {
  if (!isSignedIn()) return el("span", { class: "muted", text: "Sign in to vote" });
  const result = el("span", { role: "status" });
  const vote = async (helpful) => {
    try {
      const counts = await api(
        `/reviews/${encodeURIComponent(productId)}/${encodeURIComponent(review.review_id)}/vote`,
        { method: "POST", body: { helpful } },
      );
      say(result, `Thanks! ${counts.helpful_count} found this helpful.`, "ok");
    } catch (error) {
      say(result, error.message, "error");
    }
  };
  return el("span", { class: "votes" }, [
    el("button", { type: "button", class: "button secondary small", text: "Helpful", onclick: () => vote(true) }),
    el("button", { type: "button", class: "button secondary small", text: "Not helpful", onclick: () => vote(false) }),
    result,
  ]);
}

function reviewItem(review) {
  const date = review.created_at ? new Date(review.created_at) : null;
  return el("li", { class: "review" }, [
    el("p", { class: "review-head" }, [
      stars(review.rating),
      el("strong", { class: "review-title", text: ` ${review.title || ""}` }),
    ]),
    el("p", { class: "muted" }, [
      el("span", { class: "review-author", text: review.user_name }),
      date && !Number.isNaN(date.valueOf()) ? ` · ${date.toLocaleDateString("en-US")}` : "",
      review.verified_purchase ? el("span", { class: "badge verified", text: "Verified purchase" }) : null,
    ]),
    el("p", { class: "review-text", text: review.review_text }),
    el("p", { class: "muted helpful" }, [
      `${review.helpful_count || 0} found this helpful. `,
      voteButtons(review),
    ]),
  ]);
}

async function loadReviews({ append }) {
  const status = $("reviews-status");
  try {
    const page = await api(`/reviews/${encodeURIComponent(productId)}`, {
      query: { limit: 10, cursor: append ? reviewCursor : "" },
    });
    const items = page.reviews.map(reviewItem);
    if (append) $("reviews").append(...items);
    else $("reviews").replaceChildren(...items);
    reviewCursor = page.next_cursor;
    $("more-reviews").hidden = !reviewCursor;
    say(status, $("reviews").children.length ? "" : "No reviews yet.");
  } catch (error) {
    say(status, `The reviews could not be loaded: ${error.message}`, "error");
  }
}

function reviewForm() {
  if (!isSignedIn()) {
    $("review-signin").hidden = false;
    return;
  }
  const form = $("review-form");
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      product_id: productId,
      rating: Number(data.get("rating")),
      title: String(data.get("title") || ""),
      review_text: String(data.get("review_text") || ""),
    };
    const name = String(data.get("user_name") || "").trim();
    if (name) body.user_name = name;
    try {
      const review = await api("/reviews", { method: "POST", body });
      say($("review-form-status"), "Thank you for your review.", "ok");
      form.reset();
      // Shown at once: the cached review list may take a while to include it.
      $("reviews").prepend(reviewItem(review));
      say($("reviews-status"), "");
    } catch (error) {
      say($("review-form-status"), error.message, "error");
    }
  });
}

async function loadRelated(product) {
  try {
    const page = await api("/products", { query: { category: product.category, limit: 5 } });
    const related = page.items.filter((item) => item.product_id !== product.product_id).slice(0, 4);
    if (!related.length) return;
    $("related").replaceChildren(...related.map((item) => productCard(item)));
    $("related-section").hidden = false;
  } catch {
    // Related products are a suggestion: the page works without them.
  }
}

async function start() {
  if (!productId) {
    say($("status"), "No product was chosen. Pick one in the shop.", "error");
    return;
  }
  let product;
  try {
    product = await api(`/products/${encodeURIComponent(productId)}`);
  } catch (error) {
    say($("status"), `The product could not be loaded: ${error.message}`, "error");
    return;
  }
  document.title = `${product.name} - Shop`;
  $("name").textContent = product.name;
  $("category").textContent = product.category;
  $("rating").replaceChildren(stars(product.rating, product.review_count || 0));
  $("description").textContent = product.description;
  $("tags").replaceChildren(...(product.tags || []).map((tag) => el("span", { class: "tag", text: tag })));
  renderGallery(product);
  renderPurchase(product);
  $("share").addEventListener("click", share);
  say($("status"), "");
  $("status").hidden = true;
  $("product").hidden = false;
  $("reviews-section").hidden = false;
  $("more-reviews").addEventListener("click", () => loadReviews({ append: true }));
  reviewForm();
  loadReviews({ append: false });
  loadRelated(product);
}

start();

// The product page's reviews: the list (reviewer's display name, "Verified purchase", votes), the
// average and count, and the form of a signed-in shopper with "Name shown" filled from the account.
import { api, isSignedIn } from "./api.js";
import { currentUser } from "./session.js";
import { el, say, stars } from "./ui.js";

const $ = (id) => document.getElementById(id);
let reviewCursor = null;

function voteButtons(productId, review) {
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

function reviewItem(productId, review) {
  const date = review.created_at ? new Date(review.created_at) : null;
  return el("li", { class: "review" }, [
    el("p", { class: "review-head" }, [
      stars(review.rating),
      el("strong", { class: "review-title", text: ` ${review.title || ""}` }),
    ]),
    el("p", { class: "review-meta muted" }, [
      el("span", { class: "review-author", text: review.user_name || "Shopper" }),
      date && !Number.isNaN(date.valueOf()) ? ` · ${date.toLocaleDateString("en-US")}` : "",
      review.verified_purchase ? el("span", { class: "badge verified", text: "Verified purchase" }) : null,
    ]),
    el("p", { class: "review-text", text: review.review_text }),
    el("p", { class: "muted helpful" }, [
      `${review.helpful_count || 0} found this helpful. `,
      voteButtons(productId, review),
    ]),
  ]);
}

async function loadReviews(productId, { append }) {
  const status = $("reviews-status");
  try {
    const page = await api(`/reviews/${encodeURIComponent(productId)}`, {
      query: { limit: 10, cursor: append ? reviewCursor : "" },
    });
    const items = page.reviews.map((review) => reviewItem(productId, review));
    if (append) $("reviews").append(...items);
    else $("reviews").replaceChildren(...items);
    reviewCursor = page.next_cursor;
    $("more-reviews").hidden = !reviewCursor;
    say(status, $("reviews").children.length ? "" : "No reviews yet.");
  } catch (error) {
    say(status, `The reviews could not be loaded: ${error.message}`, "error");
  }
}

/** "Name shown" starts as the account's display name (the one reviews show), when it has one. */
async function prefillName() {
  const field = $("review-name");
  try {
    const profile = await api("/me");
    const name = String(profile.name || currentUser()?.name || "").trim();
    if (name && !field.value) field.value = name.slice(0, Number(field.maxLength) || 60);
  } catch {
    // Without the profile the field stays empty and the API uses the account's name anyway.
  }
}

function reviewForm(productId) {
  if (!isSignedIn()) {
    const next = `product.html?id=${productId}#reviews-section`;
    $("review-signin-link").href = `signin.html?next=${encodeURIComponent(next)}`;
    $("review-signin").hidden = false;
    return;
  }
  const form = $("review-form");
  form.hidden = false;
  prefillName();
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
      prefillName();
      // Shown at once: the cached review list may take a while to include it.
      $("reviews").prepend(reviewItem(productId, review));
      say($("reviews-status"), "");
    } catch (error) {
      say($("review-form-status"), error.message, "error");
    }
  });
}

export function renderReviews(product) {
  const count = product.review_count || 0;
  if (count) {
    $("reviews-summary").replaceChildren(
      stars(product.rating),
      ` ${Number(product.rating || 0).toFixed(1)} out of 5, from ${count} ${count === 1 ? "review" : "reviews"}`,
    );
  }
  $("reviews-section").hidden = false;
  $("more-reviews").addEventListener("click", () => loadReviews(product.product_id, { append: true }));
  reviewForm(product.product_id);
  loadReviews(product.product_id, { append: false });
}

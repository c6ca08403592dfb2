// What search engines and link previews read of a product page: title, meta description, Open Graph,
// the canonical URL with the product's id, and schema.org Product data as JSON-LD. A script of type
// application/ld+json is data, never run, so the site's script-src policy does not block it.
import { setCanonical, setMeta } from "./seo.js";

const DESCRIPTION_LENGTH = 155;
const SCHEMA_AVAILABILITY = { in: "https://schema.org/InStock", out: "https://schema.org/OutOfStock" };

/** The description as one line of at most 155 characters, cut at a word with "…". */
export function metaDescription(text, fallback) {
  const line = String(text || "").replace(/\s+/g, " ").trim() || fallback;
  if (line.length <= DESCRIPTION_LENGTH) return line;
  const cut = line.slice(0, DESCRIPTION_LENGTH - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > 80 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

const absolute = (url) => new URL(url, location.href).href;

function jsonLd(product, { shopName, images, description, url }) {
  const soldOut = !product.digital_download && product.availability === "sold_out";
  const data = {
    "@context": "https://schema.org",
    "@type": "Product",
    name: product.name,
    image: images.map(absolute),
    description,
    sku: product.sku,
    category: product.category,
    brand: { "@type": "Brand", name: shopName },
    offers: {
      "@type": "Offer",
      price: ((product.price || 0) / 100).toFixed(2),
      priceCurrency: product.currency || "USD",
      availability: soldOut ? SCHEMA_AVAILABILITY.out : SCHEMA_AVAILABILITY.in,
      url,
    },
  };
  if (product.review_count > 0) {
    data.aggregateRating = {
      "@type": "AggregateRating",
      ratingValue: Number(product.rating || 0).toFixed(1),
      reviewCount: product.review_count,
      bestRating: 5,
      worstRating: 1,
    };
  }
  return data;
}

/** Fills the page's head for `product`; `images` are its pictures, the first one shared in previews. */
export function applyProductSeo(product, { shopName, images }) {
  const description = metaDescription(product.description, `${product.name} from ${shopName}.`);
  document.title = `${product.name} - ${shopName}`;
  setMeta("description", description);
  setMeta("og:title", product.name);
  setMeta("og:description", description);
  setMeta("og:type", "product");
  if (images.length) setMeta("og:image", absolute(images[0]));
  const url = setCanonical(`product.html?id=${encodeURIComponent(product.product_id)}`);
  let script = document.getElementById("product-data");
  if (!script) {
    script = Object.assign(document.createElement("script"), { type: "application/ld+json", id: "product-data" });
    document.head.append(script);
  }
  // textContent, and "<" escaped: a name holding "</script>" stays inside the data.
  script.textContent = JSON.stringify(jsonLd(product, { shopName, images, description, url })).replace(
    /</g,
    "\\u003c",
  );
}

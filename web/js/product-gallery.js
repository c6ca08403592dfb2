// The product page's gallery: the main image (the page's largest paint, so loaded first and never
// lazily), a thumbnail button per image, and the enlarged image in a dialog.
import { el } from "./ui.js";

const $ = (id) => document.getElementById(id);

/** Every picture of the product once, in order: the main image, the gallery, then the variants'. */
export function productImages(product) {
  const variantImages = (product.variants || []).map((variant) => variant.image_url);
  return [...new Set([product.image_url, ...(product.images || []), ...variantImages].filter(Boolean))];
}

/** Fills the gallery and returns `show(url)`, which the colour picker calls with a colour's picture. */
export function renderGallery(product) {
  const images = productImages(product);
  const thumbnails = $("thumbnails");
  const show = (url) => {
    if (!url) return;
    const position = images.indexOf(url);
    const alt = position > 0 ? `${product.name}, image ${position + 1} of ${images.length}` : product.name;
    $("main-image").src = url;
    $("main-image").alt = alt;
    $("zoom-image").src = url;
    $("zoom-image").alt = alt;
    for (const button of thumbnails.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.url === url));
    }
  };
  if (!images.length) {
    $("zoom").disabled = true;
    $("zoom").classList.add("no-image");
    $("main-image").hidden = true;
    return show;
  }
  // One image needs no thumbnails; several get one button each, named for screen readers.
  thumbnails.replaceChildren(
    ...(images.length > 1 ? images : []).map((url, index) =>
      el("li", {}, [
        el(
          "button",
          {
            type: "button",
            class: "thumbnail",
            "data-url": url,
            "aria-label": `Show image ${index + 1} of ${images.length}`,
            "aria-pressed": String(index === 0),
            onclick: () => show(url),
          },
          [el("img", { src: url, alt: "", width: "96", height: "72", loading: index < 5 ? "eager" : "lazy" })],
        ),
      ]),
    ),
  );
  show(images[0]);
  $("zoom").addEventListener("click", () => $("zoom-dialog").showModal());
  $("zoom-close").addEventListener("click", () => $("zoom-dialog").close());
  $("zoom-dialog").addEventListener("click", (event) => {
    if (event.target === $("zoom-dialog")) $("zoom-dialog").close();
  });
  return show;
}

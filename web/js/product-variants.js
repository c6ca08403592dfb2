// The product page's option pickers: a radio group per option the variants have (colour with a small
// picture of that colour, size), or one group of SKUs when variants name neither. Native radios keep
// the arrow keys and the labels; a sold-out or missing combination stays choosable so the page can say
// "Sold out" (and offer the alert), but the page never adds it.
import { el } from "./ui.js";

const DIMENSIONS = [
  { key: "colour", group: "colour" },
  { key: "size", group: "size" },
];
const BY_SKU = { key: "sku", group: "option" };

const $ = (id) => document.getElementById(id);
const isAvailable = (variant) => Boolean(variant) && variant.availability !== "sold_out";
const unique = (values) => [...new Set(values)];

/** Shows the pickers of `product.variants` and calls `onChange(variant | null)` now and after every
 * choice (null: no variant has that combination). `showImage(url)` shows a chosen colour's picture. */
export function renderVariantPickers(product, { onChange, showImage }) {
  const variants = product.variants || [];
  if (!variants.length) {
    onChange(null);
    return;
  }
  const named = DIMENSIONS.filter((dimension) => variants.some((variant) => variant[dimension.key]));
  const dimensions = named.length ? named : [BY_SKU];
  const first = variants.find(isAvailable) || variants[0];
  const choice = Object.fromEntries(dimensions.map(({ key }) => [key, first[key] ?? null]));
  const matching = (wanted) =>
    variants.find((variant) => dimensions.every(({ key }) => (variant[key] ?? null) === (wanted[key] ?? null)));

  // The first option (colour) is struck out only when none of its variants can be bought; the others
  // (size) when the combination with the options chosen so far cannot.
  const availableWith = (dimension, value) =>
    dimension === dimensions[0] && dimensions.length > 1
      ? variants.some((variant) => variant[dimension.key] === value && isAvailable(variant))
      : isAvailable(matching({ ...choice, [dimension.key]: value }));

  const groups = dimensions.map((dimension) => {
    const values = unique(variants.map((variant) => variant[dimension.key]).filter((value) => value != null));
    const options = values.map((value) => {
      const swatch =
        dimension.key === "colour"
          ? variants.find((variant) => variant.colour === value && variant.image_url)?.image_url
          : null;
      const input = el("input", {
        type: "radio",
        name: dimension.group,
        value,
        checked: value === choice[dimension.key],
      });
      input.addEventListener("change", () => {
        choice[dimension.key] = value;
        if (dimension.key === "colour" && swatch) showImage(swatch);
        refresh();
      });
      const note = el("span", { class: "visually-hidden sold-note" });
      const label = el("label", { class: swatch ? "option swatch" : "option" }, [
        input,
        el("span", { class: "option-face" }, [
          swatch ? el("img", { src: swatch, alt: "", width: "32", height: "24" }) : null,
          el("span", { class: "option-name", text: value }),
          note,
        ]),
      ]);
      return { value, label, note };
    });
    $(`${dimension.group}-options`).replaceChildren(...options.map((option) => option.label));
    $(`${dimension.group}-picker`).hidden = false;
    return { dimension, options };
  });

  function refresh() {
    for (const { dimension, options } of groups) {
      for (const { value, label, note } of options) {
        const exists = Boolean(matching({ ...choice, [dimension.key]: value })) || dimension === dimensions[0];
        const available = availableWith(dimension, value);
        label.classList.toggle("unavailable", !available);
        note.textContent = available ? "" : exists ? " (sold out)" : " (not available)";
      }
      const chosen = $(`${dimension.group}-chosen`);
      if (chosen) chosen.textContent = choice[dimension.key] ?? "";
    }
    onChange(matching(choice) || null);
  }

  const colour = variants.find((variant) => variant.colour === choice.colour && variant.image_url);
  if (colour) showImage(colour.image_url);
  refresh();
}

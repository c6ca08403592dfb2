// Products section of the admin page: list with filters and low-stock flags, add/edit form with image
// upload (presigned POST to the images bucket) and a digital product's files (presigned POST to the
// private digital-files bucket: upload, replace, remove), archive, bulk actions and CSV export.
import { el, formatPrice, say } from "./ui.js";
import { adminApi, centsText, downloadCsv, exportAllPages, parseCents, today } from "./admin-common.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
// shop.contracts.digital_files.CONTENT_TYPES by extension (the browser cannot type every file).
const FILE_TYPES = { pdf: "application/pdf", epub: "application/epub+zip", zip: "application/zip", mp3: "audio/mpeg", wav: "audio/wav", mp4: "video/mp4", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", txt: "text/plain" };

const products = new Map();
const selected = new Set();
let threshold = 5;
let cursor = null;
// Only the latest list request may fill the table: an older answer arriving late is dropped.
let generation = 0;
let editing = null;
let images = [];
let files = []; // the product's digital_files: {file_id, key, file_name, content_type, size_bytes}
let replacing = null; // the file_id the next chosen file replaces

const status = () => $("products-status");

function filters() {
  const form = $("product-filters");
  return {
    q: form.q.value.trim(),
    category: form.category.value,
    status: form.status.value,
    low_stock: form.low_stock.checked ? "true" : "",
  };
}

/** One page of products, archived ones included (GET /admin/products). */
async function fetchPage(query, pageCursor) {
  return adminApi("/admin/products", { query: { ...query, limit: PAGE_SIZE, cursor: pageCursor } });
}

function totalStock(product) {
  const variants = product.variants || [];
  return variants.length ? variants.reduce((sum, variant) => sum + (variant.stock_quantity || 0), 0) : product.stock_quantity || 0;
}

function isLowStock(product) {
  return !product.digital_download && product.status !== "archived" && totalStock(product) <= threshold;
}

function stockCell(product) {
  if (product.digital_download) return el("td", { text: "Digital" });
  const count = totalStock(product);
  if (!isLowStock(product)) return el("td", { text: String(count) });
  // Said in words, not only by the row's colour.
  return el("td", {}, [String(count), " ", el("strong", { class: "low-stock-label", text: count === 0 ? "Out of stock" : "Low stock" })]);
}

function row(product) {
  const name = product.name;
  const archived = product.status === "archived";
  const checkbox = el("input", { type: "checkbox", class: "select-product", "aria-label": `Select ${name}`, checked: selected.has(product.product_id) });
  checkbox.addEventListener("change", () => {
    if (checkbox.checked) selected.add(product.product_id);
    else selected.delete(product.product_id);
    updateBulk();
  });
  return el("tr", { "data-product-id": product.product_id, class: isLowStock(product) ? "low-stock" : "" }, [
    el("td", {}, [checkbox]),
    el("th", { scope: "row", class: "product-name", text: name }),
    el("td", { text: product.sku }),
    el("td", { text: product.category }),
    el("td", { class: "number", text: formatPrice(product.price, product.currency) }),
    stockCell(product),
    el("td", {}, [el("span", { class: `status-badge ${product.status}`, text: product.status })]),
    el("td", { class: "actions" }, [
      el("button", { type: "button", class: "button secondary small", text: "Edit", "aria-label": `Edit ${name}`, onclick: () => openForm(product.product_id) }),
      archived
        ? el("button", { type: "button", class: "button secondary small", text: "Restore", "aria-label": `Restore ${name}`, onclick: () => restore(product.product_id) })
        : el("button", { type: "button", class: "button secondary small", text: "Archive", "aria-label": `Archive ${name}`, onclick: () => archive([product.product_id]) }),
    ]),
  ]);
}

function replaceRow(product) {
  products.set(product.product_id, product);
  const existing = $("product-rows").querySelector(`tr[data-product-id="${CSS.escape(product.product_id)}"]`);
  if (existing) existing.replaceWith(row(product));
  else $("product-rows").prepend(row(product));
}

function updateBulk() {
  for (const id of [...selected]) if (!products.has(id)) selected.delete(id);
  $("selected-count").textContent = `${selected.size} selected`;
  for (const id of ["bulk-archive", "bulk-export"]) $(id).disabled = selected.size === 0;
  $("bulk-move").disabled = selected.size === 0 || !$("bulk-category").value;
  const boxes = [...document.querySelectorAll(".select-product")];
  $("select-all").checked = boxes.length > 0 && boxes.every((box) => box.checked);
}

async function loadProducts({ more = false } = {}) {
  const mine = ++generation;
  if (!more) {
    cursor = null;
    products.clear();
    $("product-rows").replaceChildren();
  }
  say(status(), "Loading products…");
  try {
    const page = await fetchPage(filters(), cursor);
    if (mine !== generation) return;
    threshold = page.low_stock_threshold ?? threshold;
    cursor = page.next_cursor || null;
    for (const product of page.items || []) {
      products.set(product.product_id, product);
      $("product-rows").append(row(product));
    }
    $("more-products").hidden = !cursor;
    $("product-count").textContent = `${products.size} ${products.size === 1 ? "product" : "products"} listed${cursor ? " (more available)" : ""}; low stock means ${threshold} or fewer.`;
    say(status(), products.size ? "" : "No products match these filters.");
  } catch (error) {
    if (mine !== generation) return;
    say(status(), `Products could not be loaded: ${error.message}`, "error");
  }
  updateBulk();
}

// -- archive, restore, bulk -------------------------------------------------------------------------

async function eachProduct(ids, verb, call) {
  const failures = [];
  let done = 0;
  for (const id of ids) {
    const name = products.get(id)?.name || id;
    try {
      replaceRow(await call(id));
      done += 1;
    } catch (error) {
      failures.push(`${name}: ${error.message}`);
    }
  }
  const message = `${verb} ${done} ${done === 1 ? "product" : "products"}.`;
  say(status(), failures.length ? `${message} Not done: ${failures.join("; ")}` : message, failures.length ? "error" : "ok");
  updateBulk();
}

async function archive(ids) {
  const names = ids.map((id) => products.get(id)?.name || id);
  const question = ids.length === 1 ? `Archive “${names[0]}”? Shoppers will no longer see it.` : `Archive ${ids.length} products? Shoppers will no longer see them.`;
  if (!window.confirm(question)) return;
  await eachProduct(ids, "Archived", (id) => adminApi(`/products/${encodeURIComponent(id)}`, { method: "DELETE" }));
}

function restore(id) {
  return eachProduct([id], "Restored", (productId) => adminApi(`/products/${encodeURIComponent(productId)}`, { method: "PUT", body: { status: "active" } }));
}

function moveSelected() {
  const category = $("bulk-category").value;
  if (!category) return;
  return eachProduct([...selected], `Moved to ${category}:`, (id) =>
    adminApi(`/products/${encodeURIComponent(id)}`, { method: "PUT", body: { category } }));
}

// -- CSV --------------------------------------------------------------------------------------------

const CSV_HEADER = ["product_id", "name", "sku", "category", "subcategory", "status", "price", "currency", "stock_quantity", "low_stock", "featured", "digital_download", "tags", "images", "updated_at"];

function csvRow(product) {
  return [
    product.product_id, product.name, product.sku, product.category, product.subcategory, product.status,
    centsText(product.price), product.currency, totalStock(product), isLowStock(product) ? "yes" : "no",
    product.featured ? "yes" : "no", product.digital_download ? "yes" : "no", (product.tags || []).join("; "),
    [product.image_url, ...(product.images || [])].filter(Boolean).join(" "), product.updated_at,
  ];
}

function exportAll() {
  return exportAllPages(status(), {
    name: "products",
    noun: "products",
    itemsKey: "items",
    fetchPage: (cursor) => fetchPage(filters(), cursor),
    header: CSV_HEADER,
    rowOf: csvRow,
  });
}

function exportSelected() {
  const chosen = [...selected].map((id) => products.get(id)).filter(Boolean);
  downloadCsv(`products-selected-${today()}.csv`, CSV_HEADER, chosen.map(csvRow));
  say(status(), `Exported ${chosen.length} products.`, "ok");
}

// -- the add/edit form ------------------------------------------------------------------------------

function renderImages() {
  $("image-list").replaceChildren(...images.map((url, index) =>
    el("li", {}, [
      el("img", { src: url, alt: "", width: "80", height: "60" }),
      el("span", { class: "image-url", text: url }),
      el("button", { type: "button", class: "button secondary small", text: "Remove", "aria-label": `Remove image ${index + 1}`, onclick: () => { images.splice(index, 1); renderImages(); } }),
    ]),
  ));
}

function renderFiles() {
  $("file-list").replaceChildren(...files.map((file, index) => {
    const button = (text, onclick) => el("button", { type: "button", class: "button secondary small", text, "aria-label": `${text} ${file.file_name}`, onclick });
    return el("li", {}, [
      el("span", { class: "file-name", text: file.file_name }),
      el("span", { class: "muted", text: `${file.content_type}, ${((file.size_bytes || 0) / 1048576).toFixed(1)} MB` }),
      button("Replace", () => { replacing = file.file_id; $("f-file-replace").click(); }),
      button("Remove", () => { files.splice(index, 1); renderFiles(); }),
    ]);
  }));
}

function variantRow(variant = {}) {
  const number = $("variant-list").children.length + 1;
  const input = (name, label, value, extra = {}) =>
    el("input", { name, "aria-label": `Variant ${number} ${label}`, placeholder: label, value: value ?? "", ...extra });
  const node = el("div", { class: "variant inline" }, [
    input("v-sku", "SKU", variant.sku, { maxlength: "64" }),
    input("v-size", "size", variant.size, { maxlength: "20" }),
    input("v-colour", "colour", variant.colour, { maxlength: "30" }),
    input("v-price", "price (empty: product price)", centsText(variant.price), { inputmode: "decimal" }),
    input("v-stock", "stock", String(variant.stock_quantity ?? 0), { type: "number", min: "0", max: $("f-stock").max, step: "1" }),
    // The colour's picture; the list offers the product's own images (typing any https address works).
    input("v-image", "image URL (optional)", variant.image_url, { type: "url", maxlength: "2000", list: "variant-image-choices", class: "variant-image" }),
  ]);
  node.append(el("button", { type: "button", class: "button secondary small", text: "Remove", "aria-label": `Remove variant ${number}`, onclick: () => node.remove() }));
  return node;
}

function openForm(productId) {
  const form = $("product-form");
  form.reset();
  editing = productId ? products.get(productId) : null;
  const product = editing || { currency: "USD", stock_quantity: 0, status: "active", category: $("f-category").value };
  $("product-form-title").textContent = editing ? `Edit ${editing.name}` : "Add a product";
  form.name.value = product.name || "";
  form.description.value = product.description || "";
  form.sku.value = product.sku || "";
  form.category.value = product.category || form.category.options[0]?.value || "";
  form.subcategory.value = product.subcategory || "";
  form.price.value = centsText(product.price);
  form.currency.value = product.currency || "USD";
  form.stock_quantity.value = String(product.stock_quantity ?? 0);
  form.status.value = product.status || "active";
  form.weight.value = product.weight ?? "";
  form.tags.value = (product.tags || []).join(", ");
  const dims = product.dimensions || {};
  form.length.value = dims.length ?? "";
  form.width.value = dims.width ?? "";
  form.height.value = dims.height ?? "";
  form.unit.value = dims.unit || "in";
  form.featured.checked = Boolean(product.featured);
  form.digital_download.checked = Boolean(product.digital_download);
  $("download-field").hidden = !form.digital_download.checked;
  files = (product.digital_files || []).map((file) => ({ ...file }));
  renderFiles();
  say($("file-status"), product.digital_download && !files.length ? "Upload the file buyers download before saving." : "");
  // The archived option only makes sense for a stored product; a new one is active or a draft.
  form.status.querySelector('option[value="archived"]').disabled = !editing;
  images = [...new Set([product.image_url, ...(product.images || [])].filter(Boolean))];
  renderImages();
  $("variant-image-choices").replaceChildren(...images.map((url) => el("option", { value: url })));
  $("variant-list").replaceChildren();
  for (const variant of product.variants || []) $("variant-list").append(variantRow(variant));
  say($("form-status"), "");
  say($("upload-status"), "");
  $("upload-progress").hidden = true;
  $("product-dialog").showModal();
  form.name.focus();
}

function invalid(input, message) {
  input.setAttribute("aria-invalid", "true");
  input.focus();
  return { error: message };
}

function optionalNumber(text) {
  const value = String(text || "").trim();
  return value === "" ? null : Number(value);
}

/** The form as the API's product body, or `{error}` naming the first field to fix. */
function collect() {
  const form = $("product-form");
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const name = form.name.value.trim();
  if (!name) return invalid(form.name, "Enter a name.");
  const sku = form.sku.value.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sku)) return invalid(form.sku, "Enter a SKU of letters, digits, dots, dashes or underscores.");
  const price = parseCents(form.price.value);
  if (price === null) return invalid(form.price, "Enter the price as an amount such as 19.99.");
  // The API's bounds (shop.contracts.admin_limits), carried by the inputs' max / data-max.
  if (price > Number(form.price.dataset.max) * 100) return invalid(form.price, `The price may be ${form.price.dataset.max} at most.`);
  const currency = form.currency.value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) return invalid(form.currency, "Enter a three-letter currency code such as USD.");
  const stock = Number(form.stock_quantity.value || 0);
  if (!Number.isInteger(stock) || stock < 0 || stock > Number(form.stock_quantity.max)) return invalid(form.stock_quantity, `Stock must be a whole number from 0 to ${form.stock_quantity.max}.`);
  const weight = optionalNumber(form.weight.value);
  if (weight !== null && !(weight >= 0 && weight <= Number(form.weight.dataset.max))) return invalid(form.weight, `Weight must be a number from 0 to ${form.weight.dataset.max}.`);
  const tags = form.tags.value.split(",").map((tag) => tag.trim()).filter(Boolean);
  const badTag = tags.find((tag) => !/^[\w\- ]{1,40}$/.test(tag));
  if (badTag) return invalid(form.tags, `The tag “${badTag}” may only hold letters, digits, spaces, - and _ (40 at most).`);
  const sizes = [form.length, form.width, form.height].map((input) => optionalNumber(input.value));
  let dimensions = null;
  if (sizes.some((size) => size !== null)) {
    const bad = sizes.findIndex((size) => !(size > 0 && size <= Number(form.length.dataset.max)));
    if (bad >= 0) return invalid([form.length, form.width, form.height][bad], `Give all three dimensions as numbers above 0 and up to ${form.length.dataset.max}, or none.`);
    dimensions = { length: sizes[0], width: sizes[1], height: sizes[2], unit: form.unit.value };
  }
  const digital = form.digital_download.checked;
  if (digital && !files.length) return invalid($("f-file"), "A digital download needs a file for its buyers: upload one.");
  const variants = [];
  for (const node of $("variant-list").children) {
    const field = (name) => node.querySelector(`[name="${name}"]`);
    const variantSku = field("v-sku").value.trim();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(variantSku)) return invalid(field("v-sku"), "Each variant needs a SKU of letters, digits, dots, dashes or underscores.");
    const variantPrice = field("v-price").value.trim() === "" ? null : parseCents(field("v-price").value);
    if (field("v-price").value.trim() !== "" && variantPrice === null) return invalid(field("v-price"), "Enter the variant price as an amount such as 19.99, or leave it empty.");
    const variantStock = Number(field("v-stock").value || 0);
    if (!Number.isInteger(variantStock) || variantStock < 0 || variantStock > Number(form.stock_quantity.max)) return invalid(field("v-stock"), `Variant stock must be a whole number from 0 to ${form.stock_quantity.max}.`);
    const variantImage = field("v-image").value.trim();
    // The API keeps http(s) addresses only (Variant.image_url is an HttpUrl).
    if (variantImage && !/^https?:\/\/[^\s/]+\S*$/i.test(variantImage)) return invalid(field("v-image"), "Enter the variant picture's full address (https://...), or leave it empty.");
    variants.push({
      sku: variantSku,
      size: field("v-size").value.trim() || null,
      colour: field("v-colour").value.trim() || null,
      price: variantPrice,
      stock_quantity: variantStock,
      image_url: variantImage || null,
    });
  }
  return {
    body: {
      name,
      description: form.description.value,
      sku,
      category: form.category.value,
      subcategory: form.subcategory.value.trim() || null,
      price,
      currency,
      stock_quantity: stock,
      status: form.status.value,
      weight,
      tags,
      dimensions,
      featured: form.featured.checked,
      digital_download: digital,
      digital_files: files,
      images,
      // Shoppers' pages show image_url, else images[0]: image_url is only cleared (when its image was
      // removed here), never set, so uploads (site-relative paths) only ever go into `images`.
      ...(editing?.image_url && !images.includes(editing.image_url) ? { image_url: null } : {}),
      variants,
    },
  };
}

async function save(event) {
  event.preventDefault();
  const { body, error } = collect();
  if (error) {
    say($("form-status"), error, "error");
    return;
  }
  $("save-product").disabled = true;
  say($("form-status"), "Saving…");
  try {
    const saved = editing
      ? await adminApi(`/products/${encodeURIComponent(editing.product_id)}`, { method: "PUT", body })
      : await adminApi("/products", { method: "POST", body });
    replaceRow(saved);
    $("product-dialog").close();
    say(status(), `Saved “${saved.name}”.`, "ok");
    updateBulk();
  } catch (failure) {
    const input = failure.field && $("product-form").elements[failure.field];
    if (input instanceof HTMLElement) input.setAttribute("aria-invalid", "true");
    say($("form-status"), `The product was not saved: ${failure.message}`, "error");
  } finally {
    $("save-product").disabled = false;
  }
}

// -- image upload -----------------------------------------------------------------------------------

function postForm(url, form, onProgress) {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) return resolve();
      // S3 explains a refusal in XML (<Code>, <Message>); read as text, never as markup.
      const xml = new DOMParser().parseFromString(request.responseText || "", "application/xml");
      const reason = xml.querySelector("Message")?.textContent || xml.querySelector("Code")?.textContent || "";
      reject(new Error(`the storage refused the file (HTTP ${request.status}${reason ? `: ${reason}` : ""})`));
    });
    request.addEventListener("error", () => reject(new Error("the storage could not be reached")));
    request.send(form);
  });
}

/** Presigns at `path` with `body`, then posts `file` to the storage, the progress in `message`. */
async function presignedUpload(file, name, path, body, message) {
  const progress = message.previousElementSibling; // the <progress> before each status line
  say(message, `Preparing the upload of “${name}”…`);
  const grant = await adminApi(path, { method: "POST", body });
  if (grant.max_bytes && file.size > grant.max_bytes) throw new Error(`the file is larger than the ${Math.floor(grant.max_bytes / 1048576)} MB allowed`);
  const form = new FormData();
  for (const [field, value] of Object.entries(grant.upload.fields || {})) form.append(field, value);
  form.append("file", file);
  progress.value = 0;
  progress.hidden = false;
  try {
    await postForm(grant.upload.url, form, (percent) => {
      progress.value = percent;
      say(message, `Uploading “${name}”: ${percent}%`);
    });
  } finally {
    progress.hidden = true;
  }
  return grant;
}

/** Runs an upload from a file input: the input is busy meanwhile, and a failure is said in `message`. */
async function fromInput(input, message, noun, upload) {
  const file = input.files && input.files[0];
  if (!file) return;
  input.disabled = true;
  try {
    await upload(file);
  } catch (error) {
    say(message, `The ${noun} was not uploaded: ${error.message}`, "error");
  } finally {
    input.disabled = false;
    input.value = "";
  }
}

function uploadImage() {
  const message = $("upload-status");
  return fromInput($("f-image"), message, "image", async (file) => {
    if (!IMAGE_TYPES.includes(file.type)) throw new Error(`“${file.name}” is not a PNG, JPEG, WebP or GIF image`);
    if (file.size > MAX_IMAGE_BYTES) throw new Error(`“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; images may be 5 MB at most`);
    const grant = await presignedUpload(file, file.name, "/admin/product-images", { content_type: file.type, file_name: file.name }, message);
    // The API answers a site-relative path (this site's origin serves the bucket's product-images/);
    // the catalog stores absolute URLs, as it does for the seeded images.
    images.push(new URL(grant.image_url, location.href).href);
    renderImages();
    say(message, `Uploaded “${file.name}”. Save the product to keep it.`, "ok");
  });
}

// -- a digital product's files (private bucket; a replacement keeps the file's id) -----------------

function uploadFile(input) {
  const replaces = input.id === "f-file-replace" ? replacing : null;
  replacing = null;
  const message = $("file-status");
  return fromInput(input, message, "file", async (file) => {
    const extension = file.name.split(".").pop().toLowerCase();
    const type = Object.values(FILE_TYPES).includes(file.type) ? file.type : FILE_TYPES[extension];
    if (!type) throw new Error(`“${file.name}” is not a PDF, EPUB, ZIP, MP3, WAV, MP4, PNG, JPEG or text file`);
    // Shown to buyers: no path separators, quotes or control characters.
    const name = file.name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, "_").slice(-200);
    const body = { content_type: type, file_name: name, ...(replaces ? { replaces } : {}) };
    const grant = await presignedUpload(file, name, "/admin/product-files", body, message);
    const reference = { file_id: grant.file_id, key: grant.key, file_name: name, content_type: type, size_bytes: file.size };
    const at = files.findIndex((entry) => entry.file_id === grant.file_id);
    files.splice(at < 0 ? files.length : at, 1, reference);
    renderFiles();
    say(message, `Uploaded “${name}”${replaces ? " as the new version" : ""}. Save the product to keep it.`, "ok");
  });
}

// -- wiring -----------------------------------------------------------------------------------------

export async function initProducts(categories) {
  for (const id of ["product-category", "bulk-category", "f-category"]) {
    $(id).append(...categories.map((category) => el("option", { value: category.name, text: category.name })));
  }
  $("product-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadProducts();
  });
  $("more-products").addEventListener("click", () => loadProducts({ more: true }));
  $("add-product").addEventListener("click", () => openForm(null));
  $("export-products").addEventListener("click", exportAll);
  $("select-all").addEventListener("change", (event) => {
    // Read once: each box's change handler recomputes the select-all box as it goes.
    const checked = event.target.checked;
    for (const box of document.querySelectorAll(".select-product")) {
      box.checked = checked;
      box.dispatchEvent(new Event("change"));
    }
  });
  $("bulk-category").addEventListener("change", updateBulk);
  $("bulk-archive").addEventListener("click", () => archive([...selected]));
  $("bulk-move").addEventListener("click", moveSelected);
  $("bulk-export").addEventListener("click", exportSelected);
  $("product-form").addEventListener("submit", save);
  $("product-close").addEventListener("click", () => $("product-dialog").close());
  $("product-cancel").addEventListener("click", () => $("product-dialog").close());
  $("f-digital").addEventListener("change", (event) => { $("download-field").hidden = !event.target.checked; });
  $("f-image").addEventListener("change", uploadImage);
  $("f-file").addEventListener("change", (event) => uploadFile(event.target));
  $("f-file-replace").addEventListener("change", (event) => uploadFile(event.target));
  $("add-variant").addEventListener("click", () => $("variant-list").append(variantRow()));
  await loadProducts();
}

// Order history: the signed-in shopper's orders (GET /orders), details in a dialog, the invoice and
// credit note as PDFs, reorder, tracking and downloads. The order emails link here: a guest's with
// ?id=...#token=... (this one order only; the token rides in the fragment, which reaches no server, and
// goes to the API in the X-Order-Token header), an account's with ?id=... (its details open once signed in).
import { addressLines, sameAddress } from "./addresses.js";
import { siteConfig } from "./config.js";
import { countryName } from "./countries.js";
import { api, apiFile, cart, isSignedIn } from "./api.js";
import { el, formatPrice, saveFile, say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const status = $("status");
const dialog = $("details");
const params = new URLSearchParams(location.search);
const linkedId = params.get("id");
const fragment = new URLSearchParams(location.hash.slice(1));
// Emails sent before tokens left the query still carry ?token=: read it, then move it out of the
// address bar (and so out of history, bookmarks and any Referer this page sends).
const guestToken = fragment.get("token") || params.get("token");
if (params.has("token")) {
  params.delete("token");
  fragment.set("token", guestToken);
  history.replaceState(null, "", `${location.pathname}?${params}#${fragment}`);
}
const ORDER_TOKEN_HEADER = "X-Order-Token";
const guestHeaders = guestToken ? { [ORDER_TOKEN_HEADER]: guestToken } : {};
let apiUrl = ""; // config.json's, for the download links (set first thing in load())

function badge(order) {
  const value = order.order_status || "pending";
  return el("span", { class: `status-badge ${value}`, text: value });
}

function fetchOrder(orderId) {
  if (guestToken) return api(`/guest/orders/${encodeURIComponent(orderId)}`, { headers: guestHeaders });
  return api(`/orders/${encodeURIComponent(orderId)}`);
}

// The order's documents (GET /orders/{id}/invoice, /credit-note): PDFs numbered when the order was
// paid, and when its refund completed.
const DOCUMENTS = [
  { kind: "invoice", label: "invoice", number: "invoice_number" },
  { kind: "credit-note", label: "credit note", number: "credit_note_number" },
];

async function downloadDocument(order, documentKind, button, statusNode) {
  const { kind, label } = documentKind;
  button.disabled = true;
  say(statusNode, `Preparing the ${label} of ${order.order_number}…`);
  try {
    const path = `${guestToken ? "/guest" : ""}/orders/${encodeURIComponent(order.order_id)}/${kind}`;
    const { blob, fileName } = await apiFile(path, { headers: guestHeaders, fileName: `${order[documentKind.number]}.pdf` });
    saveFile(blob, fileName);
    say(statusNode, `The ${label} ${fileName} was downloaded.`, "ok");
  } catch (error) {
    say(statusNode, `The ${label} could not be downloaded: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

/** "Download invoice (PDF)" (and the credit note's) for each document the order has. */
function documentButtons(order, statusNode, className = "button secondary") {
  return DOCUMENTS.filter((documentKind) => order[documentKind.number]).map((documentKind) => {
    const text = `Download ${documentKind.label} (PDF)`;
    const button = el("button", { type: "button", class: className, text, "aria-label": `${text} of ${order.order_number}` });
    button.addEventListener("click", () => downloadDocument(order, documentKind, button, statusNode));
    return button;
  });
}

function money(order, cents) {
  return formatPrice(cents, order.currency || "USD");
}

function trackingLink(order) {
  if (!order.tracking_number) return null;
  const query = encodeURIComponent(`${order.carrier || ""} ${order.tracking_number}`.trim());
  return el("p", {}, [
    "Tracking: ",
    el("a", { href: `https://www.google.com/search?q=${query}`, rel: "noopener", target: "_blank", text: `${order.carrier || "Carrier"} ${order.tracking_number}` }),
  ]);
}

function downloadHref(order, item, file) {
  const query = new URLSearchParams({ download_token: item.download_token });
  if (file && (item.files || []).length > 1) query.set("file", file.file_id);
  const path = `/guest/orders/${encodeURIComponent(order.order_id)}/downloads/${encodeURIComponent(item.product_id)}`;
  return `${apiUrl}${path}?${query}`;
}

/** Follows a download link, first asking for fresh download tokens when the order's have expired
 * (they last minutes; the page may have been open longer). */
async function startDownload(order, item, file) {
  let line = item;
  if (Date.parse(order.download_tokens_expire_at) - Date.now() < 30_000) {
    const fresh = await fetchOrder(order.order_id);
    line = (fresh.digital_downloads || []).find((each) => each.product_id === item.product_id) || item;
  }
  location.assign(downloadHref(order, line, file));
}

/** A link to one file of a paid digital line: the API counts the download and redirects to the file.
 * A link the browser follows carries no header and no Cognito token, so it carries the line's
 * download token of minutes that the order's JSON holds. */
function downloadLink(order, item, file) {
  const name = file ? file.file_name : item.name;
  const link = el("a", { class: "button secondary", href: downloadHref(order, item, file), text: `Download ${name}`, "aria-label": `Download ${name} (${item.name})` });
  link.addEventListener("click", (event) => {
    event.preventDefault();
    startDownload(order, item, file).catch((error) => say(status, `The download could not start: ${error.message}`, "error"));
  });
  return link;
}

/** "Download digital products": each paid digital line's files, with its downloads left and until when. */
function downloads(order) {
  const items = order.digital_downloads || [];
  if (order.payment_status !== "paid" || !items.length || !items.every((item) => item.download_token)) return null;
  const now = new Date();
  return el("section", { class: "downloads no-print", "aria-labelledby": "downloads-title" }, [
    el("h3", { id: "downloads-title", text: "Download digital products" }),
    el("ul", { "aria-label": "Downloads" }, items.map((item) => {
      const left = Math.max(0, item.download_limit - item.downloads_used);
      const until = new Date(item.expires_at);
      const open = left > 0 && until > now;
      const files = (item.files || []).length ? item.files : [null];
      const note = open
        ? `${left} of ${item.download_limit} downloads left, until ${until.toLocaleDateString("en-US")}`
        : left > 0 ? `The download period ended on ${until.toLocaleDateString("en-US")}.` : `All ${item.download_limit} downloads are used.`;
      return el("li", { "data-product-id": item.product_id }, [
        el("strong", { text: item.name }),
        " ",
        el("span", { class: "muted", text: note }),
        ...(open ? files.map((file) => downloadLink(order, item, file)) : []),
      ]);
    })),
  ]);
}

function addressBlock(title, address, className) {
  return el("div", { class: `invoice-address ${className}` }, [
    el("h3", { text: title }),
    el("address", {}, addressLines(address, countryName).flatMap((line, index) => [index ? el("br") : null, line])),
  ]);
}

/** Ship to (nothing for a digital-only order), and Bill to: every line of each address. */
function addresses(order) {
  const shipping = order.shipping_address;
  const billing = order.billing_address;
  const separate = billing && (!shipping || !sameAddress(billing, shipping));
  return el("div", { class: "invoice-addresses" }, [
    shipping ? addressBlock("Ship to", shipping, "ship-to") : null,
    addressBlock("Bill to", separate ? billing : shipping || {}, "bill-to"),
  ]);
}

/** The order's details: addresses, lines and totals as stored (the invoice itself is the PDF). */
function invoice(order) {
  return el("div", { class: "invoice" }, [
    el("p", {}, [badge(order), ` Placed ${new Date(order.order_date).toLocaleDateString("en-US")}`]),
    addresses(order),
    el("table", {}, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "Item" }), el("th", { text: "Qty" }), el("th", { text: "Price" }), el("th", { text: "Total" })])]),
      el("tbody", {}, (order.items || []).map((line) =>
        el("tr", {}, [
          el("td", {}, [el("a", { href: `product.html?id=${encodeURIComponent(line.product_id)}#reviews`, text: line.name })]),
          el("td", { text: String(line.quantity) }),
          el("td", { text: money(order, line.unit_price) }),
          el("td", { text: money(order, line.line_total) }),
        ]),
      )),
    ]),
    el("dl", { class: "totals" }, [
      el("dt", { text: "Subtotal" }), el("dd", { text: money(order, order.subtotal) }),
      el("dt", { text: "Discount" }), el("dd", { text: order.discount ? `−${money(order, order.discount)}` : money(order, 0) }),
      el("dt", { text: "Tax" }), el("dd", { text: money(order, order.tax) }),
      el("dt", { text: "Shipping" }), el("dd", { text: order.shipping ? money(order, order.shipping) : "Free" }),
      el("dt", { class: "grand", text: "Total" }), el("dd", { class: "grand", id: "invoice-total", text: money(order, order.total) }),
    ]),
    trackingLink(order),
    downloads(order),
    el("p", { class: "no-print" }, (order.items || []).map((line) =>
      el("a", { class: "review-link", href: `product.html?id=${encodeURIComponent(line.product_id)}#reviews`, text: `Leave a review of ${line.name} ` }),
    )),
  ]);
}

async function openDetails(orderId) {
  say($("details-status"), "");
  $("details-body").replaceChildren(el("p", { text: "Loading…" }));
  $("details-documents").replaceChildren();
  if (!dialog.open) dialog.showModal();
  try {
    const order = await fetchOrder(orderId);
    $("details-title").textContent = `Order ${order.order_number}`;
    $("details-body").replaceChildren(invoice(order));
    $("details-documents").replaceChildren(...documentButtons(order, $("details-status"), "button"));
  } catch (error) {
    $("details-body").replaceChildren();
    say($("details-status"), `The order could not be loaded: ${error.message}`, "error");
  }
}

async function reorder(orderId, button) {
  button.disabled = true;
  try {
    const order = await fetchOrder(orderId);
    for (const line of order.items || []) await cart.add(line.product_id, line.quantity, line.variant_sku || undefined);
    say(status, "The items were added to your cart.", "ok");
  } catch (error) {
    say(status, `The items could not be added to your cart: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

function row(order) {
  const reorderButton = el("button", { type: "button", class: "button secondary", text: "Reorder" });
  reorderButton.addEventListener("click", () => reorder(order.order_id, reorderButton));
  return el("li", { class: "order-row", "data-order-id": order.order_id }, [
    el("strong", { text: order.order_number }),
    badge(order),
    el("span", { class: "muted", text: new Date(order.order_date).toLocaleDateString("en-US") }),
    el("span", { text: money(order, order.total) }),
    el("button", { type: "button", class: "button", text: "Details and invoice", "aria-label": `Details and invoice of ${order.order_number}`, onclick: () => openDetails(order.order_id) }),
    ...documentButtons(order, status),
    reorderButton,
  ]);
}

/** A guest's download link in an email opens this page with #...&download=<product>[&file=<file>]:
 * start that download once, and drop the request from the address so a reload does not repeat it. */
function downloadFromEmail(order) {
  const productId = fragment.get("download");
  if (!productId) return;
  const wanted = fragment.get("file");
  fragment.delete("download");
  fragment.delete("file");
  history.replaceState(null, "", `${location.pathname}${location.search}#${fragment}`);
  const item = (order.digital_downloads || []).find((each) => each.product_id === productId);
  if (order.payment_status !== "paid" || !item || !item.download_token) {
    say(status, "That download is not available for this order.", "error");
    return;
  }
  const file = (item.files || []).find((each) => each.file_id === wanted) || null;
  say(status, `Starting the download of ${file ? file.file_name : item.name}…`, "ok");
  startDownload(order, item, file).catch((error) => say(status, `The download could not start: ${error.message}`, "error"));
}

async function load() {
  apiUrl = (await siteConfig()).apiUrl;
  $("close").addEventListener("click", () => dialog.close());
  if (linkedId && guestToken) {
    try {
      const order = await fetchOrder(linkedId);
      $("orders").replaceChildren(row(order));
      say(status, "");
      downloadFromEmail(order);
    } catch (error) {
      say(status, `Your order could not be loaded: ${error.message}`, "error");
    }
    return;
  }
  if (!isSignedIn()) {
    if (linkedId) {
      // An account's order email: its link opens the order once the shopper has signed in.
      const next = `orders.html?id=${encodeURIComponent(linkedId)}`;
      status.replaceChildren(
        el("a", { href: `signin.html?next=${encodeURIComponent(next)}`, text: "Sign in" }),
        " to see this order. A guest order opens from the link in its emails.",
      );
      return;
    }
    say(status, "Sign in to see your orders. A guest order opens from the link in its confirmation email.");
    return;
  }
  try {
    const body = await api("/orders");
    const list = body.orders || [];
    $("orders").replaceChildren(...list.map(row));
    $("empty").hidden = list.length !== 0;
    say(status, "");
  } catch (error) {
    say(status, `Your orders could not be loaded: ${error.message}`, "error");
    return;
  }
  if (linkedId) openDetails(linkedId); // the link of an order email: that order's details
}

load();

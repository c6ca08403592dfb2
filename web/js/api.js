// The one API client of the pages: base URL from config.json, JSON in and out, the signed-in
// shopper's ID token, the guest cart id, and every failure turned into an ApiError with words.
import { siteConfig } from "./config.js";
import { fieldMessages, humanMessage, messages } from "./messages.js";

const TOKEN_KEY = "shop.idToken";
const CART_KEY = "shop.cartId";
export const CART_EVENT = "shop:cart";

export class ApiError extends Error {
  constructor(message, { status = 0, code = "", field = null, body = {} } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
  }
}

function stored(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

export function idToken() {
  return stored(sessionStorage, TOKEN_KEY);
}

export function isSignedIn() {
  return Boolean(idToken());
}

/** Drops the signed-in shopper's tokens from this tab (sign-out, deleted account). */
export function forgetSession() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith("shop.")) sessionStorage.removeItem(key);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

export function guestCartId() {
  return stored(localStorage, CART_KEY);
}

function rememberCartId(cartId) {
  try {
    if (cartId) localStorage.setItem(CART_KEY, cartId);
    else localStorage.removeItem(CART_KEY);
  } catch {
    // Storage disabled: the cart lasts as long as the page.
  }
}

/** The ApiError of a refused call. Its message is the shopper's sentence (messages.js), never the
 * server's phrasing; the administrators' pages (their calls carry the admin API key) keep the API's
 * own precise words. `serverMessage` keeps those words either way. */
function errorFrom(response, body, request = {}) {
  const retryAfter = response.headers.get("Retry-After");
  const details = {
    status: response.status,
    code: body.error || (response.status === 429 ? "rate_limited" : ""),
    field: body.field,
    body,
  };
  const forAdmin = "X-Api-Key" in (request.headers || {});
  const message =
    forAdmin && body.message ? body.message : humanMessage({ status: response.status, body, retryAfter }, request);
  const error = new ApiError(message, details);
  error.serverMessage = body.message || "";
  error.fields = fieldMessages(body);
  return error;
}

/** The ID token for a request: session.js refreshes it first when it has expired (loaded on demand,
 * so that api.js does not import it at load time: session.js imports this module). */
async function sendableIdToken() {
  if (!idToken()) return null;
  try {
    const { freshIdToken } = await import("./session.js");
    return await freshIdToken();
  } catch {
    return idToken();
  }
}

/** One request to the API with the shopper's ID token; `query` entries that are empty are left out. */
async function send(path, { method = "GET", body, query, headers = {} } = {}) {
  let base;
  try {
    base = (await siteConfig()).apiUrl;
  } catch {
    throw new ApiError(messages.network);
  }
  const url = new URL(`${base.replace(/\/$/, "")}${path}`, location.href);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const sent = { Accept: "application/json", ...headers };
  const token = await sendableIdToken();
  if (token) sent.Authorization = token;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  try {
    return await fetch(url, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(messages.network);
  }
}

async function jsonOf(response) {
  try {
    return (await response.json()) || {};
  } catch {
    return {};
  }
}

/** Calls the API; `query` entries that are empty are left out. Resolves to the JSON body. */
export async function api(path, options = {}) {
  const response = await send(path, options);
  const parsed = await jsonOf(response);
  if (!response.ok) throw errorFrom(response, parsed, { path, ...options });
  return parsed;
}

/** A file from the API, e.g. an invoice: `accept` goes first in Accept, which is what makes API
 * Gateway hand over the bytes (a binary media type of the API). Resolves to { blob, fileName }: the
 * name the API gives (Content-Disposition), else `fileName`. */
export async function apiFile(path, { query, headers = {}, accept = "application/pdf", fileName = "download" } = {}) {
  const response = await send(path, { query, headers: { ...headers, Accept: `${accept}, application/json` } });
  if (!response.ok) throw errorFrom(response, await jsonOf(response), { path, query, headers });
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = (/filename="([^"]+)"/.exec(disposition) || [])[1];
  return { blob: await response.blob(), fileName: named || fileName };
}

// -- the cart: /cart/... when signed in, /guest/cart/... with X-Cart-Id otherwise ----------------

// The guest cart id is the one the API issued (signed by it) on the guest's first add; the page keeps
// it in localStorage and sends it back unchanged.
function cartCall(action, method, body, query, { retried = false } = {}) {
  const signedIn = isSignedIn();
  const headers = {};
  const cartId = guestCartId();
  if (!signedIn && cartId) headers["X-Cart-Id"] = cartId;
  const path = `${signedIn ? "" : "/guest"}/cart${action}`;
  return api(path, { method, body, query, headers }).then(
    (cart) => {
      if (!signedIn && cart.cart_id) rememberCartId(cart.cart_id);
      window.dispatchEvent(new CustomEvent(CART_EVENT, { detail: cart }));
      return cart;
    },
    (error) => {
      if (signedIn || error.field !== "X-Cart-Id" || !cartId) throw error;
      // A cart id this shop no longer accepts (one kept from before ids were signed, or tampered
      // with): forget it and ask again without one, which starts a new guest cart on the next add.
      rememberCartId(null);
      if (retried) throw error;
      return cartCall(action, method, body, query, { retried: true });
    },
  );
}

export const cart = {
  hasOne: () => isSignedIn() || Boolean(guestCartId()),
  get: (discountCode) => cartCall("", "GET", undefined, { discount_code: discountCode }),
  add: (productId, quantity = 1, sku) =>
    cartCall("/add", "POST", { product_id: productId, quantity, ...(sku ? { sku } : {}) }),
  update: (productId, quantity, sku) =>
    cartCall("/update", "PUT", { product_id: productId, quantity, ...(sku ? { sku } : {}) }),
  remove: (productId, sku) => cartCall("/remove", "DELETE", { product_id: productId, ...(sku ? { sku } : {}) }),
  clear: () => cartCall("/clear", "DELETE"),
  /** After sign-in (later pages): move the guest cart into the shopper's cart. */
  async mergeGuestCart() {
    const cartId = guestCartId();
    if (!cartId || !isSignedIn()) return null;
    const merged = await api("/cart/merge", { method: "POST", body: { cart_id: cartId } });
    rememberCartId(null);
    window.dispatchEvent(new CustomEvent(CART_EVENT, { detail: merged }));
    return merged;
  },
};

// The signed-in shopper's session in this tab: Cognito's tokens in sessionStorage (shop.* keys; api.js
// sends shop.idToken), sign-in and sign-out, refresh of an expired ID token, and the ID token's claims
// decoded for display only (the API verifies the token; the page never trusts these claims).
import { api, cart, forgetSession, idToken } from "./api.js";
import { globalSignOut, passwordSignIn, refreshTokens, revokeToken } from "./cognito.js";

const KEYS = {
  idToken: "shop.idToken",
  accessToken: "shop.accessToken",
  refreshToken: "shop.refreshToken",
  expiresAt: "shop.expiresAt", // ms since the epoch, by this browser's clock
};
// Refresh a little before the expiry, so a request does not arrive with a token that just ran out.
const REFRESH_MARGIN_MS = 60 * 1000;
const DEFAULT_PAGE = "index.html";
// Pages that never make sense as the place to go back to after signing in.
const NOT_A_DESTINATION = new Set(["signin.html", "signup.html"]);

function read(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage disabled: the session lasts as long as this page.
  }
}

/** Keeps the tokens of a Cognito AuthenticationResult (a refresh answer has no new refresh token). */
export function storeTokens(result) {
  write(KEYS.idToken, result.IdToken);
  write(KEYS.accessToken, result.AccessToken);
  if (result.RefreshToken) write(KEYS.refreshToken, result.RefreshToken);
  write(KEYS.expiresAt, String(Date.now() + (Number(result.ExpiresIn) || 3600) * 1000));
}

/** The ID token's payload, for display only. */
export function claims(token = idToken()) {
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** {email, name, groups, isAdmin, adminNeedsMfa} of the signed-in shopper, or null for a guest;
 * adminNeedsMfa: an admin without two-step sign-in (the pool's trigger left `admin` out). */
export function currentUser() {
  const payload = claims();
  if (!payload) return null;
  const groups = Array.isArray(payload["cognito:groups"]) ? payload["cognito:groups"] : [];
  return {
    email: String(payload.email || ""),
    name: payload.name ? String(payload.name) : "",
    groups,
    isAdmin: groups.includes("admin"),
    adminNeedsMfa: payload.shop_admin_mfa === "setup_required",
  };
}

/** Signs in with USER_PASSWORD_AUTH and keeps the tokens. Resolves to Cognito's answer: a
 * `ChallengeName` (e.g. NEW_PASSWORD_REQUIRED) means no tokens yet. Throws a CognitoError. */
export async function signIn(email, password) {
  const answer = await passwordSignIn(email, password);
  if (answer.AuthenticationResult) storeTokens(answer.AuthenticationResult);
  return answer;
}

let refreshing = null;

/** The ID token to send: refreshed with REFRESH_TOKEN_AUTH when it has expired (or nearly), or when
 * `force`d (two-step sign-in just turned on). A refresh token Cognito no longer accepts ends the
 * session; an unreachable Cognito leaves it as it is. */
export async function freshIdToken({ force = false } = {}) {
  const token = idToken();
  const refreshToken = read(KEYS.refreshToken);
  const expiresAt = Number(read(KEYS.expiresAt));
  if (!token || !refreshToken || !expiresAt || (!force && Date.now() < expiresAt - REFRESH_MARGIN_MS)) return token;
  refreshing ||= refreshTokens(refreshToken)
    .then((answer) => {
      storeTokens(answer.AuthenticationResult || {});
    })
    .catch((error) => {
      if (error.type) forgetSession(); // Cognito said no: revoked, expired or signed out everywhere.
    })
    .finally(() => {
      refreshing = null;
    });
  await refreshing;
  return idToken();
}

/** The access token (for ChangePassword, GlobalSignOut), refreshed like the ID token. */
export async function freshAccessToken() {
  await freshIdToken();
  return read(KEYS.accessToken);
}

/** Signs out of this browser: revokes the refresh token (best effort), then forgets every token. */
export async function signOut() {
  const refreshToken = read(KEYS.refreshToken);
  try {
    if (refreshToken) await revokeToken(refreshToken);
  } catch {
    // Revocation is a courtesy to Cognito; the tokens are dropped from this tab in any case.
  } finally {
    forgetSession();
  }
}

/** Signs out on every device (GlobalSignOut); throws a CognitoError when that could not be done. */
export async function signOutEverywhere() {
  const accessToken = await freshAccessToken();
  try {
    if (accessToken) await globalSignOut(accessToken);
  } catch (error) {
    // Unreachable: keep the session so the shopper can try again. Refused: it was over already.
    if (error.type !== "NotAuthorizedException") throw error;
  }
  forgetSession();
}

/** `next` only when it is a page of this site given as a relative path ("orders.html?x=1"), else
 * the home page: never another origin ("//evil", "https://…"), a script URL or a sign-in page. */
export function safeNext(raw) {
  const value = String(raw || "").trim();
  if (!/^[A-Za-z0-9_-]+\.html(?:[?#][^\s\\]*)?$/.test(value)) return DEFAULT_PAGE;
  let url;
  try {
    url = new URL(value, location.href);
  } catch {
    return DEFAULT_PAGE;
  }
  if (url.origin !== location.origin) return DEFAULT_PAGE;
  const page = url.pathname.split("/").pop();
  return NOT_A_DESTINATION.has(page) ? DEFAULT_PAGE : value;
}

/** The `next` of this page's query string, checked. */
export const nextPage = () => safeNext(new URLSearchParams(location.search).get("next"));

/** After a sign-in: move the guest cart into the account, then go on to `next`. A cart that cannot
 * be merged (expired, already merged) does not stand in the way of the sign-in. */
export async function finishSignIn(next = nextPage()) {
  try {
    await cart.mergeGuestCart();
  } catch {
    // The guest cart stays where it was; the shopper's own cart is intact.
  }
  await saveMarketingOptIn();
  location.assign(next);
}

// Sign-up's "Email me offers and recommendations", kept in this tab until the account first signs in
// (confirming may end on signin.html), then stored as consent from the source "signup".
const MARKETING_OPT_IN = "shop.marketingOptIn";
const SIGNUP_CONSENT = {
  marketing_emails: true,
  abandoned_cart_emails: true,
  product_recommendations: true,
  consent_source: "signup",
};
export const rememberMarketingOptIn = (email) => write(MARKETING_OPT_IN, email);

async function saveMarketingOptIn() {
  const email = read(MARKETING_OPT_IN);
  if (!email) return;
  write(MARKETING_OPT_IN, "");
  if (String(claims()?.email || "").toLowerCase() !== email) return; // another account signed in
  try {
    await api("/me/preferences", { method: "PUT", body: SIGNUP_CONSENT });
  } catch {
    // The account is fine; the shopper can still opt in on the preferences page.
  }
}

// Handing the email from one page to the next (sign-in → confirm, confirm → sign-in) without putting
// it in the URL, where it would land in history and access logs.
const PENDING_EMAIL = "shop.pendingEmail";
export const rememberEmail = (email) => write(PENDING_EMAIL, email);
export const rememberedEmail = () => read(PENDING_EMAIL) || "";

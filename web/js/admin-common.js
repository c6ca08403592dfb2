// What the admin page's sections share: admin API calls (ID token + admin API key), price parsing,
// and CSV files built and downloaded in the browser.
import { api } from "./api.js";
import { say } from "./ui.js";

const KEY_STORAGE = "shop.adminApiKey";
// Answers that end the admin session on this page; admin-shop.js shows why.
export const ACCESS_EVENT = "shop:admin-access";

export function adminKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function rememberAdminKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled: the key is asked for again on the next load.
  }
}

/** An admin route. API Gateway's own 403 says "Forbidden" (the key was refused); the function's 403
 * means the user is no administrator; 401 an expired sign-in. */
export async function adminApi(path, options = {}) {
  try {
    return await api(path, { ...options, headers: { ...(options.headers || {}), "X-Api-Key": adminKey() || "" } });
  } catch (error) {
    let reason = null;
    if (error.status === 403 && error.message === "Forbidden") {
      reason = "key";
      error.message = "the admin API key was not accepted";
    } else if (error.status === 403) reason = "not-admin";
    else if (error.status === 401) reason = "signed-out";
    if (reason) window.dispatchEvent(new CustomEvent(ACCESS_EVENT, { detail: reason }));
    throw error;
  }
}

/** Makes each table scroller (.table-scroll) a named region a keyboard can focus and scroll: on a phone
 * a table with no link or button in it (empty, or figures only) would otherwise scroll for mouse and
 * touch only (axe scrollable-region-focusable). Its name is its table's caption. */
export function keyboardScrollers(root = document) {
  for (const scroller of root.querySelectorAll(".table-scroll:not([tabindex])")) {
    const caption = scroller.querySelector("caption")?.textContent.trim();
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "region");
    scroller.setAttribute("aria-label", caption ? `${caption} (table)` : "Table");
  }
}

/** "19.99" → 1999 cents; null when the text is not an amount with at most two decimals. */
export function parseCents(text) {
  const value = String(text || "").trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(value)) return null;
  const [whole, fraction = ""] = value.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

export function centsText(cents) {
  return cents === null || cents === undefined ? "" : (cents / 100).toFixed(2);
}

// -- CSV (RFC 4180) ---------------------------------------------------------------------------------

/** One cell: a spreadsheet would run text starting with = + - @ (or tab/CR) as a formula, so such text
 * gets a leading apostrophe; quotes are doubled and cells with , " or line breaks are quoted. */
export function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(header, rows) {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function downloadCsv(fileName, header, rows) {
  const blob = new Blob([csvText(header, rows)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A CSV export reads at most this many pages of the listing (4,000 orders or 2,000 products).
const EXPORT_PAGES = 40;

/** Reads every page of a listing (`fetchPage(cursor)` resolving to {[itemsKey]: [...], next_cursor})
 * and downloads the items as `<name>-<date>.csv`, telling the admin how it went on `status`. */
export async function exportAllPages(status, { name, noun, itemsKey, fetchPage, header, rowOf }) {
  say(status, "Preparing the CSV file…");
  const all = [];
  let cursor = null;
  try {
    for (let page = 0; page < EXPORT_PAGES; page += 1) {
      const body = await fetchPage(cursor);
      all.push(...(body[itemsKey] || []));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
  } catch (error) {
    say(status, `The export failed: ${error.message}`, "error");
    return;
  }
  downloadCsv(`${name}-${today()}.csv`, header, all.map(rowOf));
  say(status, `Exported ${all.length} ${noun}.`, "ok");
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

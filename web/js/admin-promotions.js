// Promotions section of the admin page: GET /admin/promotions (with redemption counts), a form for
// POST /admin/promotions, and PUT /admin/promotions/{code} to deactivate or reactivate a code.
import { el, formatPrice, say } from "./ui.js";
import { adminApi, parseCents } from "./admin-common.js";

const $ = (id) => document.getElementById(id);

function discountText(promotion) {
  if (promotion.kind === "percent") return `${promotion.value}% off`;
  if (promotion.kind === "fixed") return `${formatPrice(promotion.value)} off`;
  return "Free shipping";
}

function validText(promotion) {
  const day = (moment) => (moment ? moment.slice(0, 10) : "");
  if (!promotion.starts_at && !promotion.ends_at) return "Always";
  return `${day(promotion.starts_at) || "…"} – ${day(promotion.ends_at) || "…"}`;
}

function row(promotion) {
  const limit = promotion.max_redemptions ? ` of ${promotion.max_redemptions}` : "";
  const action = promotion.active ? "Deactivate" : "Activate";
  const toggle = el("button", {
    type: "button",
    class: "button secondary small",
    text: action,
    "aria-label": `${action} ${promotion.code}`,
    onclick: () => setActive(promotion.code, !promotion.active),
  });
  return el("tr", {}, [
    el("th", { scope: "row", text: promotion.code }),
    el("td", { text: discountText(promotion) }),
    el("td", { text: promotion.min_subtotal ? formatPrice(promotion.min_subtotal) : "–" }),
    el("td", { text: validText(promotion) }),
    el("td", { text: `${promotion.redemptions}${limit}` }),
    el("td", { text: promotion.active ? "Active" : "Inactive" }),
    el("td", {}, [toggle]),
  ]);
}

async function load() {
  const status = $("promotions-status");
  try {
    const { promotions } = await adminApi("/admin/promotions");
    $("promotion-rows").replaceChildren(...promotions.map(row));
    if (!promotions.length) say(status, "No promotions yet.");
  } catch (error) {
    say(status, `Promotions could not be loaded: ${error.message}`, "error");
  }
}

async function setActive(code, active) {
  try {
    await adminApi(`/admin/promotions/${encodeURIComponent(code)}`, { method: "PUT", body: { active } });
    say($("promotions-status"), `${code} is ${active ? "active" : "inactive"}.`, "ok");
  } catch (error) {
    say($("promotions-status"), `${code} could not be changed: ${error.message}`, "error");
  }
  await load();
}

/** The form as a POST /admin/promotions body; a message naming the field when one is not valid. */
function terms(form) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) || "").trim();
  const kind = text("kind");
  const body = { code: text("code").toUpperCase(), kind };
  if (kind === "percent") body.value = Number(text("value"));
  else if (kind === "fixed") body.value = parseCents(text("value"));
  if (kind !== "free_shipping" && !(body.value > 0)) return "Enter the discount: a percent, or an amount such as 5.00.";
  if (text("min_subtotal")) {
    body.min_subtotal = parseCents(text("min_subtotal"));
    if (body.min_subtotal === null) return "Enter the minimum subtotal as an amount such as 25.00.";
  }
  if (text("starts_at")) body.starts_at = `${text("starts_at")}T00:00:00Z`;
  if (text("ends_at")) body.ends_at = `${text("ends_at")}T23:59:59Z`;
  for (const name of ["max_redemptions", "per_customer_limit"]) {
    if (!text(name)) continue;
    body[name] = Number(text(name));
    // The API's bounds (shop.contracts.admin_limits), carried by the inputs' max.
    const max = Number(form.elements[name].max);
    if (!Number.isInteger(body[name]) || body[name] < 1 || body[name] > max) return `${name === "max_redemptions" ? "Total uses" : "Uses per customer"} must be a whole number from 1 to ${max}.`;
  }
  const list = (name) => text(name).split(",").map((item) => item.trim()).filter(Boolean);
  if (list("categories").length) body.categories = list("categories");
  if (list("product_ids").length) body.product_ids = list("product_ids");
  return body;
}

async function create(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $("promotion-form-status");
  const body = terms(form);
  if (typeof body === "string") return say(status, body, "error");
  try {
    const created = await adminApi("/admin/promotions", { method: "POST", body });
    say(status, `Promotion ${created.code} created.`, "ok");
    form.reset();
  } catch (error) {
    say(status, `The promotion was not created: ${error.message}`, "error");
  }
  await load();
}

export async function initPromotions() {
  $("promotion-form").addEventListener("submit", create);
  await load();
}

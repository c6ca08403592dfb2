// admin-marketing.html (seed 001, page 8): abandoned carts, email performance, conversion rates,
// revenue attribution and campaign analytics. Figures come from GET /marketing/analytics (per campaign
// type over its 30-day window: queued, sent, opened, clicked, converted and, once engagement is
// recorded, attributed orders and revenue) and GET /orders/admin/sales for the same days (the revenue
// the campaigns' share is measured against). Fields the analytics add later show up as extra columns.
import { el, formatPrice, say } from "./ui.js";
import { adminApi, keyboardScrollers, today } from "./admin-common.js";
import { guardAdminPage } from "./admin-guard.js";
import { PALETTE, drawChart, tableRows } from "./admin-charts.js";

const $ = (id) => document.getElementById(id);
const COUNTS = [
  ["queued", "Queued"],
  ["sent", "Sent"],
  ["opened", "Opened"],
  ["clicked", "Clicked"],
  ["converted", "Converted"],
];
const NAMES = {
  abandoned_cart: "Abandoned cart",
  browse_abandonment: "Browse abandonment",
  price_drop: "Price drop",
  back_in_stock: "Back in stock",
  recommendations: "Recommendations",
};
// Attributed revenue (cents) and orders of a campaign type: a converted email is an attributed order.
const REVENUE_FIELDS = ["attributed_revenue_cents", "attributed_revenue"];
const ORDER_FIELDS = ["attributed_orders", "converted"];
// Rates the page shows in their own columns (computed here from the counts, as the API does).
const RATE_FIELDS = ["open_rate", "click_rate", "conversion_rate"];

let generation = 0;

const words = (name) => name.replace(/_cents$/, "").replace(/_/g, " ").replace(/^./, (first) => first.toUpperCase());
const campaignName = (type) => NAMES[type] || words(type);
const number = (value) => (value ?? 0).toLocaleString("en-US");
const rate = (part, whole) => (whole ? (part || 0) / whole : null);
const percent = (value) => (value === null ? "–" : `${(value * 100).toFixed(1)} %`);

function firstNumber(row, fields) {
  for (const field of fields) if (typeof row?.[field] === "number") return row[field];
  return null;
}

/** Numeric fields beyond the five counts (engagement data as it arrives), in a stable order. */
function extraFields(rows) {
  const known = new Set([...COUNTS.map(([field]) => field), ...RATE_FIELDS]);
  const extra = new Set();
  for (const row of rows) for (const [field, value] of Object.entries(row)) if (typeof value === "number" && !known.has(field)) extra.add(field);
  return [...extra].sort();
}

function figure(term, value, id) {
  return el("div", {}, [el("dt", { text: term }), el("dd", { id, text: value })]);
}

function renderCarts(row, money) {
  const revenue = firstNumber(row, REVENUE_FIELDS);
  $("cart-figures").replaceChildren(
    figure("Recovery emails sent", number(row.sent), "cart-sent"),
    figure("Opened", number(row.opened), "cart-opened"),
    figure("Clicked", number(row.clicked), "cart-clicked"),
    figure("Carts recovered", number(row.converted), "cart-converted"),
    figure("Recovery rate", percent(rate(row.converted, row.sent)), "cart-rate"),
    revenue === null ? null : figure("Recovered revenue", money(revenue), "cart-revenue"),
  );
}

function renderPerformance(types, byType) {
  const labels = types.map(campaignName);
  const counted = COUNTS.filter(([field]) => field !== "queued");
  drawChart(
    $("performance-chart"),
    {
      type: "bar",
      data: {
        labels,
        datasets: counted.map(([field, label], index) => ({ label, data: types.map((type) => byType[type][field] || 0), backgroundColor: PALETTE[index] })),
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Emails" } } } },
    },
    "Bar chart of emails sent, opened, clicked and converted per campaign type; the table “Emails per campaign type” has the same figures.",
  );
  $("performance-rows").replaceChildren(...tableRows(
    types.map((type) => [campaignName(type), ...COUNTS.map(([field]) => number(byType[type][field]))]),
    COUNTS.length + 1,
    "No campaign emails in this period.",
  ));
}

function rates(row) {
  return {
    open: rate(row.opened, row.sent),
    click: rate(row.clicked, row.sent),
    clickToOpen: rate(row.clicked, row.opened),
    conversion: rate(row.converted, row.sent),
  };
}

function renderRates(types, byType) {
  const shown = [["open", "Open rate"], ["click", "Click rate"], ["conversion", "Conversion rate"]];
  drawChart(
    $("rates-chart"),
    {
      type: "bar",
      data: {
        labels: types.map(campaignName),
        datasets: shown.map(([key, label], index) => ({ label, data: types.map((type) => (rates(byType[type])[key] ?? 0) * 100), backgroundColor: PALETTE[index + 1] })),
      },
      options: { scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (value) => `${value} %` }, title: { display: true, text: "Share of emails sent" } } } },
    },
    "Bar chart of open, click and conversion rates per campaign type; the table “Rates per campaign type” has the same figures.",
  );
  $("rates-rows").replaceChildren(...tableRows(
    types.map((type) => {
      const { open, click, clickToOpen, conversion } = rates(byType[type]);
      return [campaignName(type), percent(open), percent(click), percent(clickToOpen), percent(conversion)];
    }),
    5,
    "No campaign emails in this period.",
  ));
}

/** Each campaign type's attributed revenue and the rest of the period's paid revenue (from the sales
 * report), as a doughnut and a table. */
function renderRevenue(types, byType, sales, money) {
  const attributed = types
    .map((type) => ({ name: campaignName(type), revenue: firstNumber(byType[type], REVENUE_FIELDS), orders: firstNumber(byType[type], ORDER_FIELDS) }))
    .filter((source) => source.revenue !== null);
  const recorded = attributed.length > 0;
  const attributedTotal = attributed.reduce((sum, source) => sum + source.revenue, 0);
  const sources = attributed.filter((source) => source.revenue > 0);
  const total = sales ? sales.totals.revenue : null;
  if (sales) {
    const attributedOrders = attributed.reduce((sum, source) => sum + (source.orders || 0), 0);
    sources.push({ name: "Not attributed to an email", revenue: Math.max(0, total - attributedTotal), orders: Math.max(0, sales.totals.paid_orders - attributedOrders) });
  }
  const whole = total ?? attributedTotal;
  let note;
  if (!recorded) note = "The analytics record no revenue per campaign yet: the period's revenue is all shown as not attributed.";
  else if (whole) note = `${money(attributedTotal)} of ${money(whole)} (${percent(rate(attributedTotal, whole))}) came from orders attributed to a marketing email.`;
  else note = "No paid orders in this period yet.";
  if (!sales) note += " The period's total revenue could not be loaded.";
  $("revenue-note").textContent = note;
  const drawn = sources.filter((source) => source.revenue > 0);
  drawChart(
    $("revenue-chart"),
    {
      type: "doughnut",
      data: {
        labels: drawn.map((source) => source.name),
        datasets: [{ label: "Revenue", data: drawn.map((source) => source.revenue / 100), backgroundColor: drawn.map((_, index) => PALETTE[index % PALETTE.length]) }],
      },
      options: { plugins: { tooltip: { callbacks: { label: (item) => `${item.label}: ${money(Math.round(item.raw * 100))}` } } } },
    },
    "Doughnut chart of the period's revenue by source; the table “Revenue by source” has the same figures.",
  );
  $("revenue-rows").replaceChildren(...tableRows(
    sources.map((source) => [source.name, source.orders === null ? "–" : number(source.orders), money(source.revenue), percent(rate(source.revenue, whole))]),
    4,
    "No revenue in this period.",
  ));
}

function renderCampaigns(types, byType, totals, money) {
  const extras = extraFields([...types.map((type) => byType[type]), totals || {}]);
  const cell = (row, field) => {
    if (/revenue/.test(field)) return money(row[field] || 0);
    return /_rate$/.test(field) ? percent(row[field] ?? null) : number(row[field]);
  };
  const columns = [...COUNTS.map(([, label]) => label), "Open rate", "Click rate", "Conversion rate", ...extras.map(words)];
  const values = (row) => {
    const { open, click, conversion } = rates(row);
    return [...COUNTS.map(([field]) => number(row[field])), percent(open), percent(click), percent(conversion), ...extras.map((field) => cell(row, field))];
  };
  $("campaign-head").replaceChildren(el("th", { scope: "col", text: "Campaign type" }), ...columns.map((text) => el("th", { scope: "col", class: "number", text })));
  $("campaign-rows").replaceChildren(...tableRows(types.map((type) => [campaignName(type), ...values(byType[type])]), columns.length + 1, "No campaigns in this period."));
  $("campaign-totals").replaceChildren(...(totals ? tableRows([["All campaigns", ...values(totals)]], columns.length + 1, "") : []));
}

function render(analytics, sales) {
  const currency = analytics.currency || sales?.currency || "USD";
  const money = (cents) => formatPrice(cents, currency);
  const byType = analytics.by_trigger || {};
  const types = Object.keys(byType).filter((type) => byType[type] && typeof byType[type] === "object");
  const generated = new Date(analytics.generated_at).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
  $("scope").textContent = `Campaign emails queued since ${analytics.since.slice(0, 10)} (30 days); figures as of ${generated}, refreshed at most every 15 minutes.`;
  renderCarts(byType.abandoned_cart || {}, money);
  renderPerformance(types, byType);
  renderRates(types, byType);
  renderRevenue(types, byType, sales, money);
  renderCampaigns(types, byType, analytics.totals, money);
}

async function load() {
  const mine = ++generation;
  say($("marketing-status"), "Loading marketing figures…");
  try {
    const analytics = await adminApi("/marketing/analytics");
    let sales = null;
    try {
      sales = await adminApi("/orders/admin/sales", { query: { from: analytics.since.slice(0, 10), to: today() } });
    } catch {
      // The campaign figures stand alone; the revenue note says the total is missing.
    }
    if (mine !== generation) return;
    render(analytics, sales);
    say($("marketing-status"), "");
  } catch (error) {
    if (mine !== generation) return;
    say($("marketing-status"), `Marketing figures could not be loaded: ${error.message}`, "error");
  }
}

guardAdminPage(() => {
  keyboardScrollers();
  $("reload").addEventListener("click", load);
  load();
});

// Sales section of the admin page: GET /orders/admin/sales (computed server-side from every order of
// the period, at most 92 days) as figures, a chart of revenue and orders per day, a table of the same
// figures and the top products.
import { formatPrice, say } from "./ui.js";
import { adminApi, today } from "./admin-common.js";
import { PALETTE, dayLabel, drawChart, tableRows } from "./admin-charts.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_DAYS = 30;
// admin-orders.js announces a change that can move the figures (a payment recorded, a refund).
export const SALES_STALE_EVENT = "shop:sales-stale";

let generation = 0;
let refreshTimer = null;

function daysBefore(isoDate, days) {
  const moment = new Date(`${isoDate}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() - days);
  return moment.toISOString().slice(0, 10);
}

function render(report) {
  const money = (cents) => formatPrice(cents, report.currency);
  const { totals } = report;
  const others = totals.other_currency_paid_orders
    ? ` ${totals.other_currency_paid_orders} paid orders in another currency are counted as orders only.`
    : "";
  $("sales-scope").textContent =
    `Orders placed from ${report.from} to ${report.to} (UTC days). Revenue counts paid orders that are not being refunded.${others}`;
  $("sales-orders").textContent = String(totals.orders);
  $("sales-paid").textContent = String(totals.paid_orders);
  $("sales-revenue").textContent = money(totals.revenue);
  $("sales-average").textContent = totals.paid_orders ? money(totals.average_order_value) : "–";
  $("sales-refunds").textContent = `${totals.refunds} (${money(totals.refunded_amount)})`;

  const days = report.days;
  drawChart(
    $("sales-chart"),
    {
      type: "bar",
      data: {
        labels: days.map((day) => dayLabel(day.date)),
        datasets: [
          { label: `Revenue (${report.currency})`, data: days.map((day) => day.revenue / 100), backgroundColor: PALETTE[0], yAxisID: "revenue", order: 2 },
          { label: "Orders", type: "line", data: days.map((day) => day.orders), borderColor: PALETTE[1], backgroundColor: PALETTE[1], yAxisID: "orders", order: 1 },
        ],
      },
      options: {
        scales: {
          revenue: { position: "left", beginAtZero: true, title: { display: true, text: `Revenue (${report.currency})` } },
          orders: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false }, title: { display: true, text: "Orders" } },
        },
      },
    },
    `Chart of revenue (bars) and orders (line) per day from ${report.from} to ${report.to}; the table “Sales by day” has the same figures.`,
  );
  $("sales-day-rows").replaceChildren(...tableRows(
    days.map((day) => [day.date, day.orders, day.paid_orders, money(day.revenue), day.paid_orders ? money(day.average_order_value) : "–"]),
    5,
    "No days in this period.",
  ));
  $("top-rows").replaceChildren(...tableRows(
    report.top_products.map((product) => [product.name, product.units, product.orders, money(product.revenue)]),
    4,
    "No paid orders in this period.",
  ));
}

async function loadSales() {
  const mine = ++generation;
  const form = $("sales-range");
  say($("sales-status"), "Loading sales…");
  try {
    const report = await adminApi("/orders/admin/sales", { query: { from: form.from.value, to: form.to.value } });
    if (mine !== generation) return;
    render(report);
    say($("sales-status"), "");
  } catch (error) {
    if (mine !== generation) return;
    // The API names the wrong date, e.g. "the range from … to … is 120 days; at most 92".
    say($("sales-status"), `Sales could not be loaded: ${error.message}`, "error");
  }
}

export async function initSales() {
  const form = $("sales-range");
  form.to.value = today();
  form.from.value = daysBefore(form.to.value, DEFAULT_DAYS - 1);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    loadSales();
  });
  window.addEventListener(SALES_STALE_EVENT, () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(loadSales, 500);
  });
  await loadSales();
}

// Charts of the admin pages, drawn by the vendored Chart.js (web/vendor/chart.js, loaded by a plain
// <script defer> before the page's modules, so `window.Chart` exists when these run). Every chart has
// a data table beside it; the canvas itself is one image with a label that points to that table.
import { el } from "./ui.js";

// Distinguishable for the common colour-vision deficiencies (Okabe–Ito), dark enough on white.
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

/** Draws `config` on `canvas` (replacing the chart drawn there before); null when Chart.js did not
 * load, in which case the canvas says so and the data table still has every figure. */
export function drawChart(canvas, config, label) {
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const Chart = window.Chart;
  if (!Chart) {
    canvas.replaceChildren("The chart could not be drawn; the table has the same figures.");
    return null;
  }
  Chart.getChart(canvas)?.destroy();
  canvas.replaceChildren(label);
  const options = config.options || {};
  return new Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      ...(reducedMotion() ? { animation: false } : {}),
      ...options,
      plugins: { legend: { position: "bottom" }, ...(options.plugins || {}) },
    },
  });
}

/** "2026-11-21" → "Nov 21" (the day as the API counts it, in UTC). */
export function dayLabel(isoDate) {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** A table body's rows: the first cell a row header, the others numbers; `empty` when there are none. */
export function tableRows(rows, columns, empty) {
  if (!rows.length) return [el("tr", {}, [el("td", { colspan: String(columns), class: "muted", text: empty })])];
  return rows.map(([head, ...cells]) =>
    el("tr", {}, [el("th", { scope: "row", text: head }), ...cells.map((text) => el("td", { class: "number", text: String(text) }))]),
  );
}

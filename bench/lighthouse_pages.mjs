// Lighthouse (the pinned node_modules/lighthouse) on a list of pages of one shop, in one Chromium.
// Used by tests/browser/test_page_quality.py and bench/lighthouse.py.
//
//   node bench/lighthouse_pages.mjs < job.json > results.json
//
// job.json: {"origin": "http://127.0.0.1:8000", "pages": [{"name": "cart", "url": "...", "expect_text": "..."}],
//            "localStorage": {"shop.cartId": "..."}, "categories": ["accessibility", ...], "runs": 1}
// The cart lives in the browser (api.js keeps the guest cart id in localStorage), so the job's
// localStorage is written on the shop's origin before the first run. Lighthouse's storage reset
// between runs clears the HTTP cache, service workers and cache storage, never localStorage
// (settings.clearStorageTypes), so every run still starts cold and still has the cart.
//
// Output: one entry per page and run: category scores (0-100), LCP/TBT/CLS, the audits that lost
// points, each with the elements Lighthouse names, and the layout shifts with the elements that moved.
import { readFileSync } from "node:fs";
import process from "node:process";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

// Headless Chromium as the brief of issue #16 runs it; chrome-launcher adds its own defaults (no
// background networking, no component updates: this machine's network is closed).
const CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu"];
const METRICS = {
  lcp_ms: "largest-contentful-paint",
  tbt_ms: "total-blocking-time",
  cls: "cumulative-layout-shift",
  fcp_ms: "first-contentful-paint",
};
// Audits in these modes never lose points: they are not failures.
const UNSCORED = new Set(["notApplicable", "informative", "manual", "error"]);

// Lighthouse 12.2.3's own layout-shifts audit fails on Chromium 156 (its trace engine cannot read the
// newer screenshot events: "reading 'frame_sequence'"), so the page records its layout shifts and
// their elements itself, during the very load Lighthouse measures. Runs in the page, before its scripts.
function recordLayoutShifts() {
  const describe = (node) => {
    const element = node && node.nodeType === 1 ? node : node?.parentElement;
    if (!element) return "";
    const classes = typeof element.className === "string" ? element.className.trim().split(/\s+/).filter(Boolean) : [];
    return element.tagName.toLowerCase() + (element.id ? `#${element.id}` : "") + classes.map((c) => `.${c}`).join("");
  };
  window.__layoutShifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Kept even after "recent input": Lighthouse's device emulation counts as input to Chromium, and
      // Lighthouse's CLS counts these shifts too.
      window.__layoutShifts.push({
        value: entry.value,
        at_ms: Math.round(entry.startTime),
        sources: (entry.sources || []).map((source) => ({
          element: describe(source.node),
          from: [Math.round(source.previousRect.y), Math.round(source.previousRect.height)],
          to: [Math.round(source.currentRect.y), Math.round(source.currentRect.height)],
        })),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
}

async function readJob() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

function elementsOf(audit) {
  const items = audit.details?.items || [];
  const named = [];
  for (const item of items) {
    // Accessibility audits name DOM nodes, link-text names links; others URLs, sources or descriptions.
    const node = item.node || item.subItems?.items?.[0]?.node;
    if (node) named.push({ selector: node.selector || "", snippet: node.snippet || "", explanation: node.explanation || "" });
    else if (item.href !== undefined) named.push({ selector: "", snippet: `"${item.text || ""}" -> ${item.href}`, explanation: "" });
    else if (item.url || item.description || item.sourceLocation) {
      // Console errors (errors-in-console) have a description and where it came from; others a URL.
      const where = item.sourceLocation?.url || item.url || "";
      const text = item.description && where ? `${where}: ${item.description}` : item.description || where;
      named.push({ selector: "", snippet: String(text), explanation: "" });
    }
    if (named.length >= 10) break;
  }
  return named;
}

/** Every audit of every category that lost points, weighted or not: performance's diagnostics
 * (layout-shifts, unused-javascript, ...) say why a metric is slow, and a weight-0 accessibility audit
 * (label-content-name-mismatch) is still an axe-core violation. */
function failingAudits(lhr) {
  const failing = [];
  for (const [categoryId, category] of Object.entries(lhr.categories)) {
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (!audit || UNSCORED.has(audit.scoreDisplayMode) || audit.score === null || audit.score >= 1) continue;
      failing.push({
        category: categoryId,
        id: ref.id,
        title: audit.title,
        score: audit.score,
        weight: ref.weight,
        display: audit.displayValue || "",
        elements: elementsOf(audit),
      });
    }
  }
  return failing;
}

function summary(name, url, lhr) {
  const scores = {};
  for (const [id, category] of Object.entries(lhr.categories)) {
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
  }
  const metrics = {};
  for (const [key, auditId] of Object.entries(METRICS)) {
    const audit = lhr.audits[auditId];
    metrics[key] = audit && typeof audit.numericValue === "number" ? audit.numericValue : null;
  }
  return {
    name,
    url,
    final_url: lhr.finalDisplayedUrl,
    runtime_error: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : "",
    warnings: lhr.runWarnings || [],
    scores,
    metrics,
    failing: failingAudits(lhr),
  };
}

function lighthouseVersion() {
  const manifest = new URL("../node_modules/lighthouse/package.json", import.meta.url);
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

async function main() {
  const job = await readJob();
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    chromeFlags: CHROME_FLAGS,
    logLevel: "silent",
  });
  let browser;
  try {
    browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
    const page = await browser.newPage();
    if (job.localStorage && Object.keys(job.localStorage).length) {
      // Any page of the origin will do; config.json is small and runs no script.
      await page.goto(new URL("/config.json", job.origin).href);
      await page.evaluate((entries) => {
        for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
      }, job.localStorage);
    }
    await page.evaluateOnNewDocument(recordLayoutShifts);
    // No full-page screenshot: no audit scores it, and it costs seconds a page on a busy machine.
    const flags = {
      logLevel: "error",
      output: "json",
      onlyCategories: job.categories,
      disableFullPageScreenshot: true,
    };
    const results = [];
    for (let run = 0; run < (job.runs || 1); run += 1) {
      for (const { name, url, expect_text: expectText } of job.pages) {
        const result = await lighthouse(url, flags, undefined, page);
        // Whether the page Lighthouse judged shows `expect_text` (the cart pages: the item in the cart).
        const shown = expectText
          ? await page.evaluate((text) => document.body.innerText.includes(text), expectText)
          : null;
        // Shifts after Lighthouse's trace ended come from its own full-page screenshot (it resizes
        // the viewport), not from the page: Lighthouse's CLS leaves them out, and so does this list.
        const traceEnd = result.lhr.audits.metrics?.details?.items?.[0]?.observedTraceEnd ?? Infinity;
        const shifts = (await page.evaluate(() => window.__layoutShifts || [])).filter((shift) => shift.at_ms <= traceEnd);
        results.push({ run, shows_expected_text: shown, layout_shifts: shifts, ...summary(name, url, result.lhr) });
      }
    }
    process.stdout.write(`${JSON.stringify({ lighthouse: lighthouseVersion(), results })}\n`);
  } finally {
    await browser?.disconnect();
    chrome.kill();
  }
}

main().catch((error) => {
  process.stderr.write(`lighthouse_pages: ${error.stack || error}\n`);
  process.exit(1);
});

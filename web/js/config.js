// The deployment writes config.json next to the pages (API URL, user pool, stage); never edited by hand.
let cached;

export async function siteConfig() {
  if (!cached) {
    // From the root: the 404 page is served at any path (/a/b/c), where "config.json" would be /a/b/config.json.
    const response = await fetch("/config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    cached = await response.json();
  }
  return cached;
}

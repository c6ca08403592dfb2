// The page's canonical URL and og:url. The build writes them where the stage's public URL is known (a
// custom domain, or the local shop); elsewhere (a stage on its *.cloudfront.net name) they come from the
// page's own address. Pages whose content depends on the query (a product) set their own.
function upsert(selector, create, attribute, value) {
  let node = document.head.querySelector(selector);
  if (!node) {
    node = create();
    document.head.append(node);
  }
  node.setAttribute(attribute, value);
  return node;
}

/** The site's public origin: the build's canonical URL names it (a custom domain even when the page was
 * reached by another name); without one, this page's own. */
function siteOrigin() {
  const rendered = document.head.querySelector('link[rel="canonical"]')?.getAttribute("href");
  try {
    if (rendered) return new URL(rendered, location.href).origin;
  } catch {
    // A malformed canonical link: this page's origin below.
  }
  return location.origin;
}

/** Sets the canonical URL and og:url of this page, e.g. setCanonical("product.html?id=prod_1"), and
 * returns the absolute URL. */
export function setCanonical(pathAndQuery) {
  const url = new URL(pathAndQuery, `${siteOrigin()}/`).href;
  upsert('link[rel="canonical"]', () => Object.assign(document.createElement("link"), { rel: "canonical" }), "href", url);
  upsert('meta[property="og:url"]', () => {
    const meta = document.createElement("meta");
    meta.setAttribute("property", "og:url");
    return meta;
  }, "content", url);
  return url;
}

/** A <meta name=...> or <meta property=...> tag's content (description, og:title, og:image...). */
export function setMeta(key, content) {
  const attribute = key.startsWith("og:") ? "property" : "name";
  upsert(`meta[${attribute}="${key}"]`, () => {
    const meta = document.createElement("meta");
    meta.setAttribute(attribute, key);
    return meta;
  }, "content", content);
}

if (!document.head.querySelector('link[rel="canonical"]')) {
  setCanonical(location.pathname === "/" ? "/" : location.pathname);
}

// The marketing email a shopper arrived from: a click-through link lands on the shop with
// `mc=<message id>` (docs/marketing.md, "Engagement and attribution"). The id is kept here and
// checkout sends it with the order as `campaign_message_id`; the shop decides whether the order falls
// within the attribution window of the click, so the page only forgets ids older than the longest one.
const KEY = "shop.campaign";
const PARAM = "mc";
const MESSAGE_ID = /^mq_[0-9a-f]{32}$/;
const KEEP_MS = 30 * 24 * 3600 * 1000;

function remember() {
  const url = new URL(location.href);
  const id = url.searchParams.get(PARAM);
  if (id === null) return;
  if (MESSAGE_ID.test(id)) {
    try {
      localStorage.setItem(KEY, JSON.stringify({ id, at: Date.now() }));
    } catch {
      // Storage refused (private mode): the order is then attributed by its code only.
    }
  }
  // The parameter has done its job: a copied or bookmarked link does not carry it on.
  url.searchParams.delete(PARAM);
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

/** The id of the email the shopper last arrived from, or null. */
export function campaignMessageId() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEY) || "null");
    if (kept && MESSAGE_ID.test(kept.id) && Date.now() - kept.at < KEEP_MS) return kept.id;
  } catch {
    // Unreadable or refused storage: no campaign.
  }
  return null;
}

remember();

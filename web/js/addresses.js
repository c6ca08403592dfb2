// Postal addresses in the pages: the fields every address form has (the API's names, for orders and
// saved addresses alike) and an address as the lines of a label.
// Country names: the shop's list (countries.js) where a page passes it, else the browser's own (Intl), so
// a page that only shows addresses (the admin page) need not load every country's name.
const REGIONS = new Intl.DisplayNames(["en"], { type: "region" });

function regionName(code) {
  try {
    return REGIONS.of(String(code).toUpperCase());
  } catch {
    return code; // not a region code at all (an old stored address)
  }
}

export const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postal_code", "country", "phone"];

/** Every field the address has, as label lines: name, street, apartment, place, country, phone. */
export function addressLines(address, countryName = regionName) {
  const a = address || {};
  const place = [a.city, [a.region, a.postal_code].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return [a.name, a.line1, a.line2, place, a.country ? countryName(a.country) : "", a.phone ? `Phone: ${a.phone}` : ""].filter(Boolean);
}

/** Two addresses are the same place when every field matches (a missing field equals an empty one). */
export function sameAddress(a, b) {
  return ADDRESS_FIELDS.every((name) => String((a || {})[name] || "") === String((b || {})[name] || ""));
}

// Where a link's clicks came from: one list per breakdown of GET /links/{id}/stats
// (referrers, countries, devices, browsers, OS), most clicks first as the API sorts them,
// each with its count, its share and a bar of that share.

import { el } from "./dom.js";

// Country names in the reader's language, from the browser (ISO 3166-1 codes in, names
// out); a code it does not know stays a code.
let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(undefined, { type: "region" });
} catch {
  regionNames = null;
}

const OTHER = "(other)"; // the API's entry for everything past its top 20

function countryName(code) {
  if (code === "unknown") return "Unknown";
  try {
    const name = regionNames?.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code; // not a region code DisplayNames accepts
  }
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export const BREAKDOWNS = [
  {
    key: "referrers",
    title: "Referrers",
    name: (value) => (value === "(direct)" ? "Direct, or no referring site" : value),
    empty: "Referrers appear once someone follows the link from another site; a visit with no referring site counts as direct.",
  },
  {
    key: "countries",
    title: "Countries",
    name: countryName,
    empty: "Countries appear once the link is clicked: where each visitor was, as the shortener’s CDN tells it.",
  },
  {
    key: "devices",
    title: "Devices",
    name: capitalised,
    empty: "Devices appear once the link is clicked: phones, tablets and computers.",
  },
  {
    key: "browsers",
    title: "Browsers",
    name: (value) => value,
    empty: "Browsers appear once the link is clicked.",
  },
  {
    key: "os",
    title: "Operating systems",
    name: (value) => value,
    empty: "Operating systems appear once the link is clicked.",
  },
];

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

/** The breakdowns of one stats report, as sections with an h3 each. */
export function buildBreakdowns(report) {
  return BREAKDOWNS.map(({ key, title, name, empty }) => {
    const entries = Array.isArray(report[key]) ? report[key] : [];
    const headingId = `stats-${key}-title`;
    const total = entries.reduce((sum, entry) => sum + entry.clicks, 0);
    const body =
      entries.length === 0
        ? el("p", { class: "muted small breakdown__empty" }, empty)
        : el("ol", { class: "breakdown__list", "aria-labelledby": headingId }, ...entries.map((entry) => item(entry, total, name)));
    return el(
      "section",
      { class: "breakdown", "aria-labelledby": headingId, "data-breakdown": key },
      el("h3", { id: headingId }, title),
      body,
    );
  });
}

function item(entry, total, name) {
  const share = total > 0 ? entry.clicks / total : 0;
  const fill = el("span", { class: "breakdown__fill" });
  // A width from data: set through the CSSOM, which the page's CSP allows (a style
  // attribute it would not).
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  const clicks = `${entry.clicks.toLocaleString()} ${entry.clicks === 1 ? "click" : "clicks"}`;
  return el(
    "li",
    { class: "breakdown__item", "data-value": entry.value },
    el("span", { class: "breakdown__name" }, entry.value === OTHER ? "Others" : name(entry.value)),
    el("span", { class: "breakdown__count" }, `${clicks}, ${percent.format(share)}`),
    el("span", { class: "breakdown__bar", "aria-hidden": "true" }, fill),
  );
}

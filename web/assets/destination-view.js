// A destination on the page: its readable form (readable-url.js), a warning when its
// host could pass for another, and the exact address for whoever needs it. A title
// attribute alone would hide the exact address from touch screens and most screen
// readers, so it is also one tap away in a disclosure.

import { el } from "./dom.js";
import { readableUrl } from "./readable-url.js";
import { withBreaks } from "./url-breaks.js";

export const LOOKALIKE_WARNING =
  "This address uses look-alike characters: its host name is shown encoded (xn--…), as " +
  "browsers show names that could pass for another. Make sure it is the site you expect.";

/**
 * Fills `container` (a block element) with `href` as people read it, after `lead` (text
 * or nodes: "Goes to "). `exactDisclosure: false` leaves out the "Exact address" line,
 * where it would only be noise; `which` tells screen readers whose exact address it is,
 * where a list has many ("of abc123").
 */
export function showDestination(container, href, { lead = "", exactDisclosure = true, which = "" } = {}) {
  const readable = readableUrl(href);
  const parts = [
    el("p", { class: "destination__text" }, lead,
      el("span", { class: "url-text destination__url", title: readable.exact }, withBreaks(readable.text))),
  ];
  if (readable.flagged) parts.push(el("p", { class: "lookalike-warning" }, LOOKALIKE_WARNING));
  if (exactDisclosure && readable.text !== readable.exact) {
    parts.push(el("details", { class: "exact-url" },
      el("summary", {}, "Exact address", which ? el("span", { class: "visually-hidden" }, ` ${which}`) : null),
      el("p", { class: "url-text exact-url__text" }, withBreaks(readable.exact))));
  }
  container.replaceChildren(...parts);
  return readable;
}

// The "My links" export file: a versioned JSON document that carries the links made in
// one browser, with their management keys, to another (or back after clearing data).
//
//   {"format": "url-shortener.my-links", "version": 1, "exportedAt": "<ISO 8601>",
//    "origin": "https://sho.rt", "links": [<StoredLink>, ...]}
//
// Reading is strict about what it uses (a link with a malformed id or key is refused,
// not half-imported) and ignores fields it does not know, so later versions of the page
// may add some without breaking this one.

import { ALIAS_PATTERN } from "./validation.js";

export const FORMAT = "url-shortener.my-links";
export const VERSION = 1;
// src/domain/management_tokens.py: 32 random bytes, base64url without padding, so 43
// characters whose last one carries only 2 bits (the other 4 are zero).
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const STATES = new Set(["active", "gone", "missing"]);
// Far more than any list a person keeps (a link takes about 300 bytes); a bigger file
// is something else, and reading it would only stall the page.
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Why a file cannot be imported, in a sentence for the person who chose it. */
export class NotAnExport extends Error {
  constructor(reason) {
    super(`This file is not a My links export: ${reason}.`);
    this.name = "NotAnExport";
  }
}

/** The document for `links` (StoredLink[], link-store.js), as exported now from `origin`. */
export function exportDocument(links, origin, now = new Date()) {
  return { format: FORMAT, version: VERSION, exportedAt: now.toISOString(), origin, links };
}

/** `my-links-sho.rt-2026-05-14.json`: whose links, and when (the person's own date). */
export function exportFileName(host, now = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en", { year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(now)
      .map(({ type, value }) => [type, value]),
  );
  // A port's ":" is not allowed in file names everywhere.
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, "-");
  return `my-links-${safeHost}-${parts.year}-${parts.month}-${parts.day}.json`;
}

/**
 * The links in an export's text, as StoredLinks, or a NotAnExport saying what is wrong.
 * @returns {import("./link-store.js").StoredLink[]}
 */
export function readExport(text, here = null) {
  let exported;
  try {
    exported = JSON.parse(text);
  } catch {
    throw new NotAnExport("it is not JSON");
  }
  if (!isObject(exported)) throw new NotAnExport("it holds no export document");
  if (exported.format !== FORMAT) throw new NotAnExport(`its "format" is not "${FORMAT}"`);
  if (exported.version !== VERSION) {
    throw new NotAnExport(
      Number.isInteger(exported.version) && exported.version > VERSION
        ? `it is version ${exported.version}, made by a newer page than this one (which reads version ${VERSION})`
        : `its "version" is not ${VERSION}`,
    );
  }
  if (!Array.isArray(exported.links)) throw new NotAnExport(`its "links" is not a list`);
  const seen = new Set();
  const links = exported.links.map((entry, index) => {
    const link = readLink(entry, `link ${index + 1}`);
    if (seen.has(link.shortId)) throw new NotAnExport(`link ${index + 1} (${link.shortId}) is listed twice`);
    seen.add(link.shortId);
    return link;
  });
  // Another shortener's keys would be sent to this one, and its ids taken for the links
  // that have them here: an export comes back only where it was made.
  if (here !== null && exported.origin !== here) {
    throw new NotAnExport(`its links belong to another shortener (${exported.origin}), not this one (${here})`);
  }
  return links;
}

function readLink(entry, where) {
  if (!isObject(entry)) throw new NotAnExport(`${where} is not a link`);
  const { shortId, managementToken } = entry;
  if (typeof shortId !== "string" || !ALIAS_PATTERN.test(shortId)) {
    throw new NotAnExport(`${where} has no valid "shortId"`);
  }
  const named = `${where} (${shortId})`;
  if (typeof managementToken !== "string" || !TOKEN_PATTERN.test(managementToken)) {
    throw new NotAnExport(`${named} has no valid management key ("managementToken")`);
  }
  const optional = (name, valid) => {
    if (entry[name] === undefined) return undefined;
    if (!valid(entry[name])) throw new NotAnExport(`${named} has an invalid "${name}"`);
    return entry[name];
  };
  const isDate = (value) => typeof value === "string" && !Number.isNaN(Date.parse(value));
  const isDateOrNull = (value) => value === null || isDate(value);
  return {
    shortId,
    shortUrl: required(entry, "shortUrl", named),
    url: required(entry, "url", named),
    createdAt: optional("createdAt", isDate) ?? "",
    expiresAt: optional("expiresAt", isDateOrNull) ?? null,
    clicks: optional("clicks", (value) => Number.isSafeInteger(value) && value >= 0) ?? 0,
    lastClickedAt: optional("lastClickedAt", isDateOrNull) ?? null,
    managementToken,
    state: optional("state", (value) => STATES.has(value)) ?? "active",
    checkedAt: optional("checkedAt", isDate) ?? undefined,
  };
}

// The page links to both: only a web address may go in an href.
function required(entry, name, named) {
  const value = entry[name];
  if (typeof value !== "string") throw new NotAnExport(`${named} has no "${name}"`);
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    throw new NotAnExport(`${named} has a "${name}" that is not a web address`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new NotAnExport(`${named} has a "${name}" that is not an http or https address`);
  }
  return value;
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

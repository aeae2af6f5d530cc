// "My links": the links made in this browser, with the management tokens that alone can
// change or delete them (the API shows a token once and keeps only its hash).
//
// localStorage, because the tokens must survive a reload and a restart, and must never
// leave this browser. One JSON array under a versioned key.

const STORAGE_KEY = "shortener.myLinks.v1";

/**
 * @typedef {{shortId: string, shortUrl: string, url: string, createdAt: string,
 *   expiresAt: string | null, clicks: number, lastClickedAt: string | null,
 *   managementToken: string, state: "active" | "gone" | "missing",
 *   checkedAt?: string}} StoredLink
 * checkedAt: when this browser last heard from the API about the link; an import
 * keeps the fresher of two copies of one link by it.
 */

/** @returns {StoredLink[]} newest first */
export function loadLinks() {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
    return Array.isArray(parsed) ? parsed.filter((link) => link && typeof link.shortId === "string") : [];
  } catch {
    // Storage blocked (some private modes) or a damaged entry: an empty list, not a broken page.
    return [];
  }
}

function saveLinks(links) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(links));
    return true;
  } catch {
    return false;
  }
}

/** Adds a newly created link (or refreshes it, for an idempotent replay) at the top. */
export function addLink(created) {
  const link = {
    shortId: created.shortId,
    shortUrl: created.shortUrl,
    url: created.url,
    createdAt: created.createdAt,
    expiresAt: created.expiresAt ?? null,
    clicks: created.clicks ?? 0,
    lastClickedAt: created.lastClickedAt ?? null,
    managementToken: created.managementToken,
    state: "active",
    checkedAt: new Date().toISOString(),
  };
  return saveLinks([link, ...loadLinks().filter((l) => l.shortId !== link.shortId)]);
}

/** Merges what the API now says (details, or a new state) into the stored link. */
export function updateLink(shortId, changes) {
  const links = loadLinks();
  const link = links.find((l) => l.shortId === shortId);
  if (!link) return null;
  Object.assign(link, changes, { checkedAt: new Date().toISOString() });
  saveLinks(links);
  return link;
}

export function removeLink(shortId) {
  saveLinks(loadLinks().filter((l) => l.shortId !== shortId));
}

/**
 * Adds links read from an export (my-links-file.js) to the stored ones. A link already
 * here keeps the fresher of its two copies, and a key from either: the key is what
 * cannot be had again. Deletion is final, so "gone" in either copy wins.
 * @param {StoredLink[]} incoming
 * @returns {{saved: boolean, added: string[], already: string[], keptOwnKey: string[]}}
 *   keptOwnKey: links whose key in the file differs from this browser's (kept).
 */
export function mergeLinks(incoming) {
  const links = loadLinks();
  const byId = new Map(links.map((link) => [link.shortId, link]));
  const added = [];
  const already = [];
  const keptOwnKey = [];
  for (const link of incoming) {
    const present = byId.get(link.shortId);
    if (!present) {
      const copy = { ...link };
      links.push(copy);
      byId.set(copy.shortId, copy);
      added.push(copy.shortId);
      continue;
    }
    already.push(link.shortId);
    const ownKey = present.managementToken;
    if (ownKey && link.managementToken && ownKey !== link.managementToken) keptOwnKey.push(link.shortId);
    const gone = present.state === "gone" || link.state === "gone";
    if (freshness(link) > freshness(present)) Object.assign(present, link);
    present.managementToken = ownKey || link.managementToken;
    if (gone) present.state = "gone";
  }
  // Newest first, as addLink keeps them; sort is stable, so equal dates keep their order.
  links.sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  return { saved: saveLinks(links), added, already, keptOwnKey };
}

function freshness(link) {
  return Date.parse(link.checkedAt ?? link.createdAt ?? "") || 0;
}

/** false where localStorage is blocked or full: nothing made here would be kept. */
export function storageWorks() {
  const probe = `${STORAGE_KEY}.probe`;
  try {
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return true;
  } catch {
    return false;
  }
}

export function findLink(shortId) {
  return loadLinks().find((l) => l.shortId === shortId) ?? null;
}

/** Only what GET /links/{id} returns, so a refresh never touches the token. */
export function detailsOf(info) {
  return {
    shortUrl: info.shortUrl,
    url: info.url,
    createdAt: info.createdAt,
    expiresAt: info.expiresAt ?? null,
    clicks: info.clicks ?? 0,
    lastClickedAt: info.lastClickedAt ?? null,
    state: "active",
  };
}

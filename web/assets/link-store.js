// "My links": the links made in this browser, with the management tokens that alone can
// change or delete them (the API shows a token once and keeps only its hash).
//
// localStorage, because the tokens must survive a reload and a restart, and must never
// leave this browser. One JSON array under a versioned key.

const STORAGE_KEY = "shortener.myLinks.v1";

/**
 * @typedef {{shortId: string, shortUrl: string, url: string, createdAt: string,
 *   expiresAt: string | null, clicks: number, lastClickedAt: string | null,
 *   managementToken: string, state: "active" | "gone" | "missing"}} StoredLink
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
  };
  return saveLinks([link, ...loadLinks().filter((l) => l.shortId !== link.shortId)]);
}

/** Merges what the API now says (details, or a new state) into the stored link. */
export function updateLink(shortId, changes) {
  const links = loadLinks();
  const link = links.find((l) => l.shortId === shortId);
  if (!link) return null;
  Object.assign(link, changes);
  saveLinks(links);
  return link;
}

export function removeLink(shortId) {
  saveLinks(loadLinks().filter((l) => l.shortId !== shortId));
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

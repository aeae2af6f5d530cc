// Hash routes, because the paths themselves belong to the API: /links/<id> is its JSON
// and /<id> is the redirect. "#/" is the shorten view; "#/links" and "#/links/<id>"
// the link-info view; "#/links/<id>/stats" a link's stats for its owner; "#report" and
// "#report=<id>" the abuse report form (the API's 404 and 410 pages link to
// /#report=<id>, src/handlers/responses.py).

/**
 * @returns {{view: "home"} | {view: "link-info", shortId: string | null}
 *   | {view: "stats", shortId: string | null} | {view: "report", shortId: string | null}}
 */
export function parseRoute(hash) {
  const report = /^#report(?:=([^/]*))?$/.exec(hash);
  if (report) return { view: "report", shortId: decodedId(report[1]) };
  const stats = /^#\/links\/([^/]+)\/stats\/?$/.exec(hash);
  if (stats) return { view: "stats", shortId: decodedId(stats[1]) };
  const match = /^#\/links(?:\/([^/]*))?\/?$/.exec(hash);
  if (!match) return { view: "home" };
  return { view: "link-info", shortId: decodedId(match[1]) };
}

export const statsHash = (shortId) => `#/links/${encodeURIComponent(shortId)}/stats`;

export const reportHash = (shortId) => (shortId ? `#report=${encodeURIComponent(shortId)}` : "#report");

// A malformed escape (a hand-typed "%zz") is no id at all rather than an exception.
function decodedId(segment) {
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function onRouteChange(callback) {
  window.addEventListener("hashchange", () => callback(parseRoute(location.hash), { initial: false }));
  callback(parseRoute(location.hash), { initial: true });
}

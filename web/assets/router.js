// Hash routes, because the paths themselves belong to the API: /links/<id> is its JSON
// and /<id> is the redirect. "#/" is the shorten view; "#/links" and "#/links/<id>"
// the link-info view.

/** @returns {{view: "home"} | {view: "link-info", shortId: string | null}} */
export function parseRoute(hash) {
  const match = /^#\/links(?:\/([^/]*))?\/?$/.exec(hash);
  if (!match) return { view: "home" };
  let shortId = null;
  try {
    shortId = match[1] ? decodeURIComponent(match[1]) : null;
  } catch {
    shortId = null;
  }
  return { view: "link-info", shortId };
}

export function onRouteChange(callback) {
  window.addEventListener("hashchange", () => callback(parseRoute(location.hash), { initial: false }));
  callback(parseRoute(location.hash), { initial: true });
}

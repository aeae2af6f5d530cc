// The checks the page can make before asking the API. They mirror the API's own rules
// (docs/api.md, "POST /shorten") and its wording, but only the obvious ones: the API stays
// the judge of everything else (private addresses, denied hosts, reserved aliases), and
// its reasons are shown next to the same fields.

// The API's alias rule; generated ids (7 characters) fit it too.
export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** null when the URL may be sent, else the message to show next to the field. */
export function urlProblem(value) {
  const text = value.trim();
  if (text === "") return "Enter the URL to shorten.";
  let parsed;
  try {
    parsed = new URL(text);
  } catch {
    return "The URL must be an absolute http or https URL, like https://example.com/page.";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "The URL must be an absolute http or https URL, like https://example.com/page.";
  }
  return null;
}

export function aliasProblem(value) {
  const text = value.trim();
  if (text === "" || ALIAS_PATTERN.test(text)) return null;
  return "This alias must be 3 to 64 characters of letters, digits, '-' and '_'.";
}

/**
 * The short id in what someone pasted: an id, a short link (with or without its
 * scheme), or this page's own `#/links/<id>` address. null if there is none.
 */
export function shortIdFrom(value) {
  const text = value.trim();
  if (ALIAS_PATTERN.test(text)) return text;
  for (const candidate of [text, `https://${text}`]) {
    let parsed;
    try {
      parsed = new URL(candidate);
    } catch {
      continue;
    }
    const fromHash = /^#\/links\/([^/]+)$/.exec(parsed.hash);
    const segments = parsed.pathname.split("/").filter(Boolean);
    let id = null;
    if (fromHash) id = safeDecode(fromHash[1]);
    else if (segments.length === 1) id = safeDecode(segments[0]);
    else if (segments.length === 2 && segments[0] === "links") id = safeDecode(segments[1]);
    if (id !== null && ALIAS_PATTERN.test(id)) return id;
  }
  return null;
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

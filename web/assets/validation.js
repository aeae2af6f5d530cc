// The checks the page can make before asking the API. They mirror the API's own rules
// (docs/api.md, "POST /shorten") and its wording, but only the obvious ones: the API stays
// the judge of everything else (private addresses, denied hosts, reserved aliases), and
// its reasons are shown next to the same fields.

// The API's alias rule; generated ids (7 characters) fit it too.
export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

const NOT_HTTP = "The URL must be an absolute http or https URL, like https://example.com/page.";

/**
 * What someone typed or pasted, made into the URL to send, as forgiving as an address
 * bar: lines that an e-mail wrapped are joined, invisible characters at the ends (a
 * no-break or zero-width space from a chat) trimmed, `https://` added to what is plainly
 * a host name ("example.com/page"), and spaces in path, query and fragment encoded (by
 * the URL parser, as browsers do). `url` is null when `problem` says why it cannot be
 * sent; the messages use the API's words for the same rules (docs/api.md).
 */
export function normaliseUrlInput(value) {
  const text = joinWrappedLines(value).replace(EDGE_INVISIBLES, "");
  if (text === "") return { url: null, problem: "Enter the URL to shorten." };
  // Inside the address, an invisible character is a trap or an accident, never intent.
  if (INVISIBLE_INSIDE.test(text)) {
    return { url: null, problem: "The URL must not contain whitespace or control characters." };
  }
  const candidate = withScheme(text);
  let parsed;
  try {
    parsed = new URL(candidate);
  } catch {
    return { url: null, problem: /^https?:/i.test(candidate) ? "The URL is not a valid URL." : NOT_HTTP };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { url: null, problem: NOT_HTTP };
  // Chromium's parser escapes a space in the host ("exa%20mple.com") where the URL
  // Standard, and so the API, refuses it: a host is never percent-encoded.
  if (parsed.hostname.includes("%")) return { url: null, problem: "The URL is not a valid URL." };
  if (parsed.username || parsed.password) {
    return { url: null, problem: "The URL must not contain a user name or password." };
  }
  return { url: parsed.href, problem: null };
}

/** null when the URL may be sent, else the message to show next to the field. */
export function urlProblem(value) {
  return normaliseUrlInput(value).problem;
}

/**
 * A URL that an e-mail wrapped over lines, joined again: each line break goes with the
 * indentation around it, and tabs go too. Also used on paste, because an <input> drops
 * line breaks itself and would keep the indentation that came with them.
 */
export function joinWrappedLines(text) {
  return text.replace(/\s*[\r\n]+\s*/g, "").replaceAll("\t", "");
}

// What the API trims at the ends (src/domain/url_policy.py): Unicode whitespace (\s takes
// in U+00A0 and U+FEFF, not U+0085), zero-width space and word joiner.
const EDGE_INVISIBLES = /^[\s\u0085\u200b\u2060]+|[\s\u0085\u200b\u2060]+$/gu;
// What the API refuses inside: controls, format characters (zero-width, bidirectional)
// and whitespace other than the space, which the parser encodes. The zero-width joiner
// and non-joiner are let through, as the API lets them: emoji and words in Persian or
// Indic scripts need them.
const INVISIBLE_INSIDE = /[\p{Cc}]|(?![\u200c\u200d])\p{Cf}|(?! )\s/u;

// A host, maybe with a port, then the end or a path, query or fragment: "example.com/a",
// "www.x.y", "münchen.de:8443", "93.184.216.34", "[2001:db8::1]". The last label of a
// name starts with a letter, so "1.5" or "v2.0" are not taken for hosts.
const HOST_AT_START = new RegExp(
  String.raw`^(?:(?:[^\s/?#@:.\[\]]+\.)+[^\s/?#@:.\[\]\d][^\s/?#@:.\[\]]*\.?` +
    String.raw`|\d{1,3}(?:\.\d{1,3}){3}|\[[\da-f:.]+\])(?::\d*)?(?:[/?#]|$)`,
  "iu",
);
const SCHEME = /^[a-z][a-z\d+.-]*:/i;

// "https://" for what has no scheme and is plainly a host. "mailto:x", "javascript:x"
// keep theirs (and are refused); "example.com:8080/x" is a host and port, not a scheme.
function withScheme(text) {
  if (text.startsWith("//")) return `https:${text}`;
  if (SCHEME.test(text) && !HOST_AT_START.test(text)) return text;
  return HOST_AT_START.test(text) ? `https://${text}` : text;
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

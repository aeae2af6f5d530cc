// Long URLs on a narrow screen. Left to itself, a browser breaks a URL wherever a line
// happens to end ("overflow-wrap: anywhere"), often mid-word, or not at all. withBreaks
// offers a line break only where a reader expects a URL to go on: after the "//", and
// before a "/", ".", "?", "#", "&", "=", "_" or "-" (the Chicago Manual of Style's rule:
// the punctuation starts the next line, so it cannot be mistaken for the end of the
// sentence or a hyphenation). <wbr> adds no text, so copying, selecting or reading the
// URL aloud gives it unchanged.
//
// Use it wherever a short link or a destination is shown:
//   element.replaceChildren(...withBreaks(url));   or   el("a", { href: url }, withBreaks(url))

const BREAK_BEFORE = new Set(["/", ".", "?", "#", "&", "=", "_", "-"]);

/** The text as text nodes with a <wbr> at each place a URL may break. */
export function withBreaks(text) {
  const value = String(text ?? "");
  const nodes = [];
  let start = 0;
  for (let i = 1; i < value.length; i += 1) {
    if (!mayBreakBefore(value, i)) continue;
    nodes.push(document.createTextNode(value.slice(start, i)), document.createElement("wbr"));
    start = i;
  }
  nodes.push(document.createTextNode(value.slice(start)));
  return nodes;
}

function mayBreakBefore(text, i) {
  const previous = text[i - 1];
  const next = text[i];
  // "https://" stays whole, and the host starts the next line.
  if (previous === "/" && text[i - 2] === "/") return next !== "/";
  if (next === "/" && (previous === "/" || previous === ":" || text[i + 1] === "/")) return false;
  // One break before a run of punctuation ("--", "/?"), not between its characters.
  return BREAK_BEFORE.has(next) && !BREAK_BEFORE.has(previous);
}

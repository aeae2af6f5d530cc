// Copying the short link. The async Clipboard API needs a secure context (https or
// localhost) and may be refused; the old execCommand route still works in many of
// those places, and failing both, the text is left selected for Ctrl+C.

/** @returns {Promise<"copied" | "selected">} */
export async function copyText(text, elementShowingIt) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return "copied";
    } catch {
      // Permission refused or no user activation: try the fallback below.
    }
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  const range = document.createRange();
  range.selectNodeContents(elementShowingIt);
  selection.addRange(range);
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  if (copied) {
    selection.removeAllRanges();
    return "copied";
  }
  return "selected";
}

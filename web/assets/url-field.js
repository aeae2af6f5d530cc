// A URL field as forgiving as an address bar (normaliseUrlInput), that says what it will
// send before it is sent, whenever that reads differently from what is in the field:
// "Will shorten: https://example.com/page" for "example.com/page".

import { showDestination } from "./destination-view.js";
import { readableUrl } from "./readable-url.js";
import { joinWrappedLines, normaliseUrlInput } from "./validation.js";

// Long enough not to announce every keystroke (the preview is a polite live region),
// short enough to be there before the button is pressed.
const PREVIEW_DELAY_MS = 300;

/** `preview`: an aria-live element after the field; `lead`: "Will shorten:". */
export function initUrlField(input, preview, { lead }) {
  // An <input> drops line breaks from pasted text but keeps the indentation that came
  // with them, which would become %20s: join the lines before the field sees them.
  input.addEventListener("paste", (event) => {
    const pasted = event.clipboardData?.getData("text/plain") ?? "";
    if (!/[\r\n]/.test(pasted)) return;
    event.preventDefault();
    input.setRangeText(joinWrappedLines(pasted), input.selectionStart ?? 0, input.selectionEnd ?? 0, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  let timer = null;
  function update() {
    clearTimeout(timer);
    const { url } = normaliseUrlInput(input.value);
    const shown = url === null ? null : readableUrl(url).text;
    // Nothing to tell when it reads as typed (a slash after the host is no news).
    if (shown === null || shown === input.value || shown === `${input.value}/`) {
      preview.replaceChildren();
      return;
    }
    showDestination(preview, url, { lead: `${lead} `, exactDisclosure: false });
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, PREVIEW_DELAY_MS);
  });
  input.form?.addEventListener("reset", () => {
    clearTimeout(timer);
    preview.replaceChildren();
  });
  return { update };
}

/**
 * What a field that edits `href` starts with: the readable form, when sending it
 * unchanged gives `href` back; else `href` itself, so an untouched field changes nothing.
 */
export function editableUrl(href) {
  const { text } = readableUrl(href);
  return normaliseUrlInput(text).url === href ? text : href;
}

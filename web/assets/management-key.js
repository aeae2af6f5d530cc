// A link's management key, shown on request: the API hands it out once and keeps only
// its hash, so the copy in this browser is the only one. People must be able to see it
// and take it elsewhere, not just trust the browser to keep it.

import { copyText } from "./clipboard.js";
import { el } from "./dom.js";

export const KEY_EXPLANATION = "Whoever has this key can change or delete the link. Keep it like a password.";

/**
 * A "Show key" button and the panel it opens: the key, a copy button, what the key is.
 * The caller places both (the button among its actions, the panel below them).
 * `idPrefix` keeps the ids unique per place; `which` tells screen readers whose key it
 * is where a list has many "Show key" buttons.
 */
export function createKeyDisclosure({ idPrefix, which = "" }) {
  const panelId = `${idPrefix}-key-panel`;
  const tokenId = `${idPrefix}-key-token`;
  const buttonText = el("span", {}, "Show key");
  const toggle = el("button",
    { type: "button", class: "button button--small", "aria-expanded": "false", "aria-controls": panelId },
    buttonText, which ? el("span", { class: "visually-hidden" }, ` ${which}`) : null);
  // Its own line, selectable as one piece: a click picks the whole key, never a part.
  const token = el("code", { id: tokenId, class: "key__token" });
  const copyButton = el("button", { type: "button", class: "button button--small" },
    "Copy key", which ? el("span", { class: "visually-hidden" }, ` ${which}`) : null);
  const status = el("p", { class: "status", role: "status" });
  const panel = el("div", { id: panelId, class: "key", hidden: true },
    el("p", { class: "key__label small" }, el("span", { class: "visually-hidden" }, "Management key: "), KEY_EXPLANATION),
    token,
    el("div", { class: "actions" }, copyButton),
    status,
  );

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    buttonText.textContent = open ? "Hide key" : "Show key";
    if (!open) status.textContent = "";
  }

  toggle.addEventListener("click", () => setOpen(panel.hidden));
  copyButton.addEventListener("click", async () => {
    const outcome = await copyText(token.textContent, token);
    status.textContent =
      outcome === "copied"
        ? "Key copied."
        : "Copying is not available here: the key is selected, press Ctrl+C (⌘C on a Mac).";
  });

  return {
    toggle,
    panel,
    setOpen,
    /** An item refreshed or merged from an import may only now have its key. */
    setToken(value) {
      token.textContent = value ?? "";
      toggle.hidden = !value;
      if (!value) setOpen(false);
    },
  };
}

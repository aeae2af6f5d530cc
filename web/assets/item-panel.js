// The panel under a list item where its forms and questions open, one at a time, as in
// "My links" and in the API key's list. Escape closes it, as it would a dialog, and focus
// goes back to the button that opened it.

/**
 * `onClose` resets the item's toggles (their aria-expanded) whenever the panel closes.
 * @returns {{open(opener: HTMLElement | null, ...content: Node[]): void,
 *   close(returnFocusTo: HTMLElement | null): void}}
 */
export function createItemPanel(panel, { onClose }) {
  let opener = null; // where focus returns when Escape closes the panel

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close(opener);
    }
  });

  function close(returnFocusTo) {
    opener = null;
    panel.hidden = true;
    panel.replaceChildren();
    onClose();
    if (returnFocusTo && !returnFocusTo.hidden) returnFocusTo.focus();
  }

  function open(newOpener, ...content) {
    close(null);
    panel.replaceChildren(...content);
    panel.hidden = false;
    opener = newOpener;
    newOpener?.setAttribute("aria-expanded", "true");
  }

  return { open, close };
}

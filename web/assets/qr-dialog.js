// The enlarged QR code, to scan from across a desk or show on a projector. A modal
// <dialog>: the page behind it is inert, Tab stays inside, Escape closes it, and focus
// goes back to the button that opened it.

import { withBreaks } from "./url-breaks.js";

let opener = null;

function parts() {
  return {
    dialog: document.getElementById("qr-dialog"),
    title: document.getElementById("qr-dialog-title"),
    link: document.getElementById("qr-dialog-link"),
    image: document.getElementById("qr-dialog-image"),
    close: document.getElementById("qr-dialog-close"),
  };
}

let wired = false;
function wire({ dialog, close }) {
  if (wired) return;
  wired = true;
  close.addEventListener("click", () => dialog.close());
  // A click on the backdrop lands on the dialog element itself (its content has the padding).
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    if (opener?.isConnected) opener.focus();
    opener = null;
  });
}

/** Shows the QR code at `src` large; `from` is the button that asked (focus returns there). */
export function openQrDialog({ src, shortId, shortUrl, from }) {
  const view = parts();
  wire(view);
  opener = from;
  view.title.textContent = `QR code for ${shortId}`;
  view.link.replaceChildren(...withBreaks(shortUrl));
  view.image.alt = `QR code for ${shortUrl}`;
  view.image.src = src;
  view.dialog.showModal();
  // Focus starts on Close: one press of Enter or Escape and the person is back.
  view.close.focus();
}

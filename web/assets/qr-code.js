// A short link's QR code (an SVG from GET /links/{shortId}/qr) and what people do with
// it: enlarge it, or save it as SVG or PNG. If the image cannot load, the caption says so
// instead of leaving a broken-image icon, and the buttons go with it.

import { ApiError, NetworkError } from "./api.js";
import { showAlert } from "./alert.js";
import { describeFailure } from "./messages.js";
import { openQrDialog } from "./qr-dialog.js";
import { PngUnavailableError, downloadQrPng, downloadQrSvg } from "./qr-download.js";

// What each figure shows now: the buttons are wired once and read it when clicked.
const shownIn = new WeakMap();

/** Shows the QR code of `link` ({shortId, shortUrl}) in the <figure class="qr"> around `image`. */
export function showQrCode(image, api, { shortId, shortUrl }) {
  const figure = image.closest("figure");
  const caption = figure.querySelector("figcaption");
  const src = api.qrCodeUrl(shortId);
  if (!shownIn.has(figure)) wireActions(figure);
  shownIn.set(figure, { api, src, shortId, shortUrl });
  figure.classList.remove("qr--failed");
  figure.querySelector(".qr__status").textContent = "";
  caption.textContent = "Scan to open";
  image.hidden = false;
  image.alt = `QR code for ${shortUrl}`;
  image.onerror = () => {
    image.hidden = true;
    figure.classList.add("qr--failed");
    caption.textContent = "QR code unavailable right now.";
  };
  image.src = src;
}

function wireActions(figure) {
  const status = figure.querySelector(".qr__status");
  const on = (action, handler) =>
    figure.querySelector(`[data-qr-action="${action}"]`).addEventListener("click", (event) => {
      handler(shownIn.get(figure), event.currentTarget);
    });

  on("enlarge", ({ src, shortId, shortUrl }, button) => openQrDialog({ src, shortId, shortUrl, from: button }));
  on("svg", (shown) => save(status, () => downloadQrSvg(shown.api, shown.shortId)));
  on("png", (shown) => save(status, () => downloadQrPng(shown.src, shown.shortId)));
}

async function save(status, download) {
  status.textContent = "";
  try {
    status.textContent = `Downloaded ${await download()}`;
  } catch (error) {
    showAlert(failureMessage(error));
  }
}

function failureMessage(error) {
  if (error instanceof PngUnavailableError) {
    return `PNG download is unavailable here. ${error.message} Download the SVG instead.`;
  }
  if (error instanceof ApiError || error instanceof NetworkError) {
    return describeFailure(error, { what: "the QR code" });
  }
  // The image would not load or draw (the browser says no more than that).
  return "The QR code could not be saved. Try again in a moment.";
}

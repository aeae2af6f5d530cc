// Saving a link's QR code as a file named after its id: <id>-qr.svg or <id>-qr.png.
// Both are saved from a blob: URL made in the page, because a download attribute on the
// API's own URL is ignored whenever the API is on another origin.

import { saveFile } from "./download.js";

// Print shops and slide decks want a big bitmap; at least this many pixels a side.
const PNG_MIN_SIDE = 1024;
// The ground behind the modules: scanners need dark on light, whatever the page's scheme.
const QR_LIGHT = "#ffffff";

/** The PNG is drawn from the QR code's image, which this page may only read if it is
 *  its own: an image from another origin taints the canvas (and the CSP's img-src
 *  'self' blocks it anyway). */
export class PngUnavailableError extends Error {
  constructor() {
    super("A PNG can only be made where the shortener's API is on this page's own address.");
    this.name = "PngUnavailableError";
  }
}

/** The API's SVG, as it is (GET /links/{id}/qr). */
export async function downloadQrSvg(api, shortId) {
  const svg = await api.getQrCodeSvg(shortId);
  const fileName = `${shortId}-qr.svg`;
  saveFile(new Blob([svg], { type: "image/svg+xml" }), fileName);
  return fileName;
}

/** The same QR code drawn on a canvas: whole pixels per module, so the edges stay sharp. */
export async function downloadQrPng(src, shortId) {
  if (new URL(src, location.href).origin !== location.origin) throw new PngUnavailableError();
  const image = new Image();
  image.src = src;
  await image.decode();
  // The SVG is a whole number of pixels per module wide (8 at its natural size): a whole
  // multiple of that width keeps every module a whole number of pixels.
  const natural = image.naturalWidth || PNG_MIN_SIDE;
  const side = natural * Math.ceil(PNG_MIN_SIDE / natural);
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  const context = canvas.getContext("2d");
  context.fillStyle = QR_LIGHT;
  context.fillRect(0, 0, side, side);
  context.imageSmoothingEnabled = false;
  context.drawImage(image, 0, 0, side, side);
  const png = await new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The PNG could not be made."))), "image/png");
  });
  const fileName = `${shortId}-qr.png`;
  saveFile(png, fileName);
  return fileName;
}

// The QR code image (an SVG from GET /links/{shortId}/qr). If it cannot load, the
// caption says so instead of leaving a broken-image icon.

export function showQrCode(image, src, shortUrl) {
  const figure = image.closest("figure");
  const caption = figure?.querySelector("figcaption");
  figure?.classList.remove("qr--failed");
  if (caption) caption.textContent = "Scan to open";
  image.hidden = false;
  image.alt = `QR code for ${shortUrl}`;
  image.onerror = () => {
    image.hidden = true;
    figure?.classList.add("qr--failed");
    if (caption) caption.textContent = "QR code unavailable right now.";
  };
  image.src = src;
}

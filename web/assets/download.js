// Saving what the page made (an export, a QR code, a CSV) as a file: a Blob behind an
// <a download>, because a download attribute on the API's own URL would be ignored when
// the API is on another origin, and could not carry the Bearer token anyway.

// The download has its own copy once it starts; revoking the URL at once can cancel it
// in some browsers, so it lives on for a minute.
const RELEASE_AFTER_MS = 60_000;

export function saveFile(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), RELEASE_AFTER_MS);
}

// Export and import of "My links": the keys live only in this browser's storage, so a
// file is how they survive clearing browser data, or move to another browser.

import { saveFile } from "./download.js";
import { clearFieldError, showFieldError } from "./field-errors.js";
import { loadLinks, mergeLinks } from "./link-store.js";
import { exportDocument, exportFileName, MAX_FILE_BYTES, NotAnExport, readExport } from "./my-links-format.js";

/** `onImported(shortIds)`: the links the file brought or updated, to show and refresh. */
export function createMyLinksFile({ onImported }) {
  const exportButton = document.getElementById("export-links");
  const input = document.getElementById("import-file");
  const status = document.getElementById("my-links-file-status");

  exportButton.addEventListener("click", () => {
    clearFieldError(input);
    const links = loadLinks();
    const name = exportFileName(location.host);
    const json = JSON.stringify(exportDocument(links, location.origin), null, 2);
    saveFile(new Blob([json], { type: "application/json" }), name);
    status.textContent =
      `Exported ${plural(links.length, "link")} to ${name}. Keep the file safe: it holds their keys.`;
  });

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    clearFieldError(input);
    status.textContent = "Reading the file…";
    try {
      if (file.size > MAX_FILE_BYTES) throw new NotAnExport("it is larger than any export could be");
      const links = readExport(await file.text(), location.origin);
      const merged = mergeLinks(links);
      if (!merged.saved) {
        refuse("This browser would not save the links (its storage is blocked or full), so nothing was imported.");
        return;
      }
      status.textContent = summary(merged);
      onImported([...merged.added, ...merged.already]);
    } catch (error) {
      refuse(error instanceof NotAnExport ? error.message : `This file could not be read: ${error.message}.`);
    } finally {
      // The same file chosen again (after fixing it) must fire "change" again.
      input.value = "";
    }
  });

  // One place for the reason, next to the control, read out when it gets focus.
  function refuse(message) {
    status.textContent = "";
    showFieldError(input, message);
    input.focus();
  }
}

// "Imported 3 links, 1 already here." and what happened to keys that disagreed.
function summary({ added, already, keptOwnKey }) {
  if (added.length === 0 && already.length === 0) return "The file holds no links: nothing was imported.";
  let text = added.length > 0 ? `Imported ${plural(added.length, "link")}` : "Nothing new";
  if (already.length > 0) text += `, ${already.length} already here`;
  text += ".";
  if (keptOwnKey.length > 0) {
    text += ` The file has a different key for ${keptOwnKey.join(", ")}: this browser's key was kept.`;
  }
  return text;
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

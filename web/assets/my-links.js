// "My links": the links made in this browser (link-store.js), each with its clicks and
// expiry as the API last reported them, and the owner's actions: change destination,
// delete (both with the stored management token), and remove from this list. Each
// item shows its token on request (management-key.js), and the whole list goes to and
// comes from a file (my-links-file.js): the token is in this browser only.

import { ApiError, NetworkError } from "./api.js";
import { clearAlert, showAlert } from "./alert.js";
import { el } from "./dom.js";
import { createItemPanel } from "./item-panel.js";
import { showDestination } from "./destination-view.js";
import { clearFieldError, focusToAnnounce, sentenceFor, showFieldError } from "./field-errors.js";
import { formatClicks, formatDateTime, formatExpiry, isExpired } from "./format.js";
import { detailsOf, findLink, loadLinks, removeLink, storageWorks, updateLink } from "./link-store.js";
import { createKeyDisclosure } from "./management-key.js";
import { createMyLinksFile } from "./my-links-file.js";
import { CANT_REACH, describeFailure } from "./messages.js";
import { readableUrl } from "./readable-url.js";
import { statsHash } from "./router.js";
import { editableUrl, initUrlField } from "./url-field.js";
import { normaliseUrlInput } from "./validation.js";

// Enough to refresh a long list quickly without a burst the API's throttling would mind.
const PARALLEL_REFRESHES = 4;

export function createMyLinks({ api }) {
  const list = document.getElementById("my-links-list");
  const empty = document.getElementById("my-links-empty");
  const status = document.getElementById("my-links-status");
  const heading = document.getElementById("my-links-title");
  const refreshButton = document.getElementById("refresh-links");
  const warning = document.getElementById("my-links-warning");
  const storageBlocked = document.getElementById("my-links-storage-blocked");
  const exportButton = document.getElementById("export-links");
  /** @type {Map<string, ReturnType<typeof buildItem>>} */
  const items = new Map();
  let refreshing = null;

  heading.tabIndex = -1; // a place for focus to go when the item that had it is removed

  // Brings the list in line with the store. Items are updated in place, not rebuilt, so
  // an open "change destination" form or focused button survives a refresh.
  function render() {
    const links = loadLinks();
    const wanted = new Set(links.map((link) => link.shortId));
    for (const [shortId, item] of items) {
      if (!wanted.has(shortId)) {
        item.element.remove();
        items.delete(shortId);
      }
    }
    links.forEach((link, index) => {
      let item = items.get(link.shortId);
      if (!item) {
        item = buildItem(link, { api, onRemoved: afterRemoval, onChanged: render });
        items.set(link.shortId, item);
      }
      item.fill(link);
      if (list.children[index] !== item.element) list.insertBefore(item.element, list.children[index] ?? null);
    });
    empty.hidden = links.length > 0;
    exportButton.hidden = links.length === 0;
    const blocked = !storageWorks();
    storageBlocked.hidden = !blocked;
    warning.hidden = links.length === 0 && !blocked;
  }

  function afterRemoval() {
    render();
    status.textContent = "Removed from the list.";
    heading.focus();
  }

  /** Asks the API for each link's clicks and state (`only` these ids, if given). */
  function refresh({ announce = false, only = null } = {}) {
    if (!refreshing && !only) {
      refreshing = refreshAll(api, null).finally(() => {
        refreshing = null;
      });
    }
    // Not the refresh under way: it may have read the list before these links joined it.
    // Both may run at once, as each update is merged into the stored link on its own.
    const run = only ? refreshAll(api, only) : refreshing;
    return run.then((outcome) => {
      render();
      if (outcome === "unreachable") showAlert(CANT_REACH);
      else if (outcome instanceof Error) showAlert(describeFailure(outcome));
      if (announce) {
        status.textContent = outcome === "ok" ? `Updated at ${new Date().toLocaleTimeString()}.` : "";
      }
    });
  }

  refreshButton.addEventListener("click", () => {
    status.textContent = "Updating…";
    clearAlert();
    refresh({ announce: true });
  });

  createMyLinksFile({
    onImported(shortIds) {
      render();
      refresh({ only: new Set(shortIds) });
    },
  });

  return { render, refresh };
}

// "ok", "unreachable", or the first unexpected error; 404 and 410 are states, not errors.
async function refreshAll(api, only) {
  const queue = loadLinks().filter((link) => link.state !== "gone" && (!only || only.has(link.shortId)));
  let outcome = "ok";
  async function worker() {
    while (queue.length > 0 && outcome !== "unreachable") {
      const { shortId } = queue.shift();
      try {
        updateLink(shortId, detailsOf(await api.getLink(shortId)));
      } catch (error) {
        const state = stateAfter(error);
        if (state) updateLink(shortId, { state });
        else if (error instanceof NetworkError) outcome = "unreachable";
        else if (outcome === "ok") outcome = error;
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL_REFRESHES }, worker));
  return outcome;
}

// 410: deleted (or otherwise gone) for good; 404: unknown here, e.g. a local stack's
// in-memory table was reset, or the link expired long enough ago to be cleaned up.
function stateAfter(error) {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 410) return "gone";
  if (error.status === 404) return "missing";
  return null;
}

function buildItem(link, { api, onRemoved, onChanged }) {
  const { shortId } = link;
  const shortLink = el("a", { class: "link-item__short" });
  const badge = el("span", { class: "badge" });
  const destination = el("div", { class: "link-item__destination" });
  const meta = el("p", { class: "muted small link-item__meta" });
  const itemStatus = el("p", { class: "status", role: "status" });
  const panel = el("div", { class: "link-item__panel", hidden: true });
  // Each list has many "Delete" buttons: screen readers also hear which link each is for.
  const which = (text) => el("span", { class: "visually-hidden" }, text);

  const details = el("a", { class: "button button--small", href: `#/links/${encodeURIComponent(shortId)}` },
    "Details", which(` of ${shortId}`));
  const stats = el("a", { class: "button button--small", href: statsHash(shortId) }, "Stats", which(` of ${shortId}`));
  const changeButton = el("button", { type: "button", class: "button button--small", "aria-expanded": "false" },
    "Change destination", which(` of ${shortId}`));
  const deleteButton = el("button", { type: "button", class: "button button--small button--danger", "aria-expanded": "false" },
    "Delete", which(` ${shortId}`));
  const removeButton = el("button", { type: "button", class: "button button--small" },
    "Remove from list", which(` (${shortId})`));
  const key = createKeyDisclosure({ idPrefix: `my-${shortId}`, which: `of ${shortId}` });

  const element = el("li", { class: "link-item", "data-short-id": shortId },
    el("div", { class: "link-item__head" }, shortLink, badge),
    destination,
    meta,
    el("div", { class: "actions" }, details, stats, changeButton, deleteButton, key.toggle, removeButton),
    key.panel,
    panel,
    itemStatus,
  );

  const { open: openPanel, close: closePanel } = createItemPanel(panel, {
    onClose() {
      changeButton.setAttribute("aria-expanded", "false");
      deleteButton.setAttribute("aria-expanded", "false");
      removeButton.removeAttribute("aria-expanded"); // it expands only for a live link
    },
  });

  // What a failed management call means for this item, told in the alert.
  function reportFailure(error) {
    const state = stateAfter(error);
    if (state) {
      updateLink(shortId, { state });
      closePanel(null);
      onChanged();
      removeButton.focus();
    }
    showAlert(describeFailure(error, { what: `the link ${shortId}` }));
  }

  changeButton.addEventListener("click", () => {
    if (changeButton.getAttribute("aria-expanded") === "true") return closePanel(changeButton);
    const stored = findLink(shortId);
    const inputId = `change-url-${shortId}`;
    const input = el("input", {
      id: inputId, type: "text", inputmode: "url", autocomplete: "url", spellcheck: "false",
      required: true, "aria-required": "true", value: stored ? editableUrl(stored.url) : "",
    });
    const preview = el("div", { id: `${inputId}-preview`, class: "url-preview", "aria-live": "polite" });
    const cancel = el("button", { type: "button", class: "button" }, "Cancel");
    const form = el("form", { class: "change-form", novalidate: true },
      el("div", { class: "field" },
        el("label", { for: inputId }, "New destination for ", el("span", { class: "url-text" }, stored?.shortUrl ?? shortId)),
        input,
        preview,
        el("p", { id: `${inputId}-error`, class: "field-error", hidden: true }),
      ),
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "button button--primary" }, "Save"), cancel),
    );
    cancel.addEventListener("click", () => closePanel(changeButton));
    initUrlField(input, preview, { lead: "Will save:" });
    let saving = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (saving) return;
      clearAlert();
      clearFieldError(input);
      const target = normaliseUrlInput(input.value);
      if (target.problem) {
        showFieldError(input, target.problem);
        focusToAnnounce(input);
        return;
      }
      const token = findLink(shortId)?.managementToken;
      saving = true;
      try {
        const info = await api.changeLink(shortId, token, { url: target.url });
        updateLink(shortId, detailsOf(info));
        closePanel(changeButton);
        onChanged();
        itemStatus.textContent = `Destination changed to ${readableUrl(info.url).text}.`;
      } catch (error) {
        const urlError = error instanceof ApiError && error.errors.find((e) => e.field === "url");
        if (urlError) {
          // Told once, next to the field: no alert repeats it.
          showFieldError(input, sentenceFor("The URL", urlError.reason));
          focusToAnnounce(input);
        } else {
          reportFailure(error);
        }
      } finally {
        saving = false;
      }
    });
    openPanel(changeButton, form);
    itemStatus.textContent = "";
    input.focus();
  });

  deleteButton.addEventListener("click", () => {
    if (deleteButton.getAttribute("aria-expanded") === "true") return closePanel(deleteButton);
    const question = el("p", { tabindex: "-1", class: "confirm__question" },
      `Delete ${findLink(shortId)?.shortUrl ?? shortId} for good? It will answer “gone” (410) from now on, and its id can never be used again.`);
    const confirm = el("button", { type: "button", class: "button button--danger" }, "Delete for good");
    const cancel = el("button", { type: "button", class: "button" }, "Cancel");
    cancel.addEventListener("click", () => closePanel(deleteButton));
    let deleting = false;
    confirm.addEventListener("click", async () => {
      if (deleting) return;
      deleting = true;
      clearAlert();
      try {
        await api.deleteLink(shortId, findLink(shortId)?.managementToken);
        updateLink(shortId, { state: "gone" });
        closePanel(null);
        onChanged();
        itemStatus.textContent = "Deleted. The short link now answers 410 Gone.";
        removeButton.focus();
      } catch (error) {
        reportFailure(error);
      } finally {
        deleting = false;
      }
    });
    openPanel(deleteButton, el("div", { class: "confirm" }, question, el("div", { class: "actions" }, confirm, cancel)));
    itemStatus.textContent = "";
    question.focus();
  });

  removeButton.addEventListener("click", () => {
    if (removeButton.getAttribute("aria-expanded") === "true") return closePanel(removeButton);
    const stored = findLink(shortId);
    if (!stored || stored.state !== "active") {
      removeLink(shortId);
      return onRemoved();
    }
    // A live link's token exists only here: say what forgetting it costs first.
    const question = el("p", { tabindex: "-1", class: "confirm__question" },
      `Remove ${stored.shortUrl} from this list? The link keeps working, but this browser forgets the key that changes or deletes it.`);
    const confirm = el("button", { type: "button", class: "button" }, "Remove");
    const cancel = el("button", { type: "button", class: "button" }, "Cancel");
    confirm.addEventListener("click", () => {
      removeLink(shortId);
      onRemoved();
    });
    cancel.addEventListener("click", () => closePanel(removeButton));
    openPanel(removeButton, el("div", { class: "confirm" }, question, el("div", { class: "actions" }, confirm, cancel)));
    itemStatus.textContent = "";
    question.focus();
  });

  function fill(current) {
    key.setToken(current.managementToken);
    shortLink.href = current.shortUrl;
    shortLink.textContent = current.shortUrl;
    // Drawn again only when it changed, so an open "Exact address" stays open on a refresh.
    if (destination.dataset.href !== current.url) {
      showDestination(destination, current.url, {
        lead: el("span", { class: "visually-hidden" }, "Goes to "),
        which: `of ${shortId}`,
      });
      destination.dataset.href = current.url;
    }
    const parts = [formatClicks(current.clicks)];
    if (current.lastClickedAt) parts.push(`last ${formatDateTime(current.lastClickedAt)}`);
    parts.push(formatExpiry(current.expiresAt));
    meta.textContent = parts.join(" · ");

    const label = {
      gone: "Deleted (410 Gone)",
      missing: "Not found (404)",
    }[current.state] ?? (isExpired(current.expiresAt) ? "Expired" : "");
    badge.textContent = label;
    badge.hidden = label === "";
    badge.className = `badge${current.state === "active" ? "" : " badge--gone"}`;
    element.classList.toggle("link-item--inactive", current.state !== "active");

    // A deleted or unknown link can only be removed from the list.
    const manageable = current.state === "active";
    changeButton.hidden = !manageable;
    deleteButton.hidden = !manageable;
    stats.hidden = !manageable;
    if (!manageable && !panel.hidden) closePanel(null);
  }

  return { element, fill };
}

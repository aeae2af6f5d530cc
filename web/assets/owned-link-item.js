// One of the key owner's links in "My links" (owned-links.js): its title, short link,
// destination, tags, clicks and expiry, and what the owner's API key may do with it:
// change its destination, edit its title and tags, delete it. No management token is
// involved: the API takes an owner's key with links:write instead.

import { ApiError } from "./api.js";
import { clearAlert, showAlert } from "./alert.js";
import { describeKeyFailure, isKeyRejected } from "./api-key-failures.js";
import { showDestination } from "./destination-view.js";
import { el } from "./dom.js";
import { createItemPanel } from "./item-panel.js";
import { clearFieldErrors, focusFirstInvalid, sentenceFor, showFieldError } from "./field-errors.js";
import { formatClicks, formatDateTime, formatExpiry, isExpired } from "./format.js";
import { formatTags, parseTags, tagsProblem } from "./link-labels.js";
import { describeFailure } from "./messages.js";
import { readableUrl } from "./readable-url.js";
import { statsHash } from "./router.js";
import { editableUrl, initUrlField } from "./url-field.js";
import { normaliseUrlInput } from "./validation.js";

/**
 * `key()` is the API key to act with. `on` tells the list what happened:
 * tag(tag) to filter by a tag, deleted(link), gone(shortId, message) for a link the API
 * no longer has, keyRejected(error) for a 401.
 */
export function buildOwnedItem(initial, { api, key, on }) {
  let link = initial;
  const { shortId } = link;
  const title = el("p", { class: "owned-item__title" });
  const shortLink = el("a", { class: "link-item__short" });
  const badge = el("span", { class: "badge", hidden: true });
  const destination = el("div", { class: "link-item__destination" });
  const tagList = el("ul", { class: "tag-list", "aria-label": `Tags of ${shortId}` });
  const meta = el("p", { class: "muted small link-item__meta" });
  const itemStatus = el("p", { class: "status", role: "status" });
  const panel = el("div", { class: "link-item__panel", hidden: true });
  // Every item has a "Delete": screen readers also hear which link each one is for.
  const which = (text) => el("span", { class: "visually-hidden" }, text);
  const smallButton = (...content) =>
    el("button", { type: "button", class: "button button--small", "aria-expanded": "false" }, ...content);

  const detailsLink = el("a", { class: "button button--small", href: `#/links/${encodeURIComponent(shortId)}` },
    "Details", which(` of ${shortId}`));
  const statsLink = el("a", { class: "button button--small", href: statsHash(shortId) }, "Stats", which(` of ${shortId}`));
  const changeButton = smallButton("Change destination", which(` of ${shortId}`));
  const labelsButton = smallButton("Edit title and tags", which(` of ${shortId}`));
  const deleteButton = smallButton("Delete", which(` ${shortId}`));
  deleteButton.classList.add("button--danger");

  const element = el("li", { class: "link-item owned-item", "data-short-id": shortId },
    title,
    el("div", { class: "link-item__head" }, shortLink, badge),
    destination,
    tagList,
    meta,
    el("div", { class: "actions" }, detailsLink, statsLink, changeButton, labelsButton, deleteButton),
    panel,
    itemStatus,
  );

  const itemPanel = createItemPanel(panel, {
    onClose() {
      for (const button of [changeButton, labelsButton, deleteButton]) button.setAttribute("aria-expanded", "false");
    },
  });
  const closePanel = itemPanel.close;

  function openPanel(opener, content) {
    itemPanel.open(opener, content);
    itemStatus.textContent = "";
  }

  // A form in the panel that PATCHes the link. `fields` maps the API's field names to
  // [input, the subject its reasons read after]; `changes()` returns the body, or null
  // when a field already shows why it cannot be sent.
  function patchForm(opener, fieldNodes, fields, changes, done) {
    const cancel = el("button", { type: "button", class: "button" }, "Cancel");
    const form = el("form", { class: "change-form", novalidate: true }, ...fieldNodes,
      el("div", { class: "actions" }, el("button", { type: "submit", class: "button button--primary" }, "Save"), cancel));
    cancel.addEventListener("click", () => closePanel(opener));
    let saving = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (saving) return;
      clearAlert();
      clearFieldErrors(form);
      const body = changes();
      if (body === null) return focusFirstInvalid(form);
      saving = true;
      form.setAttribute("aria-busy", "true");
      try {
        const info = await api.changeLink(shortId, key(), body);
        fill({ ...link, ...info });
        closePanel(opener);
        itemStatus.textContent = done(info);
      } catch (error) {
        const placed = error instanceof ApiError ? error.errors.filter((e) => fields[e.field]) : [];
        for (const { field, reason } of placed) {
          const [input, subject] = fields[field];
          showFieldError(input, sentenceFor(subject, reason));
        }
        // Told once, next to its field: no alert repeats it.
        if (placed.length > 0) {
          focusFirstInvalid(form);
        } else {
          fail(error);
        }
      } finally {
        saving = false;
        form.removeAttribute("aria-busy");
      }
    });
    return form;
  }

  function field(inputId, label, input, hint, preview = null) {
    return el("div", { class: "field" },
      el("label", { for: inputId }, ...label),
      input,
      hint ? el("p", { id: `${inputId}-hint`, class: "hint" }, hint) : null,
      preview,
      el("p", { id: `${inputId}-error`, class: "field-error", hidden: true }),
    );
  }

  const textInput = (id, value, attributes = {}) =>
    el("input", { id, type: "text", autocomplete: "off", spellcheck: "false", value, ...attributes });

  changeButton.addEventListener("click", () => {
    if (changeButton.getAttribute("aria-expanded") === "true") return closePanel(changeButton);
    const inputId = `owned-url-${shortId}`;
    // type="text": pasting a wrapped URL needs the selection API (url-field.js).
    const input = textInput(inputId, editableUrl(link.url), {
      inputmode: "url", autocomplete: "url", required: true, "aria-required": "true",
    });
    const preview = el("div", { id: `${inputId}-preview`, class: "url-preview", "aria-live": "polite" });
    const label = ["New destination for ", el("span", { class: "url-text" }, link.shortUrl)];
    const form = patchForm(changeButton, [field(inputId, label, input, null, preview)], { url: [input, "The URL"] },
      () => {
        // What is sent is the forgiving form of what was typed, as the preview showed it.
        const target = normaliseUrlInput(input.value);
        if (target.problem) showFieldError(input, target.problem);
        return target.problem ? null : { url: target.url };
      },
      (info) => `Destination changed to ${readableUrl(info.url).text}.`);
    initUrlField(input, preview, { lead: "Will save:" });
    openPanel(changeButton, form);
    input.focus();
  });

  labelsButton.addEventListener("click", () => {
    if (labelsButton.getAttribute("aria-expanded") === "true") return closePanel(labelsButton);
    const titleId = `owned-title-${shortId}`;
    const tagsId = `owned-tags-${shortId}`;
    const titleInput = textInput(titleId, link.title ?? "", { maxlength: "200", spellcheck: "true" });
    const tagsInput = textInput(tagsId, formatTags(link.tags), {
      autocapitalize: "none", "aria-describedby": `${tagsId}-hint`,
    });
    const optional = () => el("span", { class: "optional" }, " (optional)");
    const form = patchForm(labelsButton,
      [
        field(titleId, ["Title", optional()], titleInput),
        field(tagsId, ["Tags", optional()], tagsInput, "Up to 10, between spaces: each 1 to 32 of a-z, 0-9 and -."),
      ],
      { title: [titleInput, "The title"], tags: [tagsInput, "Tags:"] },
      () => {
        const tags = parseTags(tagsInput.value);
        const problem = tagsProblem(tags);
        if (problem) showFieldError(tagsInput, problem);
        return problem ? null : { title: titleInput.value.trim() || null, tags };
      },
      () => "Title and tags saved.");
    openPanel(labelsButton, form);
    titleInput.focus();
  });

  deleteButton.addEventListener("click", () => {
    if (deleteButton.getAttribute("aria-expanded") === "true") return closePanel(deleteButton);
    const question = el("p", { tabindex: "-1", class: "confirm__question" },
      `Delete ${link.shortUrl} for good? It will answer “gone” (410) from now on, everywhere, and its id can never be used again.`);
    const confirm = el("button", { type: "button", class: "button button--danger" }, "Delete for good");
    const cancel = el("button", { type: "button", class: "button" }, "Cancel");
    cancel.addEventListener("click", () => closePanel(deleteButton));
    let deleting = false;
    confirm.addEventListener("click", async () => {
      if (deleting) return;
      deleting = true;
      clearAlert();
      try {
        await api.deleteLink(shortId, key());
        on.deleted(link);
      } catch (error) {
        fail(error);
      } finally {
        deleting = false;
      }
    });
    openPanel(deleteButton, el("div", { class: "confirm" }, question, el("div", { class: "actions" }, confirm, cancel)));
    question.focus();
  });

  function fail(error) {
    const what = `the link ${shortId}`;
    if (isKeyRejected(error)) on.keyRejected(error);
    else if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
      on.gone(shortId, describeFailure(error, { what }));
    } else showAlert(describeKeyFailure(error, { what }));
  }

  let shownTags = null;
  function fill(current) {
    link = current;
    title.textContent = current.title ?? "";
    title.hidden = !current.title;
    shortLink.href = current.shortUrl;
    shortLink.textContent = current.shortUrl;
    // Drawn again only when it changed, so an open "Exact address" stays open on a refresh.
    if (destination.dataset.href !== current.url) {
      showDestination(destination, current.url, { lead: which("Goes to "), which: `of ${shortId}` });
      destination.dataset.href = current.url;
    }
    const expired = isExpired(current.expiresAt);
    badge.textContent = expired ? "Expired" : "";
    badge.hidden = !expired;
    const parts = [formatClicks(current.clicks)];
    if (current.lastClickedAt) parts.push(`last ${formatDateTime(current.lastClickedAt)}`);
    parts.push(formatExpiry(current.expiresAt));
    meta.textContent = parts.join(" · ");
    // Rebuilt only when they change, so a chip that was just pressed keeps focus.
    const tags = current.tags ?? [];
    if (formatTags(tags) !== shownTags) {
      shownTags = formatTags(tags);
      tagList.replaceChildren(...tags.map((tag) =>
        el("li", {},
          el("button", { type: "button", class: "tag-chip", onclick: () => on.tag(tag) },
            which("Show only links tagged "), el("span", { class: "tag-chip__label" }, tag)))));
    }
    tagList.hidden = tags.length === 0;
  }

  fill(link);
  return { element, fill, get link() { return link; } };
}

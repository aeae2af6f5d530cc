// The shorten form and the result it shows: the short link, a copy button, a QR code.

import { ApiError } from "./api.js";
import { clearAlert, showAlert } from "./alert.js";
import { isKeyRejected, KEY_REJECTED_ON_CREATION } from "./api-key-failures.js";
import { copyText } from "./clipboard.js";
import { showDestination } from "./destination-view.js";
import {
  clearFieldErrors,
  focusFirstInvalid,
  sentenceFor,
  showFieldError,
} from "./field-errors.js";
import { formatExpiry } from "./format.js";
import { describeCreationFailure } from "./messages.js";
import { showQrCode } from "./qr-code.js";
import { withBreaks } from "./url-breaks.js";
import { initUrlField } from "./url-field.js";
import { aliasProblem, normaliseUrlInput } from "./validation.js";

// Which control shows the API's error for each field it names, and how a sentence
// about that field starts ("This alias" + "is taken").
const FIELDS = {
  url: { inputId: "url", subject: "The URL" },
  alias: { inputId: "alias", subject: "This alias" },
  expiresIn: { inputId: "expires-in", subject: "The expiry" },
  expiresAt: { inputId: "expires-in", subject: "The expiry" },
};

/**
 * `hasApiKey()`: whether the page holds an API key, which `api.shorten` sends. Call the
 * returned `keyChanged()` when the key is saved or forgotten.
 */
export function initShortenForm({ api, publicCreation, hasApiKey, onCreated }) {
  const form = document.getElementById("shorten-form");
  const closedNotice = document.getElementById("creation-closed");
  // Without a key the API answers every creation 401: a form that can only fail would be
  // a pretence, so the notice says plainly who can create links. A key holder can.
  function keyChanged() {
    const open = publicCreation || hasApiKey();
    form.hidden = !open;
    closedNotice.hidden = open;
  }
  keyChanged();
  const urlInput = document.getElementById("url");
  const aliasInput = document.getElementById("alias");
  const expirySelect = document.getElementById("expires-in");
  const result = createResultView(api);
  initUrlField(urlInput, document.getElementById("url-preview"), { lead: "Will shorten:" });

  // One Idempotency-Key per submission of the same form content: a double submit or a
  // retry after a lost answer gets the same link back instead of a second one. Any edit
  // starts a new submission.
  let attempt = null;
  let inFlight = false;
  form.addEventListener("input", () => {
    attempt = null;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (inFlight) return; // the same request is already on its way
    clearAlert();
    clearFieldErrors(form);

    // What is sent is the forgiving form of what was typed, as the preview showed it.
    const target = normaliseUrlInput(urlInput.value);
    if (target.problem) showFieldError(urlInput, target.problem);
    const aliasMessage = aliasProblem(aliasInput.value);
    if (aliasMessage) showFieldError(aliasInput, aliasMessage);
    if (focusFirstInvalid(form)) return;

    const fields = { url: target.url };
    if (aliasInput.value.trim()) fields.alias = aliasInput.value.trim();
    if (expirySelect.value) fields.expiresIn = Number(expirySelect.value);
    const body = JSON.stringify(fields);
    if (attempt === null || attempt.body !== body) attempt = { body, key: newIdempotencyKey() };

    inFlight = true;
    const sentKey = hasApiKey();
    form.setAttribute("aria-busy", "true");
    try {
      const created = await api.shorten(fields, attempt.key);
      attempt = null;
      form.reset();
      onCreated(created);
      result.show(created);
    } catch (error) {
      showFailure(form, error, { sentKey });
    } finally {
      inFlight = false;
      form.removeAttribute("aria-busy");
    }
  });
  return { keyChanged };
}

// Each error is told once: a field's next to the field (read out as focus moves there),
// and the alert only for what belongs to no field (no answer, 429, 503, 401...).
function showFailure(form, error, { sentKey }) {
  const unplaced = [];
  let placed = 0;
  if (error instanceof ApiError) {
    for (const { field, reason } of error.errors) {
      const target = FIELDS[field];
      if (target) {
        showFieldError(document.getElementById(target.inputId), sentenceFor(target.subject, reason));
        placed += 1;
      } else {
        unplaced.push(`${field} ${reason}`);
      }
    }
  }
  if (unplaced.length > 0) showAlert(`The shortener refused the request: ${unplaced.join("; ")}.`);
  else if (placed === 0) {
    // A 401 despite the key is about the key, not about creation being closed.
    showAlert(sentKey && isKeyRejected(error) ? KEY_REJECTED_ON_CREATION : describeCreationFailure(error));
  }
  focusFirstInvalid(form);
}

function createResultView(api) {
  const section = document.getElementById("result");
  const heading = document.getElementById("result-title");
  const link = document.getElementById("result-link");
  const destination = document.getElementById("result-destination");
  const expiry = document.getElementById("result-expiry");
  const details = document.getElementById("result-details");
  const qr = document.getElementById("result-qr");
  const copyButton = document.getElementById("copy-button");
  const copyStatus = document.getElementById("copy-status");

  let shortUrl = "";
  copyButton.addEventListener("click", async () => {
    const outcome = await copyText(shortUrl, link);
    copyStatus.textContent =
      outcome === "copied"
        ? "Copied"
        : "Copying is not available here: the link is selected, press Ctrl+C (⌘C on a Mac).";
  });

  return {
    show(created) {
      shortUrl = created.shortUrl;
      link.href = created.shortUrl;
      link.replaceChildren(...withBreaks(created.shortUrl));
      showDestination(destination, created.url, { lead: "Goes to " });
      expiry.textContent = formatExpiry(created.expiresAt);
      details.href = `#/links/${encodeURIComponent(created.shortId)}`;
      copyStatus.textContent = "";
      showQrCode(qr, api, created);
      section.hidden = false;
      // Focus the new result so keyboard and screen-reader users land on it: next Tab
      // is the link, then the copy button.
      heading.focus();
    },
  };
}

// crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
function newIdempotencyKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

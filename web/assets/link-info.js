// The link-info view (#/links/<id>): look up any short id or short link and show where
// it goes, when it was made and expires, and how often it was clicked. Reading it never
// counts a click (GET /links/{id}).

import { ApiError } from "./api.js";
import { loadApiKey } from "./api-key-store.js";
import { clearAlert, showAlert } from "./alert.js";
import { showDestination } from "./destination-view.js";
import { clearFieldError, focusToAnnounce, showFieldError } from "./field-errors.js";
import { formatClicks, formatDateTime, isExpired } from "./format.js";
import { findLink } from "./link-store.js";
import { describeFailure } from "./messages.js";
import { showQrCode } from "./qr-code.js";
import { reportHash, statsHash } from "./router.js";
import { withBreaks } from "./url-breaks.js";
import { shortIdFrom } from "./validation.js";

export const linkInfoHash = (shortId) => `#/links/${encodeURIComponent(shortId)}`;

export function createLinkInfo({ api }) {
  const form = document.getElementById("lookup-form");
  const input = document.getElementById("lookup");
  const section = document.getElementById("link-details");
  const title = document.getElementById("link-details-title");
  const shortUrl = document.getElementById("details-short-url");
  const url = document.getElementById("details-url");
  const created = document.getElementById("details-created");
  const expires = document.getElementById("details-expires");
  const clicks = document.getElementById("details-clicks");
  const lastClicked = document.getElementById("details-last-clicked");
  const qr = document.getElementById("details-qr");
  const report = document.getElementById("details-report");
  const stats = document.getElementById("details-stats");
  let shown = null; // the id whose answer the view waits for; older answers are dropped

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldError(input);
    const shortId = shortIdFrom(input.value);
    if (!shortId) {
      showFieldError(
        input,
        input.value.trim() === ""
          ? "Enter a short link or its id."
          : "That is not a short link or id. Ids are 3 to 64 letters, digits, - or _.",
      );
      focusToAnnounce(input);
      return;
    }
    // The address says what is shown, so the view can be bookmarked and shared; the
    // router calls show(). Looking up the id already shown loads it again.
    if (location.hash === linkInfoHash(shortId)) show(shortId);
    else location.hash = linkInfoHash(shortId);
  });

  async function show(shortId) {
    clearFieldError(input);
    shown = shortId;
    section.hidden = true;
    if (!shortId) return;
    input.value = shortId;
    let info;
    try {
      info = await api.getLink(shortId);
    } catch (error) {
      if (shown === shortId) showFailure(error, shortId);
      return;
    }
    if (shown !== shortId) return;
    clearAlert();
    title.textContent = `Link ${info.shortId}`;
    shortUrl.href = info.shortUrl;
    shortUrl.replaceChildren(...withBreaks(info.shortUrl));
    showDestination(url, info.url);
    created.textContent = formatDateTime(info.createdAt);
    expires.textContent = info.expiresAt
      ? `${formatDateTime(info.expiresAt)}${isExpired(info.expiresAt) ? " (expired: the link answers 410 Gone)" : ""}`
      : "Never";
    clicks.textContent = formatClicks(info.clicks);
    lastClicked.textContent = info.lastClickedAt ? formatDateTime(info.lastClickedAt) : "Never";
    showQrCode(qr, api, info);
    report.href = reportHash(info.shortId);
    // Stats are the owner's: offered where this browser holds the link's token, or an API
    // key that may be its owner's (GET /links/{id} does not say whose a link is; the stats
    // view says plainly when the key is not the owner's).
    stats.href = statsHash(info.shortId);
    stats.hidden = !(findLink(info.shortId)?.managementToken || loadApiKey());
    section.hidden = false;
  }

  // No such link, or one that is gone, is about what is in the field: said there, once.
  // The alert is for the rest (no answer, 429, 503).
  function showFailure(error, shortId) {
    const message = describeFailure(error, { what: `the short link “${shortId}”` });
    if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
      clearAlert();
      showFieldError(input, message);
      focusToAnnounce(input);
    } else {
      showAlert(message);
    }
  }

  return { show };
}

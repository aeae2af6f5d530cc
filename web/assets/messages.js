// What the page tells people when something fails, in one place so every view says the
// same thing about the same status.

import { ApiError, NetworkError } from "./api.js";

export const CANT_REACH =
  "Can't reach the shortener. Check your connection and try again in a moment.";

// Said for a 401 from POST /shorten sent without a key (the stack's PublicCreation is
// false, whatever the page was told), as index.html's notice says it when config.json
// closes creation.
export const CREATION_NEEDS_API_KEY =
  "This shortener creates links only for holders of an API key. With one, enter it under " +
  "“Have an API key?” below to create links here, or use the API: POST /shorten with " +
  "Authorization: Bearer <key>.";

/** "45 seconds", "3 minutes 15 seconds", "2 hours 5 minutes": how long to wait, for people. */
export function formatWait(seconds) {
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const joined = (big, bigUnit, small, smallUnit) =>
    small === 0 ? plural(big, bigUnit) : `${plural(big, bigUnit)} ${plural(small, smallUnit)}`;
  if (seconds < 60) return plural(seconds, "second");
  if (seconds < 3600) return joined(Math.floor(seconds / 60), "minute", seconds % 60, "second");
  // Past an hour, seconds are noise: round up to the minute, so nobody retries too early.
  const minutes = Math.ceil(seconds / 60);
  return joined(Math.floor(minutes / 60), "hour", minutes % 60, "minute");
}

/**
 * A sentence for the alert about a failed call. `what` names the thing acted on
 * ("the link abc"), for the statuses that are about a link.
 */
export function describeFailure(error, { what = "this link" } = {}) {
  if (error instanceof NetworkError) return CANT_REACH;
  if (!(error instanceof ApiError)) return `Something went wrong in this page: ${error.message}`;
  const wait = error.retryAfterSeconds;
  switch (error.status) {
    case 429:
      return wait === null
        ? "Too many links created from this address. Try again later."
        : `Too many links created from this address. Try again in ${formatWait(wait)}.`;
    case 503:
      return wait === null
        ? "The shortener is busy. Try again in a moment."
        : `The shortener is busy. Try again in ${formatWait(wait)}.`;
    case 410:
      return `${capitalise(what)} is gone: it was deleted or has expired (410).`;
    case 404:
      return `${capitalise(what)} was not found (404).`;
    case 401:
    case 403:
      return `This browser does not hold the key that manages ${what}, so it cannot change it.`;
    case 409:
      return error.errors.some((e) => e.field === "alias")
        ? "That alias is taken. Choose another one."
        : "The same request is still being handled. Try again in a moment.";
    case 400:
    case 422:
      return error.errors.length > 0
        ? "Please correct the highlighted field."
        : `The shortener refused the request: ${error.message}`;
    default:
      if (error.status >= 500) {
        return `Something went wrong on the shortener's side (error ${error.status}). Try again in a moment.`;
      }
      return `The shortener refused the request (error ${error.status}): ${error.message}`;
  }
}

/** Like describeFailure, for POST /shorten: there, 401 means creation needs an API key. */
export function describeCreationFailure(error) {
  if (error instanceof ApiError && error.status === 401) return CREATION_NEEDS_API_KEY;
  return describeFailure(error);
}

/** What the report form's alert says when POST /reports fails, for the link `shortId`
 *  (an unknown or deleted link, 404 or 410, is told next to the id field instead). */
export function describeReportFailure(error, shortId) {
  if (!(error instanceof ApiError)) return describeFailure(error);
  const wait = error.retryAfterSeconds;
  switch (error.status) {
    case 429:
      return wait === null
        ? "Too many reports from your address. Try again later."
        : `Too many reports from your address. Try again in ${formatWait(wait)}.`;
    default:
      return describeFailure(error, { what: `the short link “${shortId}”` });
  }
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

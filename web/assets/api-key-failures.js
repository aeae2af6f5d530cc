// What the page says when a call made with the API key fails. The management-token
// wording of messages.js ("this browser does not hold the key that manages…") would be
// wrong here: a key's 401 and 403 are about the key, not about the link.

import { ApiError } from "./api.js";
import { describeFailure, formatWait } from "./messages.js";

export const KEY_UNKNOWN = "This API key is unknown or revoked";

// POST /shorten's 401 when the page sent a key (messages.js's sentence is for none).
export const KEY_REJECTED_ON_CREATION =
  `${KEY_UNKNOWN}: the shortener refused to create the link with it (401). Choose ` +
  "“Forget key” at the bottom of the page, then enter another under “Have an API key?”.";

export function isKeyRejected(error) {
  return error instanceof ApiError && error.status === 401;
}

/**
 * The scope a 403 says the key lacks ("links:read"), or null when the 403 is about
 * something else (another owner's link). The API names it only in its reason text:
 * {"errors": [{"field": "scopes", "reason": "must include 'links:read'"}]}.
 */
export function missingScope(error) {
  if (!(error instanceof ApiError) || error.status !== 403) return null;
  const reason = error.errors.find((e) => e.field === "scopes")?.reason ?? "";
  return /'([^']+)'/.exec(reason)?.[1] ?? null;
}

const SCOPE_USES = {
  "links:read": "list its owner's links",
  "links:write": "change or delete links",
};

/** "This API key lacks the scope links:read, so it cannot list its owner's links." */
export function lacksScopeMessage(scope) {
  const use = SCOPE_USES[scope];
  return use
    ? `This API key lacks the scope ${scope}, so it cannot ${use}. Ask for a key with ${scope}.`
    : `This API key lacks the scope ${scope}.`;
}

/** A sentence for the alert; `what` names the link acted on, as in describeFailure. */
export function describeKeyFailure(error, { what = "this link" } = {}) {
  if (!(error instanceof ApiError)) return describeFailure(error, { what });
  if (error.status === 401) {
    return `${KEY_UNKNOWN}: the shortener no longer accepts it (401).`;
  }
  if (error.status === 403) {
    const scope = missingScope(error);
    return scope ? lacksScopeMessage(scope) : `The shortener refused: ${error.message} (403).`;
  }
  if (error.status === 429) {
    // messages.js speaks of links created; here nothing was being created.
    const wait = error.retryAfterSeconds;
    return wait === null
      ? "Too many requests from this address. Try again later."
      : `Too many requests from this address. Try again in ${formatWait(wait)}.`;
  }
  return describeFailure(error, { what });
}

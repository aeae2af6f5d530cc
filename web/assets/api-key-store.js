// The API key a person entered on this page (docs/api.md, "API keys and owned links"):
// with one, "My links" comes from GET /links, on every device that holds the key, and
// the key manages the owner's links without their management tokens.
//
// localStorage, like the management tokens (link-store.js): the key is as powerful as
// they are and stays in this browser, sent only to the shortener's own API.

const STORAGE_KEY = "shortener.apiKey.v1";

// usk_<16 hex id>_<43-character secret> (src/domain/api_keys.py).
export const API_KEY_PATTERN = /^usk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

/** @returns {string | null} */
export function loadApiKey() {
  try {
    const key = localStorage.getItem(STORAGE_KEY);
    return key && API_KEY_PATTERN.test(key) ? key : null;
  } catch {
    return null; // storage blocked: no key, the browser's own links
  }
}

/** false when this browser refuses to store it (some private modes). */
export function saveApiKey(key) {
  try {
    localStorage.setItem(STORAGE_KEY, key);
    return true;
  } catch {
    return false;
  }
}

export function forgetApiKey() {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored, nothing to forget
  }
}

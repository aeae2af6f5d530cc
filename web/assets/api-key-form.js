// "Have an API key?": entering the key that makes "My links" the owner's list from the
// API (owned-links.js), and forgetting it again. A key is checked twice before it is
// kept: its form here, then the API's word on it (GET /links?limit=1), so a typo or a
// revoked key is explained next to the field rather than as an empty list later.

import { clearAlert, showAlert } from "./alert.js";
import {
  describeKeyFailure,
  isKeyRejected,
  KEY_UNKNOWN,
  lacksScopeMessage,
  missingScope,
} from "./api-key-failures.js";
import { API_KEY_PATTERN, forgetApiKey, loadApiKey, saveApiKey } from "./api-key-store.js";
import { clearFieldError, showFieldError } from "./field-errors.js";

/** onChange(key | null) runs when a key is saved or forgotten. */
export function createApiKeyForm({ api, onChange }) {
  const details = document.getElementById("api-key-details");
  const summary = details.querySelector("summary");
  const form = document.getElementById("api-key-form");
  const input = document.getElementById("api-key-input");
  const showButton = document.getElementById("api-key-show");
  const inUse = document.getElementById("api-key-in-use");
  const keyId = document.getElementById("api-key-id");
  const forgetButton = document.getElementById("forget-api-key");
  const status = document.getElementById("api-key-status");
  let checking = false;

  showButton.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    showButton.setAttribute("aria-pressed", String(shown));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (checking) return;
    clearAlert();
    clearFieldError(input);
    status.textContent = "";
    const key = input.value.trim();
    const problem =
      key === ""
        ? "Enter your API key."
        : API_KEY_PATTERN.test(key)
          ? null
          : "That is not an API key: a key is usk_, 16 digits 0-9 and a-f, _ and 43 more letters, digits, - or _.";
    if (problem) return refuse(problem);

    checking = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "Checking the key…";
    try {
      await api.listLinks(key, { limit: 1 });
    } catch (error) {
      status.textContent = "";
      const scope = missingScope(error);
      if (isKeyRejected(error)) refuse(`${KEY_UNKNOWN}.`);
      else if (scope) refuse(lacksScopeMessage(scope));
      else showAlert(describeKeyFailure(error));
      return;
    } finally {
      checking = false;
      form.removeAttribute("aria-busy");
    }
    if (!saveApiKey(key)) {
      status.textContent = "";
      return refuse("This browser refuses to store the key (a private window may): it cannot be used here.");
    }
    form.reset();
    hideKey();
    show(key);
    status.textContent = "Key saved: My links now lists its owner's links.";
    onChange(key);
  });

  function refuse(message) {
    showFieldError(input, message);
    input.focus();
  }

  function hideKey() {
    input.type = "password";
    showButton.setAttribute("aria-pressed", "false");
  }

  forgetButton.addEventListener("click", () => {
    forget();
    summary.focus();
  });

  /** Forgets the stored key, wherever the offer came from. */
  function forget() {
    forgetApiKey();
    show(null);
    details.open = false;
    status.textContent = "Key forgotten: My links lists this browser's own links again.";
    onChange(null);
  }

  function show(key) {
    details.hidden = key !== null;
    inUse.hidden = key === null;
    // The id part only: enough to tell keys apart, nothing that works as a key.
    keyId.textContent = key === null ? "" : `${key.split("_").slice(0, 2).join("_")}_…`;
  }

  show(loadApiKey());
  return { forget };
}

// Inline validation messages: the text goes in the <p id="{input.id}-error"> after the
// field, and the field is marked aria-invalid and described by it, so a screen reader
// reads the reason when the field gets focus.

/** "The URL must be …": the API's reasons start lowercase and read after a subject. */
export function sentenceFor(subject, reason) {
  const trimmed = String(reason).trim().replace(/\.$/, "");
  return /^[a-z]/.test(trimmed) ? `${subject} ${trimmed}.` : `${trimmed}.`;
}

export function showFieldError(input, message) {
  const error = errorElementFor(input);
  error.textContent = message;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  setDescribedBy(input, error.id, true);
}

export function clearFieldError(input) {
  const error = errorElementFor(input);
  error.textContent = "";
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  setDescribedBy(input, error.id, false);
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) clearFieldError(input);
}

/** Moves focus to the first field marked invalid, so its message is read out. */
export function focusFirstInvalid(form) {
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) focusToAnnounce(first);
  return first !== null;
}

/**
 * Focuses a field so that its label and message are read out: the field's message is
 * the only word about its error. Focus on the field it already has is no change and
 * reads nothing (Enter pressed in the field), so it leaves and comes back.
 */
export function focusToAnnounce(input) {
  if (document.activeElement === input) input.blur();
  input.focus();
}

function errorElementFor(input) {
  const error = document.getElementById(`${input.id}-error`);
  if (!error) throw new Error(`no #${input.id}-error element for the field's message`);
  return error;
}

// The hint stays in aria-describedby; the error id is added or removed beside it.
function setDescribedBy(input, id, present) {
  const ids = new Set((input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  if (present) ids.add(id);
  else ids.delete(id);
  if (ids.size > 0) input.setAttribute("aria-describedby", [...ids].join(" "));
  else input.removeAttribute("aria-describedby");
}

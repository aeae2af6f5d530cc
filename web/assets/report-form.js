// The abuse report view (#report=<id>): tells the shortener's operator that a link leads
// to phishing, malware, spam or other abuse (POST /reports). The API stores the report
// and notifies the operator, at most once an hour per link; nothing here promises more.

import { ApiError } from "./api.js";
import { clearAlert, showAlert } from "./alert.js";
import {
  clearFieldErrors,
  focusFirstInvalid,
  sentenceFor,
  showFieldError,
} from "./field-errors.js";
import { describeReportFailure } from "./messages.js";
import { shortIdFrom } from "./validation.js";

// Which control shows the API's error for each field it names (errors[].field).
const FIELDS = {
  shortId: { inputId: "report-id", subject: "The short id" },
  reason: { inputId: "report-reason", subject: "The reason" },
  details: { inputId: "report-details", subject: "The details" },
};

export function createReportForm({ api }) {
  const form = document.getElementById("report-form");
  const idInput = document.getElementById("report-id");
  const reasonSelect = document.getElementById("report-reason");
  const detailsInput = document.getElementById("report-details");
  const sent = document.getElementById("report-sent");
  const sentHeading = document.getElementById("report-sent-title");
  const sentText = document.getElementById("report-sent-text");
  let inFlight = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (inFlight) return; // one report per click, however often it is clicked
    clearAlert();
    clearFieldErrors(form);
    sent.hidden = true;

    const shortId = shortIdFrom(idInput.value);
    if (!shortId) {
      showFieldError(
        idInput,
        idInput.value.trim() === ""
          ? "Enter the short link or its id."
          : "That is not a short link or id. Ids are 3 to 64 letters, digits, - or _.",
      );
    }
    if (!reasonSelect.value) showFieldError(reasonSelect, "Choose why you report this link.");
    if (focusFirstInvalid(form)) return;

    const report = { shortId, reason: reasonSelect.value };
    if (detailsInput.value.trim()) report.details = detailsInput.value.trim();

    inFlight = true;
    form.setAttribute("aria-busy", "true");
    try {
      await api.report(report);
      form.reset();
      idInput.value = shortId; // the next report is most likely about the same link
      sentText.textContent =
        `Thanks: your report of “${shortId}” was received, and the operator of this ` +
        "shortener has been told (at most once an hour per link). The operator decides " +
        "whether to disable the link.";
      sent.hidden = false;
      // Like a new result: keyboard and screen-reader users land on what happened.
      sentHeading.focus();
    } catch (error) {
      showFailure(error, shortId);
    } finally {
      inFlight = false;
      form.removeAttribute("aria-busy");
    }
  });

  function showFailure(error, shortId) {
    const apiError = error instanceof ApiError ? error : null;
    const unplaced = [];
    for (const { field, reason } of apiError?.errors ?? []) {
      const target = FIELDS[field];
      if (target) showFieldError(document.getElementById(target.inputId), sentenceFor(target.subject, reason));
      else unplaced.push(`${field} ${reason}`);
    }
    // An unknown or deleted link is the id field's fault: said there, once.
    if (apiError?.status === 404) showFieldError(idInput, "No short link has this id (404). Check the id.");
    if (apiError?.status === 410) showFieldError(idInput, "This link was deleted (410): it no longer leads anywhere.");
    // The alert is only for what belongs to no field (no answer, 429, 503...).
    const placed = focusFirstInvalid(form);
    if (unplaced.length > 0) showAlert(`The shortener refused the report: ${unplaced.join("; ")}.`);
    else if (!placed) showAlert(describeReportFailure(error, shortId));
  }

  return {
    /** Shows the form, filled in with `shortId` when the address names one. */
    show(shortId) {
      sent.hidden = true;
      clearFieldErrors(form);
      if (shortId) idInput.value = shortId;
    },
  };
}

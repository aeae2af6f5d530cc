// The stats view (#/links/<id>/stats): a link's clicks per day for its owner, as a chart
// and a table, where they came from (referrers, countries, devices, browsers, OS), for
// the last 7, 30 or 90 days or days of one's choosing, and those days as a CSV file.
//
// Only a link's owner reads its stats: with the management token this browser keeps for
// it ("My links"), else with the API key entered on this page. With neither, no request
// is made; the view says who can see them instead, as it does after a 401 or 403.

import { ApiError } from "./api.js";
import { loadApiKey } from "./api-key-store.js";
import { clearAlert, showAlert } from "./alert.js";
import { buildClickChart, buildDaysTable, formatDayRange } from "./click-chart.js";
import { lastDays, rangeProblems } from "./date-range.js";
import { saveFile } from "./download.js";
import { clearFieldError, clearFieldErrors, focusFirstInvalid, sentenceFor, showFieldError } from "./field-errors.js";
import { formatClicks } from "./format.js";
import { linkInfoHash } from "./link-info.js";
import { findLink } from "./link-store.js";
import { describeFailure, formatWait } from "./messages.js";
import { buildBreakdowns } from "./stats-breakdowns.js";

const DEFAULT_DAYS = 30; // the API's own default range

export function createStatsView({ api }) {
  const byId = (id) => document.getElementById(id);
  const title = byId("stats-title");
  const shortLine = byId("stats-short-line");
  const shortUrl = byId("stats-short-url");
  const noAccess = byId("stats-no-access");
  const noAccessReason = byId("stats-no-access-reason");
  const detailsLink = byId("stats-details-link");
  const problem = byId("stats-problem");
  const content = byId("stats-content");
  const form = byId("stats-range");
  const custom = byId("stats-custom");
  const fromInput = byId("stats-from");
  const toInput = byId("stats-to");
  const status = byId("stats-status");
  const report = byId("stats-report");
  const clicks = byId("stats-clicks");
  const visitors = byId("stats-visitors");
  const chartBox = byId("stats-chart");
  const empty = byId("stats-empty");
  const tableBox = byId("stats-table");
  const breakdowns = byId("stats-breakdowns");
  const downloadButton = byId("stats-download");
  const downloadStatus = byId("stats-download-status");

  let shownId = null;
  let credential = null;
  let loads = 0; // counts requests: only the latest one's answer is shown
  let shown = null; // the report on screen
  let drawnWidth = 0;
  let downloading = false;

  const chosen = () => form.elements.namedItem("range").value;

  // The chart is drawn for its box's width, so its text keeps its size on a phone.
  new ResizeObserver(() => {
    const width = chartBox.clientWidth;
    if (shown && width > 0 && Math.abs(width - drawnWidth) >= 1) drawChart();
  }).observe(chartBox);

  function drawChart() {
    drawnWidth = chartBox.clientWidth;
    chartBox.replaceChildren(buildClickChart(shown.days, { width: drawnWidth || undefined }));
  }

  form.addEventListener("change", (event) => {
    if (event.target.name !== "range") return;
    const customChosen = chosen() === "custom";
    custom.hidden = !customChosen;
    if (customChosen) {
      // Start from the days on screen, the likeliest ones to adjust.
      if (!fromInput.value && shown) fromInput.value = shown.from;
      if (!toInput.value && shown) toInput.value = shown.to;
      return;
    }
    clearFieldErrors(form);
    load();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (chosen() === "custom") {
      const problems = rangeProblems(fromInput.value, toInput.value);
      if (problems.from) showFieldError(fromInput, problems.from);
      if (problems.to) showFieldError(toInput, problems.to);
      if (focusFirstInvalid(form)) return;
    }
    load();
  });

  function days() {
    const value = chosen();
    if (value === "custom") return { from: fromInput.value, to: toInput.value };
    return lastDays(Number(value) || DEFAULT_DAYS);
  }

  function showOnly(part) {
    const parts = [noAccess, problem, content];
    // A range change answered 403 or 410 hides the control that had focus: focus then
    // goes to what replaced it, which is read out, rather than to the page's body.
    const focusHidden = parts.some((element) => element !== part && element.contains(document.activeElement));
    for (const element of parts) element.hidden = element !== part;
    if (focusHidden) {
      part.tabIndex = -1;
      part.focus();
    }
  }

  function showNoAccess(reason) {
    noAccessReason.textContent = reason;
    noAccessReason.hidden = reason === "";
    showOnly(noAccess);
  }

  function showProblem(message) {
    problem.textContent = message;
    showOnly(problem);
  }

  /** Shows the stats of `shortId` (the router calls this for #/links/<id>/stats). */
  function show(shortId) {
    loads += 1; // an answer for the link shown before is no longer wanted
    shownId = shortId;
    shown = null;
    clearFieldErrors(form);
    downloadStatus.textContent = "";
    report.hidden = true; // never another link's figures under this one's heading
    title.textContent = shortId ? `Stats for ${shortId}` : "Stats";
    if (!shortId) {
      shortLine.hidden = true;
      showProblem("This address names no link. Open a link’s stats from “My links” or its details.");
      return;
    }
    detailsLink.href = linkInfoHash(shortId);
    const stored = findLink(shortId);
    shortUrl.textContent = stored?.shortUrl ?? "";
    shortUrl.href = stored?.shortUrl ?? "/";
    shortLine.hidden = !stored;
    credential = stored?.managementToken ?? loadApiKey();
    if (!credential) {
      showNoAccess("");
      return;
    }
    if (!stored) fillShortUrl(shortId);
    showOnly(content);
    load();
  }

  // A link managed with an API key is not in "My links": its public details give its
  // short link. Failing that, the heading's id is enough.
  async function fillShortUrl(shortId) {
    try {
      const info = await api.getLink(shortId);
      if (shownId !== shortId) return;
      shortUrl.textContent = info.shortUrl;
      shortUrl.href = info.shortUrl;
      shortLine.hidden = false;
    } catch {
      // the stats request reports what went wrong
    }
  }

  async function load() {
    const load = ++loads;
    const shortId = shownId;
    const range = days();
    report.setAttribute("aria-busy", "true");
    status.textContent = "Loading…";
    let answer;
    try {
      answer = await api.getStats(shortId, credential, range);
    } catch (error) {
      if (load === loads) {
        report.removeAttribute("aria-busy");
        status.textContent = "";
        fail(error, shortId);
      }
      return;
    }
    if (load !== loads) return;
    report.removeAttribute("aria-busy");
    clearAlert();
    render(answer);
  }

  function render(answer) {
    shown = answer;
    clicks.textContent = answer.clicks.toLocaleString();
    visitors.textContent = answer.visitors.toLocaleString();
    drawChart();
    tableBox.replaceChildren(buildDaysTable(answer.days));
    empty.hidden = answer.clicks > 0;
    breakdowns.replaceChildren(...buildBreakdowns(answer));
    report.hidden = false;
    status.textContent = `Showing ${formatDayRange(answer.from, answer.to)} (UTC): ${formatClicks(answer.clicks)}.`;
  }

  function fail(error, shortId) {
    if (!(error instanceof ApiError)) {
      showAlert(describeFailure(error));
      return;
    }
    switch (error.status) {
      case 401:
      case 403:
        showNoAccess(
          credential === loadApiKey()
            ? "The API key this browser holds does not belong to this link’s owner."
            : "The key this browser kept for this link no longer manages it.",
        );
        return;
      case 404:
        showProblem(`There is no short link “${shortId}” here (404). Check the address.`);
        return;
      case 410:
        showProblem(`The short link “${shortId}” was deleted (410), and its stats with it.`);
        return;
      case 429:
        showAlert(
          error.retryAfterSeconds === null
            ? "Too many requests from this address. Try again in a moment."
            : `Too many requests from this address. Try again in ${formatWait(error.retryAfterSeconds)}.`,
        );
        return;
      case 400: {
        // Only days of one's own choosing can be refused: say so next to them.
        const inputs = { from: fromInput, to: toInput };
        let placed = false;
        for (const { field, reason } of error.errors) {
          const input = inputs[field];
          if (input && !custom.hidden) {
            showFieldError(input, sentenceFor(field === "from" ? "The first day" : "The last day", reason));
            placed = true;
          }
        }
        if (placed) focusFirstInvalid(form);
        else showAlert(describeFailure(error));
        return;
      }
      default:
        showAlert(describeFailure(error));
    }
  }

  downloadButton.addEventListener("click", async () => {
    if (!shown || downloading) return;
    const { shortId, from, to } = shown;
    downloading = true;
    downloadStatus.textContent = "Preparing the file…";
    try {
      const csv = await api.getStatsCsv(shortId, credential, { from, to });
      const fileName = `${shortId}-clicks-${from}-to-${to}.csv`;
      saveFile(new Blob([csv], { type: "text/csv;charset=utf-8" }), fileName);
      downloadStatus.textContent = `Downloaded ${fileName}.`;
    } catch (error) {
      downloadStatus.textContent = "";
      fail(error, shortId);
    } finally {
      downloading = false;
    }
  });

  for (const input of [fromInput, toInput]) {
    input.addEventListener("input", () => clearFieldError(input));
  }

  return { show };
}

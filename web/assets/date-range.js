// The days a link's stats cover: UTC dates as YYYY-MM-DD, the way the API counts and
// takes them (docs/api.md, "GET /links/{shortId}/stats"), and the checks the page makes
// before asking for a range of its own choosing.

import { formatDay } from "./click-chart.js";

/** The API's own limit, checked here so the message sits next to the field. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Today's UTC date: the API's "today", whatever the browser's time zone. */
export function utcToday(now = new Date()) {
  return now.toISOString().slice(0, 10);
}

export function addDays(isoDay, days) {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last `count` days, today included. */
export function lastDays(count, today = utcToday()) {
  return { from: addDays(today, -(count - 1)), to: today };
}

/** How many days from `from` to `to`, both included. */
export function dayCount(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

// <input type="date"> gives "" for an empty or half-typed date; a real date otherwise.
const isDay = (value) => ISO_DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/**
 * What is wrong with a chosen range, per field: {from?: message, to?: message}; empty
 * when it may be sent. Each problem is told once, next to the field to change.
 */
export function rangeProblems(from, to) {
  const problems = {};
  if (!isDay(from)) problems.from = "Enter the first day, as a whole date.";
  if (!isDay(to)) problems.to = "Enter the last day, as a whole date.";
  if (problems.from || problems.to) return problems;
  if (from > to) problems.to = "The last day must be on or after the first day.";
  else if (dayCount(from, to) > MAX_RANGE_DAYS) {
    problems.from = `At most ${MAX_RANGE_DAYS} days: choose a first day on or after ${formatDay(addDays(to, -(MAX_RANGE_DAYS - 1)))}.`;
  }
  return problems;
}

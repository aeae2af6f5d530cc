// A link's clicks per day as a bar chart, drawn here as inline SVG (no chart library:
// the page loads nothing from other hosts), and the same days as a table for screen
// readers and for anyone who wants the figures. Pure: days in, elements out; the stats
// view places them and redraws the chart when its box changes width.
//
// The API counts by UTC day, so every date here is formatted in UTC: a day labelled
// "3 Nov" is the API's 2026-11-03 whatever the browser's time zone.

const SVG_NS = "http://www.w3.org/2000/svg";

// The chart is drawn for the width it is shown at (viewBox units are CSS pixels), so its
// text stays 12 px on a phone instead of shrinking with a fixed-size drawing.
const HEIGHT = 200;
const FONT_SIZE = 12;
// A little wider than the average glyph of the page's sans-serif fonts, so that labels
// estimated not to overlap do not.
const CHAR_WIDTH = FONT_SIZE * 0.62;
const LABEL_GAP = 8;
const MARGIN_TOP = 10;
const MARGIN_BOTTOM = 26;
const MAX_BAR_WIDTH = 40;
// Days between x labels: 1, 2, 3, then whole weeks, so a thinned axis still lands on the
// same weekday.
const LABEL_STEPS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 366];

const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const fullDay = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const dayRange = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "2026-11-03" → that UTC midnight. */
export function utcDate(isoDay) {
  return new Date(`${isoDay}T00:00:00Z`);
}

/** "3 Nov" */
export const formatShortDay = (isoDay) => shortDay.format(utcDate(isoDay));

/** "Tue, 3 Nov 2026" */
export const formatDay = (isoDay) => fullDay.format(utcDate(isoDay));

/** "1–30 Nov 2026", or one day when from and to are the same. */
export const formatDayRange = (from, to) => dayRange.formatRange(utcDate(from), utcDate(to));

const count = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * The y axis: 0 to a round top at or above `max`, in 2 to 4 equal round steps (1, 2 or 5
 * times a power of ten, whole clicks), so 3 to 5 ticks.
 */
export function niceTicks(max) {
  const top = Math.max(0, Math.ceil(max));
  let step = 1;
  if (top > 4) {
    const raw = top / 4;
    const power = 10 ** Math.floor(Math.log10(raw));
    step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  }
  const end = Math.max(Math.ceil(top / step) * step, 2 * step);
  const ticks = [];
  for (let value = 0; value <= end; value += step) ticks.push(value);
  return ticks;
}

/** Every how many days an x label fits, for slots of `slotWidth` and labels of `labelWidth`. */
export function labelStep(slotWidth, labelWidth) {
  return LABEL_STEPS.find((step) => step * slotWidth >= labelWidth + LABEL_GAP) ?? LABEL_STEPS.at(-1);
}

/** What the chart shows, in one sentence: its accessible name. */
export function chartSummary(days) {
  if (days.length === 0) return "Clicks per day: no days chosen";
  const range = formatDayRange(days[0].date, days.at(-1).date);
  const total = days.reduce((sum, day) => sum + day.clicks, 0);
  if (total === 0) return `Clicks per day, ${range} (UTC): no clicks`;
  const busiest = days.reduce((best, day) => (day.clicks > best.clicks ? day : best));
  return `Clicks per day, ${range} (UTC): ${count(total, "click", "clicks")}, most on ${formatShortDay(busiest.date)} (${busiest.clicks.toLocaleString()})`;
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

const round = (n) => Math.round(n * 100) / 100;

/**
 * The bar chart of `days` ([{date, clicks, visitors}], oldest first), drawn for a box
 * `width` CSS pixels wide; it still scales (viewBox) if the box changes before a redraw.
 */
export function buildClickChart(days, { width = 600 } = {}) {
  const W = Math.max(200, Math.floor(width));
  const ticks = niceTicks(Math.max(0, ...days.map((day) => day.clicks)));
  const top = ticks.at(-1);
  const labels = days.map((day) => formatShortDay(day.date));
  const labelWidth = Math.max(0, ...labels.map((label) => label.length)) * CHAR_WIDTH;
  const tickLabelWidth = Math.max(...ticks.map((tick) => tick.toLocaleString().length)) * CHAR_WIDTH;
  // Room for the y labels on the left, and for half an x label at either end.
  const left = Math.ceil(Math.max(tickLabelWidth + 8, labelWidth / 2));
  const right = Math.ceil(labelWidth / 2);
  const plotWidth = W - left - right;
  const plotBottom = HEIGHT - MARGIN_BOTTOM;
  const plotHeight = plotBottom - MARGIN_TOP;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.min(slot * 0.75, MAX_BAR_WIDTH);
  const y = (value) => plotBottom - (value / top) * plotHeight;
  const step = labelStep(slot, labelWidth);

  const chart = svg("svg", {
    class: "click-chart",
    viewBox: `0 0 ${W} ${HEIGHT}`,
    width: "100%",
    role: "img",
    "aria-label": chartSummary(days),
    "font-size": FONT_SIZE,
  });

  const grid = svg("g", { class: "click-chart__grid" });
  for (const tick of ticks) {
    const at = round(y(tick));
    grid.append(
      svg("line", { x1: left, x2: W - right, y1: at, y2: at }),
      svg("text", { x: left - 6, y: at, "text-anchor": "end", "dominant-baseline": "middle" }, tick.toLocaleString()),
    );
  }

  const bars = svg("g", { class: "click-chart__days" });
  const axis = svg("g", { class: "click-chart__x-labels" });
  days.forEach((day, index) => {
    const center = left + slot * (index + 0.5);
    const barTop = y(day.clicks);
    bars.append(
      svg(
        "g",
        { class: "click-chart__day", "data-date": day.date },
        svg("title", {}, `${formatDay(day.date)}: ${count(day.clicks, "click", "clicks")}, ${count(day.visitors, "visitor", "visitors")}`),
        // The whole column answers hover, so an empty day still shows its title.
        svg("rect", { class: "click-chart__hit", x: round(left + slot * index), y: MARGIN_TOP, width: round(slot), height: plotHeight }),
        svg("rect", {
          class: "click-chart__bar",
          x: round(center - barWidth / 2),
          y: round(barTop),
          width: round(barWidth),
          height: round(plotBottom - barTop),
        }),
      ),
    );
    // Counted back from the last day, so the newest day is always labelled.
    if ((days.length - 1 - index) % step === 0) {
      axis.append(
        svg("line", { class: "click-chart__tick", x1: round(center), x2: round(center), y1: plotBottom, y2: plotBottom + 4 }),
        svg("text", { x: round(center), y: HEIGHT - 6, "text-anchor": "middle" }, labels[index]),
      );
    }
  });

  const baseline = svg("line", { class: "click-chart__baseline", x1: left, x2: W - right, y1: plotBottom, y2: plotBottom });
  chart.append(grid, bars, baseline, axis);
  return chart;
}

/** The same days as a table: date (UTC), clicks, visitors. */
export function buildDaysTable(days) {
  const cell = (tag, attributes, ...children) => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  };
  const header = cell(
    "tr",
    {},
    cell("th", { scope: "col" }, "Day (UTC)"),
    cell("th", { scope: "col" }, "Clicks"),
    cell("th", { scope: "col" }, "Visitors"),
  );
  const rows = days.map((day) =>
    cell(
      "tr",
      { "data-date": day.date },
      cell("th", { scope: "row" }, cell("time", { datetime: day.date }, formatDay(day.date))),
      cell("td", {}, day.clicks.toLocaleString()),
      cell("td", {}, day.visitors.toLocaleString()),
    ),
  );
  const caption =
    days.length > 0 ? `Clicks per day, ${formatDayRange(days[0].date, days.at(-1).date)} (UTC)` : "Clicks per day";
  return cell(
    "table",
    { class: "days-table" },
    cell("caption", {}, caption),
    cell("thead", {}, header),
    cell("tbody", {}, ...rows),
  );
}

// Dates and counts as people read them, in the browser's own language and time zone.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatClicks(count) {
  const n = Number(count) || 0;
  return `${n.toLocaleString()} ${n === 1 ? "click" : "clicks"}`;
}

/** "Never expires", "Expires 21 Dec 2026, 16:42" or "Expired 3 Nov 2026, 09:00". */
export function formatExpiry(expiresAt, now = Date.now()) {
  if (!expiresAt) return "Never expires";
  const when = new Date(expiresAt).getTime();
  return `${when <= now ? "Expired" : "Expires"} ${formatDateTime(expiresAt)}`;
}

export function isExpired(expiresAt, now = Date.now()) {
  return Boolean(expiresAt) && new Date(expiresAt).getTime() <= now;
}

// The shortener's HTTP API (docs/api.md, web/openapi.json), as the page uses it.
//
// Every call either resolves with the parsed body or throws one of two errors, so the
// views only ever handle "the API said no" (ApiError) and "no answer" (NetworkError).

const TIMEOUT_MS = 15000;

/** The API answered with an error status; `errors` names the fields at fault. */
export class ApiError extends Error {
  constructor(status, body, retryAfterSeconds) {
    super(body?.message || `The shortener answered ${status}`);
    this.name = "ApiError";
    this.status = status;
    /** @type {{field: string, reason: string}[]} */
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    /** @type {number | null} seconds to wait, from Retry-After (429, 503) */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No answer at all: offline, DNS, refused connection, CORS, or a timeout. */
export class NetworkError extends Error {
  constructor(cause) {
    super("The shortener could not be reached", { cause });
    this.name = "NetworkError";
  }
}

export function createApi(apiBaseUrl) {
  async function request(method, path, { body, headers = {}, accept = "application/json" } = {}) {
    const init = {
      method,
      headers: { Accept: accept, ...headers },
      // The API sends no-store on everything that changes; this just makes sure an
      // old click count never comes from the browser's cache.
      cache: "no-store",
      // The API authenticates with the Bearer token, never with cookies.
      credentials: "omit",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${apiBaseUrl}${path}`, init);
    } catch (error) {
      throw new NetworkError(error);
    }
    if (response.status === 204) return null;
    if (response.ok && accept !== "application/json") return response.text();
    const parsed = await readJson(response);
    if (!response.ok) {
      throw new ApiError(response.status, parsed, retryAfter(response.headers.get("Retry-After")));
    }
    return parsed;
  }

  const linkPath = (shortId) => `/links/${encodeURIComponent(shortId)}`;
  const bearer = (token) => ({ Authorization: `Bearer ${token}` });

  // "?from=2026-12-01&to=2026-12-03": the parameters that are set, in order.
  const query = (parameters) => {
    const set = Object.entries(parameters).filter(([, value]) => value !== undefined && value !== null && value !== "");
    return set.length === 0 ? "" : `?${new URLSearchParams(set)}`;
  };

  return {
    /**
     * POST /shorten; the idempotency key makes a repeated submission answer with the same
     * link. With an API key (optional), the link is its owner's: listed by GET /links.
     */
    shorten: (fields, idempotencyKey, apiKey = null) =>
      request("POST", "/shorten", {
        body: fields,
        headers: { "Idempotency-Key": idempotencyKey, ...(apiKey ? bearer(apiKey) : {}) },
      }),
    getLink: (shortId) => request("GET", linkPath(shortId)),
    // `credential` below is the link's management token or an API key of its owner:
    // the API takes either as the Bearer token (docs/api.md, "API keys and owned links").
    changeLink: (shortId, token, changes) =>
      request("PATCH", linkPath(shortId), { body: changes, headers: bearer(token) }),
    deleteLink: (shortId, token) => request("DELETE", linkPath(shortId), { headers: bearer(token) }),
    /** GET /links/{id}/stats for the days `from` to `to` (YYYY-MM-DD, both optional). */
    getStats: (shortId, credential, { from, to } = {}) =>
      request("GET", `${linkPath(shortId)}/stats${query({ from, to })}`, { headers: bearer(credential) }),
    /** The same days as CSV text (date,clicks,visitors), for a download. */
    getStatsCsv: (shortId, credential, { from, to } = {}) =>
      request("GET", `${linkPath(shortId)}/stats${query({ from, to, format: "csv" })}`, {
        headers: bearer(credential),
        accept: "text/csv",
      }),
    /** GET /links: the API key owner's links, newest first, a page at a time. */
    listLinks: (apiKey, { limit, cursor, tag, q } = {}) =>
      request("GET", `/links${query({ limit, cursor, tag, q })}`, { headers: bearer(apiKey) }),
    /** POST /reports: tells the operator that a link is abuse (202, nothing to read). */
    report: (report) => request("POST", "/reports", { body: report }),
    qrCodeUrl: (shortId) => `${apiBaseUrl}${linkPath(shortId)}/qr`,
    /** The QR code's SVG text, to save as a file (an <img> shows it from qrCodeUrl). */
    getQrCodeSvg: (shortId) => request("GET", `${linkPath(shortId)}/qr`, { accept: "image/svg+xml" }),
  };
}

// An error page from a proxy or CDN is not JSON; the status alone must then do.
async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3).
function retryAfter(header) {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

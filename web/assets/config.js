// The page's settings, read once at start from /config.json.
//
// The publish step writes the deployed API's base URL there; the checked-in file says
// "" (same origin), which is what the local stack and a CloudFront distribution that
// routes the API's paths next to the page both need. It also writes publicCreation, the
// stack's PublicCreation parameter: false when only API key holders may create links.

/** @returns {Promise<{apiBaseUrl: string, publicCreation: boolean}>} */
export async function loadConfig() {
  let config = {};
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (response.ok) {
      config = await response.json();
    } else {
      console.warn(`config.json answered ${response.status}; using this page's origin for the API`);
    }
  } catch (error) {
    // Offline or a broken file: same origin is the only sensible guess, and the first
    // API call will say clearly if the shortener cannot be reached.
    console.warn("config.json could not be read; using this page's origin for the API", error);
  }
  return {
    apiBaseUrl: normaliseBaseUrl(config.apiBaseUrl),
    publicCreation: isPublicCreation(config.publicCreation),
  };
}

// Missing means open, as the template's default is. Only an explicit false closes the
// form: were a broken value to close it, anyone could still create links through the API
// while the page told them they could not (a 401 says so anyway when creation is closed).
function isPublicCreation(value) {
  if (value === undefined || value === true) return true;
  if (value === false) return false;
  console.warn(`config.json publicCreation ${JSON.stringify(value)} is not true or false; using true`);
  return true;
}

// "" stays "" (same origin); anything else must be an absolute http(s) URL, kept
// without a trailing slash so that `${apiBaseUrl}/links/x` never has a double slash.
function normaliseBaseUrl(value) {
  if (typeof value !== "string" || value.trim() === "") return "";
  let parsed;
  try {
    parsed = new URL(value.trim());
  } catch {
    console.warn(`config.json apiBaseUrl ${JSON.stringify(value)} is not a URL; using same origin`);
    return "";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "";
  return parsed.href.replace(/\/+$/, "");
}

// The page's entry point: reads config.json, then wires the views to the API and to
// the address bar. Each view lives in its own module; this one only connects them.

import { createApi } from "./api.js";
import { clearAlert } from "./alert.js";
import { createApiKeyForm } from "./api-key-form.js";
import { loadApiKey } from "./api-key-store.js";
import { loadConfig } from "./config.js";
import { createLinkInfo } from "./link-info.js";
import { addLink } from "./link-store.js";
import { createMyLinks } from "./my-links.js";
import { createOwnedLinks } from "./owned-links.js";
import { createReportForm } from "./report-form.js";
import { createResultKey } from "./result-key.js";
import { onRouteChange } from "./router.js";
import { initShortenForm } from "./shorten-form.js";
import { createStatsView } from "./stats-view.js";

const VIEWS = {
  home: { element: "home-view", heading: "Shorten a link", title: "Shorten a link · URL shortener" },
  "link-info": { element: "link-info-view", heading: "Link details", title: "Link details · URL shortener" },
  report: {
    element: "report-view",
    heading: "Report a link as abuse",
    title: "Report a link as abuse · URL shortener",
  },
  stats: { element: "stats-view", heading: "Link stats", title: "Link stats · URL shortener" },
};

const { apiBaseUrl, publicCreation } = await loadConfig();
const api = createApi(apiBaseUrl);
const myLinks = createMyLinks({ api });
const linkInfo = createLinkInfo({ api });
const reportForm = createReportForm({ api });
const statsView = createStatsView({ api });
const resultKey = createResultKey();
// With an API key, "My links" is its owner's list from the API (every device) instead of
// this browser's own, and the shorten form sends the key so that new links join it.
const ownedLinks = createOwnedLinks({
  api,
  onForgetKey() {
    apiKeyForm.forget();
    document.getElementById("my-links-title").focus();
  },
});
const apiKeyForm = createApiKeyForm({
  api,
  onChange(key) {
    useApiKey(key, { focus: true });
    shortenForm.keyChanged();
  },
});
function useApiKey(key, options) {
  document.getElementById("my-links").hidden = key !== null;
  ownedLinks.use(key, options);
}
const refreshLinks = () => (loadApiKey() ? ownedLinks.refresh() : myLinks.refresh());
useApiKey(loadApiKey());

// Where creation is closed to the public (publicCreation: false), a key opens the form.
const shortenForm = initShortenForm({
  api: { ...api, shorten: (fields, idempotencyKey) => api.shorten(fields, idempotencyKey, loadApiKey()) },
  publicCreation,
  hasApiKey: () => loadApiKey() !== null,
  onCreated(created) {
    if (loadApiKey()) ownedLinks.refresh({ afterChange: true });
    resultKey.show(created, { saved: addLink(created) });
    myLinks.render();
  },
});

myLinks.render();

let currentView = null;
onRouteChange((route, { initial }) => {
  const view = VIEWS[route.view];
  for (const [name, { element }] of Object.entries(VIEWS)) {
    document.getElementById(element).hidden = name !== route.view;
  }
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === route.view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const heading = document.getElementById("page-title");
  heading.textContent = view.heading;
  document.title = view.title;
  if (!initial) {
    clearAlert();
    // A new view is like a new page: start reading (and tabbing) from its heading.
    heading.focus();
  }
  if (route.view === "link-info") linkInfo.show(route.shortId);
  else if (route.view === "report") reportForm.show(route.shortId);
  else if (route.view === "stats") statsView.show(route.shortId);
  else if (currentView !== "home") refreshLinks();
  currentView = route.view;
});

// Clicks happen elsewhere (another tab, a phone): count them again when the page comes
// back into view, including when it is restored from the back/forward cache.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && currentView === "home") refreshLinks();
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted && currentView === "home") refreshLinks();
});

// Everything is wired: forms submitted before this point would have reloaded the page.
// Tests (and curious people) can wait for this mark.
document.documentElement.dataset.ready = "true";

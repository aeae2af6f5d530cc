// "My links" with an API key: the key owner's links as the API lists them (GET /links),
// the same on every device that holds the key, a page at a time, with a search (the
// alias or the target's host) and a tag filter. The browser's own list (my-links.js)
// stands aside meanwhile; app.js switches between the two.

import { ApiError } from "./api.js";
import { clearAlert, showAlert } from "./alert.js";
import { describeKeyFailure, isKeyRejected, missingScope } from "./api-key-failures.js";
import { clearFieldError, sentenceFor, showFieldError } from "./field-errors.js";
import { buildOwnedItem } from "./owned-link-item.js";

const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100; // the API's own limit
// Long enough that a search is not sent for every letter typed, short enough to feel live.
const SEARCH_DELAY_MS = 400;

/** onForgetKey() forgets the key when the API no longer accepts it. */
export function createOwnedLinks({ api, onForgetKey }) {
  const section = document.getElementById("owned-links");
  const heading = document.getElementById("owned-links-title");
  const refreshButton = document.getElementById("owned-links-refresh");
  const searchForm = document.getElementById("owned-links-search");
  const searchInput = document.getElementById("owned-links-q");
  const filterBox = document.getElementById("owned-links-filter");
  const filterText = document.getElementById("owned-links-filter-text");
  const clearTagButton = document.getElementById("owned-links-clear-tag");
  const problem = document.getElementById("owned-links-problem");
  const problemText = document.getElementById("owned-links-problem-text");
  const forgetButton = document.getElementById("owned-links-forget");
  const status = document.getElementById("owned-links-status");
  const empty = document.getElementById("owned-links-empty");
  const list = document.getElementById("owned-links-list");
  const moreButton = document.getElementById("owned-links-more");

  let key = null;
  let filter = { q: "", tag: null };
  let cursor = null;
  /** @type {Map<string, ReturnType<typeof buildOwnedItem>>} */
  const items = new Map();
  // Each listing from the start bumps this; an answer for an older one is dropped, so
  // a slow first search never overwrites the results of the search typed after it.
  let generation = 0;
  let loadingMore = false;
  let listing = null; // the generation of the listing from the start under way, if any
  let searchTimer = null;

  const itemEvents = {
    tag: (tag) => applyFilter({ ...filter, tag }),
    deleted(link) {
      removeItem(link.shortId);
      status.textContent = `Deleted ${link.shortUrl}: it now answers 410 Gone.`;
      heading.focus();
    },
    gone(shortId, message) {
      removeItem(shortId);
      showAlert(message);
      heading.focus();
    },
    keyRejected: (error) => refuseKey(error),
  };

  /** Shows the list for `newKey`, or stands aside when it is null. */
  function use(newKey, { focus = false } = {}) {
    key = newKey;
    section.hidden = key === null;
    filter = { q: "", tag: null };
    searchInput.value = "";
    clearFieldError(searchInput);
    showFilter();
    problem.hidden = true;
    searchForm.hidden = false;
    status.textContent = "";
    clearTimeout(searchTimer);
    showLinks([]);
    cursor = null;
    empty.hidden = true;
    moreButton.hidden = true;
    generation += 1;
    if (key === null) return;
    if (focus) heading.focus();
    load({ announce: "count" });
  }

  /**
   * Lists from the start with the current filter. A refresh asks for as many links as
   * are shown, so "Load more" pages stay; items are updated in place, so an open form or
   * a focused button survives it.
   */
  async function load({ announce = null, keepShown = false } = {}) {
    const mine = ++generation;
    listing = mine;
    // A "Load more" still on its way is overtaken (its answer is dropped), so its page is
    // asked for here instead.
    const shown = items.size + (loadingMore ? PAGE_SIZE : 0);
    const wanted = keepShown ? Math.max(shown, PAGE_SIZE) : PAGE_SIZE;
    const links = [];
    let next = null;
    try {
      do {
        const limit = Math.min(MAX_PAGE_SIZE, wanted - links.length);
        const page = await api.listLinks(key, { limit, cursor: next, ...filterParameters() });
        if (mine !== generation) return;
        links.push(...page.links);
        next = page.cursor ?? null;
      } while (next !== null && links.length < wanted);
    } catch (error) {
      if (mine === generation) listingFailed(error);
      return;
    } finally {
      if (listing === mine) listing = null;
    }
    problem.hidden = true;
    searchForm.hidden = false;
    showLinks(links);
    cursor = next;
    showState();
    if (announce === "count") status.textContent = summary();
    else if (announce === "time") status.textContent = `Updated at ${new Date().toLocaleTimeString()}.`;
  }

  async function loadMore() {
    if (loadingMore || cursor === null) return;
    // Its answer holds every link shown, so a refresh still on its way is overtaken: were
    // that to answer last, it would take away the links this one adds.
    const mine = ++generation;
    loadingMore = true;
    moreButton.setAttribute("aria-busy", "true");
    clearAlert();
    try {
      const page = await api.listLinks(key, { limit: PAGE_SIZE, cursor, ...filterParameters() });
      if (mine !== generation) return;
      const before = items.size;
      showLinks([...[...items.values()].map((item) => item.link), ...page.links]);
      cursor = page.cursor ?? null;
      showState();
      status.textContent = summary();
      // The button may be gone now: keyboard users continue from the first new link.
      const firstNew = list.children[before]?.querySelector("a");
      if (firstNew) firstNew.focus();
      else if (cursor !== null) moreButton.focus();
    } catch (error) {
      if (mine === generation) listingFailed(error);
    } finally {
      loadingMore = false;
      moreButton.removeAttribute("aria-busy");
    }
  }

  const filterParameters = () => ({ q: filter.q || undefined, tag: filter.tag ?? undefined });

  // Brings the list in line with `links` (newest first), reusing the items it has.
  function showLinks(links) {
    const unique = [...new Map(links.map((link) => [link.shortId, link])).values()];
    const wanted = new Set(unique.map((link) => link.shortId));
    for (const shortId of [...items.keys()]) if (!wanted.has(shortId)) removeItem(shortId);
    unique.forEach((link, index) => {
      let item = items.get(link.shortId);
      if (item) item.fill(link);
      else {
        item = buildOwnedItem(link, { api, key: () => key, on: itemEvents });
        items.set(link.shortId, item);
      }
      if (list.children[index] !== item.element) list.insertBefore(item.element, list.children[index] ?? null);
    });
  }

  function removeItem(shortId) {
    items.get(shortId)?.element.remove();
    items.delete(shortId);
    if (items.size === 0 && key !== null && problem.hidden) showState();
  }

  function showState() {
    moreButton.hidden = cursor === null;
    empty.hidden = items.size > 0 || cursor !== null;
    empty.textContent = emptyText();
  }

  function emptyText() {
    const { q, tag } = filter;
    if (q && tag) return `No links tagged “${tag}” match “${q}”.`;
    if (q) return `No links match “${q}”.`;
    if (tag) return `No links tagged “${tag}”.`;
    return "No links yet for this key's owner. Links you shorten here while the key is set are listed here, on every device that has it.";
  }

  // What a screen reader hears after a search, a filter or "Load more".
  function summary() {
    const count = items.size;
    if (count === 0 && cursor === null) return emptyText();
    const links = `${count} ${count === 1 ? "link" : "links"}`;
    const more = cursor === null ? "" : ", more to load";
    const { q, tag } = filter;
    const tagged = tag ? ` tagged “${tag}”` : "";
    const matching = q ? ` matching “${q}”` : "";
    return `Showing ${links}${tagged}${matching}${more}.`;
  }

  function listingFailed(error) {
    if (isKeyRejected(error) || missingScope(error)) return refuseKey(error);
    const qError = error instanceof ApiError && error.errors.find((e) => e.field === "q");
    if (qError) {
      showFieldError(searchInput, sentenceFor("The search", qError.reason));
      return;
    }
    showAlert(describeKeyFailure(error));
  }

  // The key no longer lists anything (revoked, or without links:read): say so, and offer
  // to forget it, which brings back this browser's own list.
  function refuseKey(error) {
    generation += 1;
    showLinks([]);
    cursor = null;
    moreButton.hidden = true;
    empty.hidden = true;
    searchForm.hidden = true;
    filterBox.hidden = true;
    status.textContent = "";
    showAlert(describeKeyFailure(error));
    problemText.textContent = isKeyRejected(error)
      ? "The shortener no longer accepts this API key, so its links cannot be listed. Forget it to see the links this browser made, then enter a new key if you have one."
      : "This API key cannot list links. Forget it to see the links this browser made, or enter a key with links:read.";
    problem.hidden = false;
  }

  function applyFilter(next) {
    clearTimeout(searchTimer);
    clearFieldError(searchInput);
    filter = next;
    showFilter();
    clearAlert();
    load({ announce: "count" });
  }

  function showFilter() {
    filterBox.hidden = filter.tag === null;
    filterText.textContent = filter.tag ?? "";
  }

  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const q = searchInput.value.trim();
      if (q !== filter.q) applyFilter({ ...filter, q });
    }, SEARCH_DELAY_MS);
  });

  // Enter, or the button: at once, and again even if the text did not change.
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilter({ ...filter, q: searchInput.value.trim() });
  });

  clearTagButton.addEventListener("click", () => {
    applyFilter({ ...filter, tag: null });
    heading.focus();
  });

  refreshButton.addEventListener("click", () => {
    clearAlert();
    status.textContent = "Updating…";
    load({ announce: "time", keepShown: true });
  });

  moreButton.addEventListener("click", loadMore);
  forgetButton.addEventListener("click", () => onForgetKey());

  return {
    use,
    /**
     * Brings the shown links up to date, quietly (clicks and changes made elsewhere).
     * A listing already under way will do, unless something changed since it started
     * (`afterChange`: a link was just created).
     */
    refresh({ afterChange = false } = {}) {
      if (key !== null && problem.hidden && (afterChange || listing === null)) load({ keepShown: true });
    },
  };
}

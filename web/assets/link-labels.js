// A link's title and tags as its owner types them. The rules are the API's
// (docs/api.md, "API keys and owned links"; src/domain/link_labels.py); the page checks
// the tags first so a typo is explained before anything is sent.

export const MAX_TAGS = 10;
const TAG = /^[a-z0-9-]{1,32}$/;

/** "launch, sale web" → ["launch", "sale", "web"]: spaces or commas between, repeats once. */
export function parseTags(text) {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** null when the tags may be sent, else the message to show next to the field. */
export function tagsProblem(tags) {
  const bad = tags.find((tag) => !TAG.test(tag));
  if (bad !== undefined) {
    return `“${bad}” cannot be a tag: each tag is 1 to 32 of a-z, 0-9 and -.`;
  }
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags: this is ${tags.length}.`;
  return null;
}

export const formatTags = (tags) => (tags ?? []).join(" ");

// A tiny element builder. Text always goes in as text nodes, never parsed, so a URL or
// alias can never become markup.

/**
 * el("a", {href: "/x", class: "link"}, "text", otherNode)
 * Attributes set to null, undefined or false are left out; true sets an empty attribute.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

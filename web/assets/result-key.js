// The result card's word about the new link's management key: where it is kept, and
// the key itself on request. Where this browser could not keep it (storage blocked),
// this is the only moment the key can still be had, so the card says so and shows it.

import { el } from "./dom.js";
import { createKeyDisclosure } from "./management-key.js";

export function createResultKey() {
  const container = document.getElementById("result-key");

  return {
    /** `saved`: whether link-store.js could keep the link (addLink's answer). */
    show(created, { saved }) {
      const key = createKeyDisclosure({ idPrefix: "result" });
      key.setToken(created.managementToken);
      const text = saved
        ? el("p", { class: "muted small" },
          "Saved under “My links” in this browser, with the key that lets you change or delete it. ",
          "Nobody else has it: export My links to keep a copy.")
        : el("p", { class: "notice notice--warning" },
          "This browser could not save the link or its key (its storage is blocked, as in some private windows). ",
          "Copy the key now: without it, nobody can change or delete this link.");
      container.replaceChildren(text, el("div", { class: "actions" }, key.toggle), key.panel);
      if (!saved) key.setOpen(true);
    },
  };
}

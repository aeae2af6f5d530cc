"""The site's files (web/), served at / the way the deployed bucket behind CloudFront serves them.

Only a path that names an existing file inside the web directory is served; anything
else (including every attempt to climb out of it) is left to the API routes.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

INDEX_FILE = "index.html"
# Text types get an explicit charset so browsers never guess one.
_TEXT_TYPES_WITHOUT_TEXT_PREFIX = frozenset(
    {"application/javascript", "application/json", "application/xml", "image/svg+xml"}
)
_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".webmanifest": "application/manifest+json",
}


class StaticFiles:
    def __init__(self, root: Path | None) -> None:
        self._root = root.resolve() if root is not None and root.is_dir() else None

    @property
    def root(self) -> Path | None:
        return self._root

    def find(self, raw_path: str) -> Path | None:
        """The file a request path names, or None (also for anything outside the root)."""
        if self._root is None:
            return None
        path = unquote(raw_path)
        if not path.startswith("/") or "\x00" in path or "\\" in path:
            return None
        if path.endswith("/"):
            path += INDEX_FILE
        segments = path[1:].split("/")
        # No "..", no empty segments, no dotfiles (.env, .git): only plain names are served.
        if any(not segment or segment.startswith(".") for segment in segments):
            return None
        try:
            candidate = self._root.joinpath(*segments).resolve()
            if not candidate.is_relative_to(self._root) or not candidate.is_file():
                return None  # a symlink pointing out of the root is refused too
        except OSError:  # e.g. a name longer than the file system allows: not a file of ours
            return None
        return candidate


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    media_type = _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    if media_type is None:
        return "application/octet-stream"
    if media_type.startswith("text/") or media_type in _TEXT_TYPES_WITHOUT_TEXT_PREFIX:
        return f"{media_type}; charset=utf-8"
    return media_type

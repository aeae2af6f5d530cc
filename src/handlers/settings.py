"""The functions' configuration, read from the environment once and checked.

A frozen dataclass rather than pydantic-settings: the redirect function reads it
too, and importing pydantic there would add ~70 ms to every cold start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


class MisconfiguredError(RuntimeError):
    """The deployment is broken (a required setting is missing or malformed)."""


@dataclass(frozen=True, slots=True)
class Settings:
    links_table_name: str
    # Where short links live, e.g. "https://sho.rt". None: derive it from each request.
    public_base_url: str | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        table = environ.get("LINKS_TABLE_NAME", "").strip()
        if not table:
            raise MisconfiguredError("LINKS_TABLE_NAME is not set: the function has no table")
        return cls(
            links_table_name=table,
            public_base_url=_base_url(environ.get("PUBLIC_BASE_URL", "")),
        )


def _base_url(raw: str) -> str | None:
    # Empty is a real choice (template default), not a missing value.
    base = raw.strip().rstrip("/")
    if not base:
        return None
    parts = urlsplit(base)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or "#" in base
        or "?" in base
    ):
        raise MisconfiguredError(
            f"PUBLIC_BASE_URL must be an http(s) origin (and path) with no user, query"
            f" or fragment, got {raw!r}"
        )
    return base

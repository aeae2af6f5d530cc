"""Following and inspecting short links.

Kept apart from shortening.py so the redirect function's cold start does not pay
for importing the URL policy or the id generator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.errors import LinkNotFound
from domain.links import Link, is_plausible_short_id, utc_now
from domain.ports import LinkRepository


def follow_link(
    short_id: str,
    *,
    repository: LinkRepository,
    clock: Callable[[], datetime] = utc_now,
) -> Link:
    """A click: count it and return where it goes. Raises LinkNotFound."""
    _refuse_impossible(short_id)
    return repository.record_click(short_id, at=clock())


def get_link(short_id: str, *, repository: LinkRepository) -> Link:
    """Look a link up without counting a click. Raises LinkNotFound."""
    _refuse_impossible(short_id)
    return repository.get(short_id)


def _refuse_impossible(short_id: str) -> None:
    # Scanners probe paths like /wp-login.php; no stored link can have such an id,
    # so answer them without spending a DynamoDB request.
    if not is_plausible_short_id(short_id):
        raise LinkNotFound(short_id)

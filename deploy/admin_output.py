"""How the operator's CLI (deploy/admin.py) shows the admin API's answers to a person:
listings as aligned tables, one object as `field: value` lines, a new key once.

The columns are chosen by name from what the API answers, first of each column's
candidates that any row has, so a field the API adds later shows in `--json` without
breaking the table, and a column the API does not send is left out rather than empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# A cell longer than this is cut (the full value is in --json).
CELL_CHARS = 60
MISSING = "-"

# (header, candidate field names; a dot reads a nested object: "actor.name").
Column = tuple[str, tuple[str, ...]]


def cell(value: Any) -> str:
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ",".join(cell(item) for item in value) or MISSING
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    else:
        text = str(value)
    text = " ".join(text.split())  # a newline or tab in a reason must not break the table
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def field(row: Mapping[str, Any], name: str) -> Any:
    value: Any = row
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def table(rows: Sequence[Mapping[str, Any]], columns: Iterable[Column]) -> str:
    """The rows as aligned columns under a header line."""
    chosen: list[tuple[str, str]] = []
    for header, candidates in columns:
        present = [name for name in candidates if any(field(row, name) is not None for row in rows)]
        if present:
            chosen.append((header, present[0]))
    if not chosen and rows:  # nothing expected is there: show what is
        chosen = [(name.upper(), name) for name in rows[0] if not isinstance(rows[0][name], dict)]
    lines = [[header for header, _ in chosen]]
    lines += [[cell(field(row, name)) for _, name in chosen] for row in rows]
    widths = [max(len(line[index]) for line in lines) for index in range(len(chosen))]
    return "\n".join(
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def items_of(answer: Any, name: str) -> list[Mapping[str, Any]]:
    """A listing's rows: the answer's `name` list (or its only list, if named otherwise)."""
    if isinstance(answer, list):
        return [row for row in answer if isinstance(row, Mapping)]
    if not isinstance(answer, Mapping):
        return []
    found = answer.get(name)
    if not isinstance(found, list):
        lists = [value for value in answer.values() if isinstance(value, list)]
        found = lists[0] if len(lists) == 1 else []
    return [row for row in found if isinstance(row, Mapping)]


def listing(answer: Any, name: str, columns: Iterable[Column]) -> str:
    """A listing's table, and how to ask for the next page if there is one."""
    rows = items_of(answer, name)
    shown = table(rows, columns) if rows else f"no {name}"
    cursor = answer.get("cursor") if isinstance(answer, Mapping) else None
    if cursor:
        shown += f"\nmore {name}: add --cursor {cursor}"
    return shown


def details(answer: Any) -> str:
    """One object as `field: value` lines (nested ones as compact JSON)."""
    if not isinstance(answer, Mapping):
        return "" if answer is None else cell(answer)
    width = max((len(name) for name in answer), default=0)
    return "\n".join(f"  {name.ljust(width)}  {cell(value)}" for name, value in answer.items())


def new_key_notice(
    key: str, key_id: str, name: str, owner: str, scopes: Iterable[str], where: str
) -> str:
    """A new key, shown this once, and what to do with it."""
    return (
        f"API key {key_id} ({name!r}, owner {owner}, scopes {', '.join(scopes)}) {where}:\n"
        f"\n    {key}\n\n"
        "Copy it now: it is shown only this once. Only its hash is stored, so it cannot\n"
        "be shown again; if it is lost, make another and revoke this one\n"
        f"(python -m deploy admin revoke-key {key_id}). To use it without leaving it in\n"
        "your shell's history: read -rs SHORTENER_ADMIN_KEY && export SHORTENER_ADMIN_KEY\n"
        "(then paste it and press Enter)"
    )

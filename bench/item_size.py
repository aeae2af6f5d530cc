"""DynamoDB's item sizes and the request units they cost, by AWS's documented rules.

"DynamoDB item sizes and formats" (Amazon DynamoDB Developer Guide,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
an item's size is the sum of its attribute names (UTF-8 bytes) and values: a string's
UTF-8 bytes; a number's "1 byte per two significant digits" plus 1 (leading and trailing
zeroes trimmed); a binary value's raw bytes; 1 for a Boolean or null; a map or list 3
bytes of overhead plus its elements, each 1 byte more (a map element's name counted as
an attribute name). Storage adds 100 bytes per item for indexing.

The pricing page (https://aws.amazon.com/dynamodb/pricing/on-demand/) turns sizes into
units: a write request unit writes up to 1 KB, a strongly consistent read request unit
reads up to 4 KB, an eventually consistent read half that. The bench checks DynamoDB
Local's ConsumedCapacity against these (bench/capacity.py), and uses them where
DynamoDB Local reports nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

KB = 1024
WRITE_UNIT_BYTES = KB
READ_UNIT_BYTES = 4 * KB
STORAGE_OVERHEAD_BYTES = 100  # per item, "for indexing"


def item_size(item: Mapping[str, Any]) -> int:
    """The size of an item as DynamoDB bills it (without the 100 bytes of storage)."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: Mapping[str, Any]) -> int:
    """One attribute value in DynamoDB's JSON form ({"S": ...}, {"M": {...}}, ...)."""
    if len(value) != 1:
        raise ValueError(f"not an attribute value: {value!r}")
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(v) + 1 for name, v in inner.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "SS":
        return sum(len(str(member).encode()) for member in inner)
    if kind == "NS":
        return sum(number_size(str(member)) for member in inner)
    if kind == "BS":
        return sum(len(member) for member in inner)
    raise ValueError(f"unknown attribute type {kind!r}")


def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1 (AWS: "approximately")."""
    digits = text.lstrip("+-").lower().partition("e")[0].replace(".", "").strip("0")
    return math.ceil(len(digits) / 2) + 1


def write_units(size: int) -> int:
    """Write request units of a standard write of an item of `size` bytes (at least 1)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool) -> float:
    """Read request units of a GetItem of an item of `size` bytes (a missing one: 4 KB's)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2

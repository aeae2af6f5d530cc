from __future__ import annotations

import json

import pytest

from handlers.request_body import parse_json_body


def test_valid_json_parses_as_usual():
    assert parse_json_body('{"url": "https://example.com/"}') == {"url": "https://example.com/"}


@pytest.mark.parametrize(
    "text",
    ["{not json", "1" * 5000, "[" * 200_000 + "]" * 200_000],
    ids=["malformed", "integer-over-4300-digits", "nested-deeper-than-the-decoder-allows"],
)
def test_every_parse_failure_is_a_json_decode_error(text):
    # Powertools turns only JSONDecodeError into a 400; anything else would be a 500.
    with pytest.raises(json.JSONDecodeError):
        parse_json_body(text)

"""Reading an import's rows (domain/link_import.py), JSON and CSV, and answering each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import AliasTaken, InvalidInput, InvalidUrl, RateLimited
from domain.link_import import MAX_ROWS, import_rows, rows_from_csv, rows_from_json
from domain.links import Link
from domain.shortening import LinkRequest, ShortenedLink

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def test_csv_rows_take_the_import_columns_and_skip_an_exports_own():
    rows = rows_from_csv(
        "\ufeffalias,url,title,tags,expiresAt,shortUrl,createdAt,clicks\r\n"
        "launch,https://example.com/,Launch,q4 web,2027-01-01T00:00:00Z,https://s/launch,x,3\r\n"
        ",https://example.org/,,,,,,\r\n"
        "\r\n"
    )

    assert [row.request for row in rows] == [
        LinkRequest(
            url="https://example.com/",
            alias="launch",
            title="Launch",
            tags=("q4", "web"),
            expires_at=datetime(2027, 1, 1, tzinfo=UTC),
        ),
        LinkRequest(url="https://example.org/"),
    ]


@pytest.mark.parametrize(
    "text",
    ["", "alias,title\nx,y\n", "url,titel\nhttps://e.com/,x\n", "url,url\nhttps://e.com/,x\n"],
)
def test_a_csv_header_it_cannot_use_refuses_the_import(text):
    with pytest.raises(InvalidInput) as refused:
        rows_from_csv(text)

    assert refused.value.field == "csv"


def test_a_row_of_the_wrong_shape_is_refused_alone():
    rows = rows_from_json(
        {
            "links": [
                {"url": "https://example.com/"},
                "https://example.com/",
                {"url": 7},
                {"url": "https://example.com/", "expiresAt": "tomorrow"},
                {"url": "https://example.com/", "expiresAt": "2027-01-01T00:00:00"},
                {"url": "https://example.com/", "colour": "red"},
            ]
        }
    )

    assert rows[0].request is not None
    assert [row.problems[0][0] for row in rows[1:]] == [
        "row", "url", "expiresAt", "expiresAt", "colour",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [[], {"links": []}, {"links": [{"url": "https://e.com/"}] * (MAX_ROWS + 1)}, {"rows": []}],
)
def test_an_import_of_none_or_too_many_is_refused_whole(body):
    with pytest.raises(InvalidInput) as refused:
        rows_from_json(body)

    assert refused.value.field == "links"


def test_each_row_answers_for_itself_and_the_rate_limit_stops_the_rest():
    made: list[str] = []

    def create(request: LinkRequest) -> ShortenedLink:
        if request.alias == "taken":
            raise AliasTaken("taken")
        if request.url == "bad":
            raise InvalidUrl("must be an absolute http(s) URL")
        if len(made) == 2:
            raise RateLimited(retry_after_seconds=30)
        made.append(request.url)
        return ShortenedLink(Link(f"id{len(made)}", request.url, NOW), "token")

    rows = rows_from_json(
        {
            "links": [
                {"url": "https://example.com/1"},
                {"url": "https://example.com/2", "alias": "taken"},
                {"url": "bad"},
                {"url": "https://example.com/3"},
                {"url": "https://example.com/4"},
                {"url": "https://example.com/5"},
            ]
        }
    )

    outcomes = import_rows(rows, create)

    assert [outcome.status for outcome in outcomes] == [201, 409, 400, 201, 429, 429]
    assert made == ["https://example.com/1", "https://example.com/3"]
    assert outcomes[2].problems == (("url", "must be an absolute http(s) URL"),)

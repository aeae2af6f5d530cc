"""API keys and the links they own, through the real handlers on moto: creating with a
key, managing with the owner's keys instead of a token, listing, exporting and
importing, PublicCreation, and every refusal on the way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from domain.api_keys import issue_api_key
from handlers import link_import, links, shorten, wiring
from repository.client import create_dynamodb_client
from repository.dynamodb_api_keys import DynamoDBApiKeys
from tests.conftest import load_event
from tests.integration.conftest import TABLE_NAME

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def issue(owner: str = "team-a", scopes: tuple[str, ...] = ("links:read", "links:write")) -> str:
    issued = issue_api_key(name=f"{owner} key", owner=owner, scopes=scopes, now=NOW)
    DynamoDBApiKeys(create_dynamodb_client(), TABLE_NAME).add(issued.record)
    return issued.key


def request(
    module: Any,
    context: Any,
    method: str,
    path: str,
    *,
    route: str,
    key: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    content_type: str = "application/json",
    **headers: str,
) -> dict[str, Any]:
    event = load_event("link-info.json")
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    segments = path.strip("/").split("/")
    event["pathParameters"] = {"shortId": segments[1]} if "{shortId}" in route else None
    event["queryStringParameters"] = query
    event["rawQueryString"] = urlencode(query or {})
    if key is not None:
        event["headers"]["authorization"] = f"Bearer {key}"
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-type"] = content_type
    event["headers"].update(headers)
    response: dict[str, Any] = module.handler(event, context)
    return response


def shorten_with(context: Any, key: str | None, **body: Any) -> dict[str, Any]:
    body.setdefault("url", "https://example.com/landing")
    return request(shorten, context, "POST", "/shorten", route="/shorten", key=key, body=body)


def owned(context: Any, key: str, **body: Any) -> Any:
    response = shorten_with(context, key, **body)
    assert response["statusCode"] == 201, response["body"]
    return json.loads(response["body"])


def listing(context: Any, key: str | None, **query: str) -> dict[str, Any]:
    return request(links, context, "GET", "/links", route="/links", key=key, query=query or None)


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


# --- creating with a key -------------------------------------------------------------


def test_a_link_created_with_a_key_is_owned_and_labelled(dynamodb_calls, lambda_context):
    key = issue()

    link = owned(lambda_context, key, title="Launch page", tags=["q4", "launch"])

    assert (link["title"], link["tags"]) == ("Launch page", ["q4", "launch"])
    stored = wiring.link_repository().get(link["shortId"])
    assert (stored.owner, stored.creator_class) == ("team-a", "api-key")


def test_an_anonymous_link_records_only_its_creators_address_class(dynamodb_calls, lambda_context):
    link = owned_anonymously(lambda_context)

    stored = wiring.link_repository().get(link["shortId"])
    assert (stored.owner, stored.creator_class) == (None, "ipv4")


def owned_anonymously(context: Any) -> Any:
    response = shorten_with(context, None)
    assert response["statusCode"] == 201, response["body"]
    return body_of(response)


@pytest.mark.parametrize(
    ("credential", "status", "message"),
    [
        ("usk_0123456789abcdef_" + "A" * 43, 401, "This API key is unknown or revoked"),
        ("usk_not-a-key", 401, "This API key is unknown or revoked"),
    ],
)
def test_an_unknown_key_is_401_and_creates_nothing(
    dynamodb_calls, lambda_context, credential, status, message
):
    response = shorten_with(lambda_context, credential)

    assert response["statusCode"] == status
    assert body_of(response) == {"message": message}
    assert "PutItem" not in dynamodb_calls.operations


def test_a_key_with_the_wrong_secret_is_401(dynamodb_calls, lambda_context):
    key = issue()
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")

    assert shorten_with(lambda_context, forged)["statusCode"] == 401


def test_a_key_without_links_write_cannot_create(dynamodb_calls, lambda_context):
    key = issue(scopes=("links:read",))

    response = shorten_with(lambda_context, key)

    assert response["statusCode"] == 403
    assert body_of(response)["message"] == "This API key lacks the scope 'links:write'"


def test_without_public_creation_only_a_key_creates(dynamodb_calls, lambda_context, monkeypatch):
    monkeypatch.setenv("PUBLIC_CREATION", "false")
    wiring.reset()
    key = issue()

    refused = shorten_with(lambda_context, None)
    assert refused["statusCode"] == 401
    assert body_of(refused)["message"] == (
        "Send an API key with the scope 'links:write' as `Authorization: Bearer <key>`"
    )
    assert shorten_with(lambda_context, key)["statusCode"] == 201


def test_a_key_counts_against_its_own_limit_not_the_address(
    dynamodb_calls, lambda_context, monkeypatch
):
    monkeypatch.setenv("CREATION_RATE_LIMIT", "1")
    monkeypatch.setenv("KEY_CREATION_RATE_LIMIT", "2")
    wiring.reset()
    key, other = issue(), issue(owner="team-b")

    statuses = [shorten_with(lambda_context, key)["statusCode"] for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert shorten_with(lambda_context, other)["statusCode"] == 201
    assert shorten_with(lambda_context, None)["statusCode"] == 201  # the address's own


# --- managing with the owner's keys -----------------------------------------------------


def change(context: Any, short_id: str, key: str | None, body: Any) -> dict[str, Any]:
    path = f"/links/{short_id}"
    return request(links, context, "PATCH", path, route="/links/{shortId}", key=key, body=body)


def delete(context: Any, short_id: str, key: str | None) -> dict[str, Any]:
    path = f"/links/{short_id}"
    return request(links, context, "DELETE", path, route="/links/{shortId}", key=key)


def test_any_key_of_the_owner_manages_the_link_without_its_token(dynamodb_calls, lambda_context):
    link = owned(lambda_context, issue())
    second_key = issue()  # the same owner's

    changed = change(
        lambda_context, link["shortId"], second_key, {"url": "https://example.org/", "tags": ["b"]}
    )
    assert changed["statusCode"] == 200, changed["body"]
    assert (body_of(changed)["url"], body_of(changed)["tags"]) == ("https://example.org/", ["b"])
    stats = request(
        links,
        lambda_context,
        "GET",
        f"/links/{link['shortId']}/stats",
        route="/links/{shortId}/stats",
        key=second_key,
    )
    assert stats["statusCode"] == 200, stats["body"]
    assert delete(lambda_context, link["shortId"], second_key)["statusCode"] == 204


def test_another_owners_key_is_403_and_changes_nothing(dynamodb_calls, lambda_context):
    link = owned(lambda_context, issue())
    stranger = issue(owner="team-b")

    response = change(lambda_context, link["shortId"], stranger, {"url": "https://evil.example/"})

    assert response["statusCode"] == 403
    assert body_of(response) == {"message": "This API key's owner does not own this link"}
    assert delete(lambda_context, link["shortId"], stranger)["statusCode"] == 403
    assert wiring.link_repository().get(link["shortId"]).url == "https://example.com/landing"


def test_an_anonymous_link_is_managed_by_its_token_alone(dynamodb_calls, lambda_context):
    link = owned_anonymously(lambda_context)

    by_key = change(lambda_context, link["shortId"], issue(), {"title": "mine now"})
    by_token = change(lambda_context, link["shortId"], link["managementToken"], {"title": "Home"})

    assert by_key["statusCode"] == 403
    assert (by_token["statusCode"], body_of(by_token)["title"]) == (200, "Home")


def test_a_read_only_key_cannot_change_a_link(dynamodb_calls, lambda_context):
    link = owned(lambda_context, issue())
    reader = issue(scopes=("links:read",))

    response = change(lambda_context, link["shortId"], reader, {"title": "x"})

    assert response["statusCode"] == 403
    assert body_of(response)["message"] == "This API key lacks the scope 'links:write'"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tags": ["Not Allowed"]}, "tags"),
        ({"tags": [f"t{n}" for n in range(11)]}, "tags"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_labels_are_400_naming_the_field(dynamodb_calls, lambda_context, body, field):
    link = owned(lambda_context, issue())

    response = change(lambda_context, link["shortId"], issue(), body)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == field


def test_title_and_tags_are_removed_with_null_and_an_empty_list(dynamodb_calls, lambda_context):
    key = issue()
    link = owned(lambda_context, key, title="Launch", tags=["a"])

    response = change(lambda_context, link["shortId"], key, {"title": None, "tags": []})

    assert (body_of(response)["title"], body_of(response)["tags"]) == (None, [])


# --- GET /links ----------------------------------------------------------------------------


def test_the_listing_shows_the_callers_links_newest_first_a_page_at_a_time(
    dynamodb_calls, lambda_context
):
    key = issue()
    made = [owned(lambda_context, key, title=f"link {n}")["shortId"] for n in range(5)]
    owned(lambda_context, issue(owner="team-b"))  # someone else's
    owned_anonymously(lambda_context)

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        response = listing(lambda_context, key, **query)
        assert response["statusCode"] == 200, response["body"]
        page = body_of(response)
        seen += [link["shortId"] for link in page["links"]]
        cursor = page["cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(made))
    first = body_of(listing(lambda_context, key, limit="1"))["links"][0]
    assert set(first) >= {"shortId", "shortUrl", "url", "clicks", "title", "tags", "createdAt"}


def test_the_listing_filters_by_tag_and_by_text_in_alias_or_host(dynamodb_calls, lambda_context):
    key = issue()
    owned(lambda_context, key, url="https://shop.example/", alias="spring-sale", tags=["sale"])
    owned(lambda_context, key, url="https://blog.example/post", alias="post-1", tags=["blog"])

    by_tag = body_of(listing(lambda_context, key, tag="sale"))["links"]
    by_host = body_of(listing(lambda_context, key, q="BLOG.example"))["links"]
    by_alias = body_of(listing(lambda_context, key, q="spring"))["links"]

    assert [link["shortId"] for link in by_tag] == ["spring-sale"]
    assert [link["shortId"] for link in by_host] == ["post-1"]
    assert [link["shortId"] for link in by_alias] == ["spring-sale"]


def test_a_deleted_link_leaves_the_owners_listing(dynamodb_calls, lambda_context):
    key = issue()
    link = owned(lambda_context, key)
    delete(lambda_context, link["shortId"], key)

    assert body_of(listing(lambda_context, key))["links"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"tag": "Bad Tag"}, "tag"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_listing_parameters_are_400_naming_them(dynamodb_calls, lambda_context, query, field):
    response = listing(lambda_context, issue(), **query)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == field


def test_a_cursor_of_another_owners_listing_is_refused(dynamodb_calls, lambda_context):
    other = issue(owner="team-b")
    for _ in range(2):
        owned(lambda_context, other)
    cursor = body_of(listing(lambda_context, other, limit="1"))["cursor"]

    response = listing(lambda_context, issue(), cursor=cursor)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == "cursor"


def test_the_listing_needs_a_key_with_links_read(dynamodb_calls, lambda_context):
    link = owned_anonymously(lambda_context)

    assert listing(lambda_context, None)["statusCode"] == 401
    assert listing(lambda_context, link["managementToken"])["statusCode"] == 401
    writer_only = listing(lambda_context, issue(scopes=("links:write",)))
    assert writer_only["statusCode"] == 403
    assert body_of(writer_only)["message"] == "This API key lacks the scope 'links:read'"


# --- export and import ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def one_import_row_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's DynamoDB is not safe for an import's concurrent rows, as DynamoDB is: a failed
    transaction restores the whole table as it was when that transaction began (moto's
    transact_write_items deep-copies it), wiping a row another thread wrote meanwhile, and
    concurrent conditional writes of one item (the key's rate counter) are not serialised.
    The threaded import is tested on DynamoDB Local (tests/e2e/test_http_api_keys.py)."""
    monkeypatch.setattr(link_import, "_WORKERS", 1)


def import_links(
    context: Any, key: str | None, body: Any, content_type: str = "application/json", **headers: str
) -> dict[str, Any]:
    return request(
        shorten,
        context,
        "POST",
        "/links/import",
        route="/links/import",
        key=key,
        body=body,
        content_type=content_type,
        **headers,  # type: ignore[arg-type]  # header names never clash with the parameters
    )


def test_an_import_creates_each_row_on_its_own(dynamodb_calls, lambda_context):
    key = issue()
    owned(lambda_context, key, alias="taken")

    response = import_links(
        lambda_context,
        key,
        {
            "links": [
                {"url": "https://example.com/1", "alias": "first", "tags": ["a"]},
                {"url": "https://example.com/2", "alias": "taken"},
                {"url": "not a url"},
                {
                    "url": "https://example.com/4",
                    "title": "Four",
                    "expiresAt": "2027-01-01T00:00:00Z",
                },
            ]
        },
    )

    assert response["statusCode"] == 200, response["body"]
    answer = body_of(response)
    assert [row["status"] for row in answer["results"]] == [201, 409, 400, 201]
    assert (answer["created"], answer["refused"]) == (2, 2)
    assert answer["results"][0]["shortId"] == "first"
    assert answer["results"][1]["errors"] == [{"field": "alias", "reason": "is taken"}]
    assert answer["results"][2]["errors"][0]["field"] == "url"
    listed = {link["shortId"] for link in body_of(listing(lambda_context, key))["links"]}
    assert listed == {"taken", "first", answer["results"][3]["shortId"]}


def test_an_export_imports_as_it_is(dynamodb_calls, lambda_context):
    key = issue()
    owned(lambda_context, key, alias="launch", title="=SUM(A1)", tags=["q4", "web"])
    export = request(
        links, lambda_context, "GET", "/links", route="/links", key=key, query={"format": "csv"}
    )
    assert export["statusCode"] == 200
    assert export["headers"]["Content-Type"] == "text/csv; charset=utf-8"
    lines = export["body"].splitlines()
    assert lines[0] == "alias,url,title,tags,expiresAt,shortUrl,createdAt,clicks"
    # A title a spreadsheet would run as a formula is written so it never runs.
    assert lines[1].startswith("launch,https://example.com/landing,'=SUM(A1),q4 web,,")

    elsewhere = issue(owner="team-b")
    csv_body = export["body"].replace("launch,", "launch-copy,")
    response = import_links(lambda_context, elsewhere, csv_body, content_type="text/csv")

    assert response["statusCode"] == 200, response["body"]
    assert [row["status"] for row in body_of(response)["results"]] == [201]
    copy = wiring.link_repository().get("launch-copy")
    assert (copy.owner, copy.tags) == ("team-b", ("q4", "web"))


def test_a_repeated_import_with_the_same_key_creates_nothing_more(dynamodb_calls, lambda_context):
    key = issue()
    rows = {"links": [{"url": "https://example.com/a"}, {"url": "https://example.com/b"}]}
    headers = {"idempotency-key": "import-2026-12-03-0001"}

    first = import_links(lambda_context, key, rows, **headers)
    again = import_links(lambda_context, key, rows, **headers)

    assert first["statusCode"] == again["statusCode"] == 200
    assert body_of(first) == body_of(again)
    assert len(body_of(listing(lambda_context, key))["links"]) == 2


def test_rows_past_the_keys_limit_answer_429(dynamodb_calls, lambda_context, monkeypatch):
    monkeypatch.setenv("KEY_CREATION_RATE_LIMIT", "3")
    wiring.reset()
    rows = {"links": [{"url": f"https://example.com/{n}"} for n in range(5)]}

    answer = body_of(import_links(lambda_context, issue(), rows))

    assert sorted(row["status"] for row in answer["results"]) == [201, 201, 201, 429, 429]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ({"links": []}, "application/json", 400, "links"),
        ({"links": [{"url": "https://example.com/"}] * 1001}, "application/json", 400, "links"),
        ([{"url": "https://example.com/"}], "application/json", 400, "links"),
        ("alias,titel\nx,y\n", "text/csv", 400, "csv"),
        ("{not json", "application/json", 400, "body"),
    ],
)
def test_an_import_it_cannot_read_is_refused_whole(
    dynamodb_calls, lambda_context, body, content_type, status, field
):
    response = import_links(lambda_context, issue(), body, content_type=content_type)

    assert response["statusCode"] == status
    assert body_of(response)["errors"][0]["field"] == field
    assert "TransactWriteItems" not in dynamodb_calls.operations


def test_an_import_needs_a_key_with_links_write(dynamodb_calls, lambda_context):
    rows = {"links": [{"url": "https://example.com/"}]}

    assert import_links(lambda_context, None, rows)["statusCode"] == 401
    assert import_links(lambda_context, issue(scopes=("links:read",)), rows)["statusCode"] == 403
    assert (
        import_links(lambda_context, issue(), "a;b", content_type="text/plain")["statusCode"] == 415
    )


def test_a_creation_with_a_known_key_is_a_counter_and_one_transaction(
    dynamodb_calls, lambda_context
):
    key = issue()
    owned(lambda_context, key)  # reads the key (and what else an environment reads once)
    dynamodb_calls.operations.clear()

    owned(lambda_context, key)

    # The key's own rate counter, then the link and its owner's listing entry together:
    # what deploy/cost.py prices an owned link at.
    assert dynamodb_calls.operations == ["UpdateItem", "TransactWriteItems"]


def test_no_key_or_token_reaches_a_log(dynamodb_calls, lambda_context, capsys, caplog):
    key = issue()
    link = owned(lambda_context, key, title="Launch")
    change(lambda_context, link["shortId"], key, {"tags": ["a"]})
    listing(lambda_context, key, format="csv")
    import_links(lambda_context, key, {"links": [{"url": "https://example.com/i"}]})
    shorten_with(lambda_context, key[:-1] + "A")  # a wrong secret: logged as a refusal

    logged = capsys.readouterr().out + capsys.readouterr().err + caplog.text
    assert "Links imported" in logged  # the logs were captured
    secret = key.split("_", 2)[2]  # usk_<id>_<secret>; the secret may itself hold "_"
    for credential in (key, secret, secret[:-1], link["managementToken"]):
        assert credential not in logged

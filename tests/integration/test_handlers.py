"""The real Lambda handlers, fed AWS-shaped events from events/, against moto's DynamoDB."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from domain import short_ids
from domain.links import utc_now
from domain.shortening import MAX_ID_ATTEMPTS, shorten_link
from handlers import links, redirect, shorten, wiring
from tests.conftest import load_event
from tests.integration.conftest import TABLE_NAME


def post_shorten(context: Any, body: Any, **changes: Any) -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    event.update(changes)
    return shorten.handler(event, context)


def get(module: Any, event_name: str, context: Any, short_id: str, **headers: str):
    event = load_event(event_name)
    prefix = "/links/" if event_name == "link-info.json" else "/"
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"{prefix}{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    event["headers"].update(headers)
    return module.handler(event, context)


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def stored_items(dynamodb: Any) -> Any:
    return dynamodb.scan(TableName=TABLE_NAME)["Items"]


# --- POST /shorten -----------------------------------------------------------


def test_shorten_creates_a_link_with_one_conditional_write(dynamodb_calls, lambda_context):
    # This environment read the blocked hosts within the minute (domain/blocked_hosts.py):
    # what is counted below is the creation's own calls.
    wiring.blocked_hosts_cache().denied_hosts()
    dynamodb_calls.operations.clear()
    response = shorten.handler(load_event("shorten.json"), lambda_context)

    assert response["statusCode"] == 201
    created = body_of(response)
    assert set(created) == {
        "shortId", "shortUrl", "url", "createdAt", "expiresAt", "clicks", "lastClickedAt",
        "title", "tags", "managementToken",
    }  # fmt: skip
    assert (created["title"], created["tags"]) == (None, [])
    assert len(created["shortId"]) == 7
    assert created["shortUrl"] == (
        f"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/{created['shortId']}"
    )
    assert created["url"].startswith("https://example.com/articles/2026/")
    assert created["createdAt"].endswith("Z")
    assert response["headers"]["Location"] == created["shortUrl"]
    # The client's creation counter and the stack's ceiling, then the conditional write.
    assert dynamodb_calls.operations == ["UpdateItem", "UpdateItem", "PutItem"]


def test_the_original_workshop_field_name_is_accepted(dynamodb_calls, lambda_context):
    response = post_shorten(lambda_context, {"urlToShorten": "https://example.com/"})

    assert response["statusCode"] == 201
    assert body_of(response)["url"] == "https://example.com/"


def test_a_pasted_url_is_stored_as_a_browser_reads_it(dynamodb_calls, lambda_context):
    # Chat whitespace at the ends, an e-mail's wrapped and indented line, spaces after the
    # host (domain/url_policy.py; docs/api.md, "Which target URLs are accepted").
    pasted = "\u200b https://example.com/a-long-\r\n    path/a b?q=caf\u00e9 cr\u00e8me#x y\u00a0\n"

    response = post_shorten(lambda_context, {"url": pasted})

    assert response["statusCode"] == 201
    stored = "https://example.com/a-long-path/a%20b?q=caf%C3%A9%20cr%C3%A8me#x%20y"
    assert body_of(response)["url"] == stored


def test_short_urls_use_the_public_base_url_when_configured(
    dynamodb_calls, lambda_context, monkeypatch
):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://sho.rt/")

    response = post_shorten(lambda_context, {"url": "https://example.com/"})

    created = body_of(response)
    assert created["shortUrl"] == f"https://sho.rt/{created['shortId']}"


def test_short_urls_carry_a_named_stage(dynamodb_calls, lambda_context):
    event = load_event("shorten.json")
    event["requestContext"]["stage"] = "prod"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/prod/shorten"

    created = body_of(shorten.handler(event, lambda_context))

    assert created["shortUrl"].endswith(f".amazonaws.com/prod/{created['shortId']}")


@pytest.mark.parametrize(
    ("body", "status", "field", "reason_part"),
    [
        ("{not json", 400, "body", "expecting"),
        ({}, 422, "url", "required"),
        ({"url": 42}, 422, "url", "string"),
        ({"url": None}, 422, "url", "string"),
        ([], 422, "body", "valid dictionary or object"),
        ('"https://example.com"', 422, "body", "valid dictionary or object"),
        ("null", 400, "body", "required"),
        ({"url": "https://example.com/", "uri": "x"}, 422, "uri", "not permitted"),
        ({"url": "https://a.example/", "urlToShorten": "https://b.example/"}, 422, "body", "both"),
        ({"url": "ftp://example.com/file"}, 400, "url", "http or https"),
        ({"url": "/relative/path"}, 400, "url", "absolute"),
        ({"url": "https://user:secret@example.com/"}, 400, "url", "password"),
        ({"url": "https://exa mple.com/"}, 400, "url", "whitespace"),
        ({"url": "https://example.com/a\u202eb"}, 400, "url", "control characters"),
        ({"url": "https://example.com/" + "a" * 2100}, 400, "url", "once encoded"),
        ({"url": ""}, 400, "url", "absolute"),
        # Not a timestamp of the documented type at all: the model refuses it (422).
        (
            {"url": "https://e.com/", "expiresAt": "2030-01-01T00:00:00"},
            422,
            "expiresAt",
            "timezone",
        ),
        (
            {"url": "https://e.com/", "expiresAt": "2030-01-01T00:00:00Z", "expiresIn": 60},
            400,
            "expiresAt",
            "together with expiresIn",
        ),
    ],
    ids=[
        "malformed-json",
        "missing-url",
        "number",
        "null",
        "array",
        "json-string",
        "json-null",
        "unknown-field",
        "both-names",
        "ftp",
        "relative",
        "credentials",
        "space-in-host",
        "bidi-override",
        "too-long",
        "empty",
        "expiry-without-time-zone",
        "both-expiries",
    ],
)
def test_bad_input_is_refused_with_a_named_field_and_writes_nothing(
    dynamodb_calls, dynamodb, lambda_context, body, status, field, reason_part
):
    response = post_shorten(lambda_context, body)

    assert response["statusCode"] == status
    refusal = body_of(response)
    assert refusal["message"]
    problems = {problem["field"]: problem["reason"] for problem in refusal["errors"]}
    assert field in problems, refusal
    assert reason_part.lower() in problems[field].lower()
    assert stored_items(dynamodb) == []


def test_a_link_back_to_the_shortener_itself_is_refused(dynamodb_calls, dynamodb, lambda_context):
    host = load_event("shorten.json")["headers"]["host"]

    response = post_shorten(lambda_context, {"url": f"https://{host.upper()}./abc"})

    assert response["statusCode"] == 400
    assert "shortener" in body_of(response)["errors"][0]["reason"]
    assert stored_items(dynamodb) == []


def test_a_junk_host_header_does_not_break_shortening(dynamodb_calls, lambda_context):
    event = load_event("shorten.json")
    event["headers"]["host"] = "[not a host"
    event["headers"]["x-forwarded-proto"] = "javascript"

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 201
    created = body_of(response)
    assert created["shortUrl"] == (
        f"https://{event['requestContext']['domainName']}/{created['shortId']}"
    )


def test_a_body_over_8_kib_is_refused_with_413(dynamodb_calls, dynamodb, lambda_context):
    oversized = json.dumps({"url": "https://example.com/", "padding": "x" * 8192})

    response = post_shorten(lambda_context, oversized)

    assert response["statusCode"] == 413
    assert "8192" in body_of(response)["message"]
    assert dynamodb_calls.operations == []


def test_undecodable_bodies_are_refused_with_400_not_a_crash(dynamodb_calls, lambda_context):
    not_base64 = post_shorten(lambda_context, "%%%", isBase64Encoded=True)
    not_utf8 = post_shorten(
        lambda_context, base64.b64encode(b"\xff\xfe{}").decode(), isBase64Encoded=True
    )

    assert not_base64["statusCode"] == 400
    assert not_utf8["statusCode"] == 400
    assert "UTF-8" in body_of(not_utf8)["message"]
    assert dynamodb_calls.operations == []


def test_a_missing_body_is_refused_with_400(dynamodb_calls, lambda_context):
    event = load_event("shorten.json")
    del event["body"]

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 400
    assert "missing" in body_of(response)["message"]
    assert dynamodb_calls.operations == []


def test_json_the_parser_cannot_hold_is_refused_with_400_not_a_crash(
    dynamodb_calls, lambda_context
):
    # Python refuses integers over 4,300 digits with a plain ValueError, not a JSON error.
    response = post_shorten(lambda_context, '{"url": ' + "1" * 4400 + "}")

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == "body"
    assert dynamodb_calls.operations == []


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "application/jsonp",
        # What a cross-site fetch(..., {mode: "no-cors"}) or navigator.sendBeacon() of a
        # Blob sends: no Content-Type at all, and no preflight asks first.
        None,
    ],
)
def test_bodies_that_are_not_json_are_refused_with_415(
    dynamodb_calls, lambda_context, content_type
):
    event = load_event("shorten.json")
    event["headers"].pop("content-type", None)
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    event["body"] = "url=https%3A%2F%2Fexample.com%2F"

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 415
    assert "application/json" in body_of(response)["message"]
    assert dynamodb_calls.operations == []


@pytest.mark.parametrize("content_type", [None, "text/plain;charset=UTF-8"])
def test_a_json_body_that_does_not_say_so_is_refused_and_creates_nothing(
    dynamodb_calls, lambda_context, content_type
):
    event = load_event("shorten.json")
    event["headers"].pop("content-type", None)
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    event["body"] = json.dumps({"url": "https://example.com/", "alias": "cross-site"})

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 415
    assert dynamodb_calls.operations == []


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json; charset=utf-8"])
def test_json_media_types_are_matched_as_the_standard_says(
    dynamodb_calls, lambda_context, content_type
):
    event = load_event("shorten.json")
    event["headers"]["content-type"] = content_type

    assert shorten.handler(event, lambda_context)["statusCode"] == 201


def test_a_link_to_the_apis_own_execute_api_name_is_refused_behind_a_custom_domain(
    dynamodb_calls, lambda_context, monkeypatch
):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    event = load_event("shorten.json")
    event["headers"]["host"] = event["requestContext"]["domainName"] = "sho.rt"
    event["body"] = json.dumps({"url": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/x"})

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 400
    assert "shortener" in body_of(response)["errors"][0]["reason"]


def test_when_no_short_id_is_free_the_answer_is_503_with_retry_after(
    dynamodb_calls, lambda_context, monkeypatch
):
    # One instant: no rate counter's sub-window turns over between the two creations.
    now = utc_now()
    monkeypatch.setitem(shorten_link.__kwdefaults__, "clock", lambda: now)
    monkeypatch.setattr(short_ids._generator, "random", lambda length: "taken00")
    # This environment read the blocked hosts within the minute (domain/blocked_hosts.py):
    # what is counted below is the creation's own calls.
    wiring.blocked_hosts_cache().denied_hosts()
    dynamodb_calls.operations.clear()
    first = post_shorten(lambda_context, {"url": "https://first.example/"})

    second = post_shorten(lambda_context, {"url": "https://second.example/"})

    assert first["statusCode"] == 201
    assert second["statusCode"] == 503
    assert second["headers"]["Retry-After"] == "1"
    assert body_of(second)["message"]
    assert dynamodb_calls.operations == ["UpdateItem", "UpdateItem", "PutItem"] * 2 + [
        "PutItem"
    ] * (MAX_ID_ATTEMPTS - 1)


# --- GET and HEAD /{shortId} ------------------------------------------------------


@pytest.fixture
def short_id(dynamodb_calls, lambda_context) -> Any:
    created = body_of(post_shorten(lambda_context, {"url": "https://example.com/landing"}))
    dynamodb_calls.operations.clear()
    return created["shortId"]


def test_a_redirect_is_one_update_that_counts_the_click(short_id, dynamodb_calls, lambda_context):
    # An environment's first click of a day learns the day's visitor key first.
    get(redirect, "redirect.json", lambda_context, short_id)
    assert dynamodb_calls.operations == ["UpdateItem", "UpdateItem"]
    dynamodb_calls.operations.clear()

    response = get(redirect, "redirect.json", lambda_context, short_id)

    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == "https://example.com/landing"
    assert response["headers"]["Cache-Control"] == "no-store"
    assert dynamodb_calls.operations == ["UpdateItem"]
    info = body_of(get(links, "link-info.json", lambda_context, short_id))
    assert info["clicks"] == 2
    assert info["lastClickedAt"] is not None


def test_head_answers_like_get_without_a_body_or_a_click(short_id, dynamodb_calls, lambda_context):
    head = get(redirect, "redirect-head.json", lambda_context, short_id)

    assert head["statusCode"] == 302
    assert head["headers"]["Location"] == "https://example.com/landing"
    assert head["body"] == ""
    assert dynamodb_calls.operations == ["GetItem"]
    assert body_of(get(links, "link-info.json", lambda_context, short_id))["clicks"] == 0


def test_an_unknown_id_is_a_json_404_for_api_clients(dynamodb_calls, lambda_context):
    response = get(redirect, "redirect.json", lambda_context, "nope123", accept="application/json")

    assert response["statusCode"] == 404
    assert response["headers"]["Content-Type"] == "application/json"
    assert "nope123" in body_of(response)["message"]
    assert response["headers"]["Cache-Control"] == "no-store"


def test_an_unknown_id_is_an_html_page_for_browsers(dynamodb_calls, lambda_context):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = get(redirect, "redirect.json", lambda_context, "nope_123", accept=accept)

    assert response["statusCode"] == 404
    assert response["headers"]["Content-Type"].startswith("text/html")
    assert "Link not found" in response["body"]
    assert "<code>nope_123</code>" in response["body"]


PHISHING_PATH = "Your account is locked, call +1 555 0100 to unlock it"


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
@pytest.mark.parametrize("path", [PHISHING_PATH, "<b>nope", "a" * 65, "../../etc"])
def test_a_path_no_link_can_have_is_never_shown_back(dynamodb_calls, lambda_context, accept, path):
    response = get(redirect, "redirect.json", lambda_context, path, accept=accept)

    assert response["statusCode"] == 404
    for text in (path, "locked", "nope", "etc", "aaaaaaaa"):
        assert text not in response["body"]
    assert "No link at this address" in response["body"] or "no short link" in response["body"]
    assert dynamodb_calls.operations == []


def test_head_of_an_unknown_id_is_404_without_a_body(dynamodb_calls, lambda_context):
    response = get(redirect, "redirect-head.json", lambda_context, "nope123", accept="text/html")

    assert response["statusCode"] == 404
    assert response["body"] == ""


def test_ids_no_link_could_have_cost_no_database_call(dynamodb_calls, lambda_context):
    response = get(redirect, "redirect.json", lambda_context, "wp-login.php")

    assert response["statusCode"] == 404
    assert dynamodb_calls.operations == []


# --- GET /links/{shortId} ---------------------------------------------------------


def test_link_info_reports_the_link_without_counting(short_id, dynamodb_calls, lambda_context):
    get(redirect, "redirect.json", lambda_context, short_id)
    dynamodb_calls.operations.clear()

    response = get(links, "link-info.json", lambda_context, short_id)

    assert response["statusCode"] == 200
    info = body_of(response)
    assert info["shortId"] == short_id
    assert info["url"] == "https://example.com/landing"
    assert info["shortUrl"].endswith(f"/{short_id}")
    assert info["clicks"] == 1
    assert dynamodb_calls.operations == ["GetItem"]


def test_link_info_of_an_unknown_id_is_404(dynamodb_calls, lambda_context):
    response = get(links, "link-info.json", lambda_context, "nope123")

    assert response["statusCode"] == 404
    assert "nope123" in body_of(response)["message"]

"""Issue 3's rules through the real handlers and AWS-shaped events, against moto.

Aliases, expiry, owner management, idempotent creation, honest click counts and the
abuse guards; the HTTP-level twins of these tests run against the local stack.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers import links, redirect, shorten, wiring
from tests.conftest import load_event

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0 Safari/537.36"
)


def create(context: Any, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = json.dumps(body)
    event["headers"].update(headers)
    return shorten.handler(event, context)


def created(context: Any, **body: Any) -> Any:
    response = create(context, {"url": "https://example.com/landing", **body})
    assert response["statusCode"] == 201, response["body"]
    return json.loads(response["body"])


def on_link(module: Any, event_name: str, context: Any, short_id: str, **changes: Any):
    event = load_event(event_name)
    prefix = "/" if module is redirect else "/links/"
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"{prefix}{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    headers = changes.pop("headers", {})
    event["headers"].update(headers)
    for name in [name for name, value in headers.items() if value is None]:
        del event["headers"][name]
    if "body" in changes:
        event["body"] = json.dumps(changes.pop("body"))
    return module.handler(event, context)


def manage(method: str, context: Any, short_id: str, token: str | None, body: Any = None):
    event_name = "link-change.json" if method == "PATCH" else "link-delete.json"
    changes: dict[str, Any] = {"headers": {"authorization": f"Bearer {token}" if token else None}}
    if body is not None:
        changes["body"] = body
    return on_link(links, event_name, context, short_id, **changes)


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


# --- aliases ------------------------------------------------------------------------


def test_an_alias_is_the_short_link(dynamodb_calls, lambda_context):
    link = created(lambda_context, alias="launch-2026")

    assert link["shortId"] == "launch-2026"
    assert link["shortUrl"].endswith("/launch-2026")
    assert on_link(redirect, "redirect.json", lambda_context, "launch-2026")["statusCode"] == 302


def test_a_taken_alias_is_409_and_the_first_link_stays(dynamodb_calls, lambda_context):
    created(lambda_context, alias="promo")

    second = create(lambda_context, {"url": "https://other.example/", "alias": "promo"})

    assert second["statusCode"] == 409
    assert body_of(second)["errors"] == [{"field": "alias", "reason": "is taken"}]
    follow = on_link(redirect, "redirect.json", lambda_context, "promo")
    assert follow["headers"]["Location"] == "https://example.com/landing"


@pytest.mark.parametrize(
    "alias", ["links", "Shorten", "API", "health", "docs", "x", "a.b", "ab cd"]
)
def test_reserved_or_malformed_aliases_are_400(dynamodb_calls, lambda_context, alias):
    response = create(lambda_context, {"url": "https://example.com/", "alias": alias})

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == "alias"


# --- expiry -------------------------------------------------------------------------


def test_an_expired_link_is_410_and_counts_nothing(dynamodb_calls, lambda_context):
    link = created(lambda_context, expiresIn=1)
    time.sleep(max(0.0, (_moment(link["expiresAt"]) - datetime.now(UTC)).total_seconds()) + 0.01)

    json_answer = on_link(
        redirect, "redirect.json", lambda_context, link["shortId"], headers={"accept": "*/*"}
    )
    html_answer = on_link(redirect, "redirect.json", lambda_context, link["shortId"])

    assert json_answer["statusCode"] == html_answer["statusCode"] == 410
    assert "expired" in body_of(json_answer)["message"]
    assert html_answer["headers"]["Content-Type"].startswith("text/html")
    assert json_answer["headers"]["Cache-Control"] == "no-store"
    info = body_of(on_link(links, "link-info.json", lambda_context, link["shortId"]))
    assert info["clicks"] == 0
    assert info["expiresAt"] == link["expiresAt"]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_an_expiring_link_is_never_deleted_by_the_tables_ttl(
    dynamodb_calls, dynamodb, lambda_context
):
    # DynamoDB's TTL would free the id for someone else, who would get the old link's
    # clicks: an expired link stays, 410, as a deleted one stays a tombstone.
    link = created(lambda_context, expiresAt="2027-01-01T00:00:00Z")

    item = dynamodb.get_item(
        TableName="LinksTable",
        Key={"PK": {"S": f"LINK#{link['shortId']}"}, "SK": {"S": "META"}},
    )["Item"]
    assert item["expiresAt"] == {"S": "2027-01-01T00:00:00.000Z"}
    assert "ttl" not in item


@pytest.mark.parametrize(
    "expiry",
    [
        {"expiresAt": "2020-01-01T00:00:00Z"},
        {"expiresAt": "2099-01-01T00:00:00Z"},
        {"expiresIn": 0},
        {"expiresIn": 60, "expiresAt": "2027-01-01T00:00:00Z"},
    ],
    ids=["past", "too-far", "zero", "both"],
)
def test_bad_expiry_is_400(dynamodb_calls, lambda_context, expiry):
    response = create(lambda_context, {"url": "https://example.com/", **expiry})

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] in ("expiresAt", "expiresIn")


@pytest.mark.parametrize(
    "expiry", [{"expiresAt": "2027-01-01T00:00:00"}, {"expiresIn": "60"}, {"expiresIn": 1.5}]
)
def test_expiry_of_the_wrong_shape_is_422(dynamodb_calls, lambda_context, expiry):
    response = create(lambda_context, {"url": "https://example.com/", **expiry})

    assert response["statusCode"] == 422


# --- owner management -------------------------------------------------------------------


def test_the_owner_changes_the_target_with_the_token(dynamodb_calls, lambda_context):
    link = created(lambda_context)

    response = manage(
        "PATCH",
        lambda_context,
        link["shortId"],
        link["managementToken"],
        {"url": "https://new.example/"},
    )

    assert response["statusCode"] == 200
    assert body_of(response)["url"] == "https://new.example/"
    follow = on_link(redirect, "redirect.json", lambda_context, link["shortId"])
    assert follow["headers"]["Location"] == "https://new.example/"


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_management_needs_the_right_token(dynamodb_calls, lambda_context, method):
    link = created(lambda_context)
    body = {"url": "https://new.example/"} if method == "PATCH" else None

    missing = manage(method, lambda_context, link["shortId"], None, body)
    wrong = manage(method, lambda_context, link["shortId"], "not-the-token", body)
    unknown = manage(method, lambda_context, "Zz9Zz9Z", link["managementToken"], body)

    assert missing["statusCode"] == 401
    assert missing["headers"]["WWW-Authenticate"].startswith("Bearer")
    assert wrong["statusCode"] == 403
    assert unknown["statusCode"] == 404
    follow = on_link(redirect, "redirect.json", lambda_context, link["shortId"])
    assert follow["headers"]["Location"] == "https://example.com/landing"


def test_a_deleted_link_is_410_forever_and_its_id_is_never_reused(dynamodb_calls, lambda_context):
    link = created(lambda_context, alias="gone-soon")

    deleted = manage("DELETE", lambda_context, "gone-soon", link["managementToken"])

    assert deleted["statusCode"] == 204
    assert on_link(redirect, "redirect.json", lambda_context, "gone-soon")["statusCode"] == 410
    assert on_link(links, "link-info.json", lambda_context, "gone-soon")["statusCode"] == 410
    retake = create(lambda_context, {"url": "https://evil.example/", "alias": "gone-soon"})
    assert retake["statusCode"] == 409
    again = manage("DELETE", lambda_context, "gone-soon", link["managementToken"])
    assert again["statusCode"] == 410


@pytest.mark.parametrize(
    "body", [{}, {"url": None}, {"url": "ftp://x.example/"}, {"nope": 1}], ids=str
)
def test_bad_changes_are_refused_and_change_nothing(dynamodb_calls, lambda_context, body):
    link = created(lambda_context)

    response = manage("PATCH", lambda_context, link["shortId"], link["managementToken"], body)

    assert response["statusCode"] in (400, 422)
    info = body_of(on_link(links, "link-info.json", lambda_context, link["shortId"]))
    assert info["url"] == "https://example.com/landing"


def test_the_token_is_stored_only_as_a_hash(dynamodb_calls, dynamodb, lambda_context):
    link = created(lambda_context, alias="hashed-token")

    table = json.dumps(dynamodb.scan(TableName="LinksTable")["Items"])

    assert link["managementToken"] not in table


# --- idempotent creation -------------------------------------------------------------------

KEY = "5f0c6f6e-8a43-4f0e-9b0b-2f1d3c4e5a6b"


def test_a_repeated_creation_with_the_same_key_returns_the_same_link(
    dynamodb_calls, dynamodb, lambda_context
):
    first = create(lambda_context, {"url": "https://example.com/once"}, **{"idempotency-key": KEY})
    second = create(lambda_context, {"url": "https://example.com/once"}, **{"idempotency-key": KEY})

    assert first["statusCode"] == second["statusCode"] == 201
    assert body_of(first) == body_of(second)
    links_stored = [
        i
        for i in dynamodb.scan(TableName="LinksTable")["Items"]
        if i["PK"]["S"].startswith("LINK#")
    ]
    assert len(links_stored) == 1
    # The idempotency record keeps the token sealed, never in the clear.
    assert body_of(first)["managementToken"] not in json.dumps(
        dynamodb.scan(TableName="LinksTable")["Items"]
    )


def test_the_same_key_with_another_body_is_refused(dynamodb_calls, lambda_context):
    create(lambda_context, {"url": "https://example.com/a"}, **{"idempotency-key": KEY})

    other = create(lambda_context, {"url": "https://example.com/b"}, **{"idempotency-key": KEY})

    assert other["statusCode"] == 422
    assert body_of(other)["errors"][0]["field"] == "Idempotency-Key"


def test_a_malformed_idempotency_key_is_400(dynamodb_calls, lambda_context):
    response = create(
        lambda_context, {"url": "https://example.com/"}, **{"idempotency-key": "short"}
    )

    assert response["statusCode"] == 400


def test_without_a_key_every_creation_is_new(dynamodb_calls, lambda_context):
    assert created(lambda_context)["shortId"] != created(lambda_context)["shortId"]


# --- clicks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
        {"user-agent": "facebookexternalhit/1.1"},
        {"user-agent": "curl/8.5.0"},
        {"user-agent": BROWSER, "sec-purpose": "prefetch;prerender"},
        {"user-agent": BROWSER, "purpose": "prefetch"},
    ],
    ids=["slack", "facebook", "curl", "sec-purpose", "purpose"],
)
def test_bots_and_prefetches_are_redirected_but_not_counted(
    dynamodb_calls, lambda_context, headers
):
    link = created(lambda_context)
    dynamodb_calls.operations.clear()

    response = on_link(redirect, "redirect.json", lambda_context, link["shortId"], headers=headers)

    assert response["statusCode"] == 302
    assert dynamodb_calls.operations == ["GetItem"]
    assert body_of(on_link(links, "link-info.json", lambda_context, link["shortId"]))["clicks"] == 0


def test_the_redirect_status_is_configurable(dynamodb_calls, lambda_context, monkeypatch):
    monkeypatch.setenv("REDIRECT_STATUS", "308")
    wiring.reset()
    link = created(lambda_context)

    response = on_link(redirect, "redirect.json", lambda_context, link["shortId"])

    assert response["statusCode"] == 308


# --- abuse guards -------------------------------------------------------------------------


def test_denied_hosts_are_refused_and_links_made_before_stop_redirecting(
    dynamodb_calls, lambda_context, monkeypatch
):
    link = created(lambda_context, url="https://login.evil.example/x")
    monkeypatch.setenv("DENIED_HOSTS", "evil.example")
    wiring.reset()

    refused = create(lambda_context, {"url": "https://EVIL.example./y"})
    follow = on_link(redirect, "redirect.json", lambda_context, link["shortId"])

    assert refused["statusCode"] == 400
    assert follow["statusCode"] == 410


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://localhost/",
    ],
)
def test_private_addresses_are_refused(dynamodb_calls, lambda_context, url):
    response = create(lambda_context, {"url": url})

    assert response["statusCode"] == 400
    assert "private" in body_of(response)["errors"][0]["reason"]


def test_past_the_creation_limit_a_client_gets_429_with_retry_after(
    dynamodb_calls, lambda_context, monkeypatch
):
    monkeypatch.setenv("CREATION_RATE_LIMIT", "2")
    wiring.reset()

    answers = [create(lambda_context, {"url": f"https://example.com/{n}"}) for n in range(3)]

    assert [a["statusCode"] for a in answers] == [201, 201, 429]
    # The window (300 s) rolls by fifths: the first creation leaves the span between
    # 240 and 300 s later, by the sub-window it fell in.
    assert 240 < int(answers[2]["headers"]["Retry-After"]) <= 360


def test_the_same_key_from_another_client_gets_its_own_link(dynamodb_calls, lambda_context):
    body = {"url": "https://example.com/shared-key"}
    mine = create(lambda_context, body, **{"idempotency-key": KEY})
    event = load_event("shorten.json")
    event["body"] = json.dumps(body)
    event["headers"]["idempotency-key"] = KEY
    event["requestContext"]["http"]["sourceIp"] = "198.51.100.23"

    theirs = shorten.handler(event, lambda_context)

    assert theirs["statusCode"] == 201
    assert body_of(theirs)["shortId"] != body_of(mine)["shortId"]
    assert body_of(theirs)["managementToken"] != body_of(mine)["managementToken"]


def test_a_repeat_while_the_first_is_still_running_is_409(
    dynamodb_calls, lambda_context, monkeypatch
):
    from handlers import idempotent_creation

    answers: list[dict[str, Any]] = []
    real_shorten_link = getattr(idempotent_creation, "shorten_link")  # noqa: B009 (patched below)

    def shorten_link_and_meanwhile_repeat(*args: Any, **kwargs: Any) -> Any:
        # The same request arrives again while the first holds the in-progress record.
        answers.append(
            create(lambda_context, {"url": "https://example.com/slow"}, **{"idempotency-key": KEY})
        )
        return real_shorten_link(*args, **kwargs)

    monkeypatch.setattr(idempotent_creation, "shorten_link", shorten_link_and_meanwhile_repeat)
    first = create(lambda_context, {"url": "https://example.com/slow"}, **{"idempotency-key": KEY})

    assert first["statusCode"] == 201
    assert answers[0]["statusCode"] == 409
    assert answers[0]["headers"]["Retry-After"] == "1"


def test_absurd_expiry_values_are_400_not_500(dynamodb_calls, lambda_context):
    response = create(lambda_context, {"url": "https://example.com/", "expiresIn": 10**15})

    assert response["statusCode"] == 400


def test_conflicting_expiry_changes_are_refused(dynamodb_calls, lambda_context):
    link = created(lambda_context)

    response = manage(
        "PATCH",
        lambda_context,
        link["shortId"],
        link["managementToken"],
        {"expiresAt": None, "expiresIn": 5},
    )

    assert response["statusCode"] == 400


def test_changing_only_the_expiry_leaves_the_target_alone(dynamodb_calls, lambda_context):
    link = created(lambda_context)

    response = manage(
        "PATCH", lambda_context, link["shortId"], link["managementToken"], {"expiresIn": 3600}
    )

    assert response["statusCode"] == 200
    assert body_of(response)["url"] == "https://example.com/landing"
    assert body_of(response)["expiresAt"] is not None


def test_ipv6_clients_are_limited_per_64(dynamodb_calls, lambda_context, monkeypatch):
    monkeypatch.setenv("CREATION_RATE_LIMIT", "1")
    wiring.reset()
    statuses = []
    for host in ("1", "2"):
        event = load_event("shorten.json")
        event["requestContext"]["http"]["sourceIp"] = f"2001:db8:1:2::{host}"
        statuses.append(shorten.handler(event, lambda_context)["statusCode"])

    assert statuses == [201, 429]

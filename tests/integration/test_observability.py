"""What the real handlers measure and log, against moto, with AWS-shaped events.

Metrics: each invocation prints one EMF blob (plus Powertools' ColdStart blob on the
first), read back here from stdout. Logs: a whole create / change / delete cycle is
captured from every place a line can go, and no secret the client sent is in it.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from handlers import links, redirect, shorten
from handlers.observability import metrics
from tests.conftest import load_event

NAMESPACE = "UrlShortener"
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    # Powertools keeps one metric set per process; a test that fails mid-way must not
    # leave its metrics to the next.
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def emf_blobs(text: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in text.splitlines() if line.startswith("{") and '"_aws"' in line
    ]


def emitted(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    """Metric name -> {"value": ..., "dimensions": {...}}, from the EMF printed so far."""
    found: dict[str, dict[str, Any]] = {}
    for blob in emf_blobs(capsys.readouterr().out):
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE
        (dimension_names,) = directive["Dimensions"]
        for metric in directive["Metrics"]:
            if metric["Name"] == "ColdStart":
                continue
            assert metric["Unit"] == "Count"
            value = blob[metric["Name"]]  # Powertools writes a list of values
            found[metric["Name"]] = {
                "value": sum(value) if isinstance(value, list) else value,
                "dimensions": {name: blob[name] for name in dimension_names},
            }
    return found


def create(context: Any, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = json.dumps(body)
    event["headers"].update(headers)
    return shorten.handler(event, context)


def on_link(module: Any, event_name: str, context: Any, short_id: str, **headers: Any) -> Any:
    event = load_event(event_name)
    prefix = "/" if module is redirect else "/links/"
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"{prefix}{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    event["headers"].update(headers)
    for name in [name for name, value in headers.items() if value is None]:
        del event["headers"][name]  # None: send no such header
    return module.handler(event, context)


def new_link(context: Any, capsys: pytest.CaptureFixture[str], **body: Any) -> dict[str, Any]:
    response = create(context, {"url": "https://example.com/landing?secret=1", **body})
    assert response["statusCode"] == 201, response["body"]
    capsys.readouterr()
    link: dict[str, Any] = json.loads(response["body"])
    return link


# --- metrics ------------------------------------------------------------------------


def test_a_created_link_is_counted(dynamodb_calls, lambda_context, capsys):
    response = create(lambda_context, {"url": "https://example.com/"})

    assert response["statusCode"] == 201
    assert emitted(capsys) == {
        "LinksCreated": {"value": 1.0, "dimensions": {"service": "url-shortener"}}
    }


def test_an_idempotent_replay_is_not_counted_again(dynamodb_calls, lambda_context, capsys):
    key = {"idempotency-key": "4b8d2f1e-9c3a-4e7b-8f6d-5a2c1b0e9d8f"}
    create(lambda_context, {"url": "https://example.com/once"}, **key)
    capsys.readouterr()

    replay = create(lambda_context, {"url": "https://example.com/once"}, **key)

    assert replay["statusCode"] == 201
    assert "LinksCreated" not in emitted(capsys)


def test_a_click_is_counted_once(dynamodb_calls, lambda_context, capsys):
    link = new_link(lambda_context, capsys)

    response = on_link(
        redirect, "redirect.json", lambda_context, link["shortId"], **{"user-agent": BROWSER}
    )

    assert response["statusCode"] == 302
    found = emitted(capsys)
    # Redirects answered are Lambda's own Invocations metric: not logged twice.
    assert set(found) == {"Clicks"}
    assert found["Clicks"]["value"] == 1.0


def test_a_head_request_redirects_without_a_click(dynamodb_calls, lambda_context, capsys):
    link = new_link(lambda_context, capsys)

    response = on_link(redirect, "redirect-head.json", lambda_context, link["shortId"])

    assert response["statusCode"] == 302
    assert set(emitted(capsys)) == set()


def test_an_unknown_link_is_a_miss_by_route(dynamodb_calls, lambda_context, capsys):
    on_link(redirect, "redirect.json", lambda_context, "nosuchid1")
    redirect_miss = emitted(capsys)
    on_link(links, "link-info.json", lambda_context, "nosuchid1")
    details_miss = emitted(capsys)

    assert redirect_miss == {
        "Misses": {
            "value": 1.0,
            "dimensions": {"service": "url-shortener", "Route": "GET /{shortId}"},
        }
    }
    assert details_miss["Misses"]["dimensions"]["Route"] == "GET /links/{shortId}"


def test_a_deleted_link_is_gone_by_route(dynamodb_calls, lambda_context, capsys):
    link = new_link(lambda_context, capsys)
    deleted = on_link(
        links,
        "link-delete.json",
        lambda_context,
        link["shortId"],
        **{"authorization": f"Bearer {link['managementToken']}"},
    )
    assert deleted["statusCode"] == 204
    assert set(emitted(capsys)) == {"LinksDeleted"}

    response = on_link(redirect, "redirect.json", lambda_context, link["shortId"])

    assert response["statusCode"] == 410
    assert emitted(capsys) == {
        "Gone": {
            "value": 1.0,
            "dimensions": {"service": "url-shortener", "Route": "GET /{shortId}"},
        }
    }


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"url": "javascript:alert(1)"}, 400, "invalid_url"),
        ({"url": "https://example.com/", "alias": "x"}, 400, "invalid_alias"),
        ({"link": "https://example.com/"}, 422, "invalid_request"),
    ],
)
def test_a_refusal_is_counted_by_status_and_reason(
    dynamodb_calls, lambda_context, capsys, body, status, reason
):
    response = create(lambda_context, body)

    assert response["statusCode"] == status, response["body"]
    assert emitted(capsys) == {
        "Refusals": {
            "value": 1.0,
            "dimensions": {"service": "url-shortener", "Status": str(status), "Reason": reason},
        }
    }


def test_a_taken_alias_is_refused_as_alias_taken(dynamodb_calls, lambda_context, capsys):
    new_link(lambda_context, capsys, alias="promo")

    response = create(lambda_context, {"url": "https://other.example/", "alias": "promo"})

    assert response["statusCode"] == 409
    assert emitted(capsys)["Refusals"]["dimensions"]["Reason"] == "alias_taken"


@pytest.mark.parametrize(
    ("authorization", "status", "reason"),
    [(None, 401, "unauthenticated"), ("Bearer not-the-token", 403, "unauthorized")],
)
def test_managing_without_the_token_is_refused(
    dynamodb_calls, lambda_context, capsys, authorization, status, reason
):
    link = new_link(lambda_context, capsys)
    headers = {"authorization": authorization}

    response = on_link(links, "link-delete.json", lambda_context, link["shortId"], **headers)

    assert response["statusCode"] == status
    dimensions = emitted(capsys)["Refusals"]["dimensions"]
    assert (dimensions["Status"], dimensions["Reason"]) == (str(status), reason)


def test_a_body_refused_before_routing_is_still_a_refusal(dynamodb_calls, lambda_context, capsys):
    response = create(
        lambda_context, {"url": "https://example.com/"}, **{"content-type": "text/plain"}
    )

    assert response["statusCode"] == 415
    dimensions = emitted(capsys)["Refusals"]["dimensions"]
    assert (dimensions["Status"], dimensions["Reason"]) == ("415", "not_json")


def test_no_dimension_ever_carries_an_id_or_a_url(dynamodb_calls, lambda_context, capsys):
    link = new_link(lambda_context, capsys, alias="launch-2026")
    on_link(redirect, "redirect.json", lambda_context, "launch-2026", **{"user-agent": BROWSER})
    on_link(redirect, "redirect.json", lambda_context, "nosuchid1")
    create(lambda_context, {"url": "https://example.com/", "alias": "launch-2026"})

    text = capsys.readouterr().out
    for blob in emf_blobs(text):
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        values = {str(blob[name]) for names in directive["Dimensions"] for name in names}
        assert not any("launch" in v or "nosuchid" in v or "example" in v for v in values)
    assert link["shortId"] == "launch-2026"


# --- logs ---------------------------------------------------------------------------


@pytest.fixture
def every_log_line(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """The functions' Powertools log stream, redirected here, at DEBUG."""
    handler = shorten.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous_stream = handler.setStream(stream)
    previous_level = shorten.logger.log_level
    shorten.logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.INFO)
    yield stream
    shorten.logger.setLevel(previous_level)
    handler.setStream(previous_stream)


def test_no_secret_the_client_sent_reaches_a_log(
    dynamodb_calls, lambda_context, capsys, caplog, every_log_line
):
    idempotency_key = "idem-4f0c8a7e-secret-key"
    created = create(
        lambda_context,
        {"url": "https://example.com/private/path?q=1"},
        **{"idempotency-key": idempotency_key},
    )
    link = json.loads(created["body"])
    token = link["managementToken"]
    authorization = {"authorization": f"Bearer {token}"}
    change = load_event("link-change.json")
    change["rawPath"] = change["requestContext"]["http"]["path"] = f"/links/{link['shortId']}"
    change["pathParameters"] = {"shortId": link["shortId"]}
    change["headers"].update(authorization)
    change["body"] = json.dumps({"url": "https://example.org/"})
    changed = links.handler(change, lambda_context)
    refused = on_link(
        links,
        "link-delete.json",
        lambda_context,
        link["shortId"],
        **{"authorization": "Bearer wrong-token-value"},
    )
    deleted = on_link(links, "link-delete.json", lambda_context, link["shortId"], **authorization)

    assert [r["statusCode"] for r in (created, changed, refused, deleted)] == [201, 200, 403, 204]
    captured = capsys.readouterr()
    logged = "\n".join([every_log_line.getvalue(), captured.out, captured.err, caplog.text])
    # The cycle did log (so the check below is not vacuous), as JSON with the request id.
    lines = [json.loads(line) for line in every_log_line.getvalue().splitlines()]
    assert any(line["message"] == "Link created" for line in lines)
    assert all(
        line["correlation_id"] == load_event("shorten.json")["requestContext"]["requestId"]
        for line in lines
        if line["message"] == "Link created"
    )
    assert [line["target_host"] for line in lines if "target_host" in line] == ["example.com"]
    for secret in (token, "wrong-token-value", idempotency_key, "Bearer", "/private/path"):
        assert secret not in logged

"""The shortener over real HTTP, as users and `make dev` see it: every route, every refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH
from tests.e2e.conftest import LocalStack

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def created_link(stack: LocalStack, url: str) -> Any:
    answer = stack.shorten({"url": url})
    assert answer.status == 201, answer.body
    return answer.json()


def clicks(stack: LocalStack, short_id: str) -> Any:
    return stack.request("GET", f"/links/{short_id}").json()["clicks"]


def test_shorten_answers_201_with_an_absolute_short_url_on_this_origin(local_stack):
    answer = local_stack.shorten({"url": "https://example.com/some/long/path?q=1"})

    assert answer.status == 201
    link = answer.json()
    assert {"shortId", "shortUrl", "url", "createdAt", "managementToken"} <= set(link)
    assert link["shortUrl"] == f"{local_stack.base_url}/{link['shortId']}"
    assert answer.headers["Location"] == link["shortUrl"]
    assert link["url"] == "https://example.com/some/long/path?q=1"


def test_following_a_short_link_redirects_and_counts_each_get(local_stack):
    link = created_link(local_stack, "https://example.com/target")
    path = f"/{link['shortId']}"

    first = local_stack.request("GET", path)
    second = local_stack.request("GET", path)

    assert first.status == second.status == 302
    assert first.headers["Location"] == "https://example.com/target"
    assert clicks(local_stack, link["shortId"]) == 2


def test_head_answers_like_get_but_sends_no_body_and_counts_nothing(local_stack):
    link = created_link(local_stack, "https://example.com/head")

    head = local_stack.request("HEAD", f"/{link['shortId']}")

    assert head.status == 302
    assert head.headers["Location"] == "https://example.com/head"
    assert head.body == b""
    assert clicks(local_stack, link["shortId"]) == 0


def test_link_info_reports_the_link(local_stack):
    link = created_link(local_stack, "https://example.com/info")
    local_stack.request("GET", f"/{link['shortId']}")

    info = local_stack.request("GET", f"/links/{link['shortId']}")

    assert info.status == 200
    body = info.json()
    # What only its owner sees (the token, the title and tags) is not in the details.
    owners_only = ("managementToken", "title", "tags")
    assert set(body) == set(link) - set(owners_only)
    assert {key: body[key] for key in body if key not in ("clicks", "lastClickedAt")} == {
        key: value
        for key, value in link.items()
        if key not in (*owners_only, "clicks", "lastClickedAt")
    }
    assert body["clicks"] == 1
    assert body["lastClickedAt"] >= body["createdAt"]


def test_international_targets_are_stored_as_ascii_and_redirect_there(local_stack):
    link = created_link(local_stack, "https://bücher.example/straße?q=ä")

    answer = local_stack.request("GET", f"/{link['shortId']}")

    assert link["url"] == "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"
    assert answer.headers["Location"] == link["url"]


def test_the_workshop_field_name_still_works(local_stack):
    answer = local_stack.shorten({"urlToShorten": "https://example.com/workshop"})

    assert answer.status == 201
    assert answer.json()["url"] == "https://example.com/workshop"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_unknown_link_is_a_json_404_for_api_clients(local_stack, method):
    answer = local_stack.request(method, "/Zz9Zz9Z", headers={"Accept": "application/json"})

    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/json"
    if method == "GET":
        assert "Zz9Zz9Z" in answer.json()["message"]
    else:
        assert answer.body == b""


def test_an_unknown_link_is_a_small_html_page_for_browsers(local_stack):
    answer = local_stack.request("GET", "/Zz9Zz9Z", headers={"Accept": BROWSER_ACCEPT})

    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert b"Link not found" in answer.body


def test_unknown_link_info_is_404(local_stack):
    answer = local_stack.request("GET", "/links/Zz9Zz9Z")

    assert answer.status == 404
    assert answer.json()["message"]


LONG_URL = "https://example.com/" + "a" * 2100


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ("{not json", "application/json", 400, "body"),
        ("", "application/json", 400, "body"),
        ("{}", "application/json", 422, "url"),
        ('{"url": 42}', "application/json", 422, "url"),
        ('{"url": ["https://example.com"]}', "application/json", 422, "url"),
        ('["https://example.com"]', "application/json", 422, "body"),
        ('{"url": "javascript:alert(1)"}', "application/json", 400, "url"),
        ('{"url": "ftp://example.com/"}', "application/json", 400, "url"),
        ('{"url": "example.com"}', "application/json", 400, "url"),
        ('{"url": "https://"}', "application/json", 400, "url"),
        ('{"url": "https://a@example.com/"}', "application/json", 400, "url"),
        ('{"url": "https://exa mple.com/"}', "application/json", 400, "url"),
        ('{"url": "https://example.com/a\\u00a0b"}', "application/json", 400, "url"),
        ('{"url": "https://example.com/\\u0000"}', "application/json", 400, "url"),
        (json.dumps({"url": LONG_URL}), "application/json", 400, "url"),
        ('{"url": "https://example.com/", "extra": 1}', "application/json", 422, "extra"),
    ],
    ids=[
        "malformed",
        "empty",
        "missing-url",
        "number",
        "list",
        "array-body",
        "javascript",
        "ftp",
        "no-scheme",
        "no-host",
        "userinfo",
        "space-in-host",
        "nbsp-inside",
        "nul",
        "too-long",
        "unknown-field",
    ],
)
def test_bad_input_is_refused_with_a_clear_json_error(
    local_stack, body, content_type, status, field
):
    answer = local_stack.request("POST", "/shorten", body, {"Content-Type": content_type})

    assert answer.status == status
    assert answer.headers["Content-Type"] == "application/json"
    refusal = answer.json()
    assert refusal["message"]
    assert field in [problem["field"] for problem in refusal["errors"]]


def test_a_link_to_the_shortener_itself_is_refused(local_stack):
    answer = local_stack.shorten({"url": f"{local_stack.base_url}/abc"})

    assert answer.status == 400
    assert "shortener" in answer.json()["errors"][0]["reason"]


def test_a_body_over_8_kib_is_refused_with_413(local_stack):
    answer = local_stack.request(
        "POST",
        "/shorten",
        json.dumps({"url": "https://example.com/", "pad": "x" * 9000}),
        {"Content-Type": "application/json"},
    )

    assert answer.status == 413
    assert "8192" in answer.json()["message"]


def test_a_json_body_that_is_not_utf8_is_refused_with_400(local_stack):
    answer = local_stack.request(
        "POST",
        "/shorten",
        b'{"url": "https://example.com/\xff"}',
        {"Content-Type": "application/json"},
    )

    assert answer.status == 400
    assert "UTF-8" in answer.json()["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"],
)
def test_bodies_that_are_not_json_are_refused_with_415(local_stack, content_type):
    answer = local_stack.request(
        "POST", "/shorten", "url=https%3A%2F%2Fexample.com", {"Content-Type": content_type}
    )

    assert answer.status == 415
    assert "application/json" in answer.json()["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/links/a/b"),
        ("POST", "/Zz9Zz9Z"),
        ("DELETE", "/shorten"),
        ("GET", "/%00"),
        ("GET", "/..%2f..%2fetc%2fpasswd"),
        ("GET", "/" + "x" * 3000),
        ("PUT", "/links/Zz9Zz9Z"),
    ],
)
def test_odd_requests_never_get_a_5xx(local_stack, method, path):
    answer = local_stack.request(method, path)

    assert 400 <= answer.status < 500


def test_the_page_is_served_at_the_root(local_stack):
    answer = local_stack.request("GET", "/")

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert b"<html" in answer.body


def test_the_openapi_document_is_served_beside_the_page(local_stack):
    answer = local_stack.request("GET", "/openapi.json")

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    # Every path the template deploys (tests/integration/test_openapi_document.py holds
    # the document to the template's routes; this, that the stack serves it).
    deployed = load_application(TEMPLATE_PATH, "us-east-1").routes.routes
    assert set(answer.json()["paths"]) == {route.path for route in deployed}

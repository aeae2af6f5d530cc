"""Issue 3's rules over real HTTP against the local stack: aliases, expiry, owner
management, idempotent creation, honest click counts and the abuse guards."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack


def new_link(stack: LocalStack, **body: Any) -> Any:
    answer = stack.shorten({"url": "https://example.com/landing", **body})
    assert answer.status == 201, answer.body
    return answer.json()


def clicks(stack: LocalStack, short_id: str) -> Any:
    return stack.request("GET", f"/links/{short_id}").json()["clicks"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- aliases ------------------------------------------------------------------------


def test_an_alias_is_a_short_link_that_redirects(local_stack):
    alias = unique("launch")
    link = new_link(local_stack, alias=alias)

    answer = local_stack.request("GET", f"/{alias}")

    assert link["shortUrl"] == f"{local_stack.base_url}/{alias}"
    assert answer.status == 302
    assert answer.headers["Location"] == "https://example.com/landing"


def test_a_taken_alias_is_409_and_never_overwritten(local_stack):
    alias = unique("promo")
    new_link(local_stack, alias=alias)

    again = local_stack.shorten({"url": "https://other.example/", "alias": alias})

    assert again.status == 409
    assert again.json()["errors"][0] == {"field": "alias", "reason": "is taken"}
    assert (
        local_stack.request("GET", f"/{alias}").headers["Location"] == "https://example.com/landing"
    )


def test_aliases_are_case_sensitive(local_stack):
    alias = unique("Case")
    new_link(local_stack, alias=alias)

    assert local_stack.request("GET", f"/{alias.lower()}").status == 404


@pytest.mark.parametrize(
    "alias", ["links", "LINKS", "shorten", "api", "health", "docs", "assets", "static", "ab", "a b"]
)
def test_reserved_and_malformed_aliases_are_400(local_stack, alias):
    answer = local_stack.shorten({"url": "https://example.com/", "alias": alias})

    assert answer.status == 400
    assert answer.json()["errors"][0]["field"] == "alias"


# --- expiry -------------------------------------------------------------------------


def test_a_link_answers_410_from_the_moment_it_expires(local_stack):
    # Three seconds, so that the click before it lands in time on a busy machine too.
    link = new_link(local_stack, expiresIn=3)
    path = f"/{link['shortId']}"
    before = local_stack.request("GET", path)
    expires_at = datetime.fromisoformat(link["expiresAt"])
    time.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.05)

    as_json = local_stack.request("GET", path, headers={"Accept": "application/json"})
    as_page = local_stack.request("GET", path, headers={"Accept": "text/html"})

    assert before.status == 302
    assert as_json.status == as_page.status == 410
    assert "expired" in as_json.json()["message"]
    assert as_page.headers["Content-Type"].startswith("text/html")
    assert as_json.headers["Cache-Control"] == "no-store"
    assert clicks(local_stack, link["shortId"]) == 1


def test_expiry_can_be_given_as_a_moment(local_stack):
    link = new_link(local_stack, expiresAt="2030-01-01T12:00:00+02:00")

    assert link["expiresAt"] == "2030-01-01T10:00:00.000Z"


@pytest.mark.parametrize(
    "expiry",
    [{"expiresAt": "2001-01-01T00:00:00Z"}, {"expiresIn": 60, "expiresAt": "2030-01-01T00:00:00Z"}],
    ids=["past", "both"],
)
def test_bad_expiry_is_refused(local_stack, expiry):
    answer = local_stack.shorten({"url": "https://example.com/", **expiry})

    assert answer.status == 400


# --- owner management ---------------------------------------------------------------


def test_the_owner_changes_the_destination(local_stack):
    link = new_link(local_stack)
    path = f"/links/{link['shortId']}"

    changed = local_stack.request(
        "PATCH", path, json.dumps({"url": "https://new.example/"}), bearer(link["managementToken"])
    )

    assert changed.status == 200
    assert changed.json()["url"] == "https://new.example/"
    assert (
        local_stack.request("GET", f"/{link['shortId']}").headers["Location"]
        == "https://new.example/"
    )


def test_management_without_or_with_a_wrong_token_is_refused(local_stack):
    link = new_link(local_stack)
    path = f"/links/{link['shortId']}"
    change = json.dumps({"url": "https://evil.example/"})

    without = local_stack.request("PATCH", path, change, {"Content-Type": "application/json"})
    wrong = local_stack.request("PATCH", path, change, bearer("x" * 43))
    delete_wrong = local_stack.request("DELETE", path, headers=bearer("x" * 43))
    unknown = local_stack.request(
        "DELETE", "/links/Zz9Zz9Z", headers=bearer(link["managementToken"])
    )

    assert without.status == 401
    assert without.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong.status == delete_wrong.status == 403
    assert unknown.status == 404
    assert (
        local_stack.request("GET", f"/{link['shortId']}").headers["Location"]
        == "https://example.com/landing"
    )


def test_a_deleted_link_answers_410_forever_and_its_alias_is_never_reused(local_stack):
    alias = unique("tombstone")
    link = new_link(local_stack, alias=alias)

    deleted = local_stack.request(
        "DELETE", f"/links/{alias}", headers=bearer(link["managementToken"])
    )

    assert deleted.status == 204
    assert local_stack.request("GET", f"/{alias}").status == 410
    assert local_stack.request("HEAD", f"/{alias}").status == 410
    assert local_stack.shorten({"url": "https://evil.example/", "alias": alias}).status == 409


# --- idempotent creation ------------------------------------------------------------


def test_the_same_idempotency_key_gives_the_same_link(local_stack):
    key = str(uuid.uuid4())
    body = {"url": "https://example.com/idempotent"}

    first = local_stack.shorten(body, **{"Idempotency-Key": key})
    second = local_stack.shorten(body, **{"Idempotency-Key": key})
    other = local_stack.shorten({"url": "https://example.com/else"}, **{"Idempotency-Key": key})

    assert first.status == second.status == 201
    assert first.json() == second.json()
    assert other.status == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


# --- honest click counts ------------------------------------------------------------

BOTS_AND_PREVIEWS = [
    {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
    {"User-Agent": "WhatsApp/2.23.20.0 A"},
    {"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"},
    {"User-Agent": "curl/8.5.0"},
    {"Sec-Purpose": "prefetch"},
    {"Purpose": "prefetch"},
]


def test_only_real_visits_are_counted(local_stack):
    link = new_link(local_stack)
    path = f"/{link['shortId']}"

    for headers in BOTS_AND_PREVIEWS:
        assert local_stack.request("GET", path, headers=headers).status == 302
    local_stack.request("HEAD", path)
    local_stack.request("GET", path)

    info = local_stack.request("GET", f"/links/{link['shortId']}").json()
    assert info["clicks"] == 1
    assert info["lastClickedAt"] is not None


def test_no_cache_keeps_a_redirect_so_a_change_takes_effect_on_the_next_click(local_stack):
    link = new_link(local_stack)

    answer = local_stack.request("GET", f"/{link['shortId']}")

    assert answer.headers["Cache-Control"] == "no-store"


# --- deployment settings: redirect status, denylist, rate limit --------------------


def test_the_redirect_status_is_a_deployment_setting(strict_stack):
    link = new_link(strict_stack)

    assert strict_stack.request("GET", f"/{link['shortId']}").status == 308


def test_a_denied_host_is_refused_and_old_links_to_it_stop(local_stack, strict_stack):
    made_before = new_link(local_stack, url="https://www.Denied-Later.example/page")

    refused = strict_stack.shorten({"url": "https://DENIED-later.example./"})
    followed = strict_stack.request("GET", f"/{made_before['shortId']}", headers={"Accept": "*/*"})

    assert refused.status == 400
    assert "not allowed" in refused.json()["errors"][0]["reason"]
    assert followed.status == 410
    assert "blocked" in followed.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://10.1.2.3/",
        "http://192.168.0.1./",
        "http://LOCALHOST./",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(local_stack, url):
    answer = local_stack.shorten({"url": url})

    assert answer.status == 400
    assert answer.json()["errors"][0]["field"] == "url"


def test_past_the_creation_limit_a_client_gets_429_with_retry_after(rate_limited_stack):
    answers = [rate_limited_stack.shorten({"url": f"https://example.com/{n}"}) for n in range(5)]

    # 3 an hour, in any hour: a rolling window has no edge to straddle.
    assert [answer.status for answer in answers] == [201, 201, 201, 429, 429]
    limited = answers[3]
    # Until the oldest creation's sub-window (a fifth of the hour) has left the hour.
    assert 3600 - 720 < int(limited.headers["Retry-After"]) <= 3600 + 720
    assert "try again" in limited.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://denied-later%2Eexample/",
        "https://\uff24\uff25\uff2e\uff29\uff25\uff24-later.example/",  # fullwidth
        "https://denied-later。example/",
        "https://sub.denied-later.example../",
        "  https://Denied-Later.Example/  ",
    ],
)
def test_no_spelling_of_a_denied_host_gets_through(strict_stack, url):
    answer = strict_stack.shorten({"url": url})

    assert answer.status == 400


@pytest.mark.parametrize(
    "url",
    [
        "http://%6c%6fcalhost/",
        "http://169.254.169.254%2e/",
        "http://\uff11\uff12\uff17.0.0.1/",
        "http://127.1/",
    ],
)
def test_no_spelling_of_a_private_address_gets_through(local_stack, url):
    assert local_stack.shorten({"url": url}).status == 400


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_404_and_410_are_never_cached(local_stack, method, accept):
    link = new_link(local_stack)
    local_stack.request(
        "DELETE", f"/links/{link['shortId']}", headers=bearer(link["managementToken"])
    )

    gone = local_stack.request(method, f"/{link['shortId']}", headers={"Accept": accept})
    unknown = local_stack.request(method, "/Zz9Zz9Z", headers={"Accept": accept})

    assert (gone.status, unknown.status) == (410, 404)
    assert gone.headers["Cache-Control"] == unknown.headers["Cache-Control"] == "no-store"


def test_a_deleted_link_cannot_be_changed(local_stack):
    link = new_link(local_stack)
    path = f"/links/{link['shortId']}"
    local_stack.request("DELETE", path, headers=bearer(link["managementToken"]))

    answer = local_stack.request(
        "PATCH", path, json.dumps({"url": "https://evil.example/"}), bearer(link["managementToken"])
    )

    assert answer.status == 410

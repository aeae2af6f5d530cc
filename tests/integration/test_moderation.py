"""Issue 14's moderation through the real handlers, AWS-shaped events, against moto:
every admin route's answer and refusals, take-downs the redirect obeys, blocked hosts
that reach existing links within a minute, API keys, and the audit trail of it all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.errors import LinkGone
from domain.links import utc_now
from handlers import admin, links, redirect, wiring
from repository.client import create_dynamodb_client
from repository.dynamodb_links import DynamoDBLinkRepository
from tests.integration.conftest import TABLE_NAME
from tests.integration.moderation_requests import body_of, request, stored_key
from tests.integration.test_link_lifecycle import BROWSER, created, manage, on_link

ROUTES = [
    ("GET", "/admin/links", "/admin/links", None, None),
    (
        "POST",
        "/admin/links/{shortId}/disable",
        "/admin/links/abc/disable",
        {"shortId": "abc"},
        {"reason": "x"},
    ),
    ("POST", "/admin/links/{shortId}/enable", "/admin/links/abc/enable", {"shortId": "abc"}, None),
    ("GET", "/admin/blocked-hosts", "/admin/blocked-hosts", None, None),
    (
        "PUT",
        "/admin/blocked-hosts/{host}",
        "/admin/blocked-hosts/evil.example",
        {"host": "evil.example"},
        None,
    ),
    (
        "DELETE",
        "/admin/blocked-hosts/{host}",
        "/admin/blocked-hosts/evil.example",
        {"host": "evil.example"},
        None,
    ),
    ("GET", "/admin/reports", "/admin/reports", None, None),
    ("POST", "/admin/keys", "/admin/keys", None, {"name": "n", "owner": "o", "scopes": ["admin"]}),
    ("GET", "/admin/keys", "/admin/keys", None, None),
    (
        "DELETE",
        "/admin/keys/{keyId}",
        "/admin/keys/0123456789abcdef",
        {"keyId": "0123456789abcdef"},
        None,
    ),
    ("GET", "/admin/audit", "/admin/audit", None, None),
]


def call(context: Any, method: str, route: str, path: str, **options: Any) -> dict[str, Any]:
    return admin.handler(request(method, route, path, **options), context)


def disable(context: Any, key: str, short_id: str, reason: Any = "phishing kit") -> dict[str, Any]:
    body = {} if reason is None else {"reason": reason}
    return call(
        context,
        "POST",
        "/admin/links/{shortId}/disable",
        f"/admin/links/{short_id}/disable",
        path_parameters={"shortId": short_id},
        key=key,
        body=body,
    )


def enable(context: Any, key: str, short_id: str) -> dict[str, Any]:
    return call(
        context,
        "POST",
        "/admin/links/{shortId}/enable",
        f"/admin/links/{short_id}/enable",
        path_parameters={"shortId": short_id},
        key=key,
    )


def block(context: Any, key: str, host: str, **body: Any) -> dict[str, Any]:
    return call(
        context,
        "PUT",
        "/admin/blocked-hosts/{host}",
        f"/admin/blocked-hosts/{host}",
        path_parameters={"host": host},
        key=key,
        body=body or None,
    )


def listing(context: Any, key: str, route: str, **query: str) -> dict[str, Any]:
    return call(context, "GET", route, route, key=key, query=query)


def audit_actions(context: Any, key: str) -> list[tuple[str, str]]:
    entries = body_of(listing(context, key, "/admin/audit"))["entries"]
    return [(entry["action"], entry["target"]) for entry in entries]


@pytest.fixture
def admin_key(dynamodb_calls: Any) -> str:
    return stored_key("admin")


# --- who may call -------------------------------------------------------------------


@pytest.mark.parametrize(("method", "route", "path", "parameters", "body"), ROUTES)
def test_every_admin_route_wants_an_admin_key(
    dynamodb_calls, lambda_context, method, route, path, parameters, body
):
    writer = stored_key("links:write", "links:read")
    options = {"path_parameters": parameters, "body": body}

    missing = call(lambda_context, method, route, path, **options)
    unknown = call(
        lambda_context, method, route, path, key="usk_" + "0" * 16 + "_" + "A" * 43, **options
    )
    garbled = call(lambda_context, method, route, path, key="usk_nonsense", **options)
    no_scope = call(lambda_context, method, route, path, key=writer, **options)

    assert [r["statusCode"] for r in (missing, unknown, garbled, no_scope)] == [401, 401, 401, 403]
    assert "admin" in body_of(missing)["message"]
    assert missing["headers"]["WWW-Authenticate"].startswith("Bearer")
    assert body_of(no_scope)["errors"] == [{"field": "scopes", "reason": "must include 'admin'"}]


def test_a_revoked_admin_key_is_refused(dynamodb_calls, lambda_context, admin_key, monkeypatch):
    other = stored_key("admin", name="leaver")
    other_id = other.split("_")[1]
    revoked = call(
        lambda_context,
        "DELETE",
        "/admin/keys/{keyId}",
        f"/admin/keys/{other_id}",
        path_parameters={"keyId": other_id},
        key=admin_key,
    )
    wiring.reset()  # a new environment; an old one trusts what it read for a minute

    assert revoked["statusCode"] == 200
    assert body_of(revoked)["revokedAt"]
    assert listing(lambda_context, other, "/admin/links")["statusCode"] == 401


# --- listing every link ---------------------------------------------------------------


def test_every_link_is_listed_newest_first_with_its_state_never_its_creators_address(
    dynamodb_calls, lambda_context, admin_key
):
    first = created(lambda_context, url="https://a.example/1")
    second = created(lambda_context, url="https://b.example/2")
    on_link(
        redirect, "redirect.json", lambda_context, first["shortId"], headers={"user-agent": BROWSER}
    )

    page = body_of(listing(lambda_context, admin_key, "/admin/links"))

    assert [link["shortId"] for link in page["links"]] == [second["shortId"], first["shortId"]]
    assert page["cursor"] is None
    entry = page["links"][1]
    assert entry | {"createdAt": None} == {
        "shortId": first["shortId"],
        "url": "https://a.example/1",
        "host": "a.example",
        "createdAt": None,
        "expiresAt": None,
        "owner": None,
        "creator": entry["creator"],
        "clicks": 1,
        "status": "active",
        "disabledAt": None,
        "disabledReason": None,
    }
    assert "203.0.113" not in str(page)


def test_the_listing_pages_with_an_opaque_cursor(dynamodb_calls, lambda_context, admin_key):
    made = [created(lambda_context, url=f"https://example.com/{n}")["shortId"] for n in range(5)]

    seen, cursor = [], None
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = body_of(listing(lambda_context, admin_key, "/admin/links", **query))
        seen += [link["shortId"] for link in page["links"]]
        cursor = page["cursor"]
        if cursor is None:
            break

    assert seen == made[::-1]


def test_the_listing_filters_by_host_and_its_subdomains_and_by_creation(
    dynamodb_calls, lambda_context, admin_key
):
    on_host = created(lambda_context, url="https://evil.example/a")["shortId"]
    on_subdomain = created(lambda_context, url="https://login.evil.example/b")["shortId"]
    created(lambda_context, url="https://notevil.example/c")
    created(lambda_context, url="https://evil.example.org/d")

    by_host = body_of(listing(lambda_context, admin_key, "/admin/links", host="EVIL.example"))
    future = (utc_now() + timedelta(hours=1)).isoformat()
    since = body_of(listing(lambda_context, admin_key, "/admin/links", since=future))

    assert [link["shortId"] for link in by_host["links"]] == [on_subdomain, on_host]
    assert since["links"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJQSyI6IkxJTksjeCIsIlNLIjoiTUVUQSJ9"}, "cursor"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-12-01T00:00:00"}, "since"),
        ({"host": "http://evil.example/"}, "host"),
    ],
)
def test_bad_listing_parameters_are_400_naming_them(
    dynamodb_calls, lambda_context, admin_key, query, field
):
    response = listing(lambda_context, admin_key, "/admin/links", **query)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == field


# --- taking a link down -----------------------------------------------------------------


def test_a_disabled_link_answers_410_disabled_and_its_page_keeps_the_operators_note_private(
    dynamodb_calls, lambda_context, admin_key
):
    link = created(lambda_context)
    short_id = link["shortId"]

    answer = disable(lambda_context, admin_key, short_id, "Kit from ticket #4411")
    as_json = on_link(
        redirect, "redirect.json", lambda_context, short_id, headers={"accept": "application/json"}
    )
    as_page = on_link(
        redirect, "redirect.json", lambda_context, short_id, headers={"accept": "text/html"}
    )

    assert answer["statusCode"] == 200
    assert body_of(answer)["status"] == "disabled"
    assert body_of(answer)["disabledReason"] == "Kit from ticket #4411"
    assert as_json["statusCode"] == 410
    assert body_of(as_json)["reason"] == "disabled"
    assert as_page["statusCode"] == 410
    assert "disabled for abuse" in as_page["body"]
    assert "4411" not in as_page["body"] + as_json["body"]
    assert f"/#report={short_id}" in as_page["body"]


def test_enabling_restores_the_link_and_repeats_change_nothing(
    dynamodb_calls, lambda_context, admin_key
):
    short_id = created(lambda_context)["shortId"]
    disable(lambda_context, admin_key, short_id)
    again = disable(lambda_context, admin_key, short_id)

    enabled = enable(lambda_context, admin_key, short_id)
    enabled_again = enable(lambda_context, admin_key, short_id)
    follow = on_link(redirect, "redirect.json", lambda_context, short_id)

    assert again["statusCode"] == enabled["statusCode"] == enabled_again["statusCode"] == 200
    assert body_of(enabled)["status"] == "active"
    assert follow["statusCode"] == 302
    # One entry per change, none for the repeats, newest first.
    assert audit_actions(lambda_context, admin_key) == [
        ("link.enable", short_id),
        ("link.disable", short_id),
    ]


def test_the_audit_entry_says_who_did_what_before_and_after(
    dynamodb_calls, lambda_context, admin_key
):
    short_id = created(lambda_context)["shortId"]
    disable(lambda_context, admin_key, short_id, "phishing")

    (entry,) = body_of(listing(lambda_context, admin_key, "/admin/audit"))["entries"]

    assert entry["actor"] == {"id": admin_key.split("_")[1], "name": "on-call"}
    assert entry["before"] == {"disabledAt": None, "disabledReason": None}
    assert entry["after"]["disabledReason"] == "phishing"
    assert admin_key not in str(entry)


def test_disabling_a_viral_link_stops_its_click_shards_too(
    dynamodb_calls, lambda_context, admin_key
):
    short_id = created(lambda_context)["shortId"]
    repository = DynamoDBLinkRepository(create_dynamodb_client(), TABLE_NAME)
    assert repository.spread_clicks(repository.get(short_id), 4) == 4

    disable(lambda_context, admin_key, short_id)

    for shard in range(1, 5):
        with pytest.raises(LinkGone) as gone:
            repository.record_shard_click(short_id, shard, at=utc_now())
        assert gone.value.reason == "disabled"
    enable(lambda_context, admin_key, short_id)
    assert repository.record_shard_click(short_id, 1, at=utc_now()) is not None


@pytest.mark.parametrize(
    ("reason", "status", "field"),
    [(None, 400, "reason"), ("", 400, "reason"), ("x" * 501, 400, "reason"), (7, 422, "reason")],
)
def test_a_take_down_needs_a_reason(
    dynamodb_calls, lambda_context, admin_key, reason, status, field
):
    short_id = created(lambda_context)["shortId"]

    response = disable(lambda_context, admin_key, short_id, reason)

    assert response["statusCode"] == status
    assert body_of(response)["errors"][0]["field"] == field


def test_unknown_links_are_404_and_deleted_ones_410(dynamodb_calls, lambda_context, admin_key):
    link = created(lambda_context)
    manage("DELETE", lambda_context, link["shortId"], link["managementToken"])

    assert disable(lambda_context, admin_key, "nosuchlink")["statusCode"] == 404
    assert enable(lambda_context, admin_key, "nosuchlink")["statusCode"] == 404
    assert disable(lambda_context, admin_key, link["shortId"])["statusCode"] == 410


# --- blocked hosts -----------------------------------------------------------------------


def test_a_blocked_host_stops_existing_links_new_ones_and_changes_once_the_minute_is_up(
    dynamodb_calls, lambda_context, admin_key
):
    on_host = created(lambda_context, url="https://evil.example/a")
    on_subdomain = created(lambda_context, url="https://login.evil.example/b")
    elsewhere = created(lambda_context, url="https://fine.example/c")
    cache = wiring.blocked_hosts_cache()
    later = utc_now() + timedelta(seconds=61)

    blocked = block(lambda_context, admin_key, "Evil.Example.", reason="phishing wave")
    # This environment read the list a moment ago: still its copy, for up to a minute.
    assert (
        on_link(redirect, "redirect.json", lambda_context, on_host["shortId"])["statusCode"] == 302
    )
    cache.clock = lambda: later

    follows = [
        on_link(
            redirect,
            "redirect.json",
            lambda_context,
            link["shortId"],
            headers={"accept": "application/json"},
        )
        for link in (on_host, on_subdomain, elsewhere)
    ]
    new = created_status(lambda_context, "https://www.evil.example/x")
    change = manage(
        "PATCH",
        lambda_context,
        elsewhere["shortId"],
        elsewhere["managementToken"],
        {"url": "https://evil.example/z"},
    )

    assert blocked["statusCode"] == 200
    assert body_of(blocked) == {
        "host": "evil.example",
        "blockedAt": body_of(blocked)["blockedAt"],
        "reason": "phishing wave",
    }
    assert [f["statusCode"] for f in follows] == [410, 410, 302]
    assert body_of(follows[0])["reason"] == "blocked"
    assert new == 400
    assert change["statusCode"] == 400


def created_status(context: Any, url: str) -> int:
    from tests.integration.test_link_lifecycle import create

    return int(create(context, {"url": url})["statusCode"])


def test_blocked_hosts_are_listed_unblocked_and_audited(dynamodb_calls, lambda_context, admin_key):
    block(lambda_context, admin_key, "evil.example")
    block(lambda_context, admin_key, "evil.example")  # a repeat: nothing new
    block(lambda_context, admin_key, "203.0.113.9", reason="C2")
    listed = body_of(listing(lambda_context, admin_key, "/admin/blocked-hosts"))

    unblocked = call(
        lambda_context,
        "DELETE",
        "/admin/blocked-hosts/{host}",
        "/admin/blocked-hosts/evil.example",
        path_parameters={"host": "evil.example"},
        key=admin_key,
    )
    after = body_of(listing(lambda_context, admin_key, "/admin/blocked-hosts"))

    assert [host["host"] for host in listed["hosts"]] == ["203.0.113.9", "evil.example"]
    assert unblocked["statusCode"] == 204
    assert [host["host"] for host in after["hosts"]] == ["203.0.113.9"]
    assert audit_actions(lambda_context, admin_key) == [
        ("host.unblock", "evil.example"),
        ("host.block", "203.0.113.9"),
        ("host.block", "evil.example"),
    ]


@pytest.mark.parametrize("host", ["bücher.de", "a..b", "evil.example,other.example", "1.2.3"])
def test_a_host_that_is_no_denylist_entry_is_400_naming_host(
    dynamodb_calls, lambda_context, admin_key, host
):
    response = block(lambda_context, admin_key, host)

    assert response["statusCode"] == 400
    assert body_of(response)["errors"][0]["field"] == "host"


# --- API keys -------------------------------------------------------------------------------


def test_a_key_is_shown_once_works_and_is_listed_without_its_secret(
    dynamodb_calls, lambda_context, admin_key
):
    made = call(
        lambda_context,
        "POST",
        "/admin/keys",
        "/admin/keys",
        key=admin_key,
        body={"name": "CI importer", "owner": "team-web", "scopes": ["links:write", "links:read"]},
    )
    new = body_of(made)
    keys = listing(lambda_context, admin_key, "/admin/keys")
    mine = links.handler(request("GET", "/links", "/links", key=new["key"]), lambda_context)

    assert made["statusCode"] == 201
    assert new["key"].startswith(f"usk_{new['id']}_")
    assert (new["name"], new["owner"], new["scopes"]) == (
        "CI importer",
        "team-web",
        ["links:read", "links:write"],
    )
    assert mine["statusCode"] == 200
    listed = {key["id"]: key for key in body_of(keys)["keys"]}
    assert set(listed[new["id"]]) == {
        "id", "name", "owner", "scopes", "createdAt", "lastUsedAt", "revokedAt"
    }  # fmt: skip
    assert new["key"].split("_", 2)[2] not in keys["body"]
    (entry,) = body_of(listing(lambda_context, admin_key, "/admin/audit"))["entries"]
    assert (entry["action"], entry["target"]) == ("key.create", new["id"])
    assert new["key"].split("_", 2)[2] not in str(entry)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "x", "owner": "o", "scopes": ["root"]}, 400, "scopes"),
        ({"name": "x", "owner": "o", "scopes": []}, 400, "scopes"),
        ({"name": "x", "owner": "has space", "scopes": ["admin"]}, 400, "owner"),
        ({"name": "", "owner": "o", "scopes": ["admin"]}, 400, "name"),
        ({"owner": "o", "scopes": ["admin"]}, 422, "name"),
    ],
)
def test_a_bad_key_request_names_its_field(
    dynamodb_calls, lambda_context, admin_key, body, status, field
):
    response = call(lambda_context, "POST", "/admin/keys", "/admin/keys", key=admin_key, body=body)

    assert response["statusCode"] == status
    assert body_of(response)["errors"][0]["field"] == field


def test_revoking_an_unknown_key_is_404_and_a_repeat_is_fine(
    dynamodb_calls, lambda_context, admin_key
):
    other_id = stored_key("links:read").split("_")[1]

    def revoke(key_id: str) -> dict[str, Any]:
        return call(
            lambda_context,
            "DELETE",
            "/admin/keys/{keyId}",
            f"/admin/keys/{key_id}",
            path_parameters={"keyId": key_id},
            key=admin_key,
        )

    assert revoke("0123456789abcdef")["statusCode"] == 404
    assert revoke("not-an-id")["statusCode"] == 400
    assert revoke(other_id)["statusCode"] == revoke(other_id)["statusCode"] == 200
    assert audit_actions(lambda_context, admin_key) == [("key.revoke", other_id)]


def test_no_route_deletes_the_audit_trail():
    routes = {
        (route.method, route.rule) for route in admin.app._static_routes + admin.app._dynamic_routes
    }

    assert not any(method == "DELETE" and "audit" in str(rule) for method, rule in routes)

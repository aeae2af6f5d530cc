"""API keys over real HTTP against the local stack: the operator's local admin key
issues a key, which creates, lists, exports and imports its owner's links, through the
same edge routing CloudFront's behaviours give the deployed API."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.e2e.conftest import LocalStack

_ADMIN_KEY = re.compile(r"Admin API key: (usk_\S+)")


def admin_key(stack: LocalStack) -> str:
    for line in stack.output:
        if match := _ADMIN_KEY.search(line):
            return match.group(1)
    raise LookupError("the local stack printed no admin key")


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def issue(stack: LocalStack, owner: str, *scopes: str) -> str:
    def send():
        return stack.request(
            "POST",
            "/admin/keys",
            json.dumps({"name": f"{owner} tests", "owner": owner, "scopes": list(scopes)}),
            bearer(admin_key(stack), **{"Content-Type": "application/json"}),
        )

    answer = send()
    # Once more after a 503 (a busy machine's local DynamoDB past a call's deadline): at
    # worst a second key is made, and this test uses the one it gets.
    if answer.status == 503:
        time.sleep(float(answer.headers.get("Retry-After") or 1))
        answer = send()
    assert answer.status == 201, answer.body
    key: str = answer.json()["key"]
    return key


def test_a_key_creates_lists_exports_and_imports_its_owners_links(local_stack):
    key = issue(local_stack, "e2e-owner", "links:read", "links:write")
    made = local_stack.shorten(
        {"url": "https://shop.example/spring", "title": "Spring", "tags": ["sale"]},
        **bearer(key),
    )
    assert made.status == 201, made.body
    short_id = made.json()["shortId"]

    page = local_stack.request("GET", "/links?tag=sale", headers=bearer(key))
    assert page.status == 200, page.body
    assert [link["shortId"] for link in page.json()["links"]] == [short_id]

    export = local_stack.request("GET", "/links?format=csv", headers=bearer(key))
    assert export.status == 200
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = export.body.decode().splitlines()
    assert rows[0] == "alias,url,title,tags,expiresAt,shortUrl,createdAt,clicks"
    assert rows[1].startswith(f"{short_id},https://shop.example/spring,Spring,sale,")

    imported = local_stack.request(
        "POST",
        "/links/import",
        "url,tags\nhttps://example.com/a,web\nftp://example.com/,\n",
        bearer(key, **{"Content-Type": "text/csv"}),
    )
    assert imported.status == 200, imported.body
    assert [row["status"] for row in imported.json()["results"]] == [201, 400]
    listed = local_stack.request("GET", "/links", headers=bearer(key)).json()["links"]
    assert len(listed) == 2


# The import runs its rows in threads; only DynamoDB Local keeps concurrent transactions
# apart as DynamoDB does (moto restores a whole table when one fails: test_owned_links.py).
@pytest.mark.parametrize("local_stack", ["local"], ids=["dynamodb-local"], indirect=True)
def test_an_import_keeps_every_row_it_created_while_others_are_refused(local_stack):
    key = issue(local_stack, "e2e-importer", "links:read", "links:write")
    taken = [f"e2e-taken-{n}" for n in range(8)]
    for alias in taken:
        made = local_stack.shorten({"url": "https://example.com/", "alias": alias}, **bearer(key))
        assert made.status == 201, made.body
    rows = [{"url": f"https://example.com/{n}", "alias": f"e2e-new-{n}"} for n in range(24)]
    rows += [{"url": "https://example.com/again", "alias": alias} for alias in taken]

    imported = local_stack.request(
        "POST",
        "/links/import",
        json.dumps({"links": rows}),
        bearer(key, **{"Content-Type": "application/json"}),
    )

    assert imported.status == 200, imported.body
    assert [row["status"] for row in imported.json()["results"]] == [201] * 24 + [409] * 8
    listed = local_stack.request("GET", "/links?limit=100", headers=bearer(key)).json()["links"]
    assert {link["shortId"] for link in listed} == {f"e2e-new-{n}" for n in range(24)} | set(taken)


def test_another_owners_key_cannot_touch_the_link_and_a_bad_key_is_401(local_stack):
    owner = issue(local_stack, "e2e-a", "links:write")
    stranger = issue(local_stack, "e2e-b", "links:write", "links:read")
    short_id = local_stack.shorten({"url": "https://example.com/x"}, **bearer(owner)).json()[
        "shortId"
    ]

    change = local_stack.request(
        "PATCH",
        f"/links/{short_id}",
        json.dumps({"url": "https://evil.example/"}),
        bearer(stranger, **{"Content-Type": "application/json"}),
    )
    unknown = local_stack.request(
        "GET", "/links", headers=bearer("usk_" + "0" * 16 + "_" + "A" * 43)
    )

    assert change.status == 403
    assert change.json() == {"message": "This API key's owner does not own this link"}
    assert unknown.status == 401
    assert unknown.json() == {"message": "This API key is unknown or revoked"}

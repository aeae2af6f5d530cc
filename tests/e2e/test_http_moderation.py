"""Moderation over real HTTP on the local stack: an operator takes a link down with the
local admin key `make dev` prints, visitors meet 410 "disabled", and a visitor's report
reaches the console as the operator's notification, without the reporter's details."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.e2e.conftest import LocalStack

ADMIN_KEY_LINE = "Admin API key: "


def admin_key_of(stack: LocalStack) -> str:
    for line in stack.output:
        if line.startswith(ADMIN_KEY_LINE):
            return line.removeprefix(ADMIN_KEY_LINE).strip()
    raise LookupError("the local stack printed no admin key")


def new_link(stack: LocalStack, url: str = "https://example.com/moderated") -> str:
    created = stack.shorten({"url": url})
    assert created.status == 201, created.body
    short_id: str = created.json()["shortId"]
    return short_id


def admin_post(stack: LocalStack, path: str, body: object | None = None):
    """POST as the admin, and as a client is told to: again after a 503's Retry-After, up
    to twice (a busy test machine can keep the local DynamoDB past a call's deadline, more
    than once under a full parallel run; disabling and enabling are idempotent, so a
    repeat is safe)."""

    def send():
        return stack.request(
            "POST",
            path,
            json.dumps(body) if body is not None else None,
            {
                "Authorization": f"Bearer {admin_key_of(stack)}",
                **({"Content-Type": "application/json"} if body is not None else {}),
            },
        )

    answer = send()
    for _ in range(2):
        if answer.status != 503:
            break
        time.sleep(float(answer.headers.get("Retry-After") or 1))
        answer = send()
    return answer


def test_a_disabled_link_answers_410_until_enabled(local_stack: LocalStack) -> None:
    short_id = new_link(local_stack)

    disabled = admin_post(
        local_stack, f"/admin/links/{short_id}/disable", {"reason": "ticket 991: phishing"}
    )
    as_json = local_stack.request("GET", f"/{short_id}", headers={"Accept": "application/json"})
    as_page = local_stack.request("GET", f"/{short_id}", headers={"Accept": "text/html"})
    enabled = admin_post(local_stack, f"/admin/links/{short_id}/enable")
    again = local_stack.request("GET", f"/{short_id}")

    assert disabled.status == 200, disabled.body
    assert disabled.json()["status"] == "disabled"
    assert as_json.status == 410
    assert as_json.json()["reason"] == "disabled"
    assert as_page.status == 410
    assert b"disabled for abuse" in as_page.body
    assert b"991" not in as_page.body
    assert enabled.status == 200
    assert again.status == 302


def test_without_the_admin_key_the_admin_routes_refuse(local_stack: LocalStack) -> None:
    answer = local_stack.request("GET", "/admin/links")

    assert answer.status == 401
    assert "admin" in answer.json()["message"]


def test_a_report_is_accepted_and_the_console_shows_the_notification(
    local_stack: LocalStack,
) -> None:
    short_id = new_link(local_stack, "https://kit.example/login")
    details = f"private words {uuid.uuid4()}"

    answer = local_stack.request(
        "POST",
        "/reports",
        json.dumps({"shortId": short_id, "reason": "phishing", "details": details}),
        {"Content-Type": "application/json"},
    )

    assert answer.status == 202, answer.body
    wanted = f"Report notification: Link {short_id} reported: phishing"
    deadline = time.monotonic() + 10
    while wanted not in local_stack.output and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wanted in local_stack.output
    assert not any(details in line for line in local_stack.output)
    listed = local_stack.request(
        "GET", "/admin/reports", headers={"Authorization": f"Bearer {admin_key_of(local_stack)}"}
    )
    assert [r["details"] for r in listed.json()["reports"] if r["shortId"] == short_id] == [details]


@pytest.mark.parametrize("reason", ["phishing"])
def test_an_unknown_link_cannot_be_reported(local_stack: LocalStack, reason: str) -> None:
    answer = local_stack.request(
        "POST",
        "/reports",
        json.dumps({"shortId": "nosuchlink", "reason": reason}),
        {"Content-Type": "application/json"},
    )

    assert answer.status == 404

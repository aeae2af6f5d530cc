"""POST /reports through the real handler on moto, DynamoDB and SNS: 202 and the report
stored, 404/400/422/429, one message per link per hour on the alarms' topic, and the
reporter's details in no log and no message."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from domain.links import utc_now
from handlers import admin, reports, wiring
from tests.integration.moderation_requests import body_of, request, stored_key
from tests.integration.test_link_lifecycle import created
from tests.integration.test_moderation import listing
from tests.integration.test_observability import every_log_line  # noqa: F401  # a fixture

SECRET_DETAILS = "the login form posts to hxxp://kit.example/steal?sess=8f3e"


@pytest.fixture
def topic(dynamodb_calls: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The alarms' topic on moto, with a queue subscribed that shows what was published."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    arn = sns.create_topic(Name="url-shortener-AlarmTopic")["TopicArn"]
    queue = sqs.create_queue(QueueName="seen")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    monkeypatch.setenv("REPORT_TOPIC_ARN", arn)
    monkeypatch.setenv("REPORT_RATE_LIMIT", "10")
    wiring.reset()

    def messages() -> list[dict[str, Any]]:
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in received.get("Messages", [])]

    return messages


def report(context: Any, body: Any) -> dict[str, Any]:
    return reports.handler(request("POST", "/reports", "/reports", body=body), context)


def test_a_report_is_accepted_stored_and_told_to_the_operator_without_its_details(
    topic, lambda_context
):
    short_id = created(lambda_context, url="https://kit.example/login")["shortId"]
    admin_key = stored_key("admin")

    answer = report(
        lambda_context, {"shortId": short_id, "reason": "phishing", "details": SECRET_DETAILS}
    )
    (message,) = topic()
    (stored,) = body_of(listing(lambda_context, admin_key, "/admin/reports"))["reports"]

    assert answer["statusCode"] == 202
    assert body_of(answer) == {"id": stored["id"]}
    assert short_id in message["Message"]
    assert "phishing" in message["Message"]
    assert "kit.example" in message["Message"]
    assert SECRET_DETAILS not in json.dumps(message)
    assert stored["details"] == SECRET_DETAILS
    assert (stored["shortId"], stored["reason"]) == (short_id, "phishing")
    assert stored["link"]["status"] == "active"


def test_one_message_per_link_per_hour(topic, lambda_context, monkeypatch):
    first = created(lambda_context)["shortId"]
    second = created(lambda_context)["shortId"]

    for _ in range(3):
        assert report(lambda_context, {"shortId": first, "reason": "spam"})["statusCode"] == 202
    report(lambda_context, {"shortId": second, "reason": "malware"})
    assert len(topic()) == 2

    later = utc_now() + timedelta(minutes=61)
    monkeypatch.setattr(reports, "utc_now", lambda: later)
    report(lambda_context, {"shortId": first, "reason": "spam"})
    assert len(topic()) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"shortId": "nosuchlink", "reason": "spam"}, 404, None),
        ({"shortId": "x/../y", "reason": "spam"}, 400, "shortId"),
        ({"shortId": "abc", "reason": "spam", "details": "x" * 1001}, 400, "details"),
        ({"shortId": "abc", "reason": "rude"}, 422, "reason"),
        ({"reason": "spam"}, 422, "shortId"),
        ({"shortId": "abc", "reason": "spam", "extra": 1}, 422, "extra"),
    ],
)
def test_a_report_of_nothing_or_of_no_kind_is_refused_naming_the_field(
    topic, lambda_context, body, status, field
):
    response = report(lambda_context, body)

    assert response["statusCode"] == status
    if field:
        assert body_of(response)["errors"][0]["field"] == field
    assert topic() == []


def test_past_the_limit_an_address_gets_429_with_retry_after(topic, lambda_context, monkeypatch):
    monkeypatch.setenv("REPORT_RATE_LIMIT", "2")
    wiring.reset()
    short_id = created(lambda_context)["shortId"]

    answers = [report(lambda_context, {"shortId": short_id, "reason": "spam"}) for _ in range(3)]

    assert [a["statusCode"] for a in answers] == [202, 202, 429]
    assert int(answers[2]["headers"]["Retry-After"]) >= 1
    assert "reports" in body_of(answers[2])["message"]


def test_report_details_and_keys_never_reach_a_log(
    topic,
    lambda_context,
    capsys,
    caplog,
    every_log_line,  # noqa: F811  # the imported fixture
):
    short_id = created(lambda_context)["shortId"]
    admin_key = stored_key("admin")
    capsys.readouterr()

    report(lambda_context, {"shortId": short_id, "reason": "other", "details": SECRET_DETAILS})
    listing(lambda_context, admin_key, "/admin/reports")
    made = admin.handler(
        request(
            "POST",
            "/admin/keys",
            "/admin/keys",
            key=admin_key,
            body={"name": "n", "owner": "o", "scopes": ["links:read"]},
        ),
        lambda_context,
    )
    listing(lambda_context, admin_key, "/admin/keys")
    out = capsys.readouterr()

    logged = "\n".join([every_log_line.getvalue(), out.out, out.err, caplog.text])
    new_key = body_of(made)["key"]
    assert new_key.split("_", 2)[2] not in logged  # the secret may itself hold "_"
    assert "Link reported" in logged  # the line that is written, without what must not be
    assert SECRET_DETAILS not in logged
    assert admin_key.split("_", 2)[2] not in logged


def test_a_failing_topic_still_accepts_the_report_and_lets_the_next_one_notify(
    topic, lambda_context, monkeypatch
):
    short_id = created(lambda_context)["shortId"]
    monkeypatch.setenv("REPORT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:missing")
    wiring.reset()
    failed = report(lambda_context, {"shortId": short_id, "reason": "spam"})
    monkeypatch.undo()

    assert failed["statusCode"] == 202
    assert topic() == []

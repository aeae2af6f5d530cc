"""Tells the operator of an abuse report: one message on the stack's SNS topic.

The topic is the alarms' (template.yaml AlarmTopic), so whoever watches the alarms
hears of reports too. It is not encrypted with a customer key (template.yaml says why),
and its subscribers are inboxes and chat channels: the message holds the link, the
reason and the report's id, never the reporter's details (domain/reports.py), which
operators read in GET /admin/reports.

SNS endpoint and region come from the standard AWS settings: `AWS_ENDPOINT_URL_SNS`
points it at the devserver's stand-in (devserver/sns_stand_in.py) for `make dev`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from domain.host_rules import hostname_of
from domain.links import Link, rfc3339
from domain.reports import NotificationFailed, Report

if TYPE_CHECKING:
    from collections.abc import Mapping

# A notification is a courtesy on top of the stored report: it must not hold the
# reporter's answer for long. One retry, short timeouts.
_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 2}
)


class _Publisher(Protocol):
    def publish(self, **kwargs: Any) -> Mapping[str, Any]: ...


def create_sns_client() -> _Publisher:
    import botocore.session  # only the reports function pays for it, on first report

    client = botocore.session.get_session().create_client("sns", config=_CONFIG)
    return cast("_Publisher", client)


class SnsReportNotifier:
    def __init__(self, client: _Publisher, topic_arn: str) -> None:
        self._client = client
        self._topic = topic_arn

    def notify(self, report: Report, link: Link) -> None:
        try:
            self._client.publish(
                TopicArn=self._topic,
                Subject=f"Link {report.short_id} reported: {report.reason.value}"[:100],
                Message=notification_text(report, link),
            )
        except (BotoCoreError, ClientError) as exc:
            raise NotificationFailed(str(exc)) from exc


def notification_text(report: Report, link: Link) -> str:
    """The message: what an operator needs to decide whether to look now."""
    host = hostname_of(link.url) if link.url else "(none)"
    return "\n".join(
        [
            f"The short link {report.short_id} was reported as {report.reason.value}.",
            f"Target host: {host}",
            f"Created: {rfc3339(link.created_at)}; clicks on its item: {link.clicks}",
            f"Report {report.report_id} at {rfc3339(report.created_at)}.",
            "Further reports of this link within the hour send no message.",
            "Read the reports (details included): GET /admin/reports.",
            f"Disable it: POST /admin/links/{report.short_id}/disable",
        ]
    )

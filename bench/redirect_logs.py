"""What one click costs in CloudWatch Logs: the bytes the stack logs for a redirect.

Two log lines per counted click, no more: the redirect function's own output (its
metrics line, printed by Powertools), measured by running the real handler, and the
HTTP API's access log line, rendered from template.yaml's own format with a redirect's
values. Lambda's START and REPORT lines are off (SystemLogLevel WARN); each line costs
CloudWatch's 26 bytes of event overhead on top of its text, which the PutLogEvents
limits count ("the sum of all event messages in UTF-8, plus 26 bytes for each log
event") and which is counted here too, to err on the side of paying more.
`python -m deploy cost` takes the total as `redirect_log_bytes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LOG_EVENT_OVERHEAD_BYTES = 26

# A click as API Gateway describes it in $context, with values as long as real ones: an
# API Gateway request id, CloudFront's edge address (IPv4, as it reaches API Gateway),
# a generated id, a latency of tens of milliseconds, no error.
CLICK_CONTEXT = {
    "requestId": "JKJaXmPLvHcESHA=",
    "identity.sourceIp": "130.176.191.146",
    "routeKey": "GET /{shortId}",
    "path": "/7cp2Xhz",
    "status": "302",
    "responseLatency": "24",
    "error.message": "-",
    "integrationErrorMessage": "-",
    "requestTimeEpoch": "1764759600123",
    "httpMethod": "GET",
    "identity.userAgent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    ),
}
_VARIABLE = re.compile(r"\$context\.([A-Za-z.]+)")


def access_log_line(log_format: str) -> str:
    """The access log line API Gateway writes for a click, from the stage's format."""
    return _VARIABLE.sub(lambda match: CLICK_CONTEXT[match.group(1)], log_format)


def access_log_format(template: dict[str, Any]) -> str:
    """The HTTP API's access log format, as template.yaml gives it (YAML folds its lines)."""
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::HttpApi"]
    log_format: str = api["Properties"]["AccessLogSettings"]["Format"]
    return log_format


@dataclass(frozen=True)
class ClickLogs:
    handler_bytes: float  # the redirect function's output per click (measured), newlines out
    handler_lines: float  # how many log events that output is per click
    access_log_bytes: int  # the access log line (rendered)

    @property
    def total(self) -> float:
        events = self.handler_lines + 1
        return self.handler_bytes + self.access_log_bytes + events * LOG_EVENT_OVERHEAD_BYTES


def click_logs(output: str, clicks: int, template: dict[str, Any]) -> ClickLogs:
    """The bytes a click logs, from what the handler printed over `clicks` clicks."""
    lines = [line for line in output.splitlines() if line.strip()]
    access = access_log_line(access_log_format(template))
    return ClickLogs(
        handler_bytes=sum(len(line.encode()) for line in lines) / clicks,
        handler_lines=len(lines) / clicks,
        access_log_bytes=len(access.encode()),
    )

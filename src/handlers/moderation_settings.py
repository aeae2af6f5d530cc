"""What only the reports function reads from its environment, checked once.

Apart from handlers/settings.py (every function's) so the other functions need none of
it: REPORT_TOPIC_ARN (the stack's SNS topic) and REPORT_RATE_LIMIT (reports per address
per creation window, template ReportRateLimit).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from handlers.settings import MisconfiguredError


@dataclass(frozen=True, slots=True)
class ReportSettings:
    topic_arn: str
    rate_limit: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ReportSettings:
        topic = environ.get("REPORT_TOPIC_ARN", "").strip()
        if not topic:
            raise MisconfiguredError("REPORT_TOPIC_ARN is not set (template.yaml sets it)")
        limit = environ.get("REPORT_RATE_LIMIT", "").strip()
        if not limit.isdigit() or int(limit) < 1:
            raise MisconfiguredError(
                f"REPORT_RATE_LIMIT must be a positive whole number, got {limit!r}"
            )
        return cls(topic_arn=topic, rate_limit=int(limit))

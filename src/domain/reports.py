"""Abuse reports: anyone may tell the operator that a link is phishing, malware or spam.

POST /reports is public, so it is limited per address like link creation (its own
scope in the same counter, "report:<client>"), and it notifies the operator through the
stack's SNS topic at most once per link per NOTIFY_EVERY: a link reported a thousand
times is one message an hour, and the reports themselves wait in GET /admin/reports.

A report's `details` are the reporter's own words. They are kept for operators
(GET /admin/reports) and go nowhere else: not into a log, and not into the
notification either, which carries only the link, the reason and the report's id.
Free text from anyone would otherwise reach every subscriber of the topic (an inbox, a
chat channel), which is exactly the audience a phisher wants.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.errors import DomainError, InvalidInput, LinkGone
from domain.links import Link, is_plausible_short_id
from domain.pages import Page
from domain.ports import CreationCounter
from domain.rate_limits import RollingLimit, client_of

MAX_DETAILS = 1000
NOTIFY_EVERY = timedelta(hours=1)
REPORT_SCOPE_PREFIX = "report:"


class ReportReason(StrEnum):
    PHISHING = "phishing"
    MALWARE = "malware"
    SPAM = "spam"
    OTHER = "other"


class ReportsRateLimited(DomainError):
    """This address sent as many reports as its limit allows in the window (429)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many reports; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class NotificationFailed(Exception):
    """The operator could not be notified now (the report is stored all the same)."""


@dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    short_id: str
    reason: ReportReason
    created_at: datetime
    details: str | None = None


class ReportStore(Protocol):
    def add(self, report: Report) -> None: ...

    def claim_notification(self, short_id: str, now: datetime) -> bool:
        """Whether this report may notify: True, and recorded, if no notification for
        the link was claimed in the NOTIFY_EVERY before `now` (atomically)."""
        ...

    def release_notification(self, short_id: str, claimed_at: datetime) -> None:
        """Give back a claim whose notification failed, so the next report tries again."""
        ...

    def list(self, limit: int, cursor: str | None = None) -> Page[Report]: ...


class ReportNotifier(Protocol):
    def notify(self, report: Report, link: Link) -> None:
        """Tell the operator of the report. Raises NotificationFailed."""
        ...


class LinkReader(Protocol):
    def get(self, short_id: str) -> Link: ...


def check_details(details: str | None) -> str | None:
    if details is None:
        return None
    details = details.strip()
    if len(details) > MAX_DETAILS:
        raise InvalidInput("details", f"must be at most {MAX_DETAILS} characters")
    return details or None


def report_scope(client_address: str) -> str:
    """The counter scope of reports from this address (its IPv6 /64 for IPv6)."""
    return f"{REPORT_SCOPE_PREFIX}{client_of(client_address)}"


class Notification(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # the link's operator was notified less than NOTIFY_EVERY ago
    FAILED = "failed"  # SNS refused or was unreachable: the next report tries again


@dataclass(frozen=True, slots=True)
class FiledReport:
    report: Report
    notification: Notification


@dataclass(frozen=True, slots=True)
class ReportRequest:
    short_id: str
    reason: ReportReason
    details: str | None = None


def file_report(
    request: ReportRequest,
    *,
    client_address: str,
    links: LinkReader,
    counter: CreationCounter,
    limit: RollingLimit,
    store: ReportStore,
    notifier: ReportNotifier,
    now: datetime,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> FiledReport:
    """Store a report of a link and, unless the link was reported less than an hour ago,
    notify the operator. Raises InvalidInput, ReportsRateLimited, LinkNotFound,
    LinkGone (a deleted link: nothing left to act on)."""
    details = check_details(request.details)
    if not is_plausible_short_id(request.short_id):
        raise InvalidInput("shortId", "is not a short link's id")
    # Counted before anything is read: a flood of reports costs one write each, and
    # probing which ids exist costs the prober its quota.
    scope = report_scope(client_address)
    admission = counter.count_creation(scope, limit, now)
    if not admission.counted:
        raise ReportsRateLimited(limit.retry_after(admission.counts, now))
    link = links.get(request.short_id)
    if link.deleted_at is not None:
        raise LinkGone(request.short_id, "was deleted")
    report = Report(
        report_id=random_bytes(8).hex(),
        short_id=link.short_id,
        reason=request.reason,
        created_at=now,
        details=details,
    )
    store.add(report)
    if not store.claim_notification(link.short_id, now):
        return FiledReport(report, Notification.SKIPPED)
    try:
        notifier.notify(report, link)
    except NotificationFailed:
        store.release_notification(link.short_id, now)
        return FiledReport(report, Notification.FAILED)
    return FiledReport(report, Notification.SENT)

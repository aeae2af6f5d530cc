"""The moderation routes' request and response bodies (/admin/..., /reports).

The wire format of handlers/api_models.py (camelCase, RFC 3339 times), for what only
operators see: every link with its owner and state, blocked hosts, reports, keys and
the audit trail. Nothing here ever carries an API key but NewApiKey, the one answer
that shows a key, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from domain.api_keys import ApiKey, IssuedKey
from domain.audit import AuditEntry
from domain.blocked_hosts import BlockedHost
from domain.host_rules import hostname_of
from domain.links import Link, rfc3339
from domain.moderation import MAX_REASON, LinkStatus
from domain.reports import MAX_DETAILS, Report, ReportReason

Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests -------------------------------------------------------------------------


class DisableRequest(_Request):
    # Optional here so that a missing reason is the domain's 400 naming `reason`.
    reason: str | None = Field(
        default=None,
        description=f"Why (1 to {MAX_REASON} characters): for operators only, never shown"
        " to visitors, whose page says the link was disabled for abuse.",
    )


class BlockRequest(_Request):
    reason: str | None = Field(
        default=None, description=f"Why, for operators (at most {MAX_REASON} characters)."
    )


class KeyRequest(_Request):
    name: str = Field(description="What the key is for, 1 to 100 characters.")
    owner: str = Field(
        description="Whose links the key's links are: 1 to 64 of A-Z a-z 0-9 . _ @ + -."
    )
    scopes: list[str] = Field(description="Any of links:write, links:read, admin.")


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)

    short_id: str = Field(description="The reported link's id (or alias).")
    reason: ReportReason
    details: str | None = Field(
        default=None,
        description=f"What the reporter saw, at most {MAX_DETAILS} characters; shown to"
        " operators only.",
    )


# --- responses ------------------------------------------------------------------------


class AdminLink(_Model):
    short_id: str
    url: str = Field(description="Where it goes; empty once deleted.")
    host: str = Field(description="The target's host; empty once deleted.")
    created_at: Timestamp
    expires_at: Timestamp | None
    owner: str | None = Field(description="The owner of the API key it was created with.")
    creator: str | None = Field(
        description="What kind of address created it (ipv4, ipv6) or api-key; never the"
        " address itself."
    )
    clicks: int
    status: LinkStatus
    disabled_at: Timestamp | None
    disabled_reason: str | None

    @classmethod
    def of(cls, link: Link, status: LinkStatus) -> Self:
        return cls(
            short_id=link.short_id,
            url=link.url,
            host=hostname_of(link.url) if link.url else "",
            created_at=link.created_at,
            expires_at=link.expires_at,
            owner=link.owner,
            creator=link.creator_class,
            clicks=link.clicks,
            status=status,
            disabled_at=link.disabled_at,
            disabled_reason=link.disabled_reason,
        )


class AdminLinkPage(_Model):
    links: list[AdminLink]
    cursor: str | None = Field(description="For the next page (`?cursor=`); null: no more.")


class BlockedHostInfo(_Model):
    host: str
    blocked_at: Timestamp
    reason: str | None

    @classmethod
    def of(cls, host: BlockedHost) -> Self:
        return cls(host=host.host, blocked_at=host.blocked_at, reason=host.reason)


class BlockedHostList(_Model):
    hosts: list[BlockedHostInfo]


class AcceptedReport(_Model):
    id: str = Field(description="The report's id.")


class ReportInfo(_Model):
    id: str
    short_id: str
    reason: ReportReason
    details: str | None
    created_at: Timestamp
    link: AdminLink | None = Field(description="The link as it is now; null if it is gone.")

    @classmethod
    def of(cls, report: Report, link: AdminLink | None) -> Self:
        return cls(
            id=report.report_id,
            short_id=report.short_id,
            reason=report.reason,
            details=report.details,
            created_at=report.created_at,
            link=link,
        )


class ReportPage(_Model):
    reports: list[ReportInfo]
    cursor: str | None


class ApiKeyInfo(_Model):
    """A key as listed: never the key, nor its hash."""

    id: str
    name: str
    owner: str
    scopes: list[str]
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None

    @classmethod
    def of(cls, key: ApiKey) -> Self:
        return cls(
            id=key.key_id,
            name=key.name,
            owner=key.owner,
            scopes=sorted(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyList(_Model):
    keys: list[ApiKeyInfo]


class NewApiKey(_Model):
    """A key just issued: the only answer that ever shows it."""

    id: str
    key: str = Field(description="The key itself: shown this once, stored only as a hash.")
    name: str
    owner: str
    scopes: list[str]
    created_at: Timestamp

    @classmethod
    def of(cls, issued: IssuedKey) -> Self:
        key = issued.record
        return cls(
            id=key.key_id,
            key=issued.key,
            name=key.name,
            owner=key.owner,
            scopes=sorted(key.scopes),
            created_at=key.created_at,
        )


class Actor(_Model):
    id: str = Field(description="The admin key's id, or the operator tool's name.")
    name: str


class AuditEntryInfo(_Model):
    id: str
    at: Timestamp
    actor: Actor
    action: str = Field(examples=["link.disable"])
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> Self:
        return cls(
            id=entry.entry_id,
            at=entry.at,
            actor=Actor(id=entry.actor.actor_id, name=entry.actor.name),
            action=entry.action,
            target=entry.target,
            before=dict(entry.before) if entry.before is not None else None,
            after=dict(entry.after) if entry.after is not None else None,
        )


class AuditPage(_Model):
    entries: list[AuditEntryInfo]
    cursor: str | None

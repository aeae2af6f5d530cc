"""The HTTP API's request and response bodies (the contract clients see).

Kept apart from the domain's Link entity on purpose: the wire format (camelCase,
absolute shortUrl, the `urlToShorten` synonym) is the API's business, not the domain's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    model_validator,
)
from pydantic.alias_generators import to_camel

from domain.links import Link, rfc3339
from domain.management import LinkChanges
from domain.shortening import LinkRequest

Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]

_EXPIRES_AT = "When the link stops redirecting (RFC 3339 with a time zone), at most 5 years ahead."
_EXPIRES_IN = "Seconds from now until the link stops redirecting (instead of expiresAt)."


class ShortenRequest(BaseModel):
    # A misspelt field ("uri") is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    url: str = Field(
        validation_alias=AliasChoices("url", "urlToShorten"),
        description="The absolute http(s) URL to shorten. `urlToShorten` is accepted as a synonym.",
        examples=["https://example.com/a/long/path?with=query"],
    )
    alias: str | None = Field(
        default=None,
        description="A custom short id: 3-64 of A-Z a-z 0-9 - _, case-sensitive.",
        examples=["launch-2026"],
    )
    expires_at: AwareDatetime | None = Field(
        default=None, alias="expiresAt", description=_EXPIRES_AT
    )
    expires_in: StrictInt | None = Field(default=None, alias="expiresIn", description=_EXPIRES_IN)

    @model_validator(mode="before")
    @classmethod
    def _one_name_for_the_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "url" in data and "urlToShorten" in data:
            raise ValueError("send the URL as `url` or as `urlToShorten`, not both")
        return data

    def to_domain(self) -> LinkRequest:
        return LinkRequest(
            url=self.url,
            alias=self.alias,
            expires_at=self.expires_at,
            expires_in=self.expires_in,
        )


class LinkChangeRequest(BaseModel):
    """PATCH /links/{shortId}: what to change. `"expiresAt": null` removes the expiry."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    url: str | None = Field(default=None, description="The new target URL.")
    expires_at: AwareDatetime | None = Field(
        default=None, alias="expiresAt", description=_EXPIRES_AT + " null: never."
    )
    expires_in: StrictInt | None = Field(default=None, alias="expiresIn", description=_EXPIRES_IN)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of url, expiresAt, expiresIn")
        if self.url is None and "url" in self.model_fields_set:
            raise ValueError("url cannot be null; send a URL or leave it out")
        return self

    def to_domain(self) -> LinkChanges:
        return LinkChanges(
            url=self.url,
            expires_at=self.expires_at,
            expires_in=self.expires_in,
            remove_expiry="expires_at" in self.model_fields_set and self.expires_at is None,
        )


class _ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class LinkInfo(_ApiModel):
    short_id: str = Field(description="The id in the short link's path.", examples=["7cp2Xhz"])
    short_url: str = Field(description="The short link, absolute.")
    url: str = Field(description="Where the short link goes, in canonical (ASCII) form.")
    created_at: Timestamp
    expires_at: Timestamp | None = Field(description="When it stops redirecting; null: never.")
    clicks: int = Field(description="Counted clicks: real visits, not bots, prefetches or HEAD.")
    last_clicked_at: Timestamp | None = Field(description="When it was last clicked, if ever.")

    @classmethod
    def from_link(cls, link: Link, base_url: str) -> Self:
        return cls(**_link_fields(link, base_url))


class CreatedLink(LinkInfo):
    management_token: str = Field(
        description="Shown once: send it as `Authorization: Bearer <token>` to change or"
        " delete the link. Only its hash is stored; keep it safe."
    )

    @classmethod
    def from_created(cls, link: Link, base_url: str, management_token: str) -> Self:
        return cls(**_link_fields(link, base_url), management_token=management_token)


def _link_fields(link: Link, base_url: str) -> dict[str, Any]:
    return {
        "short_id": link.short_id,
        "short_url": f"{base_url}/{link.short_id}",
        "url": link.url,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "clicks": link.clicks,
        "last_clicked_at": link.last_clicked_at,
    }

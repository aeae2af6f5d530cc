"""The HTTP API's request and response bodies (the contract clients see).

Kept apart from the domain's Link entity on purpose: the wire format (camelCase,
absolute shortUrl, the `urlToShorten` synonym) is the API's business, not the domain's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel

from domain.aliases import ALIAS_MAX_LENGTH, ALIAS_MIN_LENGTH
from domain.click_stats import OTHER, TOP, StatsReport
from domain.expiry import MAX_EXPIRY_AHEAD
from domain.link_labels import MAX_TAGS, MAX_TITLE, TAG_PATTERN
from domain.links import Link, rfc3339
from domain.management import LinkChanges
from domain.shortening import LinkRequest

Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]


def _whole_number_as_int(value: Any) -> Any:
    # JSON has one kind of number, and JSON Schema counts 60.0 as the integer 60: a client
    # that computes seconds as a float may send it. 60.5, strings and booleans stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Seconds = Annotated[StrictInt, BeforeValidator(_whole_number_as_int)]

_EXPIRES_AT = "When the link stops redirecting (RFC 3339 with a time zone), at most 5 years ahead."
_EXPIRES_IN = "Seconds from now until the link stops redirecting (instead of expiresAt)."

# The rules the domain enforces (with a 400 naming the field), stated in the OpenAPI
# document for clients. Documentation only: pydantic enforcing them too would answer
# 422 with its own wording instead of the domain's 400. Each rule sits inside the
# non-null branch it is about (beside `anyOf`, `minimum` would bound any number).
_TARGET_URL: dict[str, Any] = {"type": "string", "format": "uri"}
_ALIAS_DOC = WithJsonSchema(
    {
        "anyOf": [
            {  # domain/aliases.py
                "type": "string",
                "pattern": f"^[A-Za-z0-9_-]{{{ALIAS_MIN_LENGTH},{ALIAS_MAX_LENGTH}}}$",
            },
            {"type": "null"},
        ]
    }
)
_EXPIRES_IN_SECONDS: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": int(MAX_EXPIRY_AHEAD.total_seconds()),
}


_TITLE = f"What to call the link, at most {MAX_TITLE} characters; only its owner sees it."
_TAGS = f"At most {MAX_TAGS} tags to file it under, each 1 to 32 of a-z 0-9 -."
_TAGS_DOC = WithJsonSchema(
    {
        "anyOf": [
            {
                "type": "array",
                "maxItems": MAX_TAGS,
                "items": {"type": "string", "pattern": f"^{TAG_PATTERN}$"},
            },
            {"type": "null"},
        ]
    }
)


class ShortenRequest(BaseModel):
    # A misspelt field ("uri") is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    url: str = Field(
        validation_alias=AliasChoices("url", "urlToShorten"),
        description="The absolute http(s) URL to shorten. `urlToShorten` is accepted as a synonym.",
        examples=["https://example.com/a/long/path?with=query"],
        json_schema_extra=_TARGET_URL,
    )
    alias: Annotated[str | None, _ALIAS_DOC] = Field(
        default=None,
        description="A custom short id: 3-64 of A-Z a-z 0-9 - _, case-sensitive.",
        examples=["launch-2026"],
    )
    expires_at: AwareDatetime | None = Field(
        default=None, alias="expiresAt", description=_EXPIRES_AT
    )
    expires_in: Annotated[
        Seconds | None, WithJsonSchema({"anyOf": [_EXPIRES_IN_SECONDS, {"type": "null"}]})
    ] = Field(default=None, alias="expiresIn", description=_EXPIRES_IN)

    title: str | None = Field(default=None, description=_TITLE)
    tags: Annotated[list[str] | None, _TAGS_DOC] = Field(default=None, description=_TAGS)

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
            title=self.title,
            tags=tuple(self.tags or ()),
        )


class LinkChangeRequest(BaseModel):
    """PATCH /links/{shortId}: what to change. `"expiresAt": null` removes the expiry."""

    # `{}` changes nothing and is refused (below), and so is an expiry given both ways.
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"minProperties": 1, "not": {"required": ["expiresAt", "expiresIn"]}},
    )

    # Optional, but never null (refused below): the document offers a string only.
    url: Annotated[str | None, WithJsonSchema(_TARGET_URL)] = Field(
        default=None, description="The new target URL."
    )
    expires_at: AwareDatetime | None = Field(
        default=None, alias="expiresAt", description=_EXPIRES_AT + " null: never."
    )
    # `"expiresIn": null` is accepted as "leave it out"; the document asks for the latter.
    expires_in: Annotated[Seconds | None, WithJsonSchema(_EXPIRES_IN_SECONDS)] = Field(
        default=None, alias="expiresIn", description=_EXPIRES_IN
    )

    title: str | None = Field(default=None, description=_TITLE + " null or empty: none.")
    tags: Annotated[list[str] | None, _TAGS_DOC] = Field(
        default=None, description=_TAGS + " They replace the link's; [] or null: none."
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.url is None and "url" in self.model_fields_set:
            raise ValueError("url cannot be null; send a URL or leave it out")
        # `"expiresIn": null` alone changes nothing, like `{}` (`"expiresAt": null` does:
        # it removes the expiry).
        changes_expiry = "expires_at" in self.model_fields_set or self.expires_in is not None
        labels = self.model_fields_set & {"title", "tags"}
        if self.url is None and not changes_expiry and not labels:
            raise ValueError("send at least one of url, expiresAt, expiresIn, title, tags")
        return self

    def to_domain(self) -> LinkChanges:
        fields = self.model_fields_set
        return LinkChanges(
            url=self.url,
            expires_at=self.expires_at,
            expires_in=self.expires_in,
            remove_expiry="expires_at" in fields and self.expires_at is None,
            title=self.title if "title" in fields else None,
            remove_title="title" in fields and not (self.title or "").strip(),
            tags=tuple(self.tags or ()) if "tags" in fields else None,
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


class OwnedLink(LinkInfo):
    """A link as its owner sees it: with what they call it and file it under."""

    title: str | None = Field(default=None, description="What its owner calls it.")
    tags: list[str] = Field(default_factory=list, description="What its owner files it under.")

    @classmethod
    def from_link(cls, link: Link, base_url: str) -> Self:
        return cls(**_link_fields(link, base_url), title=link.title, tags=list(link.tags))


class LinkPage(_ApiModel):
    """GET /links: a page of the caller's links, newest first."""

    links: list[OwnedLink]
    cursor: str | None = Field(
        description="Send it as `cursor` for the next page; null: this is the last."
    )


class CreatedLink(OwnedLink):
    management_token: str = Field(
        description="Shown once: send it as `Authorization: Bearer <token>` to change or"
        " delete the link. Only its hash is stored; keep it safe."
    )

    @classmethod
    def from_created(cls, link: Link, base_url: str, management_token: str) -> Self:
        return cls(
            **_link_fields(link, base_url),
            title=link.title,
            tags=list(link.tags),
            management_token=management_token,
        )


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


# --- POST /links/import ----------------------------------------------------------


class ImportLink(BaseModel):
    """One link to import: as POST /shorten takes it, `expiresAt` but no `expiresIn`."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(json_schema_extra=_TARGET_URL)
    alias: Annotated[str | None, _ALIAS_DOC] = None
    title: str | None = Field(default=None, description=_TITLE)
    tags: Annotated[list[str] | None, _TAGS_DOC] = Field(default=None, description=_TAGS)
    expires_at: AwareDatetime | None = Field(default=None, alias="expiresAt")


class ImportRequest(BaseModel):
    """Up to 1,000 links; or the same as CSV (Content-Type: text/csv) with a header row
    naming the columns url,alias,title,tags,expiresAt (tags separated by spaces)."""

    model_config = ConfigDict(extra="forbid")

    links: list[ImportLink] = Field(min_length=1, max_length=1000)


class FieldProblem(_ApiModel):
    field: str
    reason: str


class ImportRowResult(_ApiModel):
    row: int = Field(description="The row's number, from 1 (a CSV header is not a row).")
    status: int = Field(description="201 created; 400, 409, 429 or 503 refused (`errors`).")
    short_id: str | None = Field(default=None, description="Of a created link.")
    short_url: str | None = Field(default=None, description="Of a created link.")
    errors: list[FieldProblem] | None = Field(default=None, description="Why it was refused.")


class ImportResults(_ApiModel):
    created: int
    refused: int
    results: list[ImportRowResult]


# --- GET /links/{shortId}/stats ----------------------------------------------------


class DayClicks(_ApiModel):
    day: date = Field(alias="date", description="A UTC day.", examples=["2026-12-03"])
    clicks: int = Field(description="Clicks counted that day.")
    visitors: int = Field(
        description="Distinct visitors that day (a visitor is an address and a User-Agent),"
        " estimated without storing either: exact for a few, within about 5 % for many."
    )


class ValueClicks(_ApiModel):
    value: str = Field(examples=["news.ycombinator.com"])
    clicks: int


def _breakdown(what: str, note: str) -> Any:
    return Field(
        description=f"Clicks by {what}, most first; past the top {TOP}, one `{OTHER}` entry"
        f" holds the rest. Sums to `clicks`. {note}"
    )


class ClickStats(_ApiModel):
    """A link's clicks over a range of UTC days, for its owner."""

    short_id: str = Field(description="The link.", examples=["7cp2Xhz"])
    first: date = Field(alias="from", description="The range's first UTC day.")
    last: date = Field(alias="to", description="The range's last UTC day (included).")
    clicks: int = Field(
        description="Clicks counted over the range: what the link's `clicks` gained on"
        " those days. Clicks reach these figures within a minute or so of happening."
    )
    days: list[DayClicks] = Field(description="Every day of the range, oldest first, zeros too.")
    referrers: list[ValueClicks] = _breakdown(
        "referring site",
        "The host of the `Referer` header, lower-cased, without `www.`; `(direct)`: none.",
    )
    countries: list[ValueClicks] = _breakdown(
        "country",
        "ISO 3166-1 alpha-2, as CloudFront saw the viewer; `unknown` where it did not say.",
    )
    devices: list[ValueClicks] = _breakdown(
        "kind of device", "`mobile`, `tablet`, `desktop` or `other`, from the User-Agent."
    )
    browsers: list[ValueClicks] = _breakdown("browser", "Its family, from the User-Agent.")
    os: list[ValueClicks] = _breakdown("operating system", "Its family, from the User-Agent.")
    visitors: int = Field(description="The days' `visitors`, summed.")

    @classmethod
    def from_report(cls, report: StatsReport) -> Self:
        def values(name: str) -> list[ValueClicks]:
            return [ValueClicks(value=v, clicks=n) for v, n in report.breakdowns[name]]

        return cls(
            short_id=report.short_id,
            first=report.first,
            last=report.last,
            clicks=report.clicks,
            days=[
                DayClicks(day=day.day, clicks=day.clicks, visitors=day.visitors)
                for day in report.days
            ],
            referrers=values("referrers"),
            countries=values("countries"),
            devices=values("devices"),
            browsers=values("browsers"),
            os=values("os"),
            visitors=report.visitors,
        )

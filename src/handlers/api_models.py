"""The HTTP API's request and response bodies (the contract clients see).

Kept apart from the domain's Link entity on purpose: the wire format (camelCase,
absolute shortUrl, the `urlToShorten` synonym) is the API's business, not the domain's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.alias_generators import to_camel

from domain.links import Link, rfc3339

Timestamp = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]


class ShortenRequest(BaseModel):
    # A misspelt field ("uri") is refused rather than silently ignored.
    model_config = ConfigDict(extra="forbid")

    # Built only by validation, never by keyword, so the dynamic alias is safe here.
    url: str = Field(  # type: ignore[pydantic-alias]
        validation_alias=AliasChoices("url", "urlToShorten"),
        description="The absolute http(s) URL to shorten. `urlToShorten` is accepted as a synonym.",
        examples=["https://example.com/a/long/path?with=query"],
    )

    @model_validator(mode="before")
    @classmethod
    def _one_name_for_the_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "url" in data and "urlToShorten" in data:
            raise ValueError("send the URL as `url` or as `urlToShorten`, not both")
        return data


class _ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class CreatedLink(_ApiModel):
    short_id: str = Field(description="The id in the short link's path.", examples=["7cp2Xhz"])
    short_url: str = Field(description="The short link, absolute.")
    url: str = Field(description="Where the short link goes, in canonical (ASCII) form.")
    created_at: Timestamp

    @classmethod
    def from_link(cls, link: Link, base_url: str) -> Self:
        return cls(**_link_fields(link, base_url))


class LinkInfo(CreatedLink):
    clicks: int = Field(description="Counted clicks (GET requests of the short link).")
    last_clicked_at: Timestamp | None = Field(description="When it was last clicked, if ever.")

    @classmethod
    def from_link(cls, link: Link, base_url: str) -> Self:
        return cls(
            **_link_fields(link, base_url),
            clicks=link.clicks,
            last_clicked_at=link.last_clicked_at,
        )


def _link_fields(link: Link, base_url: str) -> dict[str, Any]:
    return {
        "short_id": link.short_id,
        "short_url": f"{base_url}/{link.short_id}",
        "url": link.url,
        "created_at": link.created_at,
    }


class FieldProblem(BaseModel):
    field: str = Field(examples=["url"])
    reason: str = Field(examples=["must be an absolute http or https URL"])


class ErrorBody(BaseModel):
    """Every refusal's body."""

    message: str
    errors: list[FieldProblem] | None = None

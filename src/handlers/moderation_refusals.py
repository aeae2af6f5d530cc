"""The moderation routes' own refusals, answered like every other (handlers/responses.py):
an unknown API key (404) and too many reports from one address (429)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.moderation import ApiKeyNotFound
from domain.reports import ReportsRateLimited
from handlers.observability import record_refusal
from handlers.responses import as_response, json_error_response

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response


def register_moderation_error_handlers(app: APIGatewayHttpResolver) -> None:
    """Answer the moderation errors raised behind `app` (its most specific handler wins
    over handlers/responses.py's for DomainError)."""

    def unknown_key(error: ApiKeyNotFound) -> Response[str]:
        return as_response(api_key_not_found(error))

    def too_many_reports(error: ReportsRateLimited) -> Response[str]:
        return as_response(reports_rate_limited(error))

    app.exception_handler(ApiKeyNotFound)(unknown_key)
    app.exception_handler(ReportsRateLimited)(too_many_reports)


def api_key_not_found(error: ApiKeyNotFound) -> dict[str, Any]:
    record_refusal(404, "api_key_not_found")
    return json_error_response(404, f"No API key with id {error.key_id!r}")


def reports_rate_limited(error: ReportsRateLimited) -> dict[str, Any]:
    record_refusal(429, "reports_rate_limited")
    seconds = error.retry_after_seconds
    return json_error_response(
        429,
        f"Too many reports from this address; try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )

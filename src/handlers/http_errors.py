"""The refusals (refusals.py) as Powertools Responses, for the function behind its resolver."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from handlers.refusals import REFUSED_ERRORS, RefusedError, invalid_request, refusal


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def refuse(error: RefusedError) -> Response[str]:
        event = app.current_event
        accept = event.headers.get("accept") or ""
        return as_response(
            refusal(error, method=event.http_method, accept=accept, route=event.route_key)
        )

    def refuse_request(error: RequestValidationError) -> Response[str]:
        return as_response(invalid_request(error.errors()))

    for error_type in REFUSED_ERRORS:
        app.exception_handler(error_type)(refuse)
    app.exception_handler(RequestValidationError)(refuse_request)


def as_response(proxy: dict[str, Any]) -> Response[str]:
    """A proxy response (handlers/proxy_responses.py) as Powertools' Response."""
    headers = dict(proxy["headers"])
    return Response(
        status_code=proxy["statusCode"],
        content_type=headers.pop("Content-Type", None),
        body=proxy["body"],
        headers=headers,
    )

"""The shortener's route, declared on a Powertools router for the OpenAPI document
(the function itself has no resolver): the path, the request and response models and
the refusals.

It answers through the function's own `answer_creation`, so a resolver built from it
answers as the function does: tests/integration/test_route_declarations.py holds it
to it.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.api_models import CreatedLink, ImportRequest, ImportResults, ShortenRequest
from handlers.link_import import answer_import
from handlers.response_docs import error_responses, with_body
from handlers.responses import as_response
from handlers.shorten import answer_creation

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream


@router.post(
    "/shorten",
    summary="Shorten a URL",
    responses=with_body(201, "Created; `Location` is the short link.", CreatedLink)
    | error_responses(400, 401, 403, 409, 413, 415, 422, 429, 503),
)
def shorten(request: ShortenRequest) -> Response[str]:
    # `request` is what the document describes; answer_creation() reads the body
    # itself, as the function does.
    return as_response(answer_creation(router.current_event.raw_event, router.lambda_context))


@router.post(
    "/links/import",
    summary="Create up to 1,000 links at once, as JSON or CSV (API key with links:write)",
    responses=with_body(
        200, "Each row's outcome, in order: 201, 400, 409, 429 or 503.", ImportResults
    )
    | error_responses(400, 401, 403, 413, 415, 422, 503),
)
def import_links(request: ImportRequest) -> Response[str]:
    # `request` is what the document describes (CSV is described on it too);
    # answer_import() reads the body itself, as the function does.
    return as_response(answer_import(router.current_event.raw_event, router.lambda_context))

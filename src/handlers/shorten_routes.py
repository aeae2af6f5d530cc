"""The shortener's route, declared for the OpenAPI document only.

ShortenFunction answers without Powertools' resolver (handlers/shorten.py says why), so
nothing ever calls this; it gives the document the path, the request and response
models and the refusals. What keeps it true is tests/e2e/test_openapi_schema.py, which
holds the running API to the document.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.api_models import CreatedLink, ShortenRequest
from handlers.response_docs import error_responses, with_body

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream


@router.post(
    "/shorten",
    summary="Shorten a URL",
    responses=with_body(201, "Created; `Location` is the short link.", CreatedLink)
    | error_responses(400, 409, 413, 415, 422, 429, 503),
)
def shorten(request: ShortenRequest) -> Response[str]:
    raise NotImplementedError("declared for the OpenAPI document; handlers.shorten.handler answers")

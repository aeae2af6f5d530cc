"""The redirect function's two routes, declared for the OpenAPI document only.

RedirectFunction answers without Powertools' resolver (handlers/redirect.py says why),
so nothing ever calls these; they give the document the paths, summaries and responses.
What keeps them true is tests/e2e/test_openapi_schema.py, which holds the running API
to the document.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.response_docs import documented, error_responses

_DOCUMENTATION_ONLY = "declared for the OpenAPI document; handlers.redirect.handler answers"
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream

# Which redirect status a deployment sends is its REDIRECT_STATUS (302 unless set).
_REDIRECT_RESPONSES = (
    documented(302, "To the link's URL (`Location`): the default.")
    | documented(301, "Likewise, where the deployment's RedirectStatusCode is 301.")
    | documented(307, "Likewise, where the deployment's RedirectStatusCode is 307.")
    | documented(308, "Likewise, where the deployment's RedirectStatusCode is 308.")
    | error_responses(404, 410, 503)
)


@router.get(
    "/<short_id>",
    summary="Follow a short link (a real visit counts as a click)",
    responses=_REDIRECT_RESPONSES,
)
def follow(short_id: str) -> Response[str]:
    raise NotImplementedError(_DOCUMENTATION_ONLY)


@router.head(
    "/<short_id>",
    summary="Like GET, without a body and without counting",
    responses=_REDIRECT_RESPONSES,
)
def peek(short_id: str) -> Response[str]:
    raise NotImplementedError(_DOCUMENTATION_ONLY)

"""The redirect function's two routes, declared on a Powertools router for the
OpenAPI document.

RedirectFunction answers without Powertools' resolver (handlers/redirect.py says why);
these give the document the paths, summaries and responses, and answer through the
same `respond`, so a resolver built from them (devserver/openapi.py builds one) answers
as the function does: tests/integration/test_route_declarations.py holds them to it.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.http_errors import as_response
from handlers.redirect import respond
from handlers.response_docs import documented, error_responses

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream

# Which redirect status a deployment sends is its REDIRECT_STATUS (302 unless set).
_REDIRECT_RESPONSES = (
    documented(302, "To the link's URL (`Location`): the default.")
    | documented(301, "Likewise, where the deployment's RedirectStatusCode is 301.")
    | documented(307, "Likewise, where the deployment's RedirectStatusCode is 307.")
    | documented(308, "Likewise, where the deployment's RedirectStatusCode is 308.")
    | error_responses(403, 404, 410, 503)
)


@router.get(
    "/<short_id>",
    summary="Follow a short link (a real visit counts as a click)",
    responses=_REDIRECT_RESPONSES,
)
def follow(short_id: str) -> Response[str]:
    return _answer(short_id)


@router.head(
    "/<short_id>",
    summary="Like GET, without a body and without counting",
    responses=_REDIRECT_RESPONSES,
)
def peek(short_id: str) -> Response[str]:
    return _answer(short_id)


def _answer(short_id: str) -> Response[str]:
    event = router.current_event
    headers = dict(event.headers)
    return as_response(respond(event.http_method, short_id, headers, event.route_key))

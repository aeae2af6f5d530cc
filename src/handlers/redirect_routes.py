"""The redirect function's two routes, declared on a Powertools router for the
OpenAPI document (the function itself has no resolver).

They answer through the function's own `answer_visit`, so a resolver built from them
answers as the function does: tests/integration/test_route_declarations.py holds them
to it.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.redirect import answer_visit
from handlers.response_docs import documented, error_responses
from handlers.responses import as_response

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
    return as_response(answer_visit(event.raw_event, short_id))

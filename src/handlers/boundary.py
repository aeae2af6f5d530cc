"""What every function does around its own work: refuse a request that did not come
through CloudFront, before anything else is read and before any DynamoDB call; then
answer every refusal raised on the way (by that check, the body check, the domain)
with its response (handlers/responses.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from handlers import wiring
from handlers.api_requests import require_cloudfront
from handlers.responses import REFUSED_ERRORS, refusal

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def http_boundary(handler: LambdaHandler) -> LambdaHandler:
    """`handler` behind the checks every function makes, its refusals answered."""

    @wraps(handler)
    def answered(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            require_cloudfront(event, wiring.settings())
            return handler(event, context)
        except REFUSED_ERRORS as error:
            return refusal(error, event)

    return answered

"""Behind CloudFront, the API answers only the requests that came through it.

API Gateway's own URL (https://<api>.execute-api.<region>.amazonaws.com) is public:
without this, anyone could skip the distribution (its security headers, its optional
WAF rule, its logs) and, sending their own X-Viewer-Address, pose as any viewer. The
distribution adds the origin secret to every request it sends the API; a request
without it gets a 403 before anything else is read or any DynamoDB call is made,
unless the stack allows direct access (AllowDirectApiAccess, e.g. for `sam local`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from handlers import wiring
from handlers.http_responses import came_through_cloudfront
from handlers.refusals import NotThroughCloudFront, refusal

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def cloudfront_only(handler: LambdaHandler) -> LambdaHandler:
    """`handler`, for requests that came through CloudFront (or when direct access is
    allowed); a 403 for every other request, as JSON (a HEAD: no body)."""

    @wraps(handler)
    def guarded(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        settings = wiring.settings()
        if settings.allow_direct_api_access or came_through_cloudfront(event, settings):
            return handler(event, context)
        return refusal(
            NotThroughCloudFront(),
            method=event["requestContext"]["http"]["method"],
            accept=(event.get("headers") or {}).get("accept") or "",
            route=event.get("routeKey", ""),
        )

    return guarded

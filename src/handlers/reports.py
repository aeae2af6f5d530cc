"""ReportsFunction: POST /reports, anyone telling the operator a link is abuse.

Public, limited per address (domain/reports.py). The reporter's details are stored for
operators and never logged: the log line says which link, why and whether the operator
was notified, nothing the reporter wrote.
"""

from __future__ import annotations

import gc

gc.disable()  # until this module is loaded: handlers/__init__.py says why

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.links import utc_now
from domain.rate_limits import RollingLimit
from domain.reports import Notification, file_report
from domain.reports import ReportRequest as Reported
from handlers import wiring
from handlers.admin_models import AcceptedReport, ReportRequest
from handlers.api_requests import viewer_of
from handlers.boundary import http_boundary
from handlers.moderation_refusals import register_moderation_error_handlers
from handlers.observability import count, log_metrics
from handlers.request_body import check_readable_body, parse_json_body
from handlers.response_docs import error_responses, with_body
from handlers.responses import NO_STORE, register_error_handlers

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream

REPORTS_FILED = "ReportsFiled"


@router.post(
    "/reports",
    summary="Report a link as phishing, malware, spam or other abuse",
    responses=with_body(
        202, "Received; the operator is told (once an hour per link).", AcceptedReport
    )
    | error_responses(400, 403, 404, 410, 413, 415, 422, 429, 503),
)
def report(request: ReportRequest) -> Response[AcceptedReport]:
    event, settings = router.current_event.raw_event, wiring.settings()
    window = settings.creation_rate_limits.window
    filed = file_report(
        Reported(short_id=request.short_id, reason=request.reason, details=request.details),
        client_address=viewer_of(event, settings).address,
        links=wiring.link_repository(),
        counter=wiring.creation_counter(),
        limit=RollingLimit(wiring.report_settings().rate_limit, window),
        store=wiring.reports(),
        notifier=wiring.report_notifier(),
        now=utc_now(),
    )
    count(REPORTS_FILED)
    # Never the details: they are the reporter's words, for operators' eyes only.
    log = logger.warning if filed.notification is Notification.FAILED else logger.info
    log(
        "Link reported",
        extra={
            "shortId": filed.report.short_id,
            "reason": filed.report.reason.value,
            "reportId": filed.report.report_id,
            "notification": filed.notification.value,
        },
    )
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=AcceptedReport(id=filed.report.report_id),
        headers=dict(NO_STORE),
    )


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.include_router(router)
register_error_handlers(app)
register_moderation_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
@http_boundary
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Before the resolver, which validates the body before any middleware could.
    check_readable_body(event)
    return app.resolve(event, context)


gc.freeze()  # loaded: out of every later collection's way
gc.enable()

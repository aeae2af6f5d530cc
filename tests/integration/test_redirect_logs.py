"""What a click costs in logs, measured from the real handler, stays within the cost model.

`python -m deploy cost` prices a redirect's logs as `redirect_log_bytes`. Here the real
redirect handler answers counted clicks (through CloudFront, as deployed) and its output
is collected as Lambda would ship it; the API's access log line is rendered from
template.yaml's own format (bench/redirect_logs.py). Their sum, with CloudWatch's 26
bytes per log event, must not exceed what the cost model assumes, and the cost model
must then stay within the target of $3.25 per million redirects.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from bench.redirect_logs import access_log_format, access_log_line, click_logs
from deploy.cost import Assumptions, cost_per_million_redirects, load_prices
from domain.hot_links import HotLinks
from handlers import redirect, shorten, wiring
from sam_template.document import load_template
from tests.conftest import load_event
from tests.integration.conftest import FUNCTION_ENVIRONMENT

CLICKS = 20
TARGET_PER_MILLION = Decimal("3.25")
BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def through_cloudfront(name: str) -> dict[str, Any]:
    event = load_event(name)
    event["headers"]["x-origin-verify"] = FUNCTION_ENVIRONMENT["ORIGIN_VERIFY_SECRET"]
    return event


@pytest.fixture
def deployed_defaults(dynamodb_calls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_DIRECT_API_ACCESS", "false")  # as deployed
    wiring.reset()


def a_clicked_link(context: Any) -> tuple[str, dict[str, Any]]:
    """A new link and a browser's click on it through CloudFront, clicked once already:
    the container's first click logs its ColdStart line, which the tests leave out."""
    created = shorten.handler(through_cloudfront("shorten.json"), context)
    short_id = json.loads(created["body"])["shortId"]
    event = through_cloudfront("redirect.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    event["headers"]["user-agent"] = BROWSER
    redirect.handler(dict(event), context)
    return short_id, event


def clicks_output(context: Any, capfd: pytest.CaptureFixture[str]) -> str:
    _, event = a_clicked_link(context)
    capfd.readouterr()
    for _ in range(CLICKS):
        assert redirect.handler(dict(event), context)["statusCode"] == 302
    output = capfd.readouterr()
    return output.out + output.err


def test_a_click_logs_its_metrics_line_and_nothing_else(deployed_defaults, lambda_context, capfd):
    output = clicks_output(lambda_context, capfd)

    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == CLICKS
    for line in lines:
        blob = json.loads(line)
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert [metric["Name"] for metric in directive["Metrics"]] == ["Clicks"]


def test_what_a_click_logs_fits_the_cost_model(deployed_defaults, lambda_context, capfd):
    logs = click_logs(clicks_output(lambda_context, capfd), CLICKS, load_template())
    assumed = Assumptions().redirect_log_bytes

    assert logs.handler_lines == 1
    assert logs.total <= assumed, (
        f"a click logs {logs.total:.0f} bytes ({logs.handler_bytes:.0f} from the handler,"
        f" {logs.access_log_bytes} in the access log, with event overhead); the cost model"
        f" assumes {assumed}: raise redirect_log_bytes (deploy/cost.py) or log less"
    )
    # Not so generous that it hides a cut: within 20 % of what is measured.
    assert assumed <= logs.total * 1.2


def test_a_million_redirects_cost_at_most_the_target():
    assert cost_per_million_redirects(load_prices()) <= TARGET_PER_MILLION


def test_the_access_log_line_is_json_with_no_viewer_data():
    line = json.loads(access_log_line(access_log_format(load_template())))

    assert set(line) == {
        "requestId", "ip", "route", "path", "status", "latency", "error", "integrationError",
    }  # fmt: skip
    assert line["route"] == "GET /{shortId}"


def test_a_link_going_viral_and_cooling_logs_a_line_each_time_and_no_more(
    deployed_defaults, lambda_context, caplog, monkeypatch
):
    # One environment's view (domain/hot_links.py) on a clock the test moves: a click
    # DynamoDB throttled made the link hot; it cools after hours with few clicks.
    now = [1_000.0]
    view = HotLinks(clock=lambda: now[0])
    monkeypatch.setattr(wiring, "hot_links", cache(lambda: view))
    short_id, event = a_clicked_link(lambda_context)
    view.throttled(short_id)
    caplog.clear()

    def messages() -> list[dict[str, Any]]:
        # The handler's own log lines (Powertools' logger, through logging): their
        # message and the fields it adds.
        lines = [
            {"message": r.getMessage(), **{k: getattr(r, k, None) for k in ("shortId", "shards")}}
            for r in caplog.records
            if r.name == "service_undefined"
        ]
        caplog.clear()
        return lines

    for _ in range(3):  # spread on the first, then on its shards
        assert redirect.handler(dict(event), lambda_context)["statusCode"] == 302
    went_viral = messages()
    now[0] += 6 * 3600  # hours later, a click or two
    for _ in range(3):
        assert redirect.handler(dict(event), lambda_context)["statusCode"] == 302
    cooled = messages()

    assert [(m["message"], m["shortId"], m["shards"]) for m in went_viral] == [
        ("Link viral: clicks spread", short_id, 20)
    ]
    assert [(m["message"], m["shortId"]) for m in cooled] == [
        ("Link cooled: clicks on its item", short_id)
    ]

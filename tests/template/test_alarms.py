"""The alarms: what they watch, that they all reach the topic, and the optional e-mail.

Fast: these read the template (as CloudFormation's JSON form) and run no tool.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sam_template.document import resources_of_type
from tests.template.deployed_stack import DeployedStack

# The functions API Gateway invokes: an error is a 500, a throttle a refused request.
API_FUNCTIONS = (
    "ShortenFunction",
    "RedirectFunction",
    "LinksFunction",
    "AdminFunction",
    "ReportsFunction",
)
# The one the links table's stream invokes: an error or a throttle holds its batch back.
STREAM_FUNCTION = "ClickStatsFunction"
# DynamoDB Streams keeps a record 24 hours, then trims it (DynamoDB developer guide).
STREAM_RETENTION_MS = 24 * 60 * 60 * 1000
# The reason the shortener records when the stack-wide ceiling refuses a creation.
CREATION_CEILING_REASON = "creation_ceiling"
TOPIC = {"Ref": "AlarmTopic"}


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in resources_of_type(template, "AWS::CloudWatch::Alarm").items()
    }


def watched(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric name, dimensions) of every metric the alarm reads."""
    if "MetricName" in alarm:
        metrics = [alarm]
    else:
        metrics = [
            query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query
        ]
    return [
        (
            metric["Namespace"],
            metric["MetricName"],
            {dimension["Name"]: dimension["Value"] for dimension in metric.get("Dimensions", [])},
        )
        for metric in metrics
    ]


def alarms_on(template: dict[str, Any], namespace: str, metric_name: str) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in alarms(template).values()
        if any(watched_metric[:2] == (namespace, metric_name) for watched_metric in watched(alarm))
    ]


def on_function(template: dict[str, Any], metric_name: str, function: str) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in alarms_on(template, "AWS/Lambda", metric_name)
        if watched(alarm)[0][2] == {"FunctionName": {"Ref": function}}
    ]


@pytest.mark.parametrize(
    ("function", "metric_name"),
    [(function, "Errors") for function in (*API_FUNCTIONS, STREAM_FUNCTION)]
    + [(function, "Throttles") for function in API_FUNCTIONS],
)
def test_every_function_has_an_errors_alarm_and_the_apis_a_throttles_alarm(
    template, function, metric_name
):
    (alarm,) = on_function(template, metric_name, function)

    assert alarm["Statistic"] == "Sum"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_function_is_watched(template):
    # One added must be given its alarms here.
    assert set(resources_of_type(template, "AWS::Serverless::Function")) == {
        *API_FUNCTIONS,
        STREAM_FUNCTION,
    }


def test_the_click_stats_falling_behind_raises_an_alarm_long_before_a_click_is_lost(template):
    (alarm,) = on_function(template, "IteratorAge", STREAM_FUNCTION)
    longest_window_ms = template["Parameters"]["ClickStatsWindowSeconds"]["MaxValue"] * 1000
    raised_after_ms = alarm["Threshold"] + alarm["EvaluationPeriods"] * alarm["Period"] * 1000

    # The oldest record a period saw, not an average that a burst of fresh ones hides.
    assert alarm["Statistic"] == "Maximum"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm.get("DatapointsToAlarm", alarm["EvaluationPeriods"]) == alarm["EvaluationPeriods"]
    # Not raised by a tumbling window's own wait, however long the parameter makes it...
    assert alarm["Threshold"] > longest_window_ms
    # ...and raised with most of the stream's 24 hours left to fix the cause.
    assert raised_after_ms <= STREAM_RETENTION_MS / 10


def test_the_api_5xx_alarm_is_a_rate_of_errors_over_requests(template):
    (alarm,) = alarms_on(template, "AWS/ApiGateway", "5xx")
    stats = {q["Id"]: q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q}
    by_metric = {stat["Metric"]["MetricName"]: metric_id for metric_id, stat in stats.items()}

    assert set(by_metric) == {"5xx", "Count"}
    assert all(metric[2] == {"ApiId": {"Ref": "HttpApi"}} for metric in watched(alarm))
    # Counts over different periods would make the rate meaningless.
    assert len({stat["Period"] for stat in stats.values()}) == 1
    (result,) = [query for query in alarm["Metrics"] if query.get("ReturnData", True)]
    errors, requests = by_metric["5xx"], by_metric["Count"]
    assert re.search(rf"\b{errors}\b.*/.*\b{requests}\b", result["Expression"]), result


def test_metric_math_reads_a_missing_period_as_zero(template):
    # AWS/ApiGateway 5xx and DynamoDB's throttle events are sparse: published only when
    # something happened. An expression over a metric with no data point has none
    # either, so each metric an expression reads is wrapped in FILL(id, 0).
    expressions = 0
    for logical_id, alarm in alarms(template).items():
        ids = [query["Id"] for query in alarm.get("Metrics", []) if "MetricStat" in query]
        for query in alarm.get("Metrics", []):
            if "Expression" not in query:
                continue
            expressions += 1
            bare = re.sub(r"FILL\((\w+), 0\)", "", query["Expression"])
            for metric_id in ids:
                assert metric_id in query["Expression"], (logical_id, metric_id)
                assert not re.search(rf"\b{metric_id}\b", bare), (logical_id, query["Expression"])
    assert expressions, "no alarm uses metric math: nothing was checked"


def test_the_creation_ceiling_alarm_watches_the_refusals_the_shortener_counts(template):
    (alarm,) = alarms_on(template, "UrlShortener", "Refusals")
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    ((namespace, _, dimensions),) = watched(alarm)
    assert namespace == variables["POWERTOOLS_METRICS_NAMESPACE"]
    # Exactly the dimension set the metric carries (handlers/observability.py), or the
    # alarm would watch a metric that never exists.
    assert dimensions == {
        "service": variables["POWERTOOLS_SERVICE_NAME"],
        "Status": "429",
        "Reason": CREATION_CEILING_REASON,
    }
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_the_redirect_p99_alarm_reads_its_threshold_from_a_parameter(template):
    (alarm,) = alarms_on(template, "AWS/Lambda", "Duration")

    assert watched(alarm)[0][2] == {"FunctionName": {"Ref": "RedirectFunction"}}
    assert alarm["ExtendedStatistic"] == "p99"
    assert alarm["Threshold"] == {"Ref": "RedirectLatencyP99Milliseconds"}
    assert template["Parameters"]["RedirectLatencyP99Milliseconds"]["Type"] == "Number"


def test_the_table_throttling_alarm_watches_the_links_table(template):
    (alarm,) = alarms_on(template, "AWS/DynamoDB", "ReadThrottleEvents")

    assert {metric[1] for metric in watched(alarm)} == {"ReadThrottleEvents", "WriteThrottleEvents"}
    assert all(metric[2] == {"TableName": {"Ref": "LinksTable"}} for metric in watched(alarm))
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_alarm_notifies_the_topic_and_quiet_periods_are_fine(template):
    for logical_id, alarm in alarms(template).items():
        assert alarm["AlarmActions"] == [TOPIC], logical_id
        assert alarm["OKActions"] == [TOPIC], logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id


def test_the_topic_always_exists_and_the_email_subscription_only_with_an_address(template):
    (subscription_id,) = resources_of_type(template, "AWS::SNS::Subscription")
    without, with_address = DeployedStack(template), DeployedStack(template, AlarmEmail="o@x.io")

    assert template["Resources"]["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    assert without.resource_enabled("AlarmTopic")
    assert not without.resource_enabled(subscription_id)  # the default: no address
    assert with_address.properties(subscription_id) == {
        "TopicArn": with_address.ref("AlarmTopic"),
        "Protocol": "email",
        "Endpoint": "o@x.io",
    }


def test_the_functions_name_their_metrics_namespace_and_no_tracing(template):
    function_globals = template["Globals"]["Function"]

    assert function_globals["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    # X-Ray's SDK costs every cold start ~355 ms (handlers/observability.py).
    assert function_globals.get("Tracing", "PassThrough") == "PassThrough"
    for logical_id in (*API_FUNCTIONS, STREAM_FUNCTION):
        properties = template["Resources"][logical_id]["Properties"]
        assert properties.get("Tracing", "PassThrough") == "PassThrough"

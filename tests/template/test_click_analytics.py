"""Click analytics in the template: the stream, the mapping that feeds it to the
aggregator, and who may touch which items.

Evaluated, not restated: the mapping is read from the template as CloudFormation
deploys it (after the SAM transform) with parameters as `sam deploy` would pass them;
its filter is run over stream records in AWS's own shape (the SAM CLI's sample event)
with EventBridge's pattern rules (moto's implementation), which Lambda's filters follow;
and each role is asked questions ("may the aggregator write LINK#abc?") that are
answered by evaluating its statements' conditions the way IAM does, not by comparing
them with a copy.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
from moto.events.models import EventPattern

from sam_template.document import resources_of_type
from tests.template.conftest import REPO_ROOT, as_list
from tests.template.deploy_permissions import registry_schemas, transformed_app_template
from tests.template.deployed_stack import DeployedStack

AGGREGATOR = "ClickStatsFunction"
API_FUNCTIONS = ("ShortenFunction", "RedirectFunction", "LinksFunction")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


# --- the stream ---------------------------------------------------------------------


def test_the_table_streams_every_change_as_the_item_is_after_it(template):
    specification = DeployedStack(template).properties("LinksTable")["StreamSpecification"]

    # The new image alone: the click and the link's click number, nothing from before.
    assert specification == {"StreamViewType": "NEW_IMAGE"}


def test_adding_the_stream_updates_the_links_table_in_place(template):
    # CloudFormation replaces a resource when a create-only property changes (registry
    # schema, createOnlyProperties). The table holds every link; UpdateReplacePolicy
    # Retain would keep the old one, but the stack would go on with a new, empty table.
    schema = registry_schemas()["AWS::DynamoDB::Table"]
    create_only = {path.removeprefix("/properties/") for path in schema["createOnlyProperties"]}
    properties = template["Resources"]["LinksTable"]["Properties"]

    assert "StreamSpecification" in schema["properties"]
    assert "StreamSpecification" not in create_only
    # Nor does the template set any property that is (TableName, ImportSourceSpecification).
    assert create_only.isdisjoint(properties), create_only & set(properties)


# --- the event source mapping, as deployed ---------------------------------------------


def event_source_mappings(**parameters: str) -> dict[str, dict[str, Any]]:
    """The transformed template's mappings, their properties resolved with `parameters`."""
    deployed = transformed_app_template()
    stack = DeployedStack(deployed, **parameters)
    return {
        logical_id: stack.properties(logical_id)
        for logical_id in resources_of_type(deployed, "AWS::Lambda::EventSourceMapping")
    }


def test_one_mapping_feeds_the_links_tables_stream_to_the_aggregator(template):
    (mapping,) = event_source_mappings().values()
    stack = DeployedStack(template)

    assert mapping["FunctionName"] == stack.ref(AGGREGATOR)
    assert mapping["EventSourceArn"] == stack.get_att("LinksTable", "StreamArn")
    # From the oldest record the stream keeps, so the clicks made between the stream's
    # creation and the mapping's (in the same deploy) are counted too.
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    # A failed record is retried from where it failed, not the whole batch again.
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_no_click_is_ever_skipped_on_failure():
    (mapping,) = event_source_mappings().values()

    # -1 (the default of both) is "retry until the record expires" (Lambda API reference,
    # CreateEventSourceMapping): a batch that fails holds its shard until it succeeds.
    assert mapping.get("MaximumRetryAttempts", -1) == -1
    assert mapping.get("MaximumRecordAgeInSeconds", -1) == -1
    # Nowhere to send records that are given up on: none ever is.
    assert "DestinationConfig" not in mapping


@pytest.mark.parametrize("seconds", ["1", "60", "900"])
def test_the_tumbling_window_is_the_parameters(seconds):
    (mapping,) = event_source_mappings(ClickStatsWindowSeconds=seconds).values()

    assert int(mapping["TumblingWindowInSeconds"]) == int(seconds)


def test_the_window_parameter_takes_only_windows_lambda_takes(template):
    parameter = template["Parameters"]["ClickStatsWindowSeconds"]
    limits = registry_schemas()["AWS::Lambda::EventSourceMapping"]["properties"][
        "TumblingWindowInSeconds"
    ]

    assert parameter["Type"] == "Number"
    # 0 would turn windows off: the aggregator would get no state and write every batch.
    assert max(1, limits["minimum"]) <= parameter["MinValue"] <= parameter["Default"]
    assert parameter["Default"] <= parameter["MaxValue"] <= limits["maximum"]


@pytest.mark.parametrize(("days", "expected"), [(None, "400"), ("30", "30")])
def test_the_stats_retention_reaches_the_aggregator(template, days, expected):
    stack = DeployedStack(template, **({"ClickStatsRetentionDays": days} if days else {}))
    variables = stack.properties(AGGREGATOR)["Environment"]["Variables"]

    assert variables["CLICK_STATS_RETENTION_DAYS"] == expected
    assert template["Parameters"]["ClickStatsRetentionDays"]["MinValue"] >= 1


def test_past_visitor_keys_are_forgotten_every_day_just_after_midnight():
    deployed = transformed_app_template()
    stack = DeployedStack(deployed)
    rules = {
        logical_id: stack.properties(logical_id)
        for logical_id in resources_of_type(deployed, "AWS::Events::Rule")
    }

    (rule,) = rules.values()
    (target,) = rule["Targets"]
    assert target["Arn"] == stack.get_att(AGGREGATOR, "Arn")
    assert rule.get("State", "ENABLED") == "ENABLED"
    # EventBridge's cron fields: minutes hours day-of-month month day-of-week year, in UTC
    # (EventBridge user guide, schedule expressions): once a day, in the first hour of it.
    fields = rule["ScheduleExpression"].removeprefix("cron(").removesuffix(")").split()
    minutes, hours, day_of_month, month, day_of_week, year = fields
    assert minutes.isdigit()
    assert hours == "0"
    assert (day_of_month, month, day_of_week, year) == ("*", "*", "?", "*")


# --- the filter, run over stream records -------------------------------------------


@cache
def _aws_modify_record() -> dict[str, Any]:
    """A MODIFY record as AWS shapes it: the SAM CLI's sample DynamoDB stream event."""
    found = sorted(
        REPO_ROOT.glob(
            ".venv-sam/lib/python3*/site-packages/samcli/lib/generated_sample_events/"
            "events/dynamodb/DynamoDBUpdate.json"
        )
    )
    if not found:
        pytest.skip("the SAM CLI's venv is missing: run `make test-deps`")
    records = json.loads(found[0].read_text(encoding="utf-8"))["Records"]
    (modify,) = [record for record in records if record["eventName"] == "MODIFY"]
    return dict(modify)


def record(event_name: str, image: dict[str, Any] | None) -> dict[str, Any]:
    """A record of the links table's stream (NEW_IMAGE: no old image; a REMOVE has none)."""
    built = copy.deepcopy(_aws_modify_record())
    built["eventName"] = event_name
    dynamodb = built["dynamodb"]
    dynamodb.pop("OldImage", None)
    dynamodb.pop("NewImage", None)
    dynamodb["StreamViewType"] = "NEW_IMAGE"
    dynamodb["Keys"] = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    if image is not None:
        dynamodb["Keys"] = {"PK": image["PK"], "SK": image["SK"]}
        if event_name != "REMOVE":
            dynamodb["NewImage"] = image
    return built


def link(**extra: Any) -> dict[str, Any]:
    return {
        "PK": {"S": "LINK#abc"},
        "SK": {"S": "META"},
        "url": {"S": "https://example.com/"},
        "createdAt": {"S": "2026-12-03T13:46:37.187Z"},
        "clicks": {"N": "0"},
        **extra,
    }


CLICK = {
    "M": {
        "r": {"S": "news.ycombinator.com"},
        "u": {"S": USER_AGENT},
        "c": {"S": "DE"},
        "v": {"N": "12345"},
    }
}
CLICKED = {"clicks": {"N": "3"}, "lastClickedAt": {"S": "2026-12-03T13:46:40.719Z"}}

REACH_THE_AGGREGATOR = {
    "a click": record("MODIFY", link(**CLICKED, click=CLICK)),
    "a click with no country or visitor digest": record(
        "MODIFY", link(**CLICKED, click={"M": {"r": {"S": "(direct)"}, "u": {"S": ""}}})
    ),
    # The image still holds the last click: the aggregator must tell it from a new one.
    "an owner's change of a clicked link": record(
        "MODIFY", link(**CLICKED, click=CLICK, url={"S": "https://example.com/new"})
    ),
}
STAY_OUT = {
    "a link created": record("INSERT", link()),
    "an owner's change of a link never clicked": record("MODIFY", link(url={"S": "https://b/"})),
    "a link deleted (its tombstone)": record(
        "MODIFY", {**link(), "deletedAt": {"S": "2026-12-03T14:00:00Z"}}
    ),
    # The aggregator's own writes must never feed it again, whatever they hold.
    "a day's stats written": record(
        "INSERT", {"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}, "click": CLICK}
    ),
    "a day's stats updated": record(
        "MODIFY", {"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}, "click": CLICK}
    ),
    "a day's stats expired": record(
        "REMOVE", {"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}}
    ),
    "the day's visitor key": record(
        "MODIFY", {"PK": {"S": "VISITORKEY"}, "SK": {"S": "2026-12-03"}, "secret": {"B": "AA=="}}
    ),
    "a creation counted": record(
        "MODIFY", {"PK": {"S": "RATE#203.0.113.7"}, "SK": {"S": "CREATIONS#300/5"}}
    ),
    "a click map without its User-Agent": record(
        "MODIFY", link(**CLICKED, click={"M": {"r": {"S": "(direct)"}}})
    ),
}


def filter_patterns() -> list[str]:
    (mapping,) = event_source_mappings().values()
    return [f["Pattern"] for f in mapping["FilterCriteria"]["Filters"]]


def matches(pattern: str, event: dict[str, Any]) -> bool:
    """Whether `event` matches an EventBridge event pattern (the rules Lambda's filters
    use: Lambda developer guide, "Lambda event filtering"), as moto implements them (the
    dev server filters the stream with the same implementation)."""
    loaded: Any = EventPattern.load(pattern)  # typed for EventBridge's own events
    return bool(loaded.matches_event(event))


def reaches_the_aggregator(stream_record: dict[str, Any]) -> bool:
    # A record goes to the function if it matches any of the filters.
    return any(matches(pattern, stream_record) for pattern in filter_patterns())


@pytest.mark.parametrize("name", sorted(REACH_THE_AGGREGATOR))
def test_every_click_reaches_the_aggregator(name):
    assert reaches_the_aggregator(REACH_THE_AGGREGATOR[name])


@pytest.mark.parametrize("name", sorted(STAY_OUT))
def test_nothing_but_clicks_reaches_the_aggregator(name):
    assert not reaches_the_aggregator(STAY_OUT[name])


def test_the_matcher_can_say_no():
    # The checks above would pass with a matcher that always agreed: it does not.
    pattern = {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"SK": {"S": ["META"]}}}}
    a_click = REACH_THE_AGGREGATOR["a click"]
    assert matches(json.dumps(pattern), a_click)
    assert not matches(json.dumps({**pattern, "eventName": ["INSERT"]}), a_click)
    missing = {"dynamodb": {"NewImage": {"nope": {"S": [{"exists": True}]}}}}
    assert not matches(json.dumps(missing), a_click)


# --- who may do what: each role's statements, evaluated --------------------------------

STREAM = "stream"  # the resource: the links table's stream, not an item
OTHER_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/Other/stream/2026-01-01T00:00:00.000"


class Role:
    """A function's role as IAM evaluates it for one request: some Allow statement whose
    action, resource and conditions all match (the roles have no Deny)."""

    def __init__(self, template: dict[str, Any], function_id: str) -> None:
        stack = DeployedStack(template)
        role_id, _ = template["Resources"][function_id]["Properties"]["Role"]["Fn::GetAtt"]
        policies = stack.properties(role_id)["Policies"]
        self.statements = [
            statement
            for policy in policies
            for statement in as_list(policy["PolicyDocument"]["Statement"])
        ]
        assert all(s["Effect"] == "Allow" for s in self.statements), function_id
        assert all("NotAction" not in s and "NotResource" not in s for s in self.statements)
        self.table = stack.get_att("LinksTable", "Arn")
        self.stream = stack.get_att("LinksTable", "StreamArn")

    def may(
        self, action: str, partition_key: str = STREAM, *attributes: str, resource: str = ""
    ) -> bool:
        """Whether the role may make `action` on an item of the table with this partition
        key, naming these attributes (dynamodb:Attributes); or, for partition_key STREAM,
        on the table's stream (or `resource`)."""
        if partition_key == STREAM:
            target, request = resource or self.stream, {}
        else:
            target = resource or self.table
            request = {
                "dynamodb:LeadingKeys": {partition_key},
                "dynamodb:Attributes": set(attributes),
            }
        return any(
            action in as_list(s["Action"])
            and any(fnmatch.fnmatchcase(target, r) for r in as_list(s["Resource"]))
            and _conditions_hold(s.get("Condition", {}), request)
            for s in self.statements
        )


def _conditions_hold(condition: Mapping[str, Any], request: Mapping[str, set[str]]) -> bool:
    for operator, tests in condition.items():
        if operator not in ("ForAllValues:StringLike", "ForAllValues:StringEquals"):
            raise ValueError(f"condition operator {operator} is not modelled by this test")
        for key, allowed in tests.items():
            patterns = as_list(allowed)
            # ForAllValues: every value the request has must match one of the patterns
            # (true of a request with none: IAM user guide, multivalued context keys).
            for value in request.get(key, set()):
                if operator.endswith("StringLike"):
                    found = any(fnmatch.fnmatchcase(value, p.replace("[", "[[]")) for p in patterns)
                else:
                    found = value in patterns
                if not found:
                    return False
    return True


ITEM_ACTIONS = (
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
    "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
)  # fmt: skip
STREAM_ACTIONS = (
    "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)  # fmt: skip


@pytest.fixture(scope="module")
def roles(template) -> dict[str, Role]:
    return {function: Role(template, function) for function in (*API_FUNCTIONS, AGGREGATOR)}


@pytest.mark.parametrize("action", STREAM_ACTIONS)
def test_the_aggregator_reads_the_links_tables_stream_and_only_it(roles, action):
    aggregator = roles[AGGREGATOR]

    assert aggregator.may(action)
    assert not aggregator.may(action, resource=OTHER_STREAM)
    assert not aggregator.may(action, resource=aggregator.table)
    for function in API_FUNCTIONS:
        assert not roles[function].may(action), function


def test_the_aggregator_writes_and_reads_the_stats_items(roles):
    aggregator = roles[AGGREGATOR]

    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert aggregator.may(action, "STATS#abc", "PK", "SK", "clicks", "ttl"), action
    # One conditional PutItem per day's item: never changed or deleted in place.
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"):
        assert not aggregator.may(action, "STATS#abc", "PK", "SK"), action


@pytest.mark.parametrize("partition_key", ["LINK#abc", "RATE#all", "IDEMPOTENCY#shorten", "STATS"])
@pytest.mark.parametrize("action", ITEM_ACTIONS)
def test_the_aggregator_touches_no_link_and_nothing_else(roles, action, partition_key):
    assert not roles[AGGREGATOR].may(action, partition_key, "PK", "SK")


def test_the_aggregator_finds_and_deletes_visitor_keys_but_never_reads_one(roles):
    aggregator = roles[AGGREGATOR]

    assert aggregator.may("dynamodb:Query", "VISITORKEY", "PK", "SK")
    assert aggregator.may("dynamodb:DeleteItem", "VISITORKEY", "PK", "SK")
    assert not aggregator.may("dynamodb:Query", "VISITORKEY", "PK", "SK", "secret")
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"):
        assert not aggregator.may(action, "VISITORKEY", "PK", "SK"), action


def test_the_redirect_gets_the_days_visitor_key_naming_only_its_attributes(roles):
    redirect = roles["RedirectFunction"]

    assert redirect.may("dynamodb:UpdateItem", "VISITORKEY", "PK", "SK", "secret", "ttl")
    # Nothing else on that item, and nothing on a look-alike partition.
    assert not redirect.may("dynamodb:UpdateItem", "VISITORKEY", "PK", "SK", "secret", "url")
    assert not redirect.may("dynamodb:UpdateItem", "VISITORKEY", "PK", "SK", "clicks")
    assert not redirect.may("dynamodb:UpdateItem", "VISITORKEY#x", "PK", "SK", "secret")
    for action in ("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:Query"):
        assert not redirect.may(action, "VISITORKEY", "PK", "SK"), action
    # The visitor key's attributes are not a link's: a click never sets a link's TTL.
    assert not redirect.may("dynamodb:UpdateItem", "LINK#abc", "PK", "SK", "clicks", "ttl")
    assert not redirect.may("dynamodb:DeleteItem", "LINK#abc", "PK", "SK")


def test_a_click_may_record_its_analytics_on_the_link(roles):
    redirect = roles["RedirectFunction"]
    click = ("PK", "SK", "clicks", "lastClickedAt", "click", "deletedAt", "expiresAt")

    assert redirect.may("dynamodb:UpdateItem", "LINK#abc", *click)
    assert not redirect.may("dynamodb:UpdateItem", "LINK#abc", *click, "url")
    assert not redirect.may("dynamodb:UpdateItem", "LINK#abc", *click, "tokenHash")


@pytest.mark.parametrize("partition_key", ["LINK#abc", "VISITORKEY", "STATS#abc", "RATE#all"])
def test_the_redirect_still_cannot_put_an_item(roles, partition_key):
    redirect = roles["RedirectFunction"]

    assert not redirect.may("dynamodb:PutItem", partition_key, "PK", "SK")
    assert not redirect.may("dynamodb:BatchWriteItem", partition_key, "PK", "SK")


def test_the_links_function_queries_only_stats(roles):
    links = roles["LinksFunction"]

    assert links.may("dynamodb:Query", "STATS#abc", "PK", "SK", "clicks")
    for partition_key in ("LINK#abc", "VISITORKEY", "RATE#all", "IDEMPOTENCY#shorten"):
        assert not links.may("dynamodb:Query", partition_key, "PK", "SK"), partition_key
    # Reading them is all: the aggregator alone writes stats.
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert not links.may(action, "STATS#abc", "PK", "SK"), action


def test_no_function_but_the_aggregator_writes_stats(roles):
    for function in API_FUNCTIONS:
        for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
            assert not roles[function].may(action, "STATS#abc", "PK", "SK"), (function, action)


def test_the_evaluation_can_say_yes_and_no():
    # The questions above would all pass for a role that may do nothing; this one may.
    template = {
        "Resources": {
            "Fn": {"Properties": {"Role": {"Fn::GetAtt": ["FnRole", "Arn"]}}},
            "FnRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{
                "PolicyName": "p", "PolicyDocument": {"Statement": [{
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem"],
                    "Resource": {"Fn::GetAtt": ["LinksTable", "Arn"]},
                    "Condition": {
                        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["STATS#*"]},
                        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["PK", "SK", "n"]},
                    },
                }]},
            }]}},
            "LinksTable": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        }
    }  # fmt: skip
    role = Role(template, "Fn")

    assert role.may("dynamodb:PutItem", "STATS#a", "PK", "SK", "n")
    assert not role.may("dynamodb:PutItem", "STATS#a", "PK", "SK", "m")
    assert not role.may("dynamodb:PutItem", "LINK#a", "PK", "SK")
    assert not role.may("dynamodb:GetItem", "STATS#a", "PK", "SK")

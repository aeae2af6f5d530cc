"""Properties of template.yaml that the handlers, the dev server and security rely on.

Fast: these read the template (as CloudFormation's JSON form) and run no tool.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from typing import Any

import pytest

from sam_template.document import resources_of_type
from tests.template.conftest import REPO_ROOT, as_list
from tests.template.deployed_stack import DeployedStack

GET_TABLE_ARN = {"Fn::GetAtt": ["LinksTable", "Arn"]}

# Every function, so that one added must be given its grants below before it deploys.
FUNCTION_IDS = (
    "ShortenFunction",
    "RedirectFunction",
    "LinksFunction",
    "ClickStatsFunction",
    "AdminFunction",
    "ReportsFunction",
)
# A Query of the listing index: its statement's Resource is the index, not the table.
LIST_INDEX = "index/ListIndex"
LIST_INDEX_ARN = {"Fn::Sub": "${LinksTable.Arn}/index/ListIndex"}
# Least privilege: exactly these DynamoDB actions, on the links table only, each on
# the partition-key prefixes it needs (repository/keys.py) and no others.
GRANTS = {
    # Creates links (an owned one with its owner's listing entry) and idempotency
    # records, keeps the latter, counts creations, reads API keys and stamps their last
    # use; it can never change or delete a link.
    "ShortenFunction": {
        "dynamodb:PutItem": {"LINK#*", "OWNS#*", "IDEMPOTENCY#shorten"},
        "dynamodb:UpdateItem": {"IDEMPOTENCY#shorten", "RATE#*", "APIKEYS"},
        "dynamodb:DeleteItem": {"IDEMPOTENCY#shorten"},
        "dynamodb:GetItem": {"APIKEYS"},
        "dynamodb:Query": {"BLOCKEDHOSTS"},
    },
    # A click: one UpdateItem counts it; HEAD, bots and prefetches read with GetItem. And
    # the day's visitor key, made or read with one UpdateItem. A viral link: its click
    # shards made (PutItem) and clicked (UpdateItem), never a link created.
    "RedirectFunction": {
        "dynamodb:UpdateItem": {"LINK#*", "VISITORKEY", "SHARD#*"},
        "dynamodb:GetItem": {"LINK#*"},
        "dynamodb:PutItem": {"SHARD#*"},
        "dynamodb:Query": {"BLOCKEDHOSTS"},
    },
    # Reads links; owners' changes and deletes (tombstones) are UpdateItems; a link's
    # stats are one Query over its days; an owner's listing a Query of the index and a
    # BatchGetItem of its links; API keys read and their last use stamped.
    "LinksFunction": {
        "dynamodb:GetItem": {"LINK#*", "APIKEYS"},
        "dynamodb:UpdateItem": {"LINK#*", "SHARD#*", "APIKEYS"},
        "dynamodb:BatchGetItem": {"LINK#*", "SHARD#*"},
        "dynamodb:Query": {"STATS#*", "BLOCKEDHOSTS", LIST_INDEX},
    },
    # The aggregator: the stats items (what it knows of a click comes in the stream), and
    # once a day, finding and deleting past visitor keys.
    "ClickStatsFunction": {
        "dynamodb:GetItem": {"STATS#*"},
        "dynamodb:PutItem": {"STATS#*"},
        "dynamodb:Query": {"VISITORKEY"},
        "dynamodb:DeleteItem": {"VISITORKEY"},
    },
    # The operators: links and their shards read and taken down (UpdateItem), blocked
    # hosts kept, keys issued, listed and revoked, reports read, the audit trail added
    # to and read. No DeleteItem but of a blocked host: never an audit entry, a link or
    # a key (a revoked key stays).
    "AdminFunction": {
        "dynamodb:GetItem": {"APIKEYS", "BLOCKEDHOSTS", "LINK#*"},
        "dynamodb:BatchGetItem": {"LINK#*", "SHARD#*"},
        "dynamodb:UpdateItem": {"APIKEYS", "LINK#*", "SHARD#*"},
        "dynamodb:PutItem": {"APIKEYS", "AUDIT", "BLOCKEDHOSTS"},
        "dynamodb:DeleteItem": {"BLOCKEDHOSTS"},
        "dynamodb:Query": {"APIKEYS", "AUDIT", "BLOCKEDHOSTS", "REPORTS", LIST_INDEX},
    },
    # Reports: the link read, the address's reports counted, the report stored, the
    # hourly notification claimed (and given back if SNS failed).
    "ReportsFunction": {
        "dynamodb:GetItem": {"LINK#*"},
        "dynamodb:UpdateItem": {"RATE#report:*", "REPORTED#*"},
        "dynamodb:PutItem": {"REPORTS"},
        "dynamodb:DeleteItem": {"REPORTED#*"},
    },
}
ROUTES = {
    ("POST", "/shorten", "ShortenFunction"),
    ("GET", "/{shortId}", "RedirectFunction"),
    ("HEAD", "/{shortId}", "RedirectFunction"),
    ("GET", "/links/{shortId}", "LinksFunction"),
    ("PATCH", "/links/{shortId}", "LinksFunction"),
    ("DELETE", "/links/{shortId}", "LinksFunction"),
    ("GET", "/links/{shortId}/qr", "LinksFunction"),
    ("GET", "/links/{shortId}/stats", "LinksFunction"),
    ("GET", "/links", "LinksFunction"),
    ("POST", "/links/import", "ShortenFunction"),
    ("GET", "/admin/links", "AdminFunction"),
    ("POST", "/admin/links/{shortId}/disable", "AdminFunction"),
    ("POST", "/admin/links/{shortId}/enable", "AdminFunction"),
    ("GET", "/admin/blocked-hosts", "AdminFunction"),
    ("PUT", "/admin/blocked-hosts/{host}", "AdminFunction"),
    ("DELETE", "/admin/blocked-hosts/{host}", "AdminFunction"),
    ("GET", "/admin/reports", "AdminFunction"),
    ("POST", "/admin/keys", "AdminFunction"),
    ("GET", "/admin/keys", "AdminFunction"),
    ("DELETE", "/admin/keys/{keyId}", "AdminFunction"),
    ("GET", "/admin/audit", "AdminFunction"),
    ("POST", "/reports", "ReportsFunction"),
}
# The values CloudWatch Logs accepts for RetentionInDays.
LOG_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096}
LOG_RETENTION_DAYS |= {1827, 2192, 2557, 2922, 3288, 3653}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(template, "AWS::Serverless::Function")


def function_property(template: dict[str, Any], logical_id: str, name: str) -> Any:
    """A function's property as SAM applies it: its own value, else the Globals' one."""
    own = functions(template)[logical_id].get("Properties") or {}
    if name in own:
        return own[name]
    return ((template.get("Globals") or {}).get("Function") or {}).get(name)


def http_api_events(template: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (logical_id, name, event)
        for logical_id, function in functions(template).items()
        for name, event in ((function.get("Properties") or {}).get("Events") or {}).items()
        if event.get("Type") == "HttpApi"
    ]


def log_group(template: dict[str, Any], reference: Any) -> dict[str, Any]:
    """The AWS::Logs::LogGroup that a Ref or GetAtt ... .Arn points at."""
    if "Ref" in reference:
        logical_id = reference["Ref"]
    else:
        logical_id, attribute = reference["Fn::GetAtt"]
        assert attribute == "Arn"
    resource: dict[str, Any] = template["Resources"][logical_id]
    assert resource["Type"] == "AWS::Logs::LogGroup"
    return resource


# --- functions and layer ---------------------------------------------------------


def test_the_functions_are_exactly_the_known_ones(template):
    assert set(functions(template)) == set(FUNCTION_IDS)


@pytest.mark.parametrize("logical_id", FUNCTION_IDS)
def test_every_handler_names_a_function_its_code_defines(template, logical_id):
    module, name = function_property(template, logical_id, "Handler").rsplit(".", 1)
    source = REPO_ROOT / function_property(template, logical_id, "CodeUri")
    source = source / (module.replace(".", "/") + ".py")
    assert source.is_file(), source
    tree = ast.parse(source.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    defined |= {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert name in defined, f"{source} defines no {name}"


@pytest.mark.parametrize("logical_id", sorted(FUNCTION_IDS))
def test_every_function_runs_python313_on_arm64_with_the_dependencies_layer(template, logical_id):
    assert function_property(template, logical_id, "Runtime") == "python3.13"
    assert function_property(template, logical_id, "Architectures") == ["arm64"]
    assert {"Ref": "DependenciesLayer"} in function_property(template, logical_id, "Layers")
    assert function_property(template, logical_id, "PackageType") in (None, "Zip")
    assert function_property(template, logical_id, "CodeUri") == "src/"


@pytest.mark.parametrize("logical_id", sorted(FUNCTION_IDS))
def test_every_function_is_built_by_a_makefile_rule_for_it(template, logical_id):
    metadata = functions(template)[logical_id].get("Metadata") or {}
    assert metadata.get("BuildMethod") == "makefile"
    makefile = REPO_ROOT / metadata.get("ContextPath", "src") / "Makefile"
    targets = re.findall(r"^([^\s:#=]+)\s*:(?!=)", makefile.read_text(encoding="utf-8"), re.M)
    patterns = [target.replace("%", "*") for target in targets]
    assert any(fnmatch.fnmatchcase(f"build-{logical_id}", p) for p in patterns), targets


def test_the_dependencies_layer_targets_python313_on_arm64(template):
    layer = template["Resources"]["DependenciesLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    properties = layer["Properties"]
    assert properties["ContentUri"].rstrip("/") == "layers"
    assert properties["CompatibleRuntimes"] == ["python3.13"]
    assert properties["CompatibleArchitectures"] == ["arm64"]
    makefile = (REPO_ROOT / "layers" / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-DependenciesLayer\s*:", makefile, re.M)


def test_function_settings_and_environment(template):
    globals_ = template["Globals"]["Function"]
    assert 128 <= globals_["MemorySize"] <= 1769  # up to one full vCPU
    assert 1 <= globals_["Timeout"] <= 10  # the redirect: one DynamoDB call; others set theirs
    variables = globals_["Environment"]["Variables"]
    assert variables["LINKS_TABLE_NAME"] == {"Ref": "LinksTable"}
    assert variables["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert variables["POWERTOOLS_SERVICE_NAME"] == "url-shortener"
    assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
    # Declared for `sam local --env-vars`, but never set on a deployed function.
    assert variables["AWS_ENDPOINT_URL_DYNAMODB"] == {"Ref": "AWS::NoValue"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTION_IDS))
def test_every_function_logs_to_its_own_log_group_with_retention(template, logical_id):
    logging_config = {
        **(template["Globals"]["Function"].get("LoggingConfig") or {}),
        **(functions(template)[logical_id]["Properties"].get("LoggingConfig") or {}),
    }
    group = log_group(template, logging_config["LogGroup"])
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
    others = {
        other: functions(template)[other]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for other in FUNCTION_IDS
        if other != logical_id
    }
    assert logging_config["LogGroup"]["Ref"] not in others.values()


# --- least privilege ----------------------------------------------------------------


def function_role(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The role a function runs as: its own, written in the template (not SAM's)."""
    function = functions(template)[logical_id]["Properties"]
    assert "Policies" not in function, "SAM would make a role with an AWS managed policy"
    assert "Policies" not in (template["Globals"]["Function"]), "Globals would widen every role"
    role_id, attribute = function["Role"]["Fn::GetAtt"]
    assert attribute == "Arn"
    role: dict[str, Any] = template["Resources"][role_id]
    assert role["Type"] == "AWS::IAM::Role"
    properties: dict[str, Any] = role["Properties"]
    return properties


def role_policies(template: dict[str, Any], logical_id: str) -> dict[str, list[dict[str, Any]]]:
    """Policy name -> statements, for a function's role; inline policies only."""
    role = function_role(template, logical_id)
    assert "ManagedPolicyArns" not in role
    return {
        policy["PolicyName"]: policy["PolicyDocument"]["Statement"] for policy in role["Policies"]
    }


def policy_statements(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    """The function's DynamoDB statements on the table's items."""
    policies = role_policies(template, logical_id)
    # The stream's policy only for a function the stream feeds (Lambda reads it with the
    # function's role); tests/template/test_click_analytics.py holds it to that stream.
    stream = {"links-table-stream"} if stream_events(template, logical_id) else set()
    # The reports function tells the operator on the alarms' topic (test below).
    notify = {"notify-the-operator"} if logical_id == "ReportsFunction" else set()
    assert set(policies) == {"its-own-log-group", "links-table"} | stream | notify, sorted(policies)
    return policies["links-table"]


def stream_events(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    """The function's DynamoDB stream events."""
    events = (functions(template)[logical_id].get("Properties") or {}).get("Events") or {}
    return [event for event in events.values() if event.get("Type") == "DynamoDB"]


def leading_keys(statement: dict[str, Any]) -> set[str]:
    """The partition keys a statement is limited to; every statement must be limited."""
    condition = statement["Condition"]
    assert set(condition) <= {"ForAllValues:StringLike", "ForAllValues:StringEquals"}, condition
    keys: set[str] = set()
    for operator, test in condition.items():
        assert set(test) <= {"dynamodb:LeadingKeys", "dynamodb:Attributes"}, test
        patterns = as_list(test.get("dynamodb:LeadingKeys", []))
        if operator.endswith("StringEquals"):
            assert not any("*" in pattern for pattern in patterns)
        keys |= set(patterns)
    assert keys, statement
    return keys


@pytest.mark.parametrize("logical_id", sorted(FUNCTION_IDS))
def test_every_function_role_is_bounded_trusts_only_lambda_and_writes_only_its_logs(
    template, logical_id
):
    role = function_role(template, logical_id)
    boundary = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${FunctionPermissionsBoundary}"
    assert role["PermissionsBoundary"] == {"Fn::Sub": boundary}
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    (logs,) = role_policies(template, logical_id)["its-own-log-group"]
    group = functions(template)[logical_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert logs == {
        "Sid": "WriteItsLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": [group, "Arn"]},
    }


def test_a_click_may_change_only_what_a_click_changes(template):
    count, spread = [
        set(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
        for statement in policy_statements(template, "RedirectFunction")
        if "dynamodb:UpdateItem" in as_list(statement["Action"])
        and "LINK#*" in leading_keys(statement)
    ]
    # The keys, the three a click writes (its count, time and analytics facts), and the
    # two its condition reads; never the target, the token or the creation time.
    assert count == {
        "PK", "SK", "clicks", "lastClickedAt", "click", "deletedAt", "disabledAt", "expiresAt"
    }  # fmt: skip
    # Spreading a viral link marks it, on condition no owner changed it: nothing more.
    assert spread == {"PK", "SK", "shards", "changes", "deletedAt"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTION_IDS))
def test_each_function_may_do_exactly_its_dynamodb_actions_on_its_keys(template, logical_id):
    grants: dict[str, set[str]] = {}
    for statement in policy_statements(template, logical_id):
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        if statement["Resource"] == LIST_INDEX_ARN:
            # The index holds keys, `created` and `host` only: a Query of it, nothing else.
            assert as_list(statement["Action"]) == ["dynamodb:Query"]
            grants.setdefault("dynamodb:Query", set()).add(LIST_INDEX)
            continue
        assert as_list(statement["Resource"]) == [GET_TABLE_ARN]
        for action in as_list(statement["Action"]):
            assert not set(action) & {"*", "?"}, action
            grants.setdefault(action, set()).update(leading_keys(statement))
    assert grants == GRANTS[logical_id]


def test_only_the_reports_function_publishes_and_only_to_the_alarm_topic(template):
    for logical_id in FUNCTION_IDS:
        policies = role_policies(template, logical_id)
        if logical_id != "ReportsFunction":
            assert "notify-the-operator" not in policies, logical_id
    assert role_policies(template, "ReportsFunction")["notify-the-operator"] == [
        {
            "Sid": "PublishReports",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": {"Ref": "AlarmTopic"},
        }
    ]


def test_the_audit_trail_can_only_be_added_to_and_read(template):
    # No function may change or delete an audit entry (domain/audit.py).
    for logical_id in FUNCTION_IDS:
        for statement in policy_statements(template, logical_id):
            if "Condition" in statement and "AUDIT" in leading_keys(statement):
                assert set(as_list(statement["Action"])) <= {
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                }, (logical_id, statement["Sid"])


def test_the_redirect_function_cannot_create_links(template):
    actions = {
        action.lower()
        for statement in policy_statements(template, "RedirectFunction")
        for action in as_list(statement["Action"])
    }
    assert "dynamodb:batchwriteitem" not in actions
    # Its one PutItem makes a viral link's click shards, never a link.
    for statement in policy_statements(template, "RedirectFunction"):
        if "dynamodb:putitem" in {action.lower() for action in as_list(statement["Action"])}:
            assert leading_keys(statement) == {"SHARD#*"}
    assert "dynamodb:transactwriteitems" not in actions


# --- API ----------------------------------------------------------------------------


def test_every_http_api_event_names_its_api_method_and_path(template):
    events = http_api_events(template)
    assert events
    for logical_id, name, event in events:
        properties = event["Properties"]
        where = f"{logical_id}.Events.{name}"
        assert properties.get("ApiId") == {"Ref": "HttpApi"}, where
        assert properties.get("Method"), where
        assert properties.get("Path", "").startswith("/"), where


def test_the_routes_are_exactly_the_expected_ones(template):
    routes = [
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"], logical_id)
        for logical_id, _, event in http_api_events(template)
    ]
    assert len(routes) == len(set(routes))
    assert set(routes) == ROUTES
    # Only HttpApi events, and the aggregator's stream and daily schedule: nothing else may
    # invoke the functions, and no function serving requests reads the stream.
    for logical_id, function in functions(template).items():
        kinds = [event["Type"] for event in (function["Properties"].get("Events") or {}).values()]
        if logical_id == "ClickStatsFunction":
            assert sorted(kinds) == ["DynamoDB", "Schedule"], kinds
        else:
            assert kinds, logical_id
            assert set(kinds) == {"HttpApi"}, (logical_id, kinds)


def test_the_http_api_serves_from_its_root_with_cors_throttling_and_access_logs(template):
    api = template["Resources"]["HttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    properties = api["Properties"]
    assert properties["StageName"] == "$default"
    # No CORS at all unless an origin is named: the page is same-origin.
    assert "CorsConfiguration" not in DeployedStack(template).properties("HttpApi")
    origin = "https://app.example"
    cors = DeployedStack(template, CorsAllowOrigin=origin).properties("HttpApi")[
        "CorsConfiguration"
    ]
    assert cors["AllowOrigins"] == [origin]
    # Every method a route takes, and the preflight's.
    assert set(cors["AllowMethods"]) == {method for method, _, _ in ROUTES} | {"OPTIONS"}
    assert {h.lower() for h in cors["AllowHeaders"]} == {
        "content-type",
        "authorization",
        "idempotency-key",
    }
    assert {h.lower() for h in cors["ExposeHeaders"]} == {"location", "retry-after"}
    assert cors["MaxAge"] > 0
    assert properties["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
    }
    # The short links, every route of the redirect, have a throttle of their own.
    redirect_throttle = {
        "ThrottlingBurstLimit": {"Ref": "RedirectThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "RedirectThrottlingRateLimit"},
    }
    assert properties["RouteSettings"] == {
        f"{method} {path}": redirect_throttle
        for method, path, logical_id in ROUTES
        if logical_id == "RedirectFunction"
    }
    access_logs = properties["AccessLogSettings"]
    group = log_group(template, access_logs["DestinationArn"])
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
    assert "$context.requestId" in access_logs["Format"]


# --- table --------------------------------------------------------------------------


def test_the_links_table(template):
    table = template["Resources"]["LinksTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    properties = table["Properties"]
    assert "TableName" not in properties  # CloudFormation names it; locally it is the logical id
    assert properties["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert {"AttributeName": "PK", "AttributeType": "S"} in properties["AttributeDefinitions"]
    assert {"AttributeName": "SK", "AttributeType": "S"} in properties["AttributeDefinitions"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_no_stack_operation_deletes_the_links(template):
    table = template["Resources"]["LinksTable"]
    # Kept when the stack goes or replaces it; deleted only by the rollback of the very
    # operation that created it (a failed first deploy), when it cannot hold a link yet.
    assert table["DeletionPolicy"] == "RetainExceptOnCreate"
    assert table["UpdateReplacePolicy"] == "Retain"
    # Deletion protection would refuse the rollback's delete as well: a failed first
    # deploy would end ROLLBACK_FAILED, with the table in it, not ROLLBACK_COMPLETE.
    assert "DeletionProtectionEnabled" not in table["Properties"]


def test_two_stacks_in_one_account_publish_layers_of_their_own(template):
    names = {
        DeployedStack(template, stack_name=stack).properties("DependenciesLayer")["LayerName"]
        for stack in ("links-dev", "links-prod")
    }
    # One name would make each stack's deploy a new version of the other's layer.
    assert len(names) == 2


# --- parameters, outputs, suppressions ----------------------------------------------


def test_every_parameter_is_described(template):
    assert template["Parameters"]
    for name, parameter in template["Parameters"].items():
        assert str(parameter.get("Description", "")).strip(), name
        if "Default" in parameter and "AllowedValues" in parameter:
            assert parameter["Default"] in parameter["AllowedValues"], name


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", True),
        ("https://sho.rt", True),
        ("http://localhost:3000", True),
        ("https://example.com/s", True),
        ("https://sho.rt/", False),
        ("https://example.com/s/", False),
        ("sho.rt", False),
        ("ftp://sho.rt", False),
        ("https://", False),
        ("https://sho rt", False),
        ("https://user@sho.rt", False),
        ("https://sho.rt/?q=1", False),
        ("https://sho.rt#frag", False),
    ],
)
def test_public_base_url_is_empty_or_a_url_without_trailing_slash(template, value, allowed):
    parameter = template["Parameters"]["PublicBaseUrl"]
    assert parameter["Default"] == ""
    # CloudFormation matches AllowedPattern against the whole value.
    assert (re.fullmatch(parameter["AllowedPattern"], value) is not None) is allowed


def test_log_retention_takes_only_values_cloudwatch_accepts(template):
    parameter = template["Parameters"]["LogRetentionInDays"]
    assert parameter["AllowedValues"]
    assert set(parameter["AllowedValues"]) <= LOG_RETENTION_DAYS


def test_throttling_and_cors_parameters_have_safe_defaults(template):
    parameters = template["Parameters"]
    assert parameters["CorsAllowOrigin"]["Default"] == ""
    names = ("ThrottlingBurstLimit", "ThrottlingRateLimit")
    for name in (*names, *(f"Redirect{name}" for name in names)):
        assert parameters[name]["Type"] == "Number"
        assert parameters[name]["Default"] >= parameters[name]["MinValue"] >= 1
    # A viral link must not be held to creation's pace.
    for name in names:
        assert parameters[f"Redirect{name}"]["Default"] >= 10 * parameters[name]["Default"]


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", True),
        ("*", True),
        ("https://app.example", True),
        ("http://127.0.0.1:8080", True),
        ("https://app.example/", False),
        ("https://app.example/path", False),
        ("app.example", False),
        ("https://a.example,https://b.example", False),
    ],
)
def test_cors_takes_one_origin(template, value, allowed):
    pattern = template["Parameters"]["CorsAllowOrigin"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("0", True),
        ("10", True),
        ("2000", True),
        ("9", False),
        ("", False),
        ("-1", False),
        ("05", False),
    ],
)
def test_the_waf_limit_is_off_or_at_least_what_waf_takes(template, value, allowed):
    pattern = template["Parameters"]["WafRateLimitPerClient"]["AllowedPattern"]
    assert template["Parameters"]["WafRateLimitPerClient"]["Default"] == "0"
    assert (re.fullmatch(pattern, value) is not None) is allowed


def outputs_the_deploy_tooling_reads() -> set[str]:
    """The names deploy/ asks a stack for: `require(outputs, "Name", ...)` (deploy/stack.py)."""
    names: set[str] = set()
    for module in (REPO_ROOT / "deploy").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("require"):
                names |= {
                    arg.value
                    for arg in node.args[1:]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                }
    return names


def test_every_output_the_deploy_tooling_reads_is_declared_and_described(template):
    read = outputs_the_deploy_tooling_reads()

    assert read, "found no require(stack.outputs, ...) in deploy/"
    assert read <= set(template["Outputs"])
    for name, output in template["Outputs"].items():
        assert str(output.get("Description", "")).strip(), name


def test_every_checkov_suppression_gives_a_reason(template):
    suppressions = [
        (logical_id, skip)
        for logical_id, resource in template["Resources"].items()
        for skip in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", [])
    ]
    assert suppressions
    for logical_id, skip in suppressions:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), (logical_id, skip)
        assert len(skip.get("comment", "").split()) >= 5, (logical_id, skip)


def test_lifecycle_parameters_reach_every_function(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["REDIRECT_STATUS"] == {"Ref": "RedirectStatusCode"}
    assert variables["DENIED_HOSTS"] == {"Ref": "DeniedHosts"}
    assert variables["CREATION_RATE_LIMIT"] == {"Ref": "CreationRateLimit"}
    assert variables["CREATION_RATE_WINDOW_SECONDS"] == {"Ref": "CreationRateWindowSeconds"}
    assert variables["CREATION_RATE_LIMIT_PER_56"] == {"Ref": "CreationRateLimitPer56"}
    assert variables["CREATION_RATE_LIMIT_PER_48"] == {"Ref": "CreationRateLimitPer48"}
    assert variables["CREATION_CEILING_PER_MINUTE"] == {"Ref": "CreationCeilingPerMinute"}
    assert variables["ALLOW_DIRECT_API_ACCESS"] == {"Ref": "AllowDirectApiAccess"}
    assert template["Parameters"]["AllowDirectApiAccess"]["Default"] == "false"
    assert variables["SITE_DOMAIN_NAME"] == {"Ref": "DomainName"}


def test_the_redirect_status_is_a_redirect_and_temporary_by_default(template):
    parameter = template["Parameters"]["RedirectStatusCode"]
    assert parameter["Default"] == 302
    assert set(parameter["AllowedValues"]) == {301, 302, 307, 308}


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", True),
        ("evil.example", True),
        ("evil.example,xn--bcher-kva.example", True),
        ("evil.example, phish.test", True),
        ("https://evil.example", False),
        ("evil.example/", False),
        ("bücher.example", False),
    ],
)
def test_denied_hosts_take_comma_separated_ascii_names(template, value, allowed):
    pattern = template["Parameters"]["DeniedHosts"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


def test_the_creation_rate_limit_defaults_are_sensible(template):
    parameters = template["Parameters"]
    limit, window = parameters["CreationRateLimit"], parameters["CreationRateWindowSeconds"]
    assert limit["MinValue"] == 1
    assert window["MinValue"] == 60
    # Generous for a person, tight for a script: at most one creation every few seconds.
    assert 1 <= window["Default"] / limit["Default"] <= 60
    # Each wider IPv6 prefix may do more than one /64, less than a /64 per /64 it holds.
    per_56, per_48 = parameters["CreationRateLimitPer56"], parameters["CreationRateLimitPer48"]
    assert limit["Default"] < per_56["Default"] < per_48["Default"] < 256 * limit["Default"]
    assert per_48["Default"] < parameters["CreationCeilingPerMinute"]["Default"]


@pytest.mark.parametrize(
    "entry",
    ["evil.example", "EVIL.example.", "xn--bcher-kva.example", "a-b.c", "93.184.216.34",
     "a..b", "1.2", "evil.123", "-", "", "bad_host.example", "evil.example/"],
)  # fmt: skip
def test_denied_hosts_pattern_and_the_code_agree_on_every_entry(template, entry):
    from domain.host_rules import parse_denied_hosts

    pattern = template["Parameters"]["DeniedHosts"]["AllowedPattern"]
    try:
        parse_denied_hosts(entry)
        code_accepts = True
    except ValueError:
        code_accepts = False
    # A value the template lets through but the code refuses would fail every request.
    template_accepts = re.fullmatch(pattern, entry) is not None
    assert not (template_accepts and not code_accepts), entry
    if entry and code_accepts:
        assert template_accepts, entry


def test_the_token_sealing_secret_is_generated_and_reaches_only_the_shortener(template):
    secret = template["Resources"]["TokenSealingSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    reference = {"Fn::Sub": "{{resolve:secretsmanager:${TokenSealingSecret}:SecretString}}"}
    for logical_id, function in functions(template).items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if logical_id == "ShortenFunction":
            assert variables["TOKEN_SEALING_SECRET"] == reference
        else:
            assert "TOKEN_SEALING_SECRET" not in variables
    assert "TOKEN_SEALING_SECRET" not in template["Globals"]["Function"]["Environment"]["Variables"]


def test_a_viral_links_clicks_are_not_held_back_by_the_short_links_throttle(template):
    # Issue 13: one link at 10,000 clicks a second. API Gateway's account quota in most
    # Regions is 10,000 requests a second with a burst of 5,000 ("Amazon API Gateway
    # quotas"): the short links' defaults take all of it, and no more.
    parameters = template["Parameters"]

    assert parameters["RedirectThrottlingRateLimit"]["Default"] == 10_000
    assert parameters["RedirectThrottlingBurstLimit"]["Default"] == 5_000

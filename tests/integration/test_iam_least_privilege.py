"""Least privilege, proven from both ends: what each function's code calls, what the
template lets it call, and that the two are the same.

The code's end: every route the template defines is sent, the happy paths and the
refusals, to the handler the template names for it, against moto; the table's stream
goes to the aggregator as the template's event source mapping would send it (its
filter, a tumbling window), and the aggregator's daily schedule runs; meanwhile every
AWS call any botocore client makes is recorded (service, operation, table, partition
key). The template's end: each function's `Policies` are read as IAM would apply them
(reading a stream is Lambda's, not the code's: left out).
Then, per function, nothing the code calls is missing from the grants, and nothing is
granted that the code never calls: per action, per resource, per `dynamodb:LeadingKeys`
pattern. Neither end is written down here, so the test cannot pass by copying the
template (tests/template/test_properties.py holds the template's own shape).

A policy this test cannot read exactly (a SAM policy template such as
DynamoDBCrudPolicy, a managed policy, wildcards, Deny, other conditions) is refused
rather than guessed at: rewrite it as inline statements, or teach this module.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.client import BaseClient
from moto import mock_aws

from devserver.dynamodb_tables import ensure_table
from devserver.stream_pollers import RecordFilter, lambda_record
from domain.api_keys import issue_api_key
from domain.hot_links import HotLinks
from domain.links import Link
from handlers import wiring
from repository.client import create_dynamodb_client
from repository.dynamodb_api_keys import DynamoDBApiKeys
from repository.dynamodb_links import DynamoDBLinkRepository
from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH, load_template
from sam_template.functions import LambdaFunction
from sam_template.routes import Route
from sam_template.tables import TableDefinition
from tests.conftest import EVENTS_DIR, FakeLambdaContext, load_event
from tests.dynamodb_servers import LINKS_TABLE

APPLICATION = load_application(TEMPLATE_PATH, "us-east-1")
TOPICS = frozenset(
    logical_id
    for logical_id, resource in load_template()["Resources"].items()
    if resource.get("Type") == "AWS::SNS::Topic"
)
FUNCTIONS = {function.logical_id: function for function in APPLICATION.functions}
TABLES = {table.table_name: table for table in APPLICATION.tables}
# API Gateway's own event for each route (events/README.md); a route without one gets
# the GET event's shape with its own method and path.
EVENT_FILES = {
    json.loads(path.read_text(encoding="utf-8"))["routeKey"]: path.name
    for path in sorted(EVENTS_DIR.glob("*.json"))
}
FALLBACK_EVENT = "link-info.json"
# The function the links table's stream feeds (and a daily schedule runs).
AGGREGATOR = "ClickStatsFunction"

# The item-level DynamoDB operations whose IAM action is the operation's own name and
# whose `dynamodb:LeadingKeys` is the partition key of `Key` (or of `Item` for PutItem).
ITEM_OPERATIONS = {
    "GetItem": "Key",
    "PutItem": "Item",
    "UpdateItem": "Key",
    "DeleteItem": "Key",
    "ConditionCheckItem": "Key",
}
LEADING_KEYS_OPERATORS = {"ForAllValues:StringLike", "ForAllValues:StringEquals"}

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0 Safari/537.36"
)


class Unprovable(Exception):
    """A policy, or a call, whose effect this test cannot work out exactly."""


# --- the template's end: what IAM lets each function do --------------------------


@dataclass(frozen=True)
class Grant:
    """One action on one resource for the partition keys one pattern matches, naming at
    most `attributes` (dynamodb:Attributes; None: any)."""

    sid: str
    action: str
    resource: str
    key_pattern: str
    wildcards: bool  # StringLike ("*", "?") or StringEquals
    attributes: frozenset[str] | None = None

    def allows(self, call: ItemCall) -> bool:
        return (
            self.action.lower() == call.action.lower()
            and self.resource == call.resource
            and _matches(self.key_pattern, call.partition_key, wildcards=self.wildcards)
            and (self.attributes is None or call.attributes <= self.attributes)
        )

    def __str__(self) -> str:
        limit = "" if self.attributes is None else f" naming only {sorted(self.attributes)}"
        return (
            f"{self.sid}: {self.action} on {self.resource} for LeadingKeys {self.key_pattern}"
            + limit
        )


def grants_of(template: dict[str, Any], function_id: str) -> list[Grant]:
    """Every (action, resource, partition-key pattern, attributes) the function's role allows.

    The role is the function's own AWS::IAM::Role (`Role: !GetAtt X.Arn`) or the one SAM
    makes from its `Policies`. Raises Unprovable for whatever could widen the role in ways
    not read here."""
    resource = template["Resources"][function_id]
    function = resource["Properties"]
    if "Connectors" in resource:
        raise Unprovable(f"{function_id}: its SAM Connectors add permissions to its role")
    role_id = _own_role(template, function_id, function)
    if attached := _policies_attached_elsewhere(template, function_id, role_id):
        raise Unprovable(f"{function_id}: its role gets policies from {attached}")
    statements = []
    if role_id is None:
        for policy in _as_list(function.get("Policies") or []):
            if not isinstance(policy, dict):
                raise Unprovable(f"{function_id}: managed policy {policy!r} grants what AWS says")
            if not set(policy) <= {"Statement", "Version"}:
                raise Unprovable(
                    f"{function_id}: SAM policy template {sorted(policy)} grants a fixed bundle"
                    " of actions, more than the code needs; write inline statements"
                )
            statements += _as_list(policy["Statement"])
    else:
        role = template["Resources"][role_id]["Properties"]
        if role.get("ManagedPolicyArns"):
            raise Unprovable(f"{role_id}: managed policies grant what their owners say")
        for policy in role.get("Policies") or []:
            statements += _as_list(policy["PolicyDocument"]["Statement"])
    grants = []
    for statement in statements:
        # Lambda writes the function's logs with its role: no code of ours makes those
        # calls (tests/template/test_properties.py holds them to the function's log group).
        if all(str(action).startswith("logs:") for action in _as_list(statement["Action"])):
            continue
        # Lambda's event source mapping reads a table's stream with it too, no code of ours
        # (tests/template/test_click_analytics.py holds them to the links table's stream).
        if _reads_a_stream(statement):
            continue
        if (grant := _index_query_grant(template, function_id, statement)) is not None:
            grants.append(grant)
            continue
        if (grant := _publish_grant(template, function_id, statement)) is not None:
            grants.append(grant)
            continue
        grants += _grants_of_statement(function_id, statement)
    return grants


def _index_query_grant(
    template: dict[str, Any], function_id: str, statement: dict[str, Any]
) -> Grant | None:
    """A statement that lets the function Query one global secondary index of a table of
    the template, and nothing else: `Action: [dynamodb:Query]`, `Resource: !Sub
    "${Table.Arn}/index/<IndexName>"`, no Condition (any of the index's partitions; the
    index holds what its projection says). Anything else about it is read as any other
    statement (and an index Resource then matches no call: granted but unused)."""
    resource = statement.get("Resource")
    if not (
        set(statement) <= {"Sid", "Effect", "Action", "Resource"}
        and statement.get("Effect") == "Allow"
        and _as_list(statement["Action"]) == ["dynamodb:Query"]
        and isinstance(resource, dict)
        and set(resource) == {"Fn::Sub"}
        and isinstance(resource["Fn::Sub"], str)
    ):
        return None
    match = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/(\w+)", resource["Fn::Sub"])
    if match is None:
        return None
    table_id, index = match.groups()
    table = template["Resources"].get(table_id, {})
    indexes = {
        gsi["IndexName"]
        for gsi in (table.get("Properties") or {}).get("GlobalSecondaryIndexes") or []
    }
    if table.get("Type") != "AWS::DynamoDB::Table" or index not in indexes:
        return None
    sid = f"{function_id}.{statement.get('Sid', '(no Sid)')}"
    return Grant(sid, "dynamodb:Query", f"{table_id}.Arn/index/{index}", "*", wildcards=True)


def _publish_grant(
    template: dict[str, Any], function_id: str, statement: dict[str, Any]
) -> Grant | None:
    """A statement that lets the function publish to one SNS topic of the template and do
    nothing else: `Action: [sns:Publish]`, `Resource: !Ref Topic`, no Condition. Any
    other SNS statement is refused (below, as an unread one)."""
    actions = [str(action) for action in _as_list(statement["Action"])]
    if not any(action.lower().startswith("sns:") for action in actions):
        return None
    sid = f"{function_id}.{statement.get('Sid', '(no Sid)')}"
    resource = statement.get("Resource")
    if not (
        set(statement) <= {"Sid", "Effect", "Action", "Resource"}
        and statement.get("Effect") == "Allow"
        and actions == ["sns:Publish"]
        and isinstance(resource, dict)
        and set(resource) == {"Ref"}
        and template["Resources"].get(resource["Ref"], {}).get("Type") == "AWS::SNS::Topic"
    ):
        raise Unprovable(f"{sid}: only sns:Publish on one topic of the template is read here")
    return Grant(sid, "sns:Publish", f"{resource['Ref']}.Ref", "", wildcards=False)


STREAM_READ_ACTIONS = frozenset(
    {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
     "dynamodb:ListStreams"}
)  # fmt: skip


def _reads_a_stream(statement: dict[str, Any]) -> bool:
    """Whether a statement grants reading a table's stream and nothing else: only stream
    actions, only on `!GetAtt Table.StreamArn` or `!Sub "${Table.Arn}/stream/*"`."""
    actions = {str(action) for action in _as_list(statement["Action"])}
    return (
        set(statement) <= {"Sid", "Effect", "Action", "Resource"}
        and statement.get("Effect") == "Allow"
        and bool(actions)
        and actions <= STREAM_READ_ACTIONS
        and all(_is_a_stream(resource) for resource in _as_list(statement["Resource"]))
    )


def _is_a_stream(resource: Any) -> bool:
    if isinstance(resource, dict) and set(resource) == {"Fn::GetAtt"}:
        return bool(resource["Fn::GetAtt"][1] == "StreamArn")
    if isinstance(resource, dict) and set(resource) == {"Fn::Sub"}:
        text = resource["Fn::Sub"]
        return isinstance(text, str) and re.fullmatch(r"\$\{\w+\.Arn\}/stream/\*", text) is not None
    return False


def _own_role(template: dict[str, Any], function_id: str, function: dict[str, Any]) -> str | None:
    """The logical id of the function's own AWS::IAM::Role, or None for SAM's."""
    if "Role" not in function:
        return None
    role = function["Role"]
    if not (isinstance(role, dict) and set(role) == {"Fn::GetAtt"}):
        raise Unprovable(f"{function_id}: a Role from outside the template grants what it says")
    role_id, attribute = role["Fn::GetAtt"]
    if attribute != "Arn" or template["Resources"].get(role_id, {}).get("Type") != "AWS::IAM::Role":
        raise Unprovable(f"{function_id}: Role {role} is not a role of the template")
    if "Policies" in function:
        raise Unprovable(f"{function_id}: SAM ignores Policies beside a Role")
    return str(role_id)


def _grants_of_statement(function_id: str, statement: dict[str, Any]) -> list[Grant]:
    sid = f"{function_id}.{statement.get('Sid', '(no Sid)')}"
    if statement.get("Effect") != "Allow":
        raise Unprovable(f"{sid}: only Allow statements are read here")
    if unread := set(statement) - {"Sid", "Effect", "Action", "Resource", "Condition"}:
        raise Unprovable(f"{sid}: {sorted(unread)} (NotAction, NotResource, ...) not read here")
    actions = _as_list(statement["Action"])
    if wild := [action for action in actions if set(action) & {"*", "?"}]:
        raise Unprovable(f"{sid}: wildcard actions {wild} grant whatever matches, now or later")
    patterns, wildcards, attributes = _conditions(sid, statement.get("Condition"))
    return [
        Grant(sid, action, _resource_name(resource), pattern, wildcards, attributes)
        for action in actions
        for resource in _as_list(statement["Resource"])
        for pattern in patterns
    ]


def _conditions(sid: str, condition: Any) -> tuple[list[str], bool, frozenset[str] | None]:
    """The partition-key patterns a statement is limited to, whether they are StringLike,
    and the attribute names it is limited to (None: any)."""
    if not condition:
        raise Unprovable(f"{sid}: no dynamodb:LeadingKeys condition, so every item is allowed")
    if unknown := set(condition) - LEADING_KEYS_OPERATORS:
        # ForAnyValue is satisfied by one matching key, so it limits nothing.
        raise Unprovable(
            f"{sid}: condition {sorted(unknown)} is not one of {LEADING_KEYS_OPERATORS}"
        )
    keys = [(operator, key) for operator, test in condition.items() for key in test]
    leading = [operator for operator, key in keys if key == "dynamodb:LeadingKeys"]
    attributes = [operator for operator, key in keys if key == "dynamodb:Attributes"]
    # Attribute names are matched exactly; each key appears under one operator only.
    if (
        len(leading) != 1
        or len(keys) != len(leading) + len(attributes)
        or (attributes and attributes != ["ForAllValues:StringEquals"])
    ):
        raise Unprovable(f"{sid}: condition keys {sorted(keys)} are not read here")
    (operator,) = leading
    names = (
        frozenset(_as_list(condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]))
        if attributes
        else None
    )
    patterns = _as_list(condition[operator]["dynamodb:LeadingKeys"])
    return patterns, operator.endswith("StringLike"), names


def _policies_attached_elsewhere(
    template: dict[str, Any], function_id: str, role_id: str | None = None
) -> list[str]:
    """IAM policies and SAM connectors elsewhere in the template naming the function or
    its role (its own, or <function>Role that SAM makes): they add to what it says."""
    names = {function_id, f"{function_id}Role", *([role_id] if role_id else [])}
    subs = {f"${{{name}}}" for name in names} | {f"${{{function_id}."}
    attaching = {
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::Serverless::Connector",
    }
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") in attaching
        and any(text in names or any(sub in text for sub in subs) for text in _strings_in(resource))
    ]


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _resource_name(resource: Any) -> str:
    """`!GetAtt Table.Arn` as "Table.Arn"; any other form as its JSON, which no call
    will match (so it shows up as granted but unused, or a call as missing)."""
    if isinstance(resource, dict) and set(resource) == {"Fn::GetAtt"}:
        logical_id, attribute = resource["Fn::GetAtt"]
        return f"{logical_id}.{attribute}"
    return json.dumps(resource, sort_keys=True)


def _matches(pattern: str, value: str, *, wildcards: bool) -> bool:
    if not wildcards:
        return pattern == value
    # IAM's StringLike: "*" any run of characters, "?" any one; nothing else is special.
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the code's end: what each function calls ------------------------------------


@dataclass(frozen=True)
class ItemCall:
    """A call as IAM authorises it: action, the table's ARN (as the template names it,
    "Table.Arn"), the item's partition key (what dynamodb:LeadingKeys sees) and the
    attribute names the request names (what dynamodb:Attributes sees)."""

    action: str
    resource: str
    partition_key: str
    attributes: frozenset[str] = frozenset()

    def __str__(self) -> str:
        named = f" naming {sorted(self.attributes)}" if self.attributes else ""
        return f"{self.action} on {self.resource} for LeadingKeys {self.partition_key}{named}"


# Expression words that are not attribute names (DynamoDB's expression grammar).
_EXPRESSION_WORDS = frozenset(
    {
        "set", "add", "remove", "delete", "and", "or", "not", "between", "in",
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with",
        "contains", "size", "if_not_exists", "list_append",
    }
)  # fmt: skip
_EXPRESSION_PARAMETERS = (
    "UpdateExpression", "ConditionExpression", "ProjectionExpression", "FilterExpression",
    "KeyConditionExpression",
)  # fmt: skip
_NAME_OR_PLACEHOLDER = re.compile(r"(?<![:\w])(#?[A-Za-z_][A-Za-z0-9_]*)")


def attribute_names(params: dict[str, Any]) -> frozenset[str]:
    """The top-level attribute names a request names: its key's or item's, and those its
    expressions use (a `#name` as ExpressionAttributeNames spells it); what IAM's
    dynamodb:Attributes condition key holds for it."""
    if legacy := {"AttributeUpdates", "Expected", "AttributesToGet"} & set(params):
        raise Unprovable(f"legacy parameters {sorted(legacy)} are not modelled by this test")
    names = set(params.get("Key") or params.get("Item") or {})
    placeholders = params.get("ExpressionAttributeNames") or {}
    for parameter in _EXPRESSION_PARAMETERS:
        expression = params.get(parameter) or ""
        # A path's first element is the attribute: `counts[4]`, `a.b` name `counts`, `a`.
        for token in _NAME_OR_PLACEHOLDER.findall(re.sub(r"[.\[][^\s,=)]*", "", expression)):
            if token.startswith("#"):
                names.add(placeholders[token])
            elif token.lower() not in _EXPRESSION_WORDS:
                names.add(token)
    return frozenset(names)


@dataclass
class CallRecorder:
    """Records every AWS call any botocore client makes while a function runs."""

    tables: dict[str, TableDefinition]
    # The template's SNS topics by the name they have here (their logical id).
    topics: frozenset[str] = frozenset()
    calls: dict[str, set[ItemCall]] = field(default_factory=dict)
    unprovable: dict[str, list[str]] = field(default_factory=dict)
    _running: str | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Below every client, so no client (Powertools' or a new one) goes unseen.
        send = BaseClient._make_api_call  # type: ignore[attr-defined]  # private, unstubbed

        def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if self._running is not None:
                self._record(self._running, client, operation, params)
            return send(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", recorded)

    @contextmanager
    def running(self, function_id: str) -> Iterator[None]:
        self._running = function_id
        try:
            yield
        finally:
            self._running = None

    def _record(self, function_id: str, client: Any, operation: str, params: Any) -> None:
        service = client.meta.service_model.signing_name
        try:
            calls = self.item_calls(service, operation, params)
        except Unprovable as problem:
            self.unprovable.setdefault(function_id, []).append(str(problem))
            return
        self.calls.setdefault(function_id, set()).update(calls)

    def item_calls(self, service: str, operation: str, params: dict[str, Any]) -> list[ItemCall]:
        """A call as IAM authorises it: a transaction item by item, as the action each
        item is (DynamoDB developer guide, "Using IAM with DynamoDB transactions"); a
        BatchGetItem as dynamodb:BatchGetItem on each key it reads."""
        if service == "dynamodb" and operation == "TransactWriteItems":
            return [
                self.item_call(service, _TRANSACTION_ACTIONS[kind], action)
                for item in params["TransactItems"]
                for kind, action in item.items()
            ]
        if service == "dynamodb" and operation == "BatchGetItem":
            return [
                replace(
                    self.item_call(
                        service, "GetItem", {"TableName": table, "Key": key, **_without_keys(reads)}
                    ),
                    action="dynamodb:BatchGetItem",
                )
                for table, reads in params["RequestItems"].items()
                for key in reads["Keys"]
            ]
        return [self.item_call(service, operation, params)]

    def item_call(self, service: str, operation: str, params: dict[str, Any]) -> ItemCall:
        if service == "sns" and operation == "Publish":
            return self.publish_call(params)
        if service != "dynamodb" or operation not in (*ITEM_OPERATIONS, "Query"):
            # Batch and transactional calls are authorised item by item, a Scan by other
            # rules (it has no leading key, so ForAllValues lets it read everything):
            # each needs its own modelling here before the code may use it.
            raise Unprovable(f"{service}:{operation} is not modelled by this test")
        table = self.tables.get(params["TableName"])
        if table is None:
            raise Unprovable(f"{operation} on {params['TableName']}, no table of the template")
        hash_key = next(
            key["AttributeName"]
            for key in table.create_table_arguments["KeySchema"]
            if key["KeyType"] == "HASH"
        )
        resource = f"{table.logical_id}.Arn"
        if operation == "Query" and "IndexName" in params:
            # IAM authorises a Query of an index on the index's ARN, its LeadingKeys the
            # index's partition key (DynamoDB developer guide, "Using IAM policy
            # conditions for fine-grained access control").
            index = next(
                (
                    gsi
                    for gsi in table.create_table_arguments.get("GlobalSecondaryIndexes") or []
                    if gsi["IndexName"] == params["IndexName"]
                ),
                None,
            )
            if index is None:
                raise Unprovable(f"Query of {params['IndexName']}, no index of the template")
            hash_key = next(
                k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH"
            )
            resource = f"{resource}/index/{index['IndexName']}"
            value = _queried_partition_key(params, hash_key)
        elif operation == "Query":
            value = _queried_partition_key(params, hash_key)
        else:
            (value,) = params[ITEM_OPERATIONS[operation]][hash_key].values()
        return ItemCall(f"dynamodb:{operation}", resource, str(value), attribute_names(params))

    def publish_call(self, params: dict[str, Any]) -> ItemCall:
        """An SNS Publish, as IAM authorises it: sns:Publish on the topic. Only to a topic of
        the template, and only by TopicArn (not to a phone number or a target ARN)."""
        if set(params) - {"TopicArn", "Message", "Subject"}:
            raise Unprovable(f"sns:Publish with {sorted(params)} is not modelled by this test")
        topic = str(params.get("TopicArn", "")).rpartition(":")[2]
        if topic not in self.topics:
            raise Unprovable(f"sns:Publish to {params.get('TopicArn')!r}, no topic of the template")
        return ItemCall("sns:Publish", f"{topic}.Ref", "")


_TRANSACTION_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _without_keys(reads: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in reads.items() if name != "Keys"}


def _queried_partition_key(params: dict[str, Any], hash_key: str) -> str:
    """A Query's dynamodb:LeadingKeys: the value its key condition gives the table's hash
    key (a Query reads one partition)."""
    if "KeyConditionExpression" not in params:
        raise Unprovable("only a Query by KeyConditionExpression is modelled")
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    condition = params["KeyConditionExpression"]
    for name, placeholder in re.findall(r"(#?[A-Za-z_]\w*)\s*=\s*(:\w+)", condition):
        if names.get(name, name) == hash_key:
            (value,) = values[placeholder].values()
            return str(value)
    raise Unprovable(f"Query whose key condition sets no {hash_key}: {condition}")


# --- the comparison ------------------------------------------------------------------


def missing_grants(calls: set[ItemCall], grants: list[Grant]) -> list[str]:
    """Calls the code makes that no grant allows: AccessDenied in production."""
    return sorted(str(call) for call in calls if not any(g.allows(call) for g in grants))


def unused_grants(grants: list[Grant], calls: set[ItemCall]) -> list[str]:
    """Grants (per action, resource and key pattern) that no call of the code needs."""
    return sorted(str(grant) for grant in grants if not any(grant.allows(c) for c in calls))


# --- sending the API's requests to the functions the template routes them to ----------


@dataclass
class Api:
    recorder: CallRecorder
    monkeypatch: pytest.MonkeyPatch
    context: Any
    routes_sent: set[str] = field(default_factory=set)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str | None] | None = None,
        environment: dict[str, str] | None = None,
        source_ip: str | None = None,
        query: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The function's answer to one request (from `source_ip`, else the events'
        address), in a fresh execution environment with the template's variables (plus
        `environment`), recorded as that function's."""
        match = APPLICATION.routes.match(method, path)
        assert match is not None, f"no route of the template takes {method} {path}"
        route, function = match.route, FUNCTIONS[match.route.function_id]
        event = _http_event(route, path, match.path_parameters, body, headers or {})
        if query is not None:
            event["queryStringParameters"] = dict(query)
            event["rawQueryString"] = urlencode(query)
        # As the distribution sends it: with the origin secret (handlers/api_requests.py).
        event["headers"]["x-origin-verify"] = function.environment["ORIGIN_VERIFY_SECRET"]
        if source_ip is not None:
            event["requestContext"]["http"]["sourceIp"] = source_ip
        handler = _handler(function)
        with self.monkeypatch.context() as container:
            for name, value in {**function.environment, **(environment or {})}.items():
                container.setenv(name, value)
            wiring.reset()  # settings and repositories built afresh, as in a new container
            with self.recorder.running(function.logical_id):
                response: dict[str, Any] = handler(event, self.context)
            wiring.reset()
        self.routes_sent.add(route.route_key)
        return response

    def invoke(self, function_id: str, event: dict[str, Any]) -> Any:
        """A function's answer to an event that is no request (a stream's batch, a
        schedule's), as JSON carries it, in a fresh execution environment with the
        template's variables, recorded as that function's."""
        function = FUNCTIONS[function_id]
        handler = _handler(function)
        with self.monkeypatch.context() as container:
            for name, value in function.environment.items():
                container.setenv(name, value)
            wiring.reset()
            with self.recorder.running(function_id):
                answer = handler(json.loads(json.dumps(event)), self.context)
            wiring.reset()
        return answer

    def status(self, method: str, path: str, **request: Any) -> int:
        return int(self.send(method, path, **request)["statusCode"])

    def create(self, body: dict[str, Any], **headers: str | None) -> dict[str, Any]:
        response = self.send("POST", "/shorten", body=body, headers=headers)
        assert response["statusCode"] == 201, response["body"]
        created: dict[str, Any] = json.loads(response["body"])
        return created


def _http_event(
    route: Route,
    path: str,
    parameters: dict[str, str],
    body: Any,
    headers: dict[str, str | None],
) -> dict[str, Any]:
    """API Gateway's payload 2.0 event for a request that `route` takes."""
    event = load_event(EVENT_FILES.get(route.route_key, FALLBACK_EVENT))
    event["routeKey"] = event["requestContext"]["routeKey"] = route.route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = route.method
    event.pop("pathParameters", None)
    if parameters:
        event["pathParameters"] = dict(parameters)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-type"] = "application/json"
        event["headers"]["content-length"] = str(len(event["body"].encode()))
    for name, value in headers.items():
        if value is None:
            event["headers"].pop(name, None)
        else:
            event["headers"][name] = value
    return event


def _handler(function: LambdaFunction) -> Callable[[dict[str, Any], Any], Any]:
    module, _, name = function.handler.rpartition(".")
    handler: Callable[[dict[str, Any], Any], Any] = getattr(importlib.import_module(module), name)
    return handler


def exercise_every_route(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """What people and clients do with the API, refusals included, each answer checked
    so that a path that stops being taken cannot go unnoticed."""
    # POST /shorten: created, with an alias, alias taken, invalid, malformed, rate-limited
    # (by the address's limit, by an IPv6 network's, and by the stack-wide ceiling).
    link = api.create({"url": "https://example.com/iam"})
    short_id, token = link["shortId"], link["managementToken"]
    aliased = {"url": "https://example.com/iam", "alias": "iam-proof"}
    api.create(aliased)
    assert api.status("POST", "/shorten", body=aliased) == 409
    assert api.status("POST", "/shorten", body={"uri": "https://a.example/"}) == 422
    assert api.status("POST", "/shorten", body="{not json") == 400
    one_a_window = {"CREATION_RATE_LIMIT": "1"}
    plain = {"url": "https://a.example/"}
    assert api.status("POST", "/shorten", body=plain, environment=one_a_window) == 429
    assert api.status("POST", "/shorten", body=plain, source_ip="2001:db8:1:2::7") == 201
    one_per_48 = {"CREATION_RATE_LIMIT_PER_48": "1"}
    another_64 = {"source_ip": "2001:db8:1:3::7", "environment": one_per_48}
    assert api.status("POST", "/shorten", body=plain, **another_64) == 429
    one_a_minute = {"CREATION_CEILING_PER_MINUTE": "1"}
    assert api.status("POST", "/shorten", body=plain, environment=one_a_minute) == 429

    # POST /shorten with an Idempotency-Key: created, replayed, key reused with another
    # body, and a refusal inside the idempotent part (its record is deleted again).
    key = {"idempotency-key": "iam-proof-idempotency-0001"}
    first = api.create({"url": "https://example.com/once"}, **key)
    assert api.create({"url": "https://example.com/once"}, **key)["shortId"] == first["shortId"]
    other_body = {"url": "https://example.com/other"}
    assert api.status("POST", "/shorten", body=other_body, headers=key) == 422
    refused = {"idempotency-key": "iam-proof-idempotency-0002"}
    assert api.status("POST", "/shorten", body={"url": "ftp://a.example/"}, headers=refused) == 400

    # GET and HEAD /{shortId}: a click, a HEAD, a bot, unknown, impossible, expired.
    expired = _expired_link()
    assert api.status("GET", f"/{short_id}", headers={"user-agent": BROWSER}) == 302
    assert api.status("HEAD", f"/{short_id}") == 302
    assert api.status("GET", f"/{short_id}", headers={"user-agent": "Googlebot/2.1"}) == 302
    assert api.status("GET", "/iam-unknown", headers={"user-agent": BROWSER}) == 404
    assert api.status("HEAD", "/iam-unknown") == 404
    assert api.status("GET", "/wp-login.php", headers={"user-agent": BROWSER}) == 404
    assert api.status("GET", f"/{expired}", headers={"user-agent": BROWSER}) == 410
    assert api.status("HEAD", f"/{expired}") == 410

    make_a_link_go_viral(api, monkeypatch)

    # The stream: the clicks so far reach the aggregator as Lambda's mapping sends them,
    # and its daily run forgets the visitor key the click above made.
    aggregate_the_streams_clicks(api)
    answer = api.invoke(AGGREGATOR, scheduled_event(datetime.now(UTC) + timedelta(days=1)))
    assert answer["forgotten"] >= 1, answer

    # /links/{shortId}: details, QR code, unknown; the owner's changes and deletion,
    # with no token, a wrong one, a bad body, then the right one; then gone.
    as_owner = {"authorization": f"Bearer {token}"}
    as_stranger = {"authorization": "Bearer not-the-links-token-at-all-0000000000"}
    anonymously: dict[str, str | None] = {"authorization": None}
    link_path = f"/links/{short_id}"
    assert api.status("GET", link_path) == 200
    assert api.status("GET", f"{link_path}/qr") == 200
    assert api.status("GET", "/links/iam-unknown") == 404
    assert api.status("GET", "/links/iam-unknown/qr") == 404
    change = {"url": "https://example.com/changed"}
    assert api.status("PATCH", link_path, body=change, headers=anonymously) == 401
    assert api.status("PATCH", link_path, body=change, headers=as_stranger) == 403
    assert api.status("PATCH", "/links/iam-unknown", body=change, headers=as_owner) == 404
    assert api.status("PATCH", link_path, body={"expiresIn": "soon"}, headers=as_owner) == 422
    assert api.status("PATCH", link_path, body=change, headers=as_owner) == 200
    # GET /links/{shortId}/stats: the owner's report, as JSON and as CSV, and refusals.
    stats_path = f"{link_path}/stats"
    assert api.status("GET", stats_path, headers=as_owner) == 200
    assert api.status("GET", stats_path, headers=as_owner, query={"format": "csv"}) == 200
    assert api.status("GET", stats_path, headers=anonymously) == 401
    assert api.status("GET", stats_path, headers=as_stranger) == 403
    assert api.status("GET", "/links/iam-unknown/stats", headers=as_owner) == 404
    reversed_days = {"from": "2026-12-03", "to": "2026-12-01"}
    assert api.status("GET", stats_path, headers=as_owner, query=reversed_days) == 400
    assert api.status("DELETE", link_path, headers=anonymously) == 401
    assert api.status("DELETE", link_path, headers=as_stranger) == 403
    assert api.status("DELETE", link_path, headers=as_owner) == 204
    assert api.status("DELETE", link_path, headers=as_owner) == 410
    assert api.status("GET", link_path) == 410
    assert api.status("GET", f"{link_path}/qr") == 410
    assert api.status("GET", f"/{short_id}", headers={"user-agent": BROWSER}) == 410


def exercise_the_moderation_routes(api: Api, sns: Any) -> None:
    """An operator's day (issue 14): every admin route with an admin key, and refused
    without one, with a key lacking the scope, and with bad input; a viral link taken
    down and back; a host blocked and unblocked; reports, the notified, the throttled,
    the refused and one whose notification fails."""
    admin_key, reader = _stored_key("admin"), _stored_key("links:read")
    as_admin: dict[str, str | None] = {"authorization": f"Bearer {admin_key}"}
    as_reader: dict[str, str | None] = {"authorization": f"Bearer {reader}"}
    link = api.create({"url": "https://moderated.example/x"})["shortId"]
    viral = api.create({"url": "https://moderated.example/viral"})["shortId"]
    repository = DynamoDBLinkRepository(wiring.dynamodb_client(), LINKS_TABLE.table_name)
    assert repository.spread_clicks(repository.get(viral), 2) == 2

    # The listing: refused, a page and the next, filtered, bad parameters.
    assert api.status("GET", "/admin/links") == 401
    assert api.status("GET", "/admin/links", headers=as_reader) == 403
    first = api.send("GET", "/admin/links", headers=as_admin, query={"limit": "1"})
    cursor = json.loads(first["body"])["cursor"]
    assert api.status("GET", "/admin/links", headers=as_admin, query={"cursor": cursor}) == 200
    by_host = {"host": "moderated.example", "since": "2026-01-01T00:00:00Z"}
    assert api.status("GET", "/admin/links", headers=as_admin, query=by_host) == 200
    assert api.status("GET", "/admin/links", headers=as_admin, query={"limit": "0"}) == 400

    # Take-downs: a link, a viral one (its shards too), refusals; then back.
    reason = {"reason": "phishing"}
    for short_id in (link, viral):
        path = f"/admin/links/{short_id}/disable"
        assert api.status("POST", path, body=reason, headers=as_admin) == 200
    assert api.status("GET", f"/{viral}", headers={"user-agent": BROWSER}) == 410
    assert api.status("POST", f"/admin/links/{link}/disable", body={}, headers=as_admin) == 400
    assert (
        api.status("POST", "/admin/links/iam-nolink/disable", body=reason, headers=as_admin) == 404
    )
    for short_id in (link, viral):
        assert api.status("POST", f"/admin/links/{short_id}/enable", headers=as_admin) == 200

    # Blocked hosts: blocked, listed, refused, unblocked (twice).
    host_path = "/admin/blocked-hosts/blocked.example"
    assert api.status("PUT", host_path, body={"reason": "malware"}, headers=as_admin) == 200
    assert api.status("GET", "/admin/blocked-hosts", headers=as_admin) == 200
    assert api.status("PUT", "/admin/blocked-hosts/bücher.de", headers=as_admin) == 400
    assert api.status("DELETE", host_path, headers=as_admin) == 204
    assert api.status("DELETE", host_path, headers=as_admin) == 204

    # Reports: notified, throttled, unknown, rate-limited; one whose notice fails (the
    # topic gone) gives its claim back; then the operator reads them.
    topic = {"REPORT_TOPIC_ARN": sns.create_topic(Name="AlarmTopic")["TopicArn"]}
    reported = {"shortId": link, "reason": "phishing", "details": "it asks for my bank login"}
    assert api.status("POST", "/reports", body=reported, environment=topic) == 202
    assert api.status("POST", "/reports", body=reported, environment=topic) == 202
    unknown = {"shortId": "iam-nolink", "reason": "spam"}
    assert api.status("POST", "/reports", body=unknown, environment=topic) == 404
    one_report = {**topic, "REPORT_RATE_LIMIT": "2"}
    assert api.status("POST", "/reports", body=reported, environment=one_report) == 429
    sns.delete_topic(TopicArn=topic["REPORT_TOPIC_ARN"])
    other = {"shortId": viral, "reason": "malware"}
    assert (
        api.status("POST", "/reports", body=other, environment=topic, source_ip="192.0.2.8") == 202
    )
    assert api.status("GET", "/admin/reports", headers=as_admin) == 200

    # Keys: issued, refused, listed, revoked (twice), unknown.
    issued = api.send(
        "POST",
        "/admin/keys",
        headers=as_admin,
        body={"name": "ci", "owner": "team", "scopes": ["links:write"]},
    )
    assert issued["statusCode"] == 201
    new_id = json.loads(issued["body"])["id"]
    bad_key = {"name": "ci", "owner": "team", "scopes": ["root"]}
    assert api.status("POST", "/admin/keys", body=bad_key, headers=as_admin) == 400
    assert api.status("GET", "/admin/keys", headers=as_admin) == 200
    assert api.status("DELETE", f"/admin/keys/{new_id}", headers=as_admin) == 200
    assert api.status("DELETE", f"/admin/keys/{new_id}", headers=as_admin) == 200
    assert api.status("DELETE", "/admin/keys/0123456789abcdef", headers=as_admin) == 404

    # The audit trail, a page and the next.
    page = api.send("GET", "/admin/audit", headers=as_admin, query={"limit": "2"})
    cursor = json.loads(page["body"])["cursor"]
    assert api.status("GET", "/admin/audit", headers=as_admin, query={"cursor": cursor}) == 200


def exercise_owned_links(api: Api) -> None:
    """A program with API keys (issue 14): links created with a key, labelled, changed,
    read and deleted by the owner's key, listed page by page, exported and imported, and
    every refusal on the way."""
    key = _stored_key("links:read", "links:write")
    writer, reader = _stored_key("links:write"), _stored_key("links:read")
    stranger = _stored_key("links:read", "links:write", owner="someone-else")
    as_key: dict[str, str | None] = {"authorization": f"Bearer {key}"}
    as_writer: dict[str, str | None] = {"authorization": f"Bearer {writer}"}
    as_reader: dict[str, str | None] = {"authorization": f"Bearer {reader}"}
    as_stranger: dict[str, str | None] = {"authorization": f"Bearer {stranger}"}
    unknown = {"authorization": f"Bearer usk_{'0' * 16}_{'A' * 43}"}

    # POST /shorten with a key: owned and labelled; an unknown key; a key without the scope.
    owned = api.create({"url": "https://owned.example/a", "tags": ["iam"]}, **as_key)
    api.create({"url": "https://owned.example/b", "title": "B"}, **as_writer)
    plain = {"url": "https://owned.example/c"}
    assert api.status("POST", "/shorten", body=plain, headers=unknown) == 401
    assert api.status("POST", "/shorten", body=plain, headers=as_reader) == 403
    closed = {"PUBLIC_CREATION": "false"}
    assert api.status("POST", "/shorten", body=plain, environment=closed) == 401

    # The owner's key manages it without the token; another owner's key may not.
    path = f"/links/{owned['shortId']}"
    labels = {"title": "A", "tags": ["iam", "owned"]}
    assert api.status("PATCH", path, body=labels, headers=as_writer) == 200
    assert api.status("PATCH", path, body=labels, headers=as_stranger) == 403
    assert api.status("PATCH", path, body=labels, headers=as_reader) == 403
    assert api.status("GET", f"{path}/stats", headers=as_reader) == 200

    # GET /links: pages, a filter, CSV; refusals.
    first = api.send("GET", "/links", headers=as_key, query={"limit": "1"})
    assert first["statusCode"] == 200, first["body"]
    cursor = json.loads(first["body"])["cursor"]
    assert api.status("GET", "/links", headers=as_key, query={"cursor": cursor}) == 200
    assert api.status("GET", "/links", headers=as_reader, query={"tag": "iam", "q": "a"}) == 200
    assert api.status("GET", "/links", headers=as_key, query={"format": "csv"}) == 200
    assert api.status("GET", "/links") == 401
    assert api.status("GET", "/links", headers=as_writer) == 403
    assert api.status("GET", "/links", headers=as_key, query={"limit": "0"}) == 400

    # POST /links/import: JSON and CSV, each row on its own, replayed with its key.
    rows = {"links": [{"url": "https://owned.example/i1", "alias": "iam-import"}, {"url": "x"}]}
    once = {**as_key, "idempotency-key": "iam-proof-import-0001"}
    assert api.status("POST", "/links/import", body=rows, headers=once) == 200
    assert api.status("POST", "/links/import", body=rows, headers=once) == 200
    csv_rows = "url,alias\nhttps://owned.example/i2,iam-import\n"
    as_csv = {**as_key, "content-type": "text/csv"}
    assert api.status("POST", "/links/import", body=csv_rows, headers=as_csv) == 200
    assert api.status("POST", "/links/import", body=rows) == 401
    assert api.status("POST", "/links/import", body=rows, headers=as_reader) == 403
    assert api.status("POST", "/links/import", body={"links": []}, headers=as_key) == 400

    assert api.status("DELETE", path, headers=as_stranger) == 403
    assert api.status("DELETE", path, headers=as_writer) == 204


def _stored_key(*scopes: str, owner: str = "ops") -> str:
    """A key stored as make admin-key stores one (outside every function's calls)."""
    issued = issue_api_key(name="iam", owner=owner, scopes=scopes, now=datetime.now(UTC))
    DynamoDBApiKeys(wiring.dynamodb_client(), LINKS_TABLE.table_name).add(issued.record)
    return issued.key


def make_a_link_go_viral(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link the redirect finds hot (domain/hot_links.py): its clicks spread over click
    shards, counted there; its details add them up; its owner's change and delete reach
    every shard. One environment's view is shared across the invocations below, as an
    execution environment's is across its own."""
    link = api.create({"url": "https://example.com/viral"})
    short_id, as_owner = link["shortId"], {"authorization": f"Bearer {link['managementToken']}"}
    view = HotLinks()
    view.throttled(short_id)  # as if DynamoDB had refused one of its clicks
    monkeypatch.setattr(wiring, "hot_links", cache(lambda: view))
    clicked = {"user-agent": BROWSER}
    assert api.status("GET", f"/{short_id}", headers=clicked) == 302  # counts, then spreads
    assert view.shard_for(short_id) is not None
    assert api.status("GET", f"/{short_id}", headers=clicked) == 302  # on a shard
    assert api.status("GET", f"/links/{short_id}") == 200
    change = {"url": "https://example.com/viral-2"}
    assert api.status("PATCH", f"/links/{short_id}", body=change, headers=as_owner) == 200
    assert api.status("DELETE", f"/links/{short_id}", headers=as_owner) == 204
    assert api.status("GET", f"/{short_id}", headers=clicked) == 410  # its shard's tombstone


def aggregate_the_streams_clicks(api: Api) -> None:
    """What Lambda's event source mapping does with the table's stream so far: the records
    its filter (the template's) lets through, in one tumbling window, then the window's
    final invocation, when the aggregator writes."""
    (source,) = [s for s in APPLICATION.event_sources if s.function_id == AGGREGATOR]
    region = AWS_TEST_ENVIRONMENT["AWS_DEFAULT_REGION"]
    table = wiring.dynamodb_client().describe_table(TableName=source.table_name)["Table"]
    arn = table["LatestStreamArn"]
    # The classic regional endpoint, named: moto's in-process mock answers DescribeStream
    # "Not yet implemented" at the one botocore's endpoint rules pick by default.
    streams = boto3.client(
        "dynamodbstreams",
        region_name=region,
        endpoint_url=f"https://streams.dynamodb.{region}.amazonaws.com",
    )
    now = datetime.now(UTC).timestamp()
    read = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            if not page["Records"]:
                break
            read += [lambda_record(r, arn, region, (now - 1, now)) for r in page["Records"]]
            iterator = page.get("NextShardIterator")
    passing = RecordFilter(source.filter_patterns)
    clicks = [record for record in read if passing.matches(record)]
    assert clicks, "no click reached the aggregator"
    assert len(clicks) < len(read), "the filter let everything through"
    window = {
        "window": {"start": "2026-12-03T12:00:00Z", "end": "2026-12-03T12:01:00Z"},
        "shardId": "shardId-00000001",
        "eventSourceARN": arn,
        "isWindowTerminatedEarly": False,
    }
    batch = {**window, "Records": clicks, "state": {}, "isFinalInvokeForWindow": False}
    state = api.invoke(AGGREGATOR, batch)["state"]
    final = {**window, "Records": [], "state": state, "isFinalInvokeForWindow": True}
    api.invoke(AGGREGATOR, final)


def scheduled_event(at: datetime) -> dict[str, Any]:
    """What an EventBridge schedule sends its target (EventBridge user guide, the event
    a schedule rule sends)."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": AWS_TEST_ENVIRONMENT["AWS_DEFAULT_REGION"],
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/ForgetVisitorKeys"],
        "detail": {},
    }


def _expired_link() -> str:
    """A link that expired an hour ago, stored directly (no API makes one in the past)."""
    now = datetime.now(UTC)
    link = Link(
        short_id="iam-expired",
        url="https://example.com/",
        created_at=now - timedelta(days=1),
        expires_at=now - timedelta(hours=1),
    )
    DynamoDBLinkRepository(wiring.dynamodb_client(), LINKS_TABLE.table_name).add(link)
    return link.short_id


# --- the tests -------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    recorder: CallRecorder
    routes_sent: set[str]


# Fake credentials and a region, no endpoint: nothing can reach AWS or a local database.
AWS_TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
AWS_UNSET = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")


@pytest.fixture(scope="module")
def story() -> Iterator[Story]:
    """Every route exercised once against moto, each function's calls recorded (once per
    module: the tests below only read what it recorded)."""
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        for name, value in AWS_TEST_ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        for name in AWS_UNSET:
            monkeypatch.delenv(name, raising=False)
        client = create_dynamodb_client()
        ensure_table(client, LINKS_TABLE)
        # One client for every request: building one loads botocore's service model,
        # ~0.1 s each time. Calls are told apart by the function running, not the client.
        monkeypatch.setattr(wiring, "create_dynamodb_client", lambda: client)
        recorder = CallRecorder(TABLES, TOPICS)
        recorder.install(monkeypatch)
        api = Api(recorder, monkeypatch, FakeLambdaContext())
        exercise_every_route(api, monkeypatch)
        exercise_the_moderation_routes(api, boto3.client("sns"))
        exercise_owned_links(api)
        yield Story(recorder, api.routes_sent)
    wiring.reset()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def test_the_story_sends_every_route_of_the_template(story):
    assert story.routes_sent == {route.route_key for route in APPLICATION.routes.routes}


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_each_function_is_granted_exactly_the_dynamodb_calls_its_code_makes(
    story, template, function_id
):
    calls = story.recorder.calls.get(function_id, set())
    grants = grants_of(template, function_id)

    assert story.recorder.unprovable.get(function_id, []) == []
    assert missing_grants(calls, grants) == [], "the code makes calls its role may not"
    assert unused_grants(grants, calls) == [], "the role allows calls the code never makes"


# --- the checks above can fail ---------------------------------------------------------

TABLE_ARN = {"Fn::GetAtt": ["LinksTable", "Arn"]}
READ_LINKS = {
    "Sid": "ReadLinks",
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem"],
    "Resource": TABLE_ARN,
    "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["LINK#*"]}},
}


def template_with(*statements: dict[str, Any], **properties: Any) -> dict[str, Any]:
    """A template with one function, `Fn`, whose Policies hold `statements`."""
    function = {"Policies": [{"Statement": list(statements)}], **properties}
    return {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": function}}}


def reads(partition_key: str, action: str = "dynamodb:GetItem") -> ItemCall:
    return ItemCall(action, "LinksTable.Arn", partition_key)


COUNT_CLICKS = {
    "Sid": "CountClicks",
    "Effect": "Allow",
    "Action": ["dynamodb:UpdateItem"],
    "Resource": TABLE_ARN,
    "Condition": {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["LINK#*"]},
        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["PK", "SK", "clicks"]},
    },
}


def updates(*names: str) -> ItemCall:
    return ItemCall("dynamodb:UpdateItem", "LinksTable.Arn", "LINK#abc", frozenset(names))


def test_a_call_naming_an_attribute_outside_the_grant_is_missing():
    grants = grants_of(template_with(COUNT_CLICKS), "Fn")

    assert missing_grants({updates("PK", "SK", "clicks")}, grants) == []
    assert missing_grants({updates("PK", "SK", "clicks", "url")}, grants) == [
        "dynamodb:UpdateItem on LinksTable.Arn for LeadingKeys LINK#abc naming"
        " ['PK', 'SK', 'clicks', 'url']"
    ]


def test_a_role_of_the_template_is_read_and_its_log_statements_left_to_lambda():
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Policies": [
                {"PolicyName": "logs", "PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}
                ]}},
                {"PolicyName": "table", "PolicyDocument": {"Statement": [READ_LINKS]}},
            ]
        },
    }  # fmt: skip
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Role": {"Fn::GetAtt": ["FnRole2", "Arn"]}},
            },
            "FnRole2": role,
        }
    }

    (grant,) = grants_of(template, "Fn")
    assert str(grant) == "Fn.ReadLinks: dynamodb:GetItem on LinksTable.Arn for LeadingKeys LINK#*"


@pytest.mark.parametrize(
    ("params", "names"),
    [
        (
            {
                "Key": {"PK": {"S": "LINK#a"}, "SK": {"S": "META"}},
                "UpdateExpression": "ADD clicks :one SET lastClickedAt = :now",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(deletedAt)"
                " AND (attribute_not_exists(expiresAt) OR expiresAt > :now)",
            },
            {"PK", "SK", "clicks", "lastClickedAt", "deletedAt", "expiresAt"},
        ),
        (
            {
                "Key": {"PK": {"S": "RATE#a"}, "SK": {"S": "C"}},
                "UpdateExpression": "SET #c[4] = #c[4] + :one, total = total + :one",
                "ConditionExpression": "#w = :w AND size(#c) < :n",
                "ExpressionAttributeNames": {"#c": "counts", "#w": "window"},
            },
            {"PK", "SK", "counts", "total", "window"},
        ),
        ({"Item": {"PK": {"S": "LINK#a"}, "url": {"S": "u"}}}, {"PK", "url"}),
    ],
    ids=["a-click", "paths-and-placeholders", "put-item"],
)
def test_the_attribute_names_a_request_names(params, names):
    assert attribute_names(params) == names


@pytest.mark.parametrize(
    ("statement", "calls", "missing", "unused"),
    [
        (READ_LINKS, {reads("LINK#abc")}, [], []),
        (
            READ_LINKS,
            {reads("LINK#abc"), reads("LINK#abc", "dynamodb:UpdateItem")},
            ["dynamodb:UpdateItem on LinksTable.Arn for LeadingKeys LINK#abc"],
            [],
        ),
        (
            READ_LINKS,
            {reads("RATE#abc")},
            ["dynamodb:GetItem on LinksTable.Arn for LeadingKeys RATE#abc"],
            ["Fn.ReadLinks: dynamodb:GetItem on LinksTable.Arn for LeadingKeys LINK#*"],
        ),
        (
            {**READ_LINKS, "Action": ["dynamodb:GetItem", "dynamodb:DeleteItem"]},
            {reads("LINK#abc")},
            [],
            ["Fn.ReadLinks: dynamodb:DeleteItem on LinksTable.Arn for LeadingKeys LINK#*"],
        ),
        (
            {**READ_LINKS, "Resource": [TABLE_ARN, {"Fn::Sub": "${LinksTable.Arn}/index/*"}]},
            {reads("LINK#abc")},
            [],
            [
                'Fn.ReadLinks: dynamodb:GetItem on {"Fn::Sub": "${LinksTable.Arn}/index/*"}'
                " for LeadingKeys LINK#*"
            ],
        ),
        (
            {
                **READ_LINKS,
                "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["LINK#?"]}},
            },
            {reads("LINK#a"), reads("LINK#ab")},
            ["dynamodb:GetItem on LinksTable.Arn for LeadingKeys LINK#ab"],
            [],
        ),
        (
            {
                **READ_LINKS,
                "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["LINK#*"]}},
            },
            {reads("LINK#abc")},
            ["dynamodb:GetItem on LinksTable.Arn for LeadingKeys LINK#abc"],
            ["Fn.ReadLinks: dynamodb:GetItem on LinksTable.Arn for LeadingKeys LINK#*"],
        ),
    ],
    ids=[
        "exact",
        "action-missing",
        "key-outside-the-pattern",
        "action-unused",
        "index-resource-unused",
        "question-mark-is-one-character",
        "string-equals-has-no-wildcards",
    ],
)
def test_missing_and_unused_grants_are_found(statement, calls, missing, unused):
    grants = grants_of(template_with(statement), "Fn")

    assert missing_grants(calls, grants) == missing
    assert unused_grants(grants, calls) == unused


@pytest.mark.parametrize(
    ("template", "refusal"),
    [
        (
            {"Resources": {"Fn": {"Properties": {"Policies": "AmazonDynamoDBFullAccess"}}}},
            "managed",
        ),
        (
            {"Resources": {"Fn": {"Properties": {"Policies": [{"DynamoDBCrudPolicy": {}}]}}}},
            "SAM policy template",
        ),
        (template_with({**READ_LINKS, "Action": "dynamodb:Get*"}), "wildcard actions"),
        (template_with({**READ_LINKS, "Effect": "Deny"}), "only Allow"),
        (template_with({**READ_LINKS, "NotResource": TABLE_ARN}), "NotResource"),
        (template_with({**READ_LINKS, "Condition": {}}), "no dynamodb:LeadingKeys"),
        (
            template_with(
                {
                    **READ_LINKS,
                    "Condition": {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": "LINK#*"}},
                }
            ),
            "is not one of",
        ),
        (
            template_with(
                {
                    **READ_LINKS,
                    "Condition": {
                        "ForAllValues:StringLike": {
                            "dynamodb:LeadingKeys": "LINK#*",
                            "dynamodb:Attributes": ["url"],
                        }
                    },
                }
            ),
            "condition keys",
        ),
        (
            template_with(READ_LINKS, Role={"Fn::GetAtt": ["SomeRole", "Arn"]}),
            "not a role of the template",
        ),
        (template_with(READ_LINKS, Role="arn:aws:iam::123456789012:role/x"), "from outside"),
    ],
    ids=[
        "managed-policy",
        "sam-policy-template",
        "wildcard-action",
        "deny",
        "not-resource",
        "no-leading-keys",
        "for-any-value",
        "other-condition-key",
        "unknown-role",
        "role-from-outside",
    ],
)
def test_policies_this_test_cannot_read_exactly_are_refused(template, refusal):
    with pytest.raises(Unprovable, match=refusal):
        grants_of(template, "Fn")


@pytest.mark.parametrize(
    "attaching",
    [
        {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "FnRole"}]}},
        {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Roles": [{"Fn::Sub": "${FnRole}"}]}},
        {"Type": "AWS::Serverless::Connector", "Properties": {"Source": {"Id": "Fn"}}},
    ],
    ids=["iam-policy", "managed-policy", "connector"],
)
def test_policies_attached_to_a_functions_role_from_elsewhere_are_refused(attaching):
    template = template_with(READ_LINKS)
    template["Resources"]["Extra"] = attaching

    with pytest.raises(Unprovable, match="gets policies from"):
        grants_of(template, "Fn")


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("dynamodb", "Scan", {"TableName": "LinksTable"}),
        ("dynamodb", "TransactWriteItems", {"TransactItems": []}),
        ("secretsmanager", "GetSecretValue", {"SecretId": "x"}),
        ("dynamodb", "GetItem", {"TableName": "OtherTable", "Key": {"PK": {"S": "LINK#a"}}}),
        ("dynamodb", "BatchGetItem", {"RequestItems": {}}),
        (
            "dynamodb",
            "Query",
            {
                "TableName": LINKS_TABLE.table_name,
                "IndexName": "by-url",
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": {"S": "LINK#a"}},
            },
        ),
        (
            "dynamodb",
            "Query",
            {
                "TableName": LINKS_TABLE.table_name,
                "KeyConditionExpression": "SK = :sk",
                "ExpressionAttributeValues": {":sk": {"S": "META"}},
            },
        ),
    ],
    ids=["scan", "transaction", "other-service", "other-table", "batch", "index", "no-pk"],
)
def test_calls_this_test_cannot_map_to_iam_are_refused(service, operation, params):
    with pytest.raises(Unprovable):
        CallRecorder(TABLES).item_call(service, operation, params)


def test_a_transaction_and_a_batch_read_are_authorised_item_by_item():
    recorder = CallRecorder(TABLES)
    table = LINKS_TABLE.table_name
    shard = {"PK": {"S": "SHARD#abc#1"}, "SK": {"S": "META"}}
    transaction = {
        "TransactItems": [
            {"Update": {"TableName": table, "Key": {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}},
                        "UpdateExpression": "SET shards = :n"}},
            {"Put": {"TableName": table, "Item": {**shard, "url": {"S": "https://a.example/"}}}},
        ]
    }  # fmt: skip
    batch = {"RequestItems": {table: {"Keys": [shard], "ProjectionExpression": "clicks"}}}

    assert [str(c) for c in recorder.item_calls("dynamodb", "TransactWriteItems", transaction)] == [
        "dynamodb:UpdateItem on LinksTable.Arn for LeadingKeys LINK#abc naming"
        " ['PK', 'SK', 'shards']",
        "dynamodb:PutItem on LinksTable.Arn for LeadingKeys SHARD#abc#1 naming ['PK', 'SK', 'url']",
    ]
    assert [str(c) for c in recorder.item_calls("dynamodb", "BatchGetItem", batch)] == [
        "dynamodb:BatchGetItem on LinksTable.Arn for LeadingKeys SHARD#abc#1 naming"
        " ['PK', 'SK', 'clicks']"
    ]


def test_a_put_is_keyed_by_its_items_partition_key():
    item = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}, "url": {"S": "https://a.example/"}}
    params = {"TableName": LINKS_TABLE.table_name, "Item": item}

    call = CallRecorder(TABLES).item_call("dynamodb", "PutItem", params)

    assert call == ItemCall(
        "dynamodb:PutItem",
        f"{LINKS_TABLE.logical_id}.Arn",
        "LINK#abc",
        frozenset({"PK", "SK", "url"}),
    )


def test_a_query_is_keyed_by_the_partition_its_key_condition_names():
    params = {
        "TableName": LINKS_TABLE.table_name,
        "KeyConditionExpression": "#pk = :pk AND SK BETWEEN :first AND :last",
        "ExpressionAttributeNames": {"#pk": "PK"},
        "ExpressionAttributeValues": {
            ":pk": {"S": "STATS#abc"},
            ":first": {"S": "DAY#2026-11-04"},
            ":last": {"S": "DAY#2026-12-03"},
        },
        "ProjectionExpression": "SK, clicks",
    }

    call = CallRecorder(TABLES).item_call("dynamodb", "Query", params)

    assert call == ItemCall(
        "dynamodb:Query",
        f"{LINKS_TABLE.logical_id}.Arn",
        "STATS#abc",
        frozenset({"PK", "SK", "clicks"}),
    )


READ_THE_STREAM = {
    "Sid": "ReadTheStream",
    "Effect": "Allow",
    "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
    "Resource": {"Fn::GetAtt": ["LinksTable", "StreamArn"]},
}
FIND_THE_STREAM = {
    "Sid": "FindTheStream",
    "Effect": "Allow",
    "Action": ["dynamodb:ListStreams"],
    "Resource": {"Fn::Sub": "${LinksTable.Arn}/stream/*"},
}


def test_reading_a_tables_stream_is_left_to_lambdas_event_source_mapping():
    (grant,) = grants_of(template_with(READ_LINKS, READ_THE_STREAM, FIND_THE_STREAM), "Fn")

    assert grant.sid == "Fn.ReadLinks"


@pytest.mark.parametrize(
    "statement",
    [
        {**READ_THE_STREAM, "Resource": TABLE_ARN},
        {**READ_THE_STREAM, "Action": [*READ_THE_STREAM["Action"], "dynamodb:GetItem"]},
        {**FIND_THE_STREAM, "Resource": {"Fn::Sub": "${LinksTable.Arn}*"}},
        {**READ_THE_STREAM, "Resource": "*"},
    ],
    ids=["on-the-table", "with-an-item-action", "beyond-the-streams", "on-everything"],
)
def test_a_statement_that_reaches_beyond_a_stream_is_read_as_any_other(statement):
    with pytest.raises(Unprovable, match="no dynamodb:LeadingKeys"):
        grants_of(template_with(statement), "Fn")


def test_a_query_of_an_index_is_authorised_on_the_index_by_its_partition():
    params = {
        "TableName": LINKS_TABLE.table_name,
        "IndexName": "ListIndex",
        "KeyConditionExpression": "listed = :listed AND created >= :since",
        "ExpressionAttributeValues": {":listed": {"S": "LINK"}, ":since": {"S": "2026"}},
    }

    call = CallRecorder(TABLES).item_call("dynamodb", "Query", params)

    assert call == ItemCall(
        "dynamodb:Query",
        f"{LINKS_TABLE.logical_id}.Arn/index/ListIndex",
        "LINK",
        frozenset({"listed", "created"}),
    )


QUERY_THE_INDEX = {
    "Sid": "ListEveryLink",
    "Effect": "Allow",
    "Action": ["dynamodb:Query"],
    "Resource": {"Fn::Sub": "${LinksTable.Arn}/index/ListIndex"},
}
PUBLISH = {
    "Sid": "Tell",
    "Effect": "Allow",
    "Action": ["sns:Publish"],
    "Resource": {"Ref": "Topic"},
}


def with_table_and_topic(*statements: dict[str, Any]) -> dict[str, Any]:
    template = template_with(*statements)
    template["Resources"]["LinksTable"] = load_template()["Resources"]["LinksTable"]
    template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
    return template


def test_an_index_query_and_a_publish_are_read_exactly():
    grants = grants_of(with_table_and_topic(QUERY_THE_INDEX, PUBLISH), "Fn")
    listing = ItemCall("dynamodb:Query", "LinksTable.Arn/index/ListIndex", "LINK")
    publish = CallRecorder(TABLES, frozenset({"Topic"})).item_call(
        "sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:Topic", "Message": "m"}
    )

    assert missing_grants({listing, publish}, grants) == []
    assert unused_grants(grants, {listing}) == [
        "Fn.Tell: sns:Publish on Topic.Ref for LeadingKeys "
    ]
    # Another index of the table, or one of no table, is granted nothing the code can use.
    other = {**QUERY_THE_INDEX, "Resource": {"Fn::Sub": "${LinksTable.Arn}/index/Other"}}
    with pytest.raises(Unprovable, match="no dynamodb:LeadingKeys"):
        grants_of(with_table_and_topic(other), "Fn")


@pytest.mark.parametrize(
    "statement",
    [
        {**PUBLISH, "Resource": "*"},
        {**PUBLISH, "Action": ["sns:*"]},
        {**PUBLISH, "Action": ["sns:Publish", "sns:Subscribe"]},
        {**PUBLISH, "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}},
    ],
    ids=["any-topic", "any-action", "another-action", "a-condition"],
)
def test_any_other_sns_statement_is_refused(statement):
    with pytest.raises(Unprovable, match="sns:Publish on one topic"):
        grants_of(with_table_and_topic(statement), "Fn")


@pytest.mark.parametrize(
    "params",
    [
        {"TopicArn": "arn:aws:sns:us-east-1:123456789012:Elsewhere", "Message": "m"},
        {"PhoneNumber": "+15550100", "Message": "m"},
        {"TargetArn": "arn:aws:sns:us-east-1:123456789012:endpoint/x", "Message": "m"},
    ],
    ids=["other-topic", "sms", "endpoint"],
)
def test_a_publish_anywhere_but_a_topic_of_the_template_is_refused(params):
    with pytest.raises(Unprovable):
        CallRecorder(TABLES, frozenset({"Topic"})).item_call("sns", "Publish", params)

"""What deploying a template takes, and what a role's policies give: the two sides of
tests/template/test_deploy_permissions.py.

What it takes comes from AWS's own data, not from us:
- the template as CloudFormation sees it after the SAM transform (aws-sam-translator,
  the library `sam` and CloudFormation's transform use), with the artifact URIs that
  `sam deploy` writes in;
- for each resource type, the permissions its CloudFormation handlers list (the
  registry schemas' `handlers.{create,read,update,delete}.permissions`, which cfn-lint
  ships), keeping only actions IAM knows (cfn-lint's IAM action list: some handlers
  list names such as `s3:REST.PUT.OBJECT` that no policy can grant).

What a role gives is read from its policy statements as IAM evaluates them: an
action pattern matches case-insensitively with `*` and `?`, a resource pattern with
`*` and `?` across `:` and `/`; a statement's conditions are reported, not evaluated.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from sam_template.document import load_template
from tests.template.conftest import REPO_ROOT, tool_env

APP_TEMPLATE = REPO_ROOT / "template.yaml"
BOOTSTRAP_TEMPLATE = REPO_ROOT / "deploy" / "bootstrap-oidc.yaml"

# A stack as samconfig.toml names them, in an example account.
REGION = "us-east-1"
ACCOUNT = "123456789012"
APP = "url-shortener"
STACK = f"{APP}-prod-{REGION}"
HANDLERS = ("create", "read", "update", "delete")
CFN_LINT_DATA = Path(cfnlint.__file__).parent / "data"

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_SECRET_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:(\$\{[^}]+\}|[^:}]+)")


# Run in the SAM CLI's venv, whose aws-sam-translator (the transform `sam` and
# CloudFormation apply) pins a pydantic other than the functions'.
_TRANSFORM = """
import json, sys
import boto3
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

template, problems = decode(sys.argv[1])
assert template is not None and not problems, problems
# `sam deploy` uploads the code and rewrites these to its bucket before the transform.
template.get("Globals", {}).get("Function", {})["CodeUri"] = "s3://artifacts/functions.zip"
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::LayerVersion":
        resource["Properties"]["ContentUri"] = "s3://artifacts/layer.zip"
translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=sys.argv[2]))
print(json.dumps(translator.translate(template, parameter_values={})))
"""


def sam_venv_python() -> Path:
    """The SAM CLI's venv's python: skipped locally without it, a failure in CI."""
    python = REPO_ROOT / ".venv-sam" / "bin" / "python"
    if not python.exists():
        message = "the SAM CLI's venv is missing: run `make test-deps`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return python


def in_sam_venv(script: str, *arguments: str) -> str:
    """What `script` prints, run by the SAM CLI's venv's python, offline."""
    result = subprocess.run(
        [sam_venv_python(), "-c", script, *arguments],
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@cache
def transformed_app_template() -> dict[str, Any]:
    """template.yaml after the SAM transform, as CloudFormation deploys it."""
    transformed: dict[str, Any] = json.loads(in_sam_venv(_TRANSFORM, str(APP_TEMPLATE), REGION))
    return transformed


@cache
def registry_schemas() -> dict[str, dict[str, Any]]:
    """Resource type -> its CloudFormation registry schema, as cfn-lint ships it."""
    folder = CFN_LINT_DATA / "schemas" / "resources"
    schemas = {}
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[schema["typeName"]] = schema
    return schemas


@cache
def handler_permissions() -> dict[str, dict[str, frozenset[str]]]:
    """Resource type -> handler -> the permissions CloudFormation's handler lists."""
    permissions = {}
    for type_name, schema in registry_schemas().items():
        handlers = schema.get("handlers", {})
        permissions[type_name] = {
            handler: frozenset(handlers.get(handler, {}).get("permissions", []))
            for handler in HANDLERS
        }
    return permissions


@cache
def iam_actions() -> frozenset[str]:
    """Every action IAM defines, as `service:action` in lower case."""
    path = CFN_LINT_DATA / "AdditionalSpecs" / "Policies.json"
    services = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(
        f"{service}:{action}" for service, data in services.items() for action in data["Actions"]
    )


def is_iam_action(action: str) -> bool:
    return action.lower() in iam_actions()


# --- resolving intrinsics of the example stack --------------------------------------


def resolve(value: Any, names: Mapping[str, str]) -> Any:
    """`value` with Ref, Fn::Sub, Fn::GetAtt and Fn::Join evaluated from `names`.

    `names` maps a parameter, pseudo parameter or logical id to its value, and
    "Logical.Attribute" to an attribute's."""
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref":
            return names[argument]
        if key == "Fn::GetAtt":
            return names[".".join(argument) if isinstance(argument, list) else argument]
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            scope = {**names, **{k: resolve(v, names) for k, v in variables.items()}}
            return _SUB_VARIABLE.sub(lambda match: str(scope[match.group(1)]), text)
        if key == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in resolve(items, names))
    return {key: resolve(item, names) for key, item in value.items()}


def pseudo_parameters(region: str = REGION) -> dict[str, str]:
    return {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT, "AWS::Region": region}


# --- policies ------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Any] = field(default_factory=dict)

    def allows_action(self, action: str) -> bool:
        return any(_matches(pattern.lower(), action.lower()) for pattern in self.actions)

    def covers(self, arn: str) -> bool:
        return any(_matches(pattern, arn) for pattern in self.resources)


def statements(document: Mapping[str, Any]) -> list[Statement]:
    """A resolved policy document's statements."""
    return [
        Statement(
            sid=raw.get("Sid", ""),
            effect=raw["Effect"],
            actions=tuple(as_list(raw["Action"])),
            resources=tuple(as_list(raw["Resource"])),
            condition=raw.get("Condition", {}),
        )
        for raw in as_list(document["Statement"])
    ]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str) -> bool:
    # IAM's wildcards: "*" any run of characters (":" and "/" included), "?" one.
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


@dataclass(frozen=True)
class Role:
    """A role's statements, as the bootstrap stack creates it."""

    name: str
    statements: tuple[Statement, ...]

    def allowing(self, action: str) -> Iterator[Statement]:
        return (s for s in self.statements if s.effect == "Allow" and s.allows_action(action))

    def denying(self, action: str) -> Iterator[Statement]:
        return (s for s in self.statements if s.effect == "Deny" and s.allows_action(action))


def bootstrap_names(bootstrap: Mapping[str, Any]) -> dict[str, str]:
    """What the bootstrap stack's own Refs and GetAtts evaluate to, with its defaults."""
    names = {**pseudo_parameters(), "AWS::StackName": "bootstrap-url-shortener"}
    names.update({name: str(p.get("Default", "")) for name, p in bootstrap["Parameters"].items()})
    names["GitHubOwner"], names["GitHubRepo"] = "example-owner", "example-repo"
    resources = bootstrap["Resources"]
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            name = resolve(properties["ManagedPolicyName"], names)
            names[logical_id] = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        elif resource["Type"] == "AWS::IAM::Role":
            name = resolve(properties["RoleName"], names)
            names[logical_id] = name
            names[f"{logical_id}.Arn"] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        elif resource["Type"] == "AWS::IAM::OIDCProvider":
            names[logical_id] = (
                f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
            )
    return names


def bootstrap_role(logical_id: str) -> Role:
    """A role of deploy/bootstrap-oidc.yaml, with its inline and attached managed policies."""
    bootstrap = load_template(BOOTSTRAP_TEMPLATE)
    names = bootstrap_names(bootstrap)
    resources = bootstrap["Resources"]
    role = resources[logical_id]["Properties"]
    documents = [policy["PolicyDocument"] for policy in role.get("Policies", [])]
    for arn in as_list(role.get("ManagedPolicyArns", [])):
        ref = arn["Ref"]
        documents.append(resources[ref]["Properties"]["PolicyDocument"])
    found = [s for document in documents for s in statements(resolve(document, names))]
    return Role(resolve(role["RoleName"], names), tuple(found))


# --- the resources of a stack and the ARNs they get ------------------------------------


def generated_name(logical_id: str, stack: str = STACK) -> str:
    """The kind of physical name CloudFormation generates: stack, logical id, random."""
    return f"{stack}-{logical_id}-1A2B3C4D5E6F7"[:64]


def app_names(template: Mapping[str, Any], stack: str = STACK) -> dict[str, str]:
    """What each Ref and GetAtt the app's policies use evaluates to in the example stack."""
    names = {**pseudo_parameters(), "AWS::StackName": stack}
    names.update({name: str(p.get("Default", "")) for name, p in template["Parameters"].items()})
    for logical_id, resource in template["Resources"].items():
        name = generated_name(logical_id, stack)
        names[logical_id] = name
        # Types whose Ref is their ARN, not their name.
        if resource["Type"] in ("AWS::SNS::Topic", "AWS::SecretsManager::Secret"):
            names[logical_id] = resource_arns(logical_id, resource, names, stack)[0]
    return names


def resource_arns(
    logical_id: str, resource: Mapping[str, Any], names: Mapping[str, str], stack: str = STACK
) -> list[str]:
    """The ARNs a resource of the example stack has (several where IAM names more than one
    form, e.g. a layer and its versions); empty where the type is not modelled here."""
    kind = resource["Type"]
    properties = resource.get("Properties", {})
    region, account = REGION, ACCOUNT
    name = generated_name(logical_id, stack)
    if kind == "AWS::DynamoDB::Table":
        return [f"arn:aws:dynamodb:{region}:{account}:table/{name}"]
    if kind == "AWS::Lambda::Function":
        return [f"arn:aws:lambda:{region}:{account}:function:{name}"]
    if kind == "AWS::Lambda::Permission":
        function = resolve(properties["FunctionName"], names)
        return [f"arn:aws:lambda:{region}:{account}:function:{function}"]
    if kind == "AWS::Lambda::EventSourceMapping":
        # Named by a UUID Lambda picks, never by the stack.
        return [f"arn:aws:lambda:{region}:{account}:event-source-mapping:0a1b2c3d-4e5f-6a7b-8c9d"]
    if kind == "AWS::Events::Rule":
        return [f"arn:aws:events:{region}:{account}:rule/{name}"]
    if kind == "AWS::Lambda::LayerVersion":
        layer = resolve(properties.get("LayerName", name), names)
        base = f"arn:aws:lambda:{region}:{account}:layer:{layer}"
        return [base, f"{base}:1"]
    if kind == "AWS::IAM::Role":
        return [f"arn:aws:iam::{account}:role/{name}"]
    if kind == "AWS::Logs::LogGroup":
        base = f"arn:aws:logs:{region}:{account}:log-group:{name}"
        return [base, f"{base}:*"]
    if kind == "AWS::SNS::Topic":
        return [f"arn:aws:sns:{region}:{account}:{name}"]
    if kind == "AWS::SNS::Subscription":
        return [resolve(properties["TopicArn"], names)]
    if kind == "AWS::CloudWatch::Alarm":
        return [f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"]
    if kind == "AWS::S3::Bucket":
        return [f"arn:aws:s3:::{name.lower()[:63]}"]
    if kind == "AWS::S3::BucketPolicy":
        bucket = resolve(properties["Bucket"], names)
        return [f"arn:aws:s3:::{bucket.lower()[:63]}"]
    if kind == "AWS::SecretsManager::Secret":
        secret = resolve(properties.get("Name", name), names)
        return [f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-AbCdEf"]
    if kind == "AWS::WAFv2::WebACL":
        acl = resolve(properties["Name"], names)
        return [f"arn:aws:wafv2:us-east-1:{account}:global/webacl/{acl}/0a1b2c3d"]
    if kind == "AWS::ApiGatewayV2::Api":
        return [f"arn:aws:apigateway:{region}::/apis/a1b2c3d4e5"]
    if kind == "AWS::ApiGatewayV2::Stage":
        return [f"arn:aws:apigateway:{region}::/apis/a1b2c3d4e5/stages/$default"]
    return []


# The IAM resource types (cfn-lint's IAM data, lower-cased) that name each resource type.
_IAM_RESOURCE_TYPES = {
    "AWS::Lambda::Function": {"function"},
    "AWS::Lambda::Permission": {"function"},
    "AWS::Lambda::LayerVersion": {"layer", "layerversion"},
    "AWS::Lambda::EventSourceMapping": {"eventsourcemapping"},
    "AWS::Events::Rule": {"rule-on-default-event-bus"},
    "AWS::DynamoDB::Table": {"table"},
    "AWS::IAM::Role": {"role"},
    "AWS::Logs::LogGroup": {"log-group"},
    "AWS::SNS::Topic": {"topic"},
    "AWS::SNS::Subscription": {"topic"},
    "AWS::CloudWatch::Alarm": {"alarm"},
    "AWS::S3::Bucket": {"bucket"},
    "AWS::S3::BucketPolicy": {"bucket"},
    "AWS::SecretsManager::Secret": {"secret"},
    "AWS::WAFv2::WebACL": {"webacl"},
    "AWS::ApiGatewayV2::Api": {"apis"},
    "AWS::ApiGatewayV2::Stage": {"stages"},
}


def acts_on(action: str, resource_type: str) -> bool:
    """Whether IAM authorises `action` against a resource of `resource_type` itself
    (lambda:CreateFunction on a function: yes; lambda:GetLayerVersion, which a function's
    creation also calls, acts on the layer)."""
    service, name = action.lower().split(":", 1)
    resources = _iam_action_resources().get(f"{service}:{name}", frozenset())
    return not resources.isdisjoint(_IAM_RESOURCE_TYPES.get(resource_type, set()))


@cache
def _iam_action_resources() -> dict[str, frozenset[str]]:
    path = CFN_LINT_DATA / "AdditionalSpecs" / "Policies.json"
    services = json.loads(path.read_text(encoding="utf-8"))
    return {
        f"{service}:{action}": frozenset(r.lower() for r in data.get("Resources", []))
        for service, entry in services.items()
        for action, data in entry["Actions"].items()
    }


def secret_references(value: Any) -> Iterable[str]:
    """The secret ids of every {{resolve:secretsmanager:...}} in a resource's properties."""
    return _SECRET_REFERENCE.findall(json.dumps(value))

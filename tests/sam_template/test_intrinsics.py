"""Intrinsic functions resolve to what a local stack has, or fail by name."""

from __future__ import annotations

from typing import Any

import pytest

from sam_template.document import load_template
from sam_template.intrinsics import NO_VALUE, LocalStack, Resolver, UnresolvableError

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "PublicBaseUrl": {"Type": "String", "Default": ""},
        "Stage": {"Type": "String", "Default": "dev"},
        "Limit": {"Type": "Number", "Default": 100},
        "Origins": {"Type": "CommaDelimitedList", "Default": "a.example, b.example"},
        "NoDefault": {"Type": "String"},
    },
    "Mappings": {"Sizes": {"dev": {"Memory": 256}}},
    "Conditions": {
        "HasPublicBaseUrl": {"Fn::Not": [{"Fn::Equals": [{"Ref": "PublicBaseUrl"}, ""]}]},
        "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
        "DevWithoutUrl": {
            "Fn::And": [{"Condition": "IsDev"}, {"Fn::Not": [{"Condition": "HasPublicBaseUrl"}]}]
        },
    },
    "Resources": {
        "NamedTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "links"}},
        "SubNamedTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {"TableName": {"Fn::Sub": "${AWS::StackName}-links"}},
        },
        "UnnamedTable": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Api": {"Type": "AWS::Serverless::HttpApi"},
        "ProdOnly": {"Type": "AWS::SNS::Topic", "Condition": "HasPublicBaseUrl"},
    },
}


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(TEMPLATE, LocalStack(region="eu-west-1"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ({"Ref": "Stage"}, "dev"),
        ({"Ref": "Limit"}, "100"),
        ({"Ref": "Origins"}, ["a.example", "b.example"]),
        ({"Ref": "NamedTable"}, "links"),
        ({"Ref": "SubNamedTable"}, "local-links"),
        ({"Ref": "UnnamedTable"}, "UnnamedTable"),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        (
            {"Fn::GetAtt": ["NamedTable", "Arn"]},
            "arn:aws:dynamodb:eu-west-1:123456789012:table/links",
        ),
        (
            {"Fn::GetAtt": "UnnamedTable.Arn"},
            "arn:aws:dynamodb:eu-west-1:123456789012:table/UnnamedTable",
        ),
        ({"Fn::Sub": "${Stage}/${NamedTable}/${!Literal}"}, "dev/links/${Literal}"),
        (
            {"Fn::Sub": ["${X}-${NamedTable.Arn}", {"X": {"Ref": "Stage"}}]},
            "dev-arn:aws:dynamodb:eu-west-1:123456789012:table/links",
        ),
        ({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}, "a-dev"),
        ({"Fn::If": ["IsDev", "yes", "no"]}, "yes"),
        ({"Fn::If": ["DevWithoutUrl", "yes", "no"]}, "yes"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}, 256),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Fn::If": ["HasPublicBaseUrl", "x", {"Ref": "AWS::NoValue"}]}, NO_VALUE),
    ],
)
def test_values_resolve_as_a_local_stack(resolver: Resolver, value: Any, expected: Any) -> None:
    assert resolver.resolve(value) == expected


def test_no_value_drops_the_key_or_item(resolver: Resolver) -> None:
    value = {"A": "a", "B": {"Ref": "AWS::NoValue"}, "C": ["x", {"Ref": "AWS::NoValue"}]}

    assert resolver.resolve(value) == {"A": "a", "C": ["x"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Ref": "Missing"}, "no such parameter or resource"),
        ({"Ref": "NoDefault"}, "has no Default"),
        ({"Fn::GetAtt": ["Api", "ApiEndpoint"]}, "exists only in a deployed stack"),
        ({"Fn::ImportValue": "shared-vpc"}, "exists only in a deployed stack"),
        ({"Fn::If": ["Missing", "a", "b"]}, "no such condition"),
    ],
)
def test_what_only_a_deployed_stack_knows_fails_by_name(
    resolver: Resolver, value: Any, message: str
) -> None:
    with pytest.raises(UnresolvableError, match=message):
        resolver.resolve(value)


def test_a_resource_whose_condition_is_false_is_not_created(resolver: Resolver) -> None:
    assert resolver.resource_enabled("NamedTable")
    assert not resolver.resource_enabled("ProdOnly")


def test_short_form_tags_from_yaml_resolve(tmp_path: Any) -> None:
    template_path = tmp_path / "template.yaml"
    template_path.write_text(
        "Parameters:\n  Stage: {Type: String, Default: dev}\n"
        "Resources:\n"
        "  Table:\n    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n      TableName: !Sub '${Stage}-links'\n"
        "  Other:\n    Type: AWS::SNS::Topic\n"
        "    Properties:\n      TopicName: !Join ['-', [!Ref Table, !GetAtt Table.Arn]]\n",
        encoding="utf-8",
    )
    template = load_template(template_path)
    resolver = Resolver(template, LocalStack(region="us-east-1"))

    topic_name = resolver.resolve(template["Resources"]["Other"]["Properties"]["TopicName"])

    assert topic_name == "dev-links-arn:aws:dynamodb:us-east-1:123456789012:table/dev-links"


def test_secret_dynamic_references_become_random_stand_ins_stable_per_process():
    template = {
        "Resources": {"Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}}},
    }
    resolver = Resolver(template, LocalStack(region="us-east-1"))
    reference = {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString}}"}

    first, again = resolver.resolve(reference), resolver.resolve(reference)
    other = Resolver(template, LocalStack(region="us-east-1")).resolve(reference)

    assert first == again
    assert first != other
    assert "resolve" not in first
    assert len(first) >= 32

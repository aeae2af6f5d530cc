"""A template reads as CloudFormation's long form in plain types; no template is refused."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from sam_template.document import load_template


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def types_in(value: Any) -> set[type]:
    if isinstance(value, dict):
        return {dict}.union(*(types_in(key) | types_in(item) for key, item in value.items()))
    if isinstance(value, list):
        return {list}.union(*(types_in(item) for item in value))
    return {type(value)}


def test_short_forms_become_the_long_form_in_plain_types(tmp_path: Path) -> None:
    template = load_template(
        written(
            tmp_path,
            "Resources:\n"
            "  Topic:\n"
            "    Type: AWS::SNS::Topic\n"
            "    Properties:\n"
            "      TopicName: !If [IsProd, !Ref Name, !Sub '${AWS::StackName}-topic']\n"
            "      DisplayName: !GetAtt Table.StreamArn\n"
            "      Enabled: !Condition IsProd\n",
        )
    )

    assert template["Resources"]["Topic"]["Properties"] == {
        "TopicName": {
            "Fn::If": ["IsProd", {"Ref": "Name"}, {"Fn::Sub": "${AWS::StackName}-topic"}]
        },
        "DisplayName": {"Fn::GetAtt": ["Table", "StreamArn"]},
        "Enabled": {"Condition": "IsProd"},
    }
    assert types_in(template) == {dict, list, str}
    assert pickle.loads(pickle.dumps(template)) == template  # noqa: S301 (our own bytes)


def test_a_key_given_twice_is_refused_with_its_lines(tmp_path: Path) -> None:
    path = written(
        tmp_path, "Resources:\n  A: {Type: AWS::SNS::Topic}\n  A: {Type: AWS::SQS::Queue}\n"
    )

    with pytest.raises(ValueError, match=r"line 2: Duplicate found 'A'.*line 3"):
        load_template(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources: {\n", "line 2"),
        ("Parameters: {}\n", "no Resources"),
        ("- a list\n", "no Resources"),
    ],
)
def test_what_is_no_template_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_template(written(tmp_path, text))

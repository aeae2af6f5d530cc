"""Read template.yaml the way CloudFormation does, so local tools cannot drift from what deploys.

CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) become the
long form (`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`, `{"Fn::Sub": ...}`), which
is what every consumer of a template (cfn-lint, SAM, tests) reasons about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that also understands CloudFormation's intrinsic-function tags."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as CloudFormation's JSON form: a dict with Resources, Parameters, ..."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_TemplateLoader)  # noqa: S506 (SafeLoader subclass)
    if not isinstance(document, dict) or "Resources" not in document:
        raise ValueError(f"{path} is not a CloudFormation template (no Resources)")
    return document


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of one type (e.g. AWS::Serverless::Function)."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == resource_type
    }

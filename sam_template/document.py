"""Read template.yaml the way CloudFormation does, so local tools cannot drift from what deploys.

cfn-lint's decoder reads it (the one `sam validate --lint` uses): CloudFormation's
short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) become the long form
(`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`, `{"Fn::Sub": ...}`), which is what
every consumer of a template (cfn-lint, SAM, tests) reasons about, and a key given
twice is refused rather than silently overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as CloudFormation's JSON form: a dict with Resources, Parameters, ...

    Raises OSError, or ValueError for a file that is not a template (YAML or JSON
    CloudFormation refuses, no Resources).
    """
    # Imported here: cfn-lint brings sympy and networkx (about a second), which only
    # reading a template needs, not every importer of REPO_ROOT.
    from cfnlint.decode import decode_str

    document, problems = decode_str(path.read_text(encoding="utf-8"))
    if problems:
        found = "; ".join(f"line {problem.linenumber}: {problem.message}" for problem in problems)
        raise ValueError(f"{path} is not a CloudFormation template: {found}")
    if not isinstance(document, dict) or "Resources" not in document:
        raise ValueError(f"{path} is not a CloudFormation template (no Resources)")
    plain: dict[str, Any] = _plain(document)
    return plain


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of one type (e.g. AWS::Serverless::Function)."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == resource_type
    }


def _plain(value: Any) -> Any:
    """cfn-lint's nodes (str, dict and list subclasses that carry their line) as the plain
    types: they compare equal either way, but nodes cannot be pickled (their classes are
    made inside a function) and a dict node's `get` turns a dict default into a node."""
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value

"""The template's values as a stack deployed with given parameters would have them.

A test that asks "with a custom domain, what does the distribution serve?" evaluates the
template's conditions and intrinsics (sam_template's resolver) instead of comparing
the `Fn::If` it is written with: a rewording that behaves the same still passes, and a
condition that behaves differently fails.
"""

from __future__ import annotations

from typing import Any

from sam_template.intrinsics import LocalStack, Resolver, UnresolvableError

REGION = "us-east-1"


class DeployedStack(Resolver):
    """Parameters as given (the rest take their Default); what only a deployed stack
    knows (a CloudFront domain, an API endpoint) stands in as `<Logical.Attribute>`."""

    def __init__(self, template: dict[str, Any], stack_name: str = "local", **parameters: str):
        super().__init__(
            template,
            LocalStack(region=REGION, stack_name=stack_name, parameter_overrides=parameters),
        )
        self.template = template

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            return super().get_att(logical_id, attribute)
        except UnresolvableError:
            if logical_id not in self.template["Resources"]:
                raise
            return f"<{logical_id}.{attribute}>"

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's properties, resolved; {} for one its condition leaves out."""
        if not self.resource_enabled(logical_id):
            return {}
        resolved: dict[str, Any] = self.resolve(
            self.template["Resources"][logical_id].get("Properties") or {}
        )
        return resolved

    def output(self, name: str) -> Any:
        return self.resolve(self.template["Outputs"][name]["Value"])

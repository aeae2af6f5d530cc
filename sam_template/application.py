"""What the template declares, for a stack in one region: functions, routes, tables, and
the DynamoDB stream event sources of the functions.

Parameters take the values given (as `sam deploy --parameter-overrides`) or their
Default. What cannot run locally is a TemplateProblem with its reason, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sam_template.document import load_template
from sam_template.event_sources import StreamEventSource, stream_event_sources
from sam_template.functions import (
    LambdaFunction,
    TemplateProblem,
    functions_from_template,
    routes_from_template,
)
from sam_template.intrinsics import LocalStack, Resolver
from sam_template.routes import RouteTable
from sam_template.tables import TableDefinition, tables_from_template


@dataclass(frozen=True)
class Application:
    template_path: Path
    template: dict[str, Any]
    # Answers the template's intrinsics for this stack. Keep using this one: a secret's
    # stand-in value is the same only within one resolver.
    resolver: Resolver
    functions: list[LambdaFunction]
    routes: RouteTable
    tables: list[TableDefinition]
    event_sources: list[StreamEventSource]
    problems: list[TemplateProblem]


def load_application(
    template_path: Path, region: str, parameter_overrides: Mapping[str, str] | None = None
) -> Application:
    """Raises OSError, ValueError (a file that is no template, RouteError,
    UnresolvableError) or KeyError."""
    template = load_template(template_path)
    _check_shape(template)
    unknown = set(parameter_overrides or {}) - set(template.get("Parameters") or {})
    if unknown:
        raise ValueError(f"no such template parameter(s): {', '.join(sorted(unknown))}")
    stack = LocalStack(region=region, parameter_overrides=dict(parameter_overrides or {}))
    resolver = Resolver(template, stack)
    functions, problems = functions_from_template(template, template_path.parent, resolver)
    routes, route_problems = routes_from_template(template, functions)
    event_sources, event_source_problems = stream_event_sources(template, functions, resolver)
    return Application(
        template_path=template_path,
        template=template,
        resolver=resolver,
        functions=functions,
        routes=RouteTable(routes),
        tables=tables_from_template(template, resolver),
        event_sources=event_sources,
        problems=[*problems, *route_problems, *event_source_problems],
    )


def _check_shape(template: dict[str, Any]) -> None:
    """Refuse what CloudFormation would refuse before anything reads deeper into it."""
    for section in ("Parameters", "Conditions", "Globals", "Mappings"):
        if not isinstance(template.get(section) or {}, dict):
            raise ValueError(f"{section} must be a mapping")
    resources = template["Resources"]
    if not isinstance(resources, dict):
        raise ValueError("Resources must be a mapping of logical ids to resources")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise ValueError(f"resource {logical_id} must be a mapping with a Type")
        if not isinstance(resource.get("Properties") or {}, dict):
            raise ValueError(f"resource {logical_id}: Properties must be a mapping")

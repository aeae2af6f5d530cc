"""Everything the devserver runs, read from one template: functions, routes, tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devserver.dynamodb_tables import TableDefinition, tables_from_template
from devserver.execution_environments import DEFAULT_CONCURRENCY, FunctionRunner
from devserver.functions import (
    LambdaFunction,
    TemplateProblem,
    function_environment,
    functions_from_template,
    routes_from_template,
)
from devserver.intrinsics import LocalStack, Resolver
from devserver.routes import RouteTable
from devserver.server import LocalHttpApi
from devserver.static_files import StaticFiles
from devserver.template import load_template


@dataclass(frozen=True)
class Project:
    template_path: Path
    functions: list[LambdaFunction]
    routes: RouteTable
    tables: list[TableDefinition]
    problems: list[TemplateProblem]


def load_project(template_path: Path, region: str) -> Project:
    """Raises OSError, yaml.YAMLError, ValueError (RouteError, UnresolvableError) or KeyError."""
    template = load_template(template_path)
    _check_shape(template)
    resolver = Resolver(template, LocalStack(region=region))
    functions, problems = functions_from_template(template, template_path.parent, resolver)
    routes, route_problems = routes_from_template(template, functions)
    return Project(
        template_path=template_path,
        functions=functions,
        routes=RouteTable(routes),
        tables=tables_from_template(template, resolver),
        problems=[*problems, *route_problems],
    )


def local_http_api(
    project: Project,
    web_dir: Path | None,
    environ: Mapping[str, str],
    concurrency: int = DEFAULT_CONCURRENCY,
) -> LocalHttpApi:
    """The project behind an HTTP API; each function runs in up to `concurrency` execution
    environments, with environ (the devserver's) over its template variables. Close it."""
    runners = {
        function.logical_id: FunctionRunner(
            function, function_environment(function, environ), concurrency
        )
        for function in project.functions
    }
    return LocalHttpApi(project.routes, runners, StaticFiles(web_dir))


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

"""Everything the devserver runs, read from one template: functions, routes, tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devserver.cors import Cors, cors_from_api
from devserver.dynamodb_tables import TableDefinition, tables_from_template
from devserver.edge import Edge, edge_from_template
from devserver.execution_environments import DEFAULT_CONCURRENCY, FunctionRunner
from devserver.functions import (
    LambdaFunction,
    TemplateProblem,
    function_environment,
    functions_from_template,
    routes_from_template,
)
from devserver.server import LocalHttpApi
from devserver.static_files import StaticFiles
from sam_template.document import load_template, resources_of_type
from sam_template.intrinsics import NO_VALUE, LocalStack, Resolver
from sam_template.routes import RouteTable


@dataclass(frozen=True)
class Project:
    template_path: Path
    functions: list[LambdaFunction]
    routes: RouteTable
    tables: list[TableDefinition]
    problems: list[TemplateProblem]
    # What the distribution does to requests on their way to the API, and the API's CORS.
    edge: Edge = field(default_factory=Edge)
    cors: Cors | None = None


def load_project(
    template_path: Path, region: str, parameter_overrides: Mapping[str, str] | None = None
) -> Project:
    """Raises OSError, yaml.YAMLError, ValueError (RouteError, UnresolvableError) or KeyError."""
    template = load_template(template_path)
    _check_shape(template)
    unknown = set(parameter_overrides or {}) - set(template.get("Parameters") or {})
    if unknown:
        raise ValueError(f"no such template parameter(s): {', '.join(sorted(unknown))}")
    stack = LocalStack(region=region, parameter_overrides=dict(parameter_overrides or {}))
    resolver = Resolver(template, stack)
    functions, problems = functions_from_template(template, template_path.parent, resolver)
    routes, route_problems = routes_from_template(template, functions)
    apis = resources_of_type(template, "AWS::Serverless::HttpApi")
    cors = None
    if len(apis) == 1:
        (api,) = apis.values()
        configuration = resolver.resolve((api.get("Properties") or {}).get("CorsConfiguration"))
        if configuration is not NO_VALUE:
            cors = cors_from_api({"CorsConfiguration": configuration})
    return Project(
        template_path=template_path,
        functions=functions,
        routes=RouteTable(routes),
        tables=tables_from_template(template, resolver),
        problems=[*problems, *route_problems],
        edge=edge_from_template(template, resolver),
        cors=cors,
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
    return LocalHttpApi(
        project.routes, runners, StaticFiles(web_dir), edge=project.edge, cors=project.cors
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

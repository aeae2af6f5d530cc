"""The template's functions: what each runs, with which settings, behind which routes.

Read from every `AWS::Serverless::Function` in the template (Globals applied), so the
code under test is the code that deploys, not a copy wired up differently.
devserver.execution_environments runs them the way Lambda does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sam_template.document import resources_of_type
from sam_template.intrinsics import NO_VALUE, Resolver, UnresolvableError
from sam_template.routes import DEFAULT_ROUTE_KEY, Route

FUNCTION_TYPE = "AWS::Serverless::Function"
# SAM's own defaults when neither the function nor Globals set them.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class LambdaFunction:
    """One function of the template as Lambda runs it: code, handler, settings, variables."""

    logical_id: str
    function_name: str
    code_dir: Path
    handler: str  # "package.module.function", as in the template
    memory_mb: int
    timeout_s: float
    region: str
    account_id: str
    environment: dict[str, str] = field(default_factory=dict)
    # Variables the template sets to something only a deployed stack has: name -> why.
    unresolved_environment: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"


@dataclass(frozen=True)
class TemplateProblem:
    """Something in the template that cannot run locally, with the reason (the devserver
    prints them on start)."""

    where: str
    message: str


def functions_from_template(
    template: dict[str, Any], template_dir: Path, resolver: Resolver
) -> tuple[list[LambdaFunction], list[TemplateProblem]]:
    """Every zip-packaged Python function the template defines, with Globals applied."""
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    functions: list[LambdaFunction] = []
    problems: list[TemplateProblem] = []
    for logical_id, resource in resources_of_type(template, FUNCTION_TYPE).items():
        if not resolver.resource_enabled(logical_id):
            continue
        properties = _with_globals(globals_, resource.get("Properties") or {})
        code_uri, handler = properties.get("CodeUri"), properties.get("Handler")
        if properties.get("PackageType") == "Image" or not isinstance(code_uri, str):
            problems.append(
                TemplateProblem(logical_id, "skipped: only a local CodeUri directory can run here")
            )
            continue
        if not isinstance(handler, str) or "." not in handler:
            problems.append(TemplateProblem(logical_id, f"skipped: Handler {handler!r} is invalid"))
            continue
        environment, unresolved = _environment(properties, resolver)
        functions.append(
            LambdaFunction(
                logical_id=logical_id,
                function_name=resolver.physical_name(logical_id),
                code_dir=(template_dir / code_uri).resolve(),
                handler=handler,
                memory_mb=int(resolver.resolve(properties.get("MemorySize", DEFAULT_MEMORY_MB))),
                timeout_s=float(resolver.resolve(properties.get("Timeout", DEFAULT_TIMEOUT_S))),
                region=resolver.stack.region,
                account_id=resolver.stack.account_id,
                environment=environment,
                unresolved_environment=unresolved,
            )
        )
    return functions, problems


def routes_from_template(
    template: dict[str, Any], functions: list[LambdaFunction]
) -> tuple[list[Route], list[TemplateProblem]]:
    """The HttpApi events of the given functions, as routes."""
    routes: list[Route] = []
    problems: list[TemplateProblem] = []
    resources = template["Resources"]
    for function in functions:
        events = (resources[function.logical_id].get("Properties") or {}).get("Events") or {}
        for event_name, event in events.items():
            where = f"{function.logical_id}.Events.{event_name}"
            if event.get("Type") != "HttpApi":
                if event.get("Type") == "Api":
                    problems.append(TemplateProblem(where, "skipped: REST API events (Type Api)"))
                continue
            properties = event.get("Properties") or {}
            if str(properties.get("PayloadFormatVersion", "2.0")) != "2.0":
                problems.append(TemplateProblem(where, "skipped: only payload format 2.0 runs"))
                continue
            method, path = properties.get("Method"), properties.get("Path")
            if method is None and path is None:  # SAM: an HttpApi event without both is $default
                routes.append(Route("ANY", DEFAULT_ROUTE_KEY, function.logical_id))
            else:
                routes.append(Route(str(method or "ANY"), str(path or "/"), function.logical_id))
    return routes, problems


def _with_globals(globals_: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: the function's own value wins; maps (Environment) merge."""
    merged = dict(globals_)
    for key, value in properties.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _with_globals(merged[key], value)
        else:
            merged[key] = value
    return merged


def _environment(
    properties: dict[str, Any], resolver: Resolver
) -> tuple[dict[str, str], dict[str, str]]:
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    environment: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    for name, value in variables.items():
        try:
            resolved = resolver.resolve_string(value)
        except UnresolvableError as exc:
            unresolved[name] = str(exc)
            continue
        if resolved is not NO_VALUE:
            environment[name] = str(resolved)
    return environment, unresolved

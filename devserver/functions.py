"""The template's functions, run in-process the way Lambda's Python runtime runs them.

Lambda puts the function's code directory on sys.path, imports the handler's module on
the first invocation (the cold start), then calls `handler(event, context)` once per
request, one request at a time per execution environment. This module does the same for
every `AWS::Serverless::Function` in the template, so the code under test is the code
that deploys, not a copy wired up differently.
"""

from __future__ import annotations

import decimal
import importlib
import json
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devserver.intrinsics import NO_VALUE, Resolver, UnresolvableError
from devserver.routes import DEFAULT_ROUTE_KEY, Route
from devserver.template import resources_of_type

FUNCTION_TYPE = "AWS::Serverless::Function"
# SAM's own defaults when neither the function nor Globals set them.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_S = 3.0

Handler = Callable[[dict[str, Any], Any], Any]


class FunctionError(Exception):
    """The function failed the way Lambda reports as an error: API Gateway answers 500."""


@dataclass(frozen=True)
class LambdaFunction:
    """What the devserver needs of one function in the template."""

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
    """Something in the template the devserver skips, with the reason (printed on start)."""

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


def lambda_environment(
    functions: list[LambdaFunction], inherited: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The variables to set in this process for all functions, and warnings about them.

    All functions share one process here, so they share one environment: the union of
    their variables. A variable already set in the devserver's own environment wins
    (that is how to override e.g. PUBLIC_BASE_URL for `make dev`).
    """
    chosen: dict[str, str] = {}
    owners: dict[str, str] = {}
    warnings: list[str] = []
    for function in functions:
        for name, value in function.environment.items():
            if name in inherited:
                continue
            if name in chosen and chosen[name] != value:
                warnings.append(
                    f"{name} differs between {owners[name]} ({chosen[name]!r}) and "
                    f"{function.logical_id} ({value!r}); all functions get {chosen[name]!r}"
                )
                continue
            chosen[name] = value
            owners[name] = function.logical_id
        for name, reason in function.unresolved_environment.items():
            if name not in inherited:
                warnings.append(
                    f"{function.logical_id}: {name} left unset ({reason}); "
                    f"set {name} in the environment to give it a value"
                )
    return chosen, warnings


@dataclass
class LambdaContext:
    """The context object Lambda's Python runtime (awslambdaric) passes to a handler.

    Same attributes and types: memory_limit_in_mb is a string there, because the runtime
    reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
    """

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline_ms: int
    client_context: None = None
    identity: None = None
    tenant_id: None = None

    def get_remaining_time_in_millis(self) -> int:
        return max(self.deadline_ms - int(time.time() * 1000), 0)


class FunctionRunner:
    """One function's execution environment: imports its handler once, runs one call at a time."""

    def __init__(self, function: LambdaFunction) -> None:
        self.function = function
        self._handler: Handler | None = None
        # Lambda never runs two invocations in one environment at once; handlers may rely on it.
        self._lock = threading.Lock()
        self._log_stream = (
            time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{secrets.token_hex(16)}"
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler and return its result as Lambda would hand it to API Gateway.

        The result goes through JSON like Lambda's response does, so a value Lambda
        could not return (a set, a datetime) fails here too. Raises FunctionError.
        """
        with self._lock:
            handler = self._load_handler()
            context = self._context()
            started = time.monotonic()
            try:
                result = handler(event, context)
            except Exception as exc:
                raise FunctionError(f"{self.function.logical_id} raised {exc!r}") from exc
            elapsed = time.monotonic() - started
        if elapsed > self.function.timeout_s:
            print(
                f"devserver: {self.function.logical_id} took {elapsed:.1f} s, over its "
                f"Timeout of {self.function.timeout_s:g} s: Lambda would have stopped it",
                file=sys.stderr,
                flush=True,
            )
        return _through_lambda_json(result, self.function.logical_id)

    def _load_handler(self) -> Handler:
        if self._handler is None:
            module_name, _, attribute = self.function.handler.rpartition(".")
            code_dir = str(self.function.code_dir)
            if code_dir not in sys.path:
                sys.path.insert(0, code_dir)
            try:
                module = importlib.import_module(module_name)
                handler = getattr(module, attribute)
            except Exception as exc:  # Lambda: Runtime.ImportModuleError / HandlerNotFound
                raise FunctionError(
                    f"{self.function.logical_id}: cannot load handler {self.function.handler!r} "
                    f"from {code_dir}: {exc!r}"
                ) from exc
            if not callable(handler):
                raise FunctionError(f"{self.function.handler!r} is not callable")
            self._handler = handler
        return self._handler

    def _context(self) -> LambdaContext:
        function = self.function
        return LambdaContext(
            function_name=function.function_name,
            function_version="$LATEST",
            invoked_function_arn=function.arn,
            memory_limit_in_mb=str(function.memory_mb),
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{function.function_name}",
            log_stream_name=self._log_stream,
            deadline_ms=int((time.time() + function.timeout_s) * 1000),
        )


def _through_lambda_json(result: Any, logical_id: str) -> Any:
    """Serialise like awslambdaric (Decimals as numbers), then parse like API Gateway."""

    def decimal_as_number(value: object) -> object:
        if isinstance(value, decimal.Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    try:
        return json.loads(json.dumps(result, default=decimal_as_number, ensure_ascii=False))
    except (TypeError, ValueError) as exc:  # Lambda: Runtime.MarshalError
        raise FunctionError(f"{logical_id} returned a value Lambda cannot send: {exc}") from exc


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

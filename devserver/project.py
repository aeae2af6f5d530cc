"""Everything the devserver runs: the template's application (sam_template), with what
the distribution and the API's CORS do to requests, behind a local HTTP API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from devserver.cors import Cors, cors_from_api
from devserver.edge import Edge, edge_from_template
from devserver.execution_environments import DEFAULT_CONCURRENCY, FunctionRunner, OutputFilter
from devserver.functions import function_environment
from devserver.server import LocalHttpApi
from devserver.static_files import StaticFiles
from sam_template.application import Application, load_application
from sam_template.document import resources_of_type
from sam_template.intrinsics import NO_VALUE


@dataclass(frozen=True)
class Project(Application):
    # What the distribution does to requests on their way to the API, and the API's CORS.
    edge: Edge = field(default_factory=Edge)
    cors: Cors | None = None


def load_project(
    template_path: Path, region: str, parameter_overrides: Mapping[str, str] | None = None
) -> Project:
    """Raises OSError, ValueError (a file that is no template, RouteError,
    UnresolvableError) or KeyError."""
    application = load_application(template_path, region, parameter_overrides)
    return Project(
        **{declared.name: getattr(application, declared.name) for declared in fields(Application)},
        edge=edge_from_template(application.template, application.resolver),
        cors=_cors(application),
    )


def local_http_api(
    project: Project,
    web_dir: Path | None,
    environ: Mapping[str, str],
    concurrency: int = DEFAULT_CONCURRENCY,
    show_output: OutputFilter | None = None,
) -> LocalHttpApi:
    """The project behind an HTTP API; each function runs in up to `concurrency` execution
    environments, with environ (the devserver's) over its template variables. Close it.
    show_output: what to print of each line a function writes to stdout (None: all of it)."""
    runners = {
        function.logical_id: FunctionRunner(
            function,
            function_environment(function, environ),
            concurrency,
            show_output=show_output,
        )
        for function in project.functions
    }
    return LocalHttpApi(
        project.routes, runners, StaticFiles(web_dir), edge=project.edge, cors=project.cors
    )


def _cors(application: Application) -> Cors | None:
    apis = resources_of_type(application.template, "AWS::Serverless::HttpApi")
    if len(apis) != 1:
        return None
    (api,) = apis.values()
    properties = api.get("Properties") or {}
    configuration = application.resolver.resolve(properties.get("CorsConfiguration"))
    if configuration is NO_VALUE:
        return None
    return cors_from_api({"CorsConfiguration": configuration})

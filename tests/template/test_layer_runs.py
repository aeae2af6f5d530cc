"""Nothing a function needs was pruned from the layer: every route runs on built artifacts alone.

Each function's handler runs in a fresh CPython 3.13 (runtime_stand_in.py) whose sys.path
holds only the function's built code, the built layer, and boto3 with the rest of what
Lambda's runtime provides: none of the dev venv's other packages. The layer is the twin
built for this machine (tests/template/builds.py), since the arm64 one cannot load here;
test_build.py checks the twin holds the same files as the arm64 layer.

Running requests shows what they load; a static pass over every module kept in the layer
shows that none of them imports what was left out, on paths the requests did not take.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy.build_check import RUNTIME_PROVIDED
from devserver.dynamodb_backends import MotoDynamoDB
from devserver.dynamodb_tables import ensure_table
from sam_template.application import Application, load_application
from sam_template.document import TEMPLATE_PATH
from tests.conftest import REPO_ROOT, load_event
from tests.template.builds import (
    Build,
    layer_twin,
    left_out_entries,
    python313_or_skip,
    sam_build,
)

pytestmark = pytest.mark.slow

REGION = "us-east-1"
STAND_IN = Path(__file__).with_name("runtime_stand_in.py")
EXAMPLE_ID = "7cp2Xhz"  # the short id in events/*.json
# Imports in kept modules of modules LEFT_OUT removed, each allowed for the reason given.
ALLOWED_IMPORTS_OF_LEFT_OUT = {
    ("pydantic/_internal/_generate_schema.py", "pydantic.v1"): (
        "only for a type with __get_validators__ (V1 style): building every model of ours,"
        " as importing the handlers does, would fail if one had it"
    ),
}


@dataclass(frozen=True)
class Artifacts:
    """What Lambda would hold: the functions' built code, the layer, the runtime's packages."""

    functions: Build
    layer: Path  # the twin's python/
    runtime: Path


@dataclass(frozen=True)
class Run:
    """One execution environment's answers, and the modules it loaded (name -> file)."""

    statuses: list[int]
    responses: list[dict[str, Any]]
    modules: dict[str, str]
    stdlib: list[str]

    def body(self, index: int) -> Any:
        return json.loads(self.responses[index]["body"])


@pytest.fixture(scope="module")
def application() -> Application:
    return load_application(TEMPLATE_PATH, REGION)


@pytest.fixture(scope="module")
def runtime_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime's packages (Lambda's come with it), linked from this venv's copies."""
    directory = tmp_path_factory.mktemp("runtime")
    for module, distribution in RUNTIME_PROVIDED.items():
        spec = importlib.util.find_spec(module)
        assert spec is not None, f"{module} is not installed"
        assert spec.origin is not None, module
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (directory / source.name).symlink_to(source)
        for metadata in source.parent.glob(f"{distribution}-*.dist-info"):
            (directory / metadata.name).symlink_to(metadata)
    return directory


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory, runtime_packages: Path) -> Artifacts:
    twin = layer_twin(tmp_path_factory)
    return Artifacts(
        functions=sam_build(tmp_path_factory),
        layer=twin.artifact("DependenciesLayer") / "python",
        runtime=runtime_packages,
    )


@pytest.fixture(scope="module")
def dynamodb(application: Application) -> Iterator[str]:
    """moto on 127.0.0.1, with the links table created from the template."""
    server = MotoDynamoDB(reason="")
    try:
        client = boto3.client(
            "dynamodb",
            endpoint_url=server.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for table in application.tables:
            ensure_table(client, table)
        yield server.endpoint_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def run_function(application: Application, artifacts: Artifacts, dynamodb: str):
    """Runs one function's handler on `events` in a fresh environment of its own."""
    python313 = python313_or_skip()
    functions = {function.logical_id: function for function in application.functions}

    def run(logical_id: str, events: list[dict[str, Any]], result_file: Path) -> Run:
        function = functions[logical_id]
        for event in events:  # as the distribution sends them: with the origin secret
            event["headers"]["x-origin-verify"] = function.environment["ORIGIN_VERIFY_SECRET"]
        request = {
            "code_dir": str(artifacts.functions.artifact(logical_id)),
            "layer_dir": str(artifacts.layer),
            "runtime_dir": str(artifacts.runtime),
            "handler": function.handler,
            "events": events,
        }
        environment = {
            **function.environment,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        completed = subprocess.run(
            [python313, "-I", "-S", "-B", STAND_IN, result_file],
            input=json.dumps(request),
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-5000:]
        result = json.loads(result_file.read_text(encoding="utf-8"))
        responses = result["responses"]
        statuses = [response["statusCode"] for response in responses]
        return Run(statuses, responses, result["modules"], result["stdlib"])

    return run


def for_link(name: str, short_id: str, *, suffix: str = "", **headers: str) -> dict[str, Any]:
    """The event in events/NAME, about link SHORT_ID (its path + SUFFIX), with HEADERS added."""
    event = load_event(name)
    path = event["rawPath"].replace(EXAMPLE_ID, short_id) + suffix
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["routeKey"] = event["requestContext"]["routeKey"] = event["routeKey"] + suffix
    event["pathParameters"] = {"shortId": short_id}
    event["headers"].update(headers)
    return event


def shorten_event(body: Any = None, **headers: str) -> dict[str, Any]:
    event = load_event("shorten.json")
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-length"] = str(len(event["body"]))
    event["headers"].update(headers)
    return event


@pytest.fixture(scope="module")
def runs(run_function, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every route, each function in its own environment: create a link, follow it, read,
    draw, change and delete it, plus refusals (each loads error paths of its own)."""
    results = tmp_path_factory.mktemp("runs")
    idempotency_key = str(uuid.uuid4())
    shorten = run_function(
        "ShortenFunction",
        [
            shorten_event(**{"idempotency-key": idempotency_key}),
            shorten_event(**{"idempotency-key": idempotency_key}),  # replayed from the record
            shorten_event({"url": 42}),  # 422: request validation
            shorten_event("{not json"),  # 400
        ],
        results / "shorten.json",
    )
    link = shorten.body(0)
    short_id, bearer = link["shortId"], f"Bearer {link['managementToken']}"
    redirect = run_function(
        "RedirectFunction",
        [
            for_link("redirect.json", short_id),  # a browser's visit: a click (crawlerdetect)
            for_link("redirect-head.json", short_id),
            for_link("redirect.json", "nosuchid"),
        ],
        results / "redirect.json",
    )
    links = run_function(
        "LinksFunction",
        [
            for_link("link-info.json", short_id),
            for_link("link-info.json", short_id, suffix="/qr"),
            for_link("link-change.json", short_id, authorization=bearer),
            for_link("link-delete.json", short_id, authorization=bearer),
            for_link("link-info.json", short_id),
        ],
        results / "links.json",
    )
    return {"ShortenFunction": shorten, "RedirectFunction": redirect, "LinksFunction": links}


def test_shorten_runs_on_the_built_artifacts_alone(runs):
    shorten = runs["ShortenFunction"]

    assert shorten.statuses == [201, 201, 422, 400]
    assert shorten.body(1)["shortId"] == shorten.body(0)["shortId"]  # the idempotent replay


def test_redirect_runs_on_the_built_artifacts_alone(runs):
    redirect = runs["RedirectFunction"]

    assert redirect.statuses == [302, 302, 404]
    assert redirect.responses[0]["headers"]["Location"] == runs["ShortenFunction"].body(0)["url"]


def test_links_runs_on_the_built_artifacts_alone(runs):
    links = runs["LinksFunction"]

    assert links.statuses == [200, 200, 200, 204, 410]
    assert links.body(0)["clicks"] == 1  # the redirect's GET counted
    assert links.responses[1]["body"].startswith("<svg")  # segno's drawing
    assert links.body(2)["url"] == "https://example.com/new-destination"


@pytest.mark.parametrize("logical_id", ["ShortenFunction", "RedirectFunction", "LinksFunction"])
def test_every_module_loaded_came_from_what_lambda_holds(runs, artifacts, logical_id):
    run = runs[logical_id]
    code = artifacts.functions.artifact(logical_id)
    allowed = [code, artifacts.layer, artifacts.runtime, *map(Path, run.stdlib)]
    for name, file in run.modules.items():
        path = Path(file)
        assert any(path.is_relative_to(root) for root in allowed), f"{name} from {file}"
        assert "site-packages" not in path.parts, f"{name} from {file}"
    assert Path(run.modules["handlers"]).is_relative_to(code)


@pytest.mark.parametrize(
    ("logical_id", "from_layer", "from_runtime"),
    [
        ("ShortenFunction", {"pydantic_core", "ada_url", "_cffi_backend", "shortuuid"}, {"boto3"}),
        ("RedirectFunction", {"aws_lambda_powertools", "crawlerdetect"}, {"botocore"}),
        ("LinksFunction", {"pydantic", "segno"}, {"botocore"}),
    ],
)
def test_the_dependencies_came_from_the_layer_and_the_runtime(
    runs, artifacts, logical_id, from_layer, from_runtime
):
    modules = runs[logical_id].modules
    for name in from_layer:
        assert Path(modules[name]).is_relative_to(artifacts.layer), name
    for name in from_runtime:
        assert Path(modules[name]).is_relative_to(artifacts.runtime), name


# --- statically: nothing kept imports what was left out ------------------------------


def left_out_modules() -> set[str]:
    """The importable names LEFT_OUT removed (its entries that are packages or modules)."""
    names = set()
    for pattern in left_out_entries():
        dotted = pattern.removesuffix(".py").replace("/", ".")
        if all(part.isidentifier() for part in dotted.split(".")):
            names.add(dotted)
    return names


def type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of every node under an `if TYPE_CHECKING:` (it never runs)."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }


def imported_modules(tree: ast.Module, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, module) for each import that can run. For `from X import Y`, both X and X.Y
    (Y may be a submodule); relative imports resolved against PACKAGE."""
    never_run = type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in never_run:
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


def test_nothing_kept_imports_what_was_left_out(artifacts):
    removed = left_out_modules()
    assert {"cffi", "pydantic.v1", "aws_lambda_powertools.utilities.parser"} <= removed
    code = artifacts.functions.artifact("ShortenFunction")  # all functions share the code
    found = {}
    for root in (artifacts.layer, code):
        for source in root.rglob("*.py"):
            where = source.relative_to(root)
            tree = ast.parse(source.read_bytes(), filename=str(source))
            for line, name in imported_modules(tree, list(where.parent.parts)):
                hit = next((r for r in removed if name == r or name.startswith(f"{r}.")), None)
                if hit and (str(where), hit) not in ALLOWED_IMPORTS_OF_LEFT_OUT:
                    found[f"{where}:{line}"] = name
    assert found == {}


def test_no_handler_serves_the_swagger_ui_left_out_of_the_layer():
    sources = list((REPO_ROOT / "src").rglob("*.py"))
    assert sources
    assert [s for s in sources if "enable_swagger" in s.read_text(encoding="utf-8")] == []

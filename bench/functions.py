"""The template's functions as the bench runs them: their code, handlers and environment.

Everything comes from template.yaml through sam_template (the reader `make dev` uses
too), so the bench measures the handlers and settings that deploy. Secrets the
template resolves at deploy time get sam_template's stand-in values.
"""

from __future__ import annotations

import sys
import time
import uuid
from functools import cache

from devserver.lambda_runtime import LambdaContext
from sam_template.application import Application, load_application
from sam_template.document import TEMPLATE_PATH
from sam_template.event_sources import StreamEventSource
from sam_template.functions import LambdaFunction
from sam_template.tables import TableDefinition

REGION = "us-east-1"
REDIRECT, SHORTEN, LINKS = "RedirectFunction", "ShortenFunction", "LinksFunction"
CLICK_STATS = "ClickStatsFunction"
LINKS_TABLE = "LinksTable"
# Lambda's python3.13 runtime on arm64 says this about itself.
EXECUTION_ENV = "AWS_Lambda_python3.13"


@cache
def application() -> Application:
    return load_application(TEMPLATE_PATH, REGION)


def function(logical_id: str) -> LambdaFunction:
    for candidate in application().functions:
        if candidate.logical_id == logical_id:
            return candidate
    raise LookupError(f"template.yaml has no function {logical_id}")


def stream_source(logical_id: str) -> StreamEventSource:
    """The function's DynamoDB stream event source (its batch size, window, filter)."""
    for source in application().event_sources:
        if source.function_id == logical_id:
            return source
    raise LookupError(f"template.yaml gives {logical_id} no stream event source")


def origin_verify_secret() -> str:
    """The secret the distribution sends the API, as the template's functions have it."""
    return function(SHORTEN).environment["ORIGIN_VERIFY_SECRET"]


def handler_module(logical_id: str) -> str:
    """The module Lambda imports for the function: "handlers.redirect" for its Handler."""
    return function(logical_id).handler.rpartition(".")[0]


def put_code_on_path(logical_id: str) -> None:
    """Make the function's code importable here, as Lambda puts /var/task on sys.path."""
    code_dir = str(function(logical_id).code_dir)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)


def sdk_stand_ins(endpoint_url: str) -> dict[str, str]:
    """Fake credentials, the region and a DynamoDB endpoint: nothing can reach AWS.

    The shared config and credentials files point nowhere, as on Lambda, so whatever
    this machine's ~/.aws holds neither changes the timings nor gets used.
    """
    return {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
        "AWS_CONFIG_FILE": "/nonexistent/bench/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/bench/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def lambda_environment(logical_id: str, endpoint_url: str) -> dict[str, str]:
    """What the function's process sees on Lambda: the template's variables (Globals and
    its own), the runtime's own, and SDK stand-ins."""
    lambda_function = function(logical_id)
    return {
        **lambda_function.environment,
        "AWS_EXECUTION_ENV": EXECUTION_ENV,
        "AWS_LAMBDA_FUNCTION_NAME": lambda_function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(lambda_function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        **sdk_stand_ins(endpoint_url),
    }


def shared_environment(endpoint_url: str) -> dict[str, str]:
    """One environment for every function in this process (the warm part runs them all)."""
    merged: dict[str, str] = {}
    for lambda_function in application().functions:
        merged.update(lambda_function.environment)
    return {**merged, **sdk_stand_ins(endpoint_url)}


def lambda_context(logical_id: str) -> LambdaContext:
    """A new invocation's context, as Lambda's runtime hands it to the handler."""
    lambda_function = function(logical_id)
    return LambdaContext(
        function_name=lambda_function.function_name,
        function_version="$LATEST",
        invoked_function_arn=lambda_function.arn,
        memory_limit_in_mb=str(lambda_function.memory_mb),
        aws_request_id=str(uuid.uuid4()),
        log_group_name=f"/aws/lambda/{lambda_function.function_name}",
        log_stream_name="2026/01/01/[$LATEST]bench",
        deadline_ms=int((time.time() + lambda_function.timeout_s) * 1000),
    )


def links_table() -> TableDefinition:
    for table in application().tables:
        if table.logical_id == LINKS_TABLE:
            return table
    raise LookupError(f"template.yaml has no table {LINKS_TABLE}")

"""One Lambda execution environment: the child process the devserver runs a function in.

`python lambda_runtime.py CODE_DIR HANDLER REQUEST_FD RESPONSE_FD`, started by
devserver.execution_environments. Like Lambda's Python runtime (awslambdaric) it puts the
function's code directory first on sys.path, imports the handler once (the init phase,
a cold start), then serves invocations one at a time for as long as it lives. An
invocation arrives as one JSON line on REQUEST_FD and its outcome leaves as one JSON
line on RESPONSE_FD; end of input means the environment shuts down. stderr is the
devserver's own; stdout, where the handler's prints, logs and EMF metrics go as they would
to CloudWatch, too with --verbose, else a pipe the devserver shows a readable digest of
(devserver/console.py).

Standard library only, and nothing of the devserver imported: the handler's process
should hold what Lambda's holds, and nothing else.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

Handler = Callable[[dict[str, Any], Any], Any]

# The outcome of an invocation, as Lambda's runtime API reports errors.
RESULT = "result"
ERROR_TYPE = "errorType"
ERROR_MESSAGE = "errorMessage"
MARSHAL_ERROR = "Runtime.MarshalError"
# The first line an environment sends: whether init succeeded.
READY = "ready"
INIT_ERROR = "initError"


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


class InitError(Exception):
    """The handler cannot be loaded (Lambda: Runtime.ImportModuleError, HandlerNotFound)."""


def load_handler(handler: str, code_dir: str) -> Handler:
    module_name, _, attribute = handler.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:
        traceback.print_exc()  # a syntax error deep in an import needs its traceback
        raise InitError(f"cannot load handler {handler!r} from {code_dir}: {exc!r}") from exc
    if not callable(function):
        raise InitError(f"{handler!r} is not callable")
    return function  # type: ignore[no-any-return]


def invoke(handler: Handler, invocation: dict[str, Any]) -> bytes:
    """Run one invocation; the line that reports its result, or the error Lambda reports.

    The result is serialised like awslambdaric does it (Decimals as numbers), so a value
    Lambda could not return (a set, a datetime) fails here too. An exception that is not
    an Exception (sys.exit, KeyboardInterrupt) ends the environment, as it ends Lambda's.
    """
    context = LambdaContext(**invocation["context"])
    try:
        result = handler(invocation["event"], context)
    except Exception as exc:  # noqa: BLE001 (whatever it raises is the function's error)
        traceback.print_exc()  # Lambda logs the error as well as returning it
        return encode({ERROR_TYPE: type(exc).__name__, ERROR_MESSAGE: repr(exc)})
    try:
        return encode({RESULT: result})
    except (TypeError, ValueError) as exc:
        return encode({ERROR_TYPE: MARSHAL_ERROR, ERROR_MESSAGE: str(exc)})


def encode(message: dict[str, Any]) -> bytes:
    """One line of JSON (json.dumps escapes every newline inside strings)."""
    return json.dumps(message, default=_decimal_as_number).encode() + b"\n"


def serve(code_dir: str, handler_name: str, requests: IO[bytes], responses: IO[bytes]) -> int:
    try:
        handler = load_handler(handler_name, code_dir)
    except InitError as exc:
        _send(responses, encode({INIT_ERROR: str(exc)}))
        return 1
    _send(responses, encode({READY: True}))
    for line in requests:
        outcome = invoke(handler, json.loads(line))
        # The invocation's log lines reach the devserver's output before its access log line.
        sys.stdout.flush()
        sys.stderr.flush()
        _send(responses, outcome)
    return 0


def _send(responses: IO[bytes], line: bytes) -> None:
    responses.write(line)
    responses.flush()


def _decimal_as_number(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def main(argv: list[str]) -> int:
    code_dir, handler_name, request_fd, response_fd = argv[1:5]
    # The function's code comes first on the path, as /var/task does in Lambda, and this
    # file's directory (the devserver's modules) is not on it at all.
    runtime_dir = Path(__file__).resolve().parent
    sys.path[:] = [code_dir, *(path for path in sys.path if Path(path).resolve() != runtime_dir)]
    # Log lines should leave as they are written, even into a pipe.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    with os.fdopen(int(request_fd), "rb") as requests, os.fdopen(int(response_fd), "wb") as out:
        return serve(code_dir, handler_name, requests, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Lambda's python3.13 runtime, stood in for: one function's handler on built artifacts alone.

    python3.13 -I -S -B runtime_stand_in.py RESULT_FILE < REQUEST

REQUEST is JSON: code_dir, layer_dir, runtime_dir (boto3 and the rest of what Lambda's
runtime provides), handler ("package.module.function") and events. -I -S keep every
site-packages directory, PYTHONPATH and this script's directory off sys.path; the
function's code, the layer and the runtime's packages go first, in Lambda's order
(/var/task, /opt/python, then the runtime's), with the standard library after them. -B:
nothing is written into the artifacts. The handler is imported once and called with each
event in turn, as in one execution environment.

RESULT_FILE receives {"responses": [...], "modules": {name: file}, "stdlib": [...]}: every
module loaded, and where from. stdout and stderr are the handler's (logs, metrics).
Standard library only: nothing else may be importable here.
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LambdaContext:
    """The attributes of awslambdaric's context object that Powertools reads."""

    function_name: str
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:stand-in"
    memory_limit_in_mb: str = "512"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/stand-in"
    log_stream_name: str = "2026/11/21/[$LATEST]stand-in"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000  # ShortenFunction's Timeout: a fresh invocation has all of it


def main(result_file: str) -> None:
    request = json.load(sys.stdin)
    sys.path[:0] = [request["code_dir"], request["layer_dir"], request["runtime_dir"]]
    module_name, _, attribute = request["handler"].rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    context = LambdaContext(function_name=module_name)
    responses = [handler(event, context) for event in request["events"]]
    # Not this script itself (as __main__, and __mp_main__ once multiprocessing loads):
    # it stands in for Lambda's own bootstrap.
    modules = {
        name: str(module.__file__)
        for name, module in list(sys.modules.items())
        if getattr(module, "__file__", None) and module.__file__ != __file__
    }
    stdlib = sorted({sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")})
    result = {"responses": responses, "modules": modules, "stdlib": stdlib}
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])

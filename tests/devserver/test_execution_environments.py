"""Functions run as Lambda runs them: in execution environments (processes) of their own,
one invocation at a time each, more of them started when invocations overlap."""

from __future__ import annotations

import decimal
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devserver import lambda_runtime
from devserver.execution_environments import FunctionRunner
from devserver.functions import FunctionError, function_environment
from sam_template.application import load_application
from sam_template.functions import LambdaFunction
from tests.devserver.conftest import REGION, write_project

TEMPLATE = """
Globals:
  Function:
    CodeUri: code/
    MemorySize: 1024
    Timeout: 5
Resources:
  AppFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.handler
      Environment:
        Variables: {GREETING: from the template}
"""

HANDLERS = {
    "app": """
import decimal
import os
import sys
import time
from pathlib import Path

def handler(event, context):
    return {"statusCode": 200, "body": "ok"}

def returns_decimal(event, context):
    return {"count": decimal.Decimal("3"), "ratio": decimal.Decimal("0.5")}

def returns_a_set(event, context):
    return {"statusCode": 200, "body": {1, 2}}

def fails(event, context):
    raise RuntimeError("boom")

def exits(event, context):
    os._exit(3)

def context_of(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
    }

def where(event, context):
    print("log line from", os.getpid())
    print("error line from", os.getpid(), file=sys.stderr)
    return {
        "pid": os.getpid(),
        "greeting": os.environ.get("GREETING"),
        "cwd": os.getcwd(),
        "path": sys.path,
    }

def rendezvous(event, context):
    # Arrive, then wait for the others: returns only if event["expected"] invocations
    # were running at the same time (a serialising runner would wait here in vain).
    meeting = Path(event["dir"])
    (meeting / str(os.getpid())).touch()
    deadline = time.monotonic() + 10
    while len(list(meeting.iterdir())) < event["expected"]:
        if time.monotonic() > deadline:
            raise TimeoutError("the other invocations never arrived")
        time.sleep(0.01)
    return os.getpid()

NOT_CALLABLE = 42
""",
}


@pytest.fixture
def function(tmp_path: Path) -> LambdaFunction:
    application = load_application(write_project(tmp_path, TEMPLATE, HANDLERS).template, REGION)
    return application.functions[0]


Runners = Callable[..., FunctionRunner]


@pytest.fixture
def runner_for(function: LambdaFunction) -> Iterator[Runners]:
    """FunctionRunner for one of the handlers in app.py; every one is closed after the test."""
    runners: list[FunctionRunner] = []

    def make(handler: str, max_environments: int = 2, **kwargs: Any) -> FunctionRunner:
        package = function.handler.split(".")[0]
        named = LambdaFunction(**{**function.__dict__, "handler": f"{package}.{handler}"})
        runner = FunctionRunner(
            named, function_environment(named, os.environ), max_environments, **kwargs
        )
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_context_looks_like_lambdas(runner_for: Runners) -> None:
    first = runner_for("app.context_of").invoke({})

    assert first["function_name"] == "AppFunction"
    assert first["function_version"] == "$LATEST"
    assert first["invoked_function_arn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:AppFunction"
    )
    assert first["memory_limit_in_mb"] == "1024"  # a string, as awslambdaric gives it
    assert first["log_group_name"] == "/aws/lambda/AppFunction"
    assert "[$LATEST]" in first["log_stream_name"]
    assert 4000 < first["remaining"] <= 5000


def test_every_invocation_gets_its_own_request_id(runner_for: Runners) -> None:
    runner = runner_for("app.context_of")

    ids = {runner.invoke({})["aws_request_id"] for _ in range(3)}

    assert len(ids) == 3


def test_results_pass_through_json_like_lambdas(runner_for: Runners) -> None:
    result = runner_for("app.returns_decimal").invoke({})

    assert result == {"count": 3, "ratio": 0.5}
    assert not isinstance(result["count"], decimal.Decimal)


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("app.fails", "raised RuntimeError"),
        ("app.returns_a_set", "cannot send"),
        ("app.missing", "cannot load handler"),
        ("nowhere.handler", "cannot load handler"),
        ("app.NOT_CALLABLE", "not callable"),
        ("app.exits", "exited during the invocation, with code 3"),
    ],
)
def test_failures_are_function_errors(runner_for: Runners, handler: str, message: str) -> None:
    with pytest.raises(FunctionError, match=message):
        runner_for(handler).invoke({})


def test_a_handler_runs_in_a_process_of_its_own_with_its_functions_environment(
    runner_for: Runners, function: LambdaFunction, capfd: pytest.CaptureFixture[str]
) -> None:
    where = runner_for("app.where").invoke({})

    assert where["pid"] != os.getpid()
    assert where["greeting"] == "from the template"
    assert where["cwd"] == str(function.code_dir)  # Lambda's is the code's, /var/task
    assert where["path"][0] == str(function.code_dir)
    assert str(Path(lambda_runtime.__file__).parent) not in where["path"]
    # Its output is the devserver's, as Lambda's goes to the function's log
    output = capfd.readouterr()
    assert f"log line from {where['pid']}" in output.out
    assert f"error line from {where['pid']}" in output.err


def test_one_invocation_after_another_reuses_one_warm_environment(runner_for: Runners) -> None:
    runner = runner_for("app.where", max_environments=4)

    pids = {runner.invoke({})["pid"] for _ in range(3)}

    assert len(pids) == 1
    assert runner.stats()["environmentsStarted"] == 1
    assert runner.stats()["overlappingInvocations"] == 0


def test_overlapping_invocations_run_at_once_in_separate_environments(
    runner_for: Runners, tmp_path: Path
) -> None:
    runner = runner_for("app.rendezvous", max_environments=3)
    meeting = tmp_path / "meeting"
    meeting.mkdir()

    with ThreadPoolExecutor(max_workers=3) as pool:
        event = {"dir": str(meeting), "expected": 3}
        pids = list(pool.map(lambda _: runner.invoke(event), range(3)))

    assert len(set(pids)) == 3
    stats = runner.stats()
    assert stats["environments"] == stats["environmentsStarted"] == 3
    assert stats["peakConcurrentInvocations"] == 3
    assert stats["overlappingInvocations"] == 2


def test_past_the_cap_invocations_wait_for_a_free_environment(
    runner_for: Runners, tmp_path: Path
) -> None:
    runner = runner_for("app.rendezvous", max_environments=2)
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    start = threading.Event()

    def invoke(_: int) -> Any:
        start.wait()
        return runner.invoke({"dir": str(meeting), "expected": 2})

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [pool.submit(invoke, number) for number in range(12)]
        start.set()
        pids = {result.result() for result in results}

    assert len(pids) == 2
    stats = runner.stats()
    assert stats["invocations"] == 12
    assert stats["environmentsStarted"] == 2
    assert stats["peakConcurrentInvocations"] == 2


def test_an_environment_that_died_is_replaced(runner_for: Runners) -> None:
    crashing = runner_for("app.exits", max_environments=1)
    with pytest.raises(FunctionError):
        crashing.invoke({})
    assert crashing.stats()["environments"] == 0

    # Lambda's answer to an environment that cannot go on: a fresh one for the next call
    runner = runner_for("app.where", max_environments=1)
    first = runner.invoke({})["pid"]
    os.kill(first, 9)
    with pytest.raises(FunctionError, match="exited"):
        runner.invoke({})
    assert runner.invoke({})["pid"] not in (first, os.getpid())


def test_a_handler_error_leaves_its_environment_warm(runner_for: Runners) -> None:
    runner = runner_for("app.fails", max_environments=1)

    for _ in range(2):
        with pytest.raises(FunctionError):
            runner.invoke({})

    assert runner.stats()["environmentsStarted"] == 1


def test_close_stops_every_environment(runner_for: Runners, tmp_path: Path) -> None:
    runner = runner_for("app.rendezvous", max_environments=2)
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        event = {"dir": str(meeting), "expected": 2}
        pids = list(pool.map(lambda _: runner.invoke(event), range(2)))

    runner.close()

    assert not any(pid_alive(pid) for pid in pids)
    with pytest.raises(FunctionError, match="stopping"):
        runner.invoke({})


def test_a_slow_invocation_is_reported(
    runner_for: Runners, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = iter([100.0, 107.5])

    runner_for("app.handler", clock=lambda: next(clock)).invoke({})

    assert "took 7.5 s, over its Timeout of 5 s" in capsys.readouterr().err

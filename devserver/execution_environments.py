"""A function's execution environments: worker processes, scaled out as Lambda scales out.

Lambda runs each invocation in an execution environment that serves one invocation at
a time; when requests overlap it starts more environments (each a cold start: a fresh
runtime importing the handler) and reuses idle ones. So concurrent requests run in
separate processes, really at once, and race each other in DynamoDB. This module does
the same on one machine: each function gets a pool of up to `max_environments` child
processes (devserver/lambda_runtime.py), started only when every existing one is busy.
Past the cap a request waits for a free environment (where Lambda, at its account's
concurrency limit, would throttle).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devserver import lambda_runtime
from devserver.functions import FunctionError
from sam_template.functions import LambdaFunction

DEFAULT_CONCURRENCY = 4
# What the console shows of one line a function wrote to stdout (function id, line), or
# None to show nothing: devserver.console.readable.
OutputFilter = Callable[[str, str], str | None]
RUNTIME_SCRIPT = Path(lambda_runtime.__file__).resolve()
# How long a stopping environment may finish the invocation it is in before it is killed.
STOP_GRACE_S = 3.0


class _FilteredOutput:
    """A function's stdout, read from a pipe and passed through a filter to the devserver's.

    A thread follows the pipe; `catch_up` handles, in the caller's thread, whatever is in it
    now. The runtime flushes its output before it answers an invocation, so catching up
    after the answer prints the invocation's lines before the devserver's line for the
    request, as they would come without a pipe.
    """

    def __init__(self, read_fd: int, function_id: str, show: OutputFilter) -> None:
        os.set_blocking(read_fd, False)
        self._fd = read_fd
        self._function_id = function_id
        self._show = show
        self._lock = threading.Lock()
        self._partial = b""
        self._ended = False
        threading.Thread(target=self._follow, name=f"{function_id}-stdout", daemon=True).start()

    def catch_up(self) -> None:
        with self._lock:
            while not self._ended:
                try:
                    chunk = os.read(self._fd, 1 << 16)
                except BlockingIOError:
                    return
                if not chunk:  # the environment has exited
                    self._ended = True
                    chunk = b"\n" if self._partial else b""
                *lines, self._partial = (self._partial + chunk).split(b"\n")
                for line in lines:
                    shown = self._show(self._function_id, line.decode(errors="replace") + "\n")
                    if shown is not None:
                        sys.stdout.write(shown)
                sys.stdout.flush()

    def _follow(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while not self._ended:
                selector.select()
                self.catch_up()
        os.close(self._fd)  # only here: no other thread waits on it any more


class ExecutionEnvironment:
    """One child process running one function's handler, one invocation at a time."""

    def __init__(
        self,
        function: LambdaFunction,
        environment: Mapping[str, str],
        show_output: OutputFilter | None = None,
    ) -> None:
        """show_output: what to print of each line of the handler's stdout; None lets the
        handler write to the devserver's stdout directly."""
        self.function = function
        # Each environment writes to a log stream of its own, as in CloudWatch.
        self.log_stream_name = (
            time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{secrets.token_hex(16)}"
        )
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        output_read, output_write = os.pipe() if show_output is not None else (None, None)
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(RUNTIME_SCRIPT),
                    str(function.code_dir),
                    function.handler,
                    str(request_read),
                    str(response_write),
                ],
                cwd=function.code_dir,  # Lambda's working directory is the code's, /var/task
                env=dict(environment),
                stdin=subprocess.DEVNULL,
                # stderr (tracebacks) stays the devserver's; stdout, where the handler logs,
                # too, or it goes through show_output.
                stdout=output_write,
                pass_fds=(request_read, response_write),
                # Its own session: a terminal's Ctrl-C reaches only the devserver, which then
                # stops its environments. Killed outright, it closes their request pipes,
                # and each exits when its invocation ends.
                start_new_session=True,
            )
        except BaseException:
            if output_read is not None:
                os.close(output_read)
            raise
        finally:
            os.close(request_read)
            os.close(response_write)
            if output_write is not None:
                os.close(output_write)
        self._output = (
            None
            if output_read is None or show_output is None
            else _FilteredOutput(output_read, function.logical_id, show_output)
        )
        self._requests = os.fdopen(request_write, "wb")
        self._responses = os.fdopen(response_read, "rb")

    def wait_until_ready(self) -> None:
        """Wait for the handler's import (the init phase); raises FunctionError if it failed."""
        message = self._receive("while starting")
        if lambda_runtime.INIT_ERROR in message:
            raise FunctionError(f"{self.function.logical_id}: {message[lambda_runtime.INIT_ERROR]}")

    def invoke(self, event: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Send one invocation and wait for its outcome (raises FunctionError if it crashed)."""
        line = json.dumps({"event": event, "context": context}).encode() + b"\n"
        try:
            self._requests.write(line)
            self._requests.flush()
        except (BrokenPipeError, ValueError):  # ValueError: stopped, its pipe already closed
            raise self._gone("before the invocation") from None
        return self._receive("during the invocation")

    def stop(self) -> None:
        stop_all([self])

    def end_input(self) -> None:
        """No more invocations: the environment exits once the one it runs (if any) ends."""
        with contextlib.suppress(BrokenPipeError):  # it has exited: nothing left to tell it
            self._requests.close()

    def wait_or_kill(self, timeout: float) -> None:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._responses.close()  # after the exit: a reader blocked on it has seen the end

    def _receive(self, when: str) -> dict[str, Any]:
        try:
            line = self._responses.readline()
        except ValueError:  # stopped by another thread, its pipe already closed
            line = b""
        if self._output is not None:
            self._output.catch_up()
        if not line:
            raise self._gone(when)
        message: dict[str, Any] = json.loads(line)
        return message

    def _gone(self, when: str) -> FunctionError:
        try:
            code = self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            code = None
        return FunctionError(
            f"{self.function.logical_id}: its execution environment (pid {self.process.pid}) "
            f"exited {when}, with code {code} (Lambda: Runtime.ExitError)"
        )


def stop_all(environments: list[ExecutionEnvironment]) -> None:
    """Stop them together: each gets the same grace to finish its invocation, then is killed."""
    for environment in environments:
        environment.end_input()
    deadline = time.monotonic() + STOP_GRACE_S
    for environment in environments:
        environment.wait_or_kill(max(deadline - time.monotonic(), 0))


class FunctionRunner:
    """One function's execution environments: up to `max_environments`, started on demand.

    `invoke` takes an idle environment (the most recently used: Lambda prefers warm
    ones), or starts a new one if all are busy and the cap allows, or waits for one to
    come free. Results cross a pipe as JSON, as Lambda's cross its runtime API.
    """

    def __init__(
        self,
        function: LambdaFunction,
        environment: Mapping[str, str],
        max_environments: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
        show_output: OutputFilter | None = None,
    ) -> None:
        if max_environments < 1:
            raise ValueError("a function needs at least one execution environment")
        self.function = function
        self.max_environments = max_environments
        self._environment = dict(environment)
        self._show_output = show_output
        self._clock = clock
        self._condition = threading.Condition()
        self._idle: list[ExecutionEnvironment] = []
        self._live: set[ExecutionEnvironment] = set()
        # Environments counted against the cap: live ones and those still starting.
        self._slots = 0
        self._running = 0
        self._closed = False
        self._started = 0
        self._invocations = 0
        self._overlapping = 0
        self._peak_running = 0

    def invoke(self, event: dict[str, Any]) -> Any:
        """Run the handler on event in some environment; its result, through JSON.

        Raises FunctionError when the handler raises, returns what Lambda cannot send, or
        its environment cannot start or dies.
        """
        environment = self._acquire()
        healthy = False
        try:
            started = self._clock()
            outcome = environment.invoke(event, self._context(environment))
            healthy = True  # a handler's exception leaves its environment usable, as in Lambda
            elapsed = self._clock() - started
        finally:
            self._release(environment, healthy)
        if elapsed > self.function.timeout_s:
            print(
                f"devserver: {self.function.logical_id} took {elapsed:.1f} s, over its "
                f"Timeout of {self.function.timeout_s:g} s: Lambda would have stopped it",
                file=sys.stderr,
                flush=True,
            )
        return self._result(outcome)

    def stats(self) -> dict[str, int]:
        """What ran so far, to show that requests really ran at once (devserver.server)."""
        with self._condition:
            return {
                "maxEnvironments": self.max_environments,
                "environments": len(self._live),
                "environmentsStarted": self._started,
                "invocations": self._invocations,
                # Invocations whose handler started while another of this function's ran.
                "overlappingInvocations": self._overlapping,
                "peakConcurrentInvocations": self._peak_running,
            }

    def close(self) -> None:
        """Stop every environment; an invocation still running ends as a FunctionError."""
        with self._condition:
            self._closed = True
            environments = list(self._live)
            self._live.clear()
            self._idle.clear()
            self._condition.notify_all()
        stop_all(environments)

    def _acquire(self) -> ExecutionEnvironment:
        """A ready environment for one invocation, counted as running from now on."""
        with self._condition:
            while not self._closed and not self._idle and self._slots >= self.max_environments:
                self._condition.wait()
            if self._closed:
                raise FunctionError(f"{self.function.logical_id}: the devserver is stopping")
            if self._idle:
                environment = self._idle.pop()
                self._count_running()
                return environment
            self._slots += 1
            self._started += 1
            number = self._started
        try:
            environment = self._start(number)
        except BaseException:
            with self._condition:
                self._slots -= 1
                self._condition.notify()
            raise
        with self._condition:
            self._count_running()
        return environment

    def _count_running(self) -> None:
        self._running += 1
        self._invocations += 1
        self._overlapping += self._running > 1
        self._peak_running = max(self._peak_running, self._running)

    def _start(self, number: int) -> ExecutionEnvironment:
        started = time.monotonic()
        environment = ExecutionEnvironment(self.function, self._environment, self._show_output)
        with self._condition:
            closed = self._closed  # then close() has run, and would not see this one
            if not closed:
                self._live.add(environment)
        try:
            if closed:
                raise FunctionError(f"{self.function.logical_id}: the devserver is stopping")
            environment.wait_until_ready()
        except BaseException:
            with self._condition:
                self._live.discard(environment)
            environment.stop()
            raise
        print(
            f"devserver: {self.function.logical_id}: execution environment {number} "
            f"(pid {environment.process.pid}) ready after a cold start of "
            f"{time.monotonic() - started:.2f} s; at most {self.max_environments} at once",
            file=sys.stderr,
            flush=True,
        )
        return environment

    def _release(self, environment: ExecutionEnvironment, healthy: bool) -> None:
        with self._condition:
            self._running -= 1
            keep = healthy and not self._closed
            if keep:
                self._idle.append(environment)
            else:
                self._live.discard(environment)
                self._slots -= 1
            self._condition.notify()
        if not keep:
            environment.stop()

    def _context(self, environment: ExecutionEnvironment) -> dict[str, Any]:
        function = self.function
        return {
            "function_name": function.function_name,
            "function_version": "$LATEST",
            "invoked_function_arn": function.arn,
            "memory_limit_in_mb": str(function.memory_mb),
            "aws_request_id": str(uuid.uuid4()),
            "log_group_name": f"/aws/lambda/{function.function_name}",
            "log_stream_name": environment.log_stream_name,
            "deadline_ms": int((time.time() + function.timeout_s) * 1000),
        }

    def _result(self, outcome: dict[str, Any]) -> Any:
        if lambda_runtime.RESULT in outcome:
            return outcome[lambda_runtime.RESULT]
        logical_id = self.function.logical_id
        message = outcome[lambda_runtime.ERROR_MESSAGE]
        if outcome[lambda_runtime.ERROR_TYPE] == lambda_runtime.MARSHAL_ERROR:
            raise FunctionError(f"{logical_id} returned a value Lambda cannot send: {message}")
        raise FunctionError(f"{logical_id} raised {message}")

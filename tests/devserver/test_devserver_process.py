"""`python -m devserver` as `make dev` runs it: real DynamoDB (Local, moto), HTTP, signals."""

from __future__ import annotations

import ipaddress
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from devserver.dynamodb_backends import find_dynamodb_local
from tests.devserver.conftest import (
    REPO_ROOT,
    DevserverProcess,
    devserver_environment,
    http_request,
    write_project,
)

pytestmark = pytest.mark.slow

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    CodeUri: code/
    Environment:
      Variables:
        TABLE_NAME: !Ref LinksTable
Resources:
  StoreFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.store.handler
      Events:
        Put: {Type: HttpApi, Properties: {Method: PUT, Path: "/values/{key}"}}
        Get: {Type: HttpApi, Properties: {Method: GET, Path: "/values/{key}"}}
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-links"
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      BillingMode: PAY_PER_REQUEST
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
"""

HANDLERS = {
    "store": """
import json
import os

import boto3

_client = None


def _dynamodb():
    global _client
    if _client is None:  # once per execution environment, as real handlers do
        _client = boto3.client("dynamodb")
    return _client


def handler(event, context):
    key = {"PK": {"S": "VALUE#" + event["pathParameters"]["key"]}, "SK": {"S": "V"}}
    table = os.environ["TABLE_NAME"]
    if event["requestContext"]["http"]["method"] == "PUT":
        _dynamodb().put_item(TableName=table, Item={**key, "value": {"S": event["body"]}})
        # What Powertools' Logger and Metrics print, and a plain print.
        print(json.dumps({"level": "INFO", "message": "stored " + key["PK"]["S"]}))
        print(json.dumps({"_aws": {"CloudWatchMetrics": []}, "Stored": [1.0]}))
        if event["body"] == "suspicious":
            print(json.dumps({"level": "WARNING", "message": "a suspicious value"}))
            print("a plain print")
        return {"statusCode": 204}
    item = _dynamodb().get_item(TableName=table, Key=key).get("Item")
    if item is None:
        return {"statusCode": 404, "body": "no such value"}
    return {"statusCode": 200, "body": item["value"]["S"]}
""",
}

TABLE_NAME = "local-links"


def put_value(port: int, key: str, value: str) -> int:
    headers = [("Content-Type", "text/plain")]
    return http_request(port, "PUT", f"/values/{key}", headers, value.encode()).status


def get_value(port: int, key: str) -> tuple[int, bytes]:
    response = http_request(port, "GET", f"/values/{key}")
    return response.status, response.body


def devserver(tmp_path: Path, *args: str, **env: str) -> DevserverProcess:
    fixture = write_project(tmp_path / "project", TEMPLATE, HANDLERS)
    return DevserverProcess(
        args=[
            "--port",
            "0",
            "--template",
            str(fixture.template),
            "--web-dir",
            str(fixture.web_dir),
            "--data-dir",
            str(tmp_path / "dynamodb-data"),
            *args,
        ],
        env=devserver_environment(**env),
    )


def listening_addresses(port: int) -> list[str]:
    """Local addresses of LISTEN sockets on a TCP port, from /proc/net/tcp and tcp6."""
    addresses = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                addresses.append(str(_proc_address(address, size)))
    return addresses


def inet_sockets_of(pid: int) -> list[tuple[str, str]]:
    """(local, remote) addresses of every TCP/UDP socket a process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = str(fd.readlink()) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    sockets = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        size = 16 if table.endswith("6") else 4
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                local = _proc_address(fields[1].split(":")[0], size)
                remote = _proc_address(fields[2].split(":")[0], size)
                sockets.append((str(local), str(remote)))
    return sockets


def _proc_address(hex_address: str, size: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    raw = bytes.fromhex(hex_address)
    # /proc/net prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
    return ipaddress.ip_address(words)


def is_loopback(address: str) -> bool:
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return parsed.is_loopback


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, UDP connect sends nothing
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else str(address)


def process_gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":  # exited, waiting for its parent to reap it
            return True
        time.sleep(0.1)
    return False


def environment_pids(server: DevserverProcess, timeout: float = 10) -> list[int]:
    """The pids of the execution environments it says it started (at least one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [
            int(found.group(1))
            for line in list(server.stderr)
            if (found := re.search(r"execution environment \d+ \(pid (\d+)\) ready", line))
        ]
        if pids:
            return pids
        time.sleep(0.05)
    pytest.fail(f"no execution environment started: {server.output()}")


@pytest.fixture(scope="module")
def dynamodb_local_available() -> None:
    install, reason = find_dynamodb_local()
    if install is None:
        pytest.skip(f"DynamoDB Local cannot run here: {reason}")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from Linux /proc")
def test_dynamodb_local_listens_on_loopback_only_keeps_data_and_never_outlives_the_devserver(
    tmp_path: Path, dynamodb_local_available: None
) -> None:
    # Given the devserver started with DynamoDB Local
    first = devserver(tmp_path, "--dynamodb", "local")
    port = first.start()
    try:
        # Then it says which DynamoDB it uses before it says it listens
        dynamodb_line = first.line_starting("DynamoDB:")
        assert first.stdout.index(dynamodb_line) < len(first.stdout) - 1
        assert "DynamoDB Local (Java" in dynamodb_line
        assert f"Table {TABLE_NAME} (LinksTable): created\n" in first.stdout
        java_pid = int(re.search(r"pid (\d+)", dynamodb_line).group(1))  # type: ignore[union-attr]
        dynamodb_port = int(re.search(r"127\.0\.0\.1:(\d+)", dynamodb_line).group(1))  # type: ignore[union-attr]

        # And DynamoDB Local listens on 127.0.0.1 only, telemetry switched off, nothing outside
        addresses = listening_addresses(dynamodb_port)
        assert addresses
        assert all(is_loopback(address) for address in addresses), addresses
        lan_address = non_loopback_address()
        if lan_address is not None:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((lan_address, dynamodb_port), timeout=2).close()
        environ = Path(f"/proc/{java_pid}/environ").read_bytes().split(b"\0")
        assert b"DDB_LOCAL_TELEMETRY=0" in environ
        for local, remote in inet_sockets_of(java_pid):
            assert is_loopback(local), (local, remote)
            unconnected = ipaddress.ip_address(remote).is_unspecified
            assert unconnected or is_loopback(remote), (local, remote)

        # And the table is the template's, TTL included
        client = boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{dynamodb_port}",
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        ttl = client.describe_time_to_live(TableName=TABLE_NAME)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}

        # When a handler stores a value through the devserver
        assert put_value(port, "greeting", "hello") == 204
        assert get_value(port, "greeting") == (200, b"hello")
    finally:
        # And the devserver gets SIGTERM
        exit_code = first.stop()

    # Then it exits cleanly and takes DynamoDB Local with it
    assert exit_code == 0, first.output()
    assert process_gone(java_pid), f"DynamoDB Local (pid {java_pid}) outlived the devserver"

    # And after a restart on the same data dir, the table and the value are still there
    second = devserver(
        tmp_path / "again", "--dynamodb", "local", "--data-dir", str(tmp_path / "dynamodb-data")
    )
    port = second.start()
    second_java_pid = int(re.search(r"pid (\d+)", second.line_starting("DynamoDB:")).group(1))  # type: ignore[union-attr]
    try:
        assert f"Table {TABLE_NAME} (LinksTable): exists\n" in second.stdout
        assert get_value(port, "greeting") == (200, b"hello")
        handler_pids = environment_pids(second)
    finally:
        # And even a devserver killed outright (no cleanup code runs) leaves no Java behind:
        # the launcher exits when its stdin pipe closes.
        second.stop(signal.SIGKILL)
    assert process_gone(second_java_pid), f"DynamoDB Local (pid {second_java_pid}) was orphaned"
    # Nor a function's execution environment: each exits when its request pipe closes
    for pid in handler_pids:
        assert process_gone(pid), f"execution environment (pid {pid}) was orphaned"


def access_line(method: str, path: str, status: str) -> re.Pattern[str]:
    """The devserver's one line for a request, e.g. `12:00:01 PUT /values/k -> 204 No Content
    (3 ms)`."""
    return re.compile(rf"\d\d:\d\d:\d\d {method} {re.escape(path)} -> {status} \(\d+ ms\)\n")


def test_moto_runs_the_same_handlers_in_memory_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    server = devserver(tmp_path, "--dynamodb", "moto")
    port = server.start()
    try:
        assert "links vanish when it stops" in server.line_starting("DynamoDB: moto")
        assert f"Table {TABLE_NAME} (LinksTable): created\n" in server.stdout
        assert get_value(port, "missing") == (404, b"no such value")
        assert put_value(port, "k", "v") == 204
        assert get_value(port, "k") == (200, b"v")
        assert put_value(port, "odd", "suspicious") == 204
        handler_pids = environment_pids(server)
    finally:
        assert server.stop(signal.SIGINT) == 0
    # The console: one readable line per request; of the functions' own output, what is
    # not JSON and their warnings, but neither INFO logs nor metric lines
    requests = [line for line in server.stderr if " -> " in line]
    assert len(requests) == 4, requests
    assert access_line("PUT", "/values/k", "204 No Content").fullmatch(requests[1])
    assert access_line("GET", "/values/missing", "404 Not Found").fullmatch(requests[0])
    assert "StoreFunction WARNING: a suspicious value\n" in server.stdout
    assert "a plain print\n" in server.stdout
    assert not [line for line in server.stdout if '"level"' in line or '"_aws"' in line]
    assert not (tmp_path / "dynamodb-data").exists()  # nothing was written to disk
    for pid in handler_pids:  # and the handler's execution environments stopped with it
        assert process_gone(pid), f"execution environment (pid {pid}) outlived the devserver"


def test_verbose_shows_the_functions_json_logs_and_metric_lines(tmp_path: Path) -> None:
    server = devserver(tmp_path, "--dynamodb", "moto", "--verbose")
    port = server.start()
    try:
        assert put_value(port, "k", "v") == 204
    finally:
        assert server.stop() == 0

    assert '{"level": "INFO", "message": "stored VALUE#k"}\n' in server.stdout
    assert '{"_aws": {"CloudWatchMetrics": []}, "Stored": [1.0]}\n' in server.stdout
    assert any(
        access_line("PUT", "/values/k", "204 No Content").fullmatch(line) for line in server.stderr
    )


def run_until_it_exits(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devserver", *args],
        cwd=REPO_ROOT,
        env=devserver_environment(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_taken_port_is_reported_in_one_line_before_any_dynamodb_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # --dynamodb local: had it got that far, it would start DynamoDB Local (or fail to)
        exited = run_until_it_exits(
            "--port", str(port), "--dynamodb", "local", "--data-dir", str(tmp_path)
        )

    assert exited.returncode == 1
    assert exited.stderr == (
        f"devserver: port {port} on 127.0.0.1 is taken (another make dev?): stop what uses it, "
        f"or choose another port, e.g. make dev PORT={port + 1}\n"
    )
    assert "DynamoDB" not in exited.stdout
    assert list(tmp_path.iterdir()) == []  # DynamoDB Local never wrote its data dir


def test_an_unreachable_dynamodb_endpoint_is_one_line_saying_what_to_start() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"  # nothing listens there

    exited = run_until_it_exits("--port", "0", DYNAMODB_ENDPOINT=endpoint)

    assert exited.returncode == 1
    assert exited.stderr == (
        f"devserver: nothing answers at DYNAMODB_ENDPOINT={endpoint} (Connection refused): "
        "start that DynamoDB first, or unset DYNAMODB_ENDPOINT and the devserver starts one "
        "of its own\n"
    )


def test_dynamodb_endpoint_points_at_another_dynamodb(tmp_path: Path) -> None:
    # Given a DynamoDB the devserver did not start
    other = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    other.start()
    try:
        endpoint = f"http://127.0.0.1:{other.get_host_and_port()[1]}"
        server = devserver(tmp_path, DYNAMODB_ENDPOINT=endpoint)
        port = server.start()
        try:
            # Then the devserver uses it, creates the missing table there, and handlers reach it
            assert server.line_starting("DynamoDB:").startswith(
                f"DynamoDB: DYNAMODB_ENDPOINT {endpoint}"
            )
            assert put_value(port, "k", "stored elsewhere") == 204
            handler_pids = environment_pids(server)
        finally:
            assert server.stop() == 0
        for pid in handler_pids:  # SIGTERM stops the execution environments too
            assert process_gone(pid), f"execution environment (pid {pid}) outlived the devserver"
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        item = client.get_item(
            TableName=TABLE_NAME, Key={"PK": {"S": "VALUE#k"}, "SK": {"S": "V"}}
        )["Item"]
        assert item["value"] == {"S": "stored elsewhere"}
    finally:
        other.stop()


@pytest.mark.parametrize(
    "template",
    [
        "Resources: [not, a, mapping]\n",
        "Resources:\n  X: {Properties: {}}\n",
        "Resources: {\n",
        "Parameters: {}\n",
    ],
)
def test_a_broken_template_is_reported_without_a_traceback(tmp_path: Path, template: str) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(template, encoding="utf-8")
    server = DevserverProcess(
        args=["--port", "0", "--template", str(broken), "--dynamodb", "moto"],
        env=devserver_environment(),
    )

    with pytest.raises(pytest.fail.Exception, match="exited with 2"):
        server.start(timeout=30)
    assert "cannot use" in "".join(server.stderr)
    assert "Traceback" not in "".join(server.stderr)

"""`python -m devserver`: the shortener on http://127.0.0.1:PORT, with no Docker and no AWS account.

Reads template.yaml's functions, routes and tables; starts a local DynamoDB (DynamoDB
Local when Java 17+ is there, else moto; DYNAMODB_ENDPOINT points at another); serves
web/ at / and every HttpApi route through the real handlers, each function in up to
--concurrency execution environments (child processes) as Lambda scales out; and runs
every DynamoDB stream event source, invoking its function as Lambda's event source
mapping would. --item-write-limit / --item-read-limit put a proxy in front of DynamoDB that
throttles any one item past that rate, as DynamoDB does past 1,000 writes a second.
Makes a local admin API key on the first start (kept in .local/admin-key, put back into
the table on every start) and prints "Admin API key: <key>". Prints "Listening on
http://127.0.0.1:PORT" once it answers requests, then one line per request; --verbose
adds the functions' JSON logs and metric lines.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import boto3
import botocore.exceptions

from devserver import LOOPBACK, console
from devserver.dynamodb_backends import (
    DynamoDBBackend,
    DynamoDBLocal,
    DynamoDBUnavailableError,
    sdk_environment,
    start_backend,
)
from devserver.dynamodb_tables import ensure_table
from devserver.dynamodb_throttling import (
    DEFAULT_ITEM_READS_PER_SECOND,
    DEFAULT_ITEM_WRITES_PER_SECOND,
    ThrottlingLimits,
)
from devserver.dynamodb_throttling_proxy import ThrottlingProxy, start_throttling_proxy
from devserver.execution_environments import DEFAULT_CONCURRENCY
from devserver.functions import environment_warnings
from devserver.local_admin_key import DEFAULT_KEY_FILE, LINKS_TABLE_ID, ensure_local_admin_key
from devserver.project import load_project, local_http_api
from devserver.server import LocalHttpApi, listen
from devserver.sns_stand_in import SnsStandIn, start_sns_stand_in
from devserver.stream_pollers import (
    Checkpoints,
    StreamClients,
    StreamPoller,
    start_stream_pollers,
    stop_stream_pollers,
)
from sam_template.document import REPO_ROOT, TEMPLATE_PATH
from sam_template.event_sources import StreamEventSource

DEFAULT_PORT = 3000
DEFAULT_REGION = "us-east-1"
DEFAULT_DATA_DIR = REPO_ROOT / ".local" / "dynamodb"
DEFAULT_WEB_DIR = REPO_ROOT / "web"
# Where each stream event source got to, beside DynamoDB Local's data (which it describes).
STREAM_CHECKPOINTS_FILE = "stream-checkpoints.json"


def parse_args(argv: list[str] | None, environ: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--port",
        type=int,
        default=int(environ.get("PORT") or DEFAULT_PORT),
        help="port on 127.0.0.1 (default: $PORT or 3000; 0 picks a free one)",
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE_PATH, help="SAM template")
    parser.add_argument("--web-dir", type=Path, default=DEFAULT_WEB_DIR, help="files served at /")
    parser.add_argument(
        "--dynamodb",
        choices=("auto", "local", "moto"),
        default="auto",
        help="auto: $DYNAMODB_ENDPOINT if set, else DynamoDB Local if Java 17+ runs, else moto",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where DynamoDB Local keeps its data (default: .local/dynamodb)",
    )
    parser.add_argument(
        "--admin-key-file",
        type=Path,
        default=DEFAULT_KEY_FILE,
        help="where the local admin API key is kept (default: .local/admin-key); made on "
        "the first start, put in the table and printed on every start",
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        type=_parameter_override,
        help="template parameters, as sam deploy takes them (e.g. CorsAllowOrigin=http://"
        "127.0.0.1:8080); the others take their Default",
    )
    parser.add_argument(
        "--concurrency",
        type=_at_least_one,
        default=DEFAULT_CONCURRENCY,
        help="execution environments (processes) each function may run at once, started as "
        f"concurrent requests need them; more requests wait (default: {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--item-write-limit",
        type=_at_least_one,
        metavar="N",
        help="refuse writes to any one item past N write units a second, as DynamoDB does past "
        f"{DEFAULT_ITEM_WRITES_PER_SECOND:,.0f} (ProvisionedThroughputExceededException); "
        "off unless given",
    )
    parser.add_argument(
        "--item-read-limit",
        type=_at_least_one,
        metavar="N",
        help="the same for reads: N read units a second per item (DynamoDB: "
        f"{DEFAULT_ITEM_READS_PER_SECOND:,.0f}); off unless given",
    )
    parser.add_argument(
        "--partition-prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="with the limits above: items whose partition key starts with PREFIX are one "
        "partition, sharing one budget (repeatable)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show the functions' JSON log lines and metric (EMF) lines, and each call moto "
        "answers; without it: one line per request, and a function's warnings and errors",
    )
    args = parser.parse_args(argv)
    if args.partition_prefix and throttling_limits(args) is None:
        parser.error("--partition-prefix needs --item-write-limit or --item-read-limit")
    return args


def throttling_limits(args: argparse.Namespace) -> ThrottlingLimits | None:
    """The per-item limits asked for (the one not given is DynamoDB's), or None: off."""
    if args.item_write_limit is None and args.item_read_limit is None:
        return None
    return ThrottlingLimits(
        item_writes_per_second=args.item_write_limit or DEFAULT_ITEM_WRITES_PER_SECOND,
        item_reads_per_second=args.item_read_limit or DEFAULT_ITEM_READS_PER_SECOND,
        partition_prefixes=tuple(args.partition_prefix),
    )


def _parameter_override(value: str) -> tuple[str, str]:
    name, equals, setting = value.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {value!r}")
    return name, setting


def _at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def main(argv: list[str] | None = None) -> int:
    # Handlers' own prints and logs should show up as they happen, even through a pipe.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    inherited = dict(os.environ)  # what the user set wins over the template's values
    args = parse_args(argv, inherited)
    region = inherited.get("AWS_REGION") or inherited.get("AWS_DEFAULT_REGION") or DEFAULT_REGION

    try:
        project = load_project(args.template, region, dict(args.parameter_overrides))
    except (OSError, ValueError, KeyError) as exc:
        print(f"devserver: cannot use {args.template}: {exc}", file=sys.stderr)
        return 2
    for problem in project.problems:
        print(f"devserver: {problem.where}: {problem.message}", file=sys.stderr)

    # The port first: a taken one is reported before DynamoDB Local spends seconds starting.
    try:
        server = listen(args.port)
    except OSError as exc:
        print(f"devserver: {_cannot_listen(args.port, exc)}", file=sys.stderr)
        return 1
    # SIGTERM unwinds like Ctrl-C, so the finally blocks below stop what was started.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    backend: DynamoDBBackend | None = None
    throttling: ThrottlingProxy | None = None
    api: LocalHttpApi | None = None
    pollers: list[StreamPoller] = []
    notifications: SnsStandIn | None = None
    try:
        try:
            backend = start_backend(args.dynamodb, args.data_dir, inherited, verbose=args.verbose)
        except DynamoDBUnavailableError as exc:
            print(f"devserver: {exc}", file=sys.stderr)
            return 1
        print(f"DynamoDB: {backend.description}", flush=True)
        endpoint_url = backend.endpoint_url
        limits = throttling_limits(args)
        if limits is not None:
            # The functions reach DynamoDB through the proxy, so that all their execution
            # environments draw on one set of per-item budgets, as on DynamoDB.
            try:
                throttling = start_throttling_proxy(backend.endpoint_url, region, limits)
            except ValueError as exc:
                print(f"devserver: {exc}", file=sys.stderr)
                return 1
            endpoint_url = throttling.endpoint_url
            print(f"DynamoDB throttling: {throttling.description}", flush=True)
            # The redirect tells a hot link by DynamoDB's per-item limit
            # (domain/hot_links.py): it must know the one modelled here.
            os.environ["DYNAMODB_ITEM_WRITES_PER_SECOND"] = str(limits.item_writes_per_second)

        os.environ.update(sdk_environment(endpoint_url, region, inherited))
        # No SNS here: the reports function's notifications print on this console.
        if "AWS_ENDPOINT_URL_SNS" not in inherited:
            notifications = start_sns_stand_in()
            os.environ["AWS_ENDPOINT_URL_SNS"] = notifications.endpoint_url
        client = boto3.client("dynamodb")
        try:
            for table in project.tables:
                state = "created" if ensure_table(client, table) else "exists"
                print(f"Table {table.table_name} ({table.logical_id}): {state}")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            print(
                f"devserver: the DynamoDB at {backend.endpoint_url} cannot create the "
                f"template's tables: {exc}",
                file=sys.stderr,
            )
            return 1

        links_table = next(
            (table for table in project.tables if table.logical_id == LINKS_TABLE_ID), None
        )
        if links_table is not None:
            try:
                admin_key = ensure_local_admin_key(
                    client, links_table.table_name, args.admin_key_file, datetime.now(UTC)
                )
                print(f"Admin API key: {admin_key}")
            except (
                OSError,
                botocore.exceptions.BotoCoreError,
                botocore.exceptions.ClientError,
            ) as exc:
                # The shortener runs without it; only the admin routes need a key.
                print(f"devserver: no local admin API key: {exc}", file=sys.stderr)

        for warning in environment_warnings(project.functions, inherited):
            print(f"devserver: {warning}", file=sys.stderr)

        # Each function's environments get this process's environment (the SDK settings
        # above included) over the function's own variables from the template.
        api = local_http_api(
            project,
            args.web_dir,
            os.environ,
            args.concurrency,
            show_output=None if args.verbose else console.readable,
        )
        server.api = api
        for route in project.routes.routes:
            print(f"Route {route.route_key} -> {route.function_id}")
        if project.event_sources:
            # A stream read from DynamoDB Local resumes where the last run got to, as a
            # deployed event source mapping does; moto's streams end with the devserver.
            checkpoints = Checkpoints(
                args.data_dir / STREAM_CHECKPOINTS_FILE
                if isinstance(backend, DynamoDBLocal)
                else None
            )
            pollers = start_stream_pollers(
                project.event_sources,
                api.runners,
                StreamClients.for_endpoint(backend.endpoint_url, region),
                region,
                checkpoints,
                report=lambda line: print(f"devserver: {line}", file=sys.stderr),
            )
            for poller in pollers:
                print(_describe_stream_source(poller.source))
        if api.static_root is not None:
            print(f"Static files from {api.static_root} at /")
        print(f"Listening on http://{LOOPBACK}:{server.server_address[1]}", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        # A second Ctrl-C or SIGTERM (make and terminals forward them too) must not cut the
        # cleanup short and leave DynamoDB Local or a function's environment running; stopping
        # them takes a few seconds at most.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_stream_pollers(pollers)  # before the functions they invoke stop
        if api is not None:
            api.close()
        if throttling is not None:
            print(f"DynamoDB throttling: {throttling.model.report().summary()}", flush=True)
            throttling.stop()
        if backend is not None:
            backend.stop()
        if notifications is not None:
            notifications.stop()
    return 0


def _describe_stream_source(source: StreamEventSource) -> str:
    """`Stream LinksTable -> ClickStatsFunction (Clicks): ...`, as the Route lines."""
    settings = [f"batches of up to {source.batch_size}"]
    if source.tumbling_window_s:
        settings.append(f"tumbling windows of {source.tumbling_window_s} s")
    if source.filter_patterns:
        settings.append(f"{len(source.filter_patterns)} filter(s)")
    settings.append(f"from {source.starting_position}")
    return f"Stream {source.table_id} -> {source.function_id} ({source.event_name}): " + ", ".join(
        settings
    )


def _cannot_listen(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {LOOPBACK} is taken (another make dev?): stop what uses it, "
            f"or choose another port, e.g. make dev PORT={port + 1}"
        )
    return f"cannot listen on {LOOPBACK}:{port}: {exc}"


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())

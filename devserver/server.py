"""The HTTP side: static files first, then the HTTP API's routes, on 127.0.0.1 only.

`LocalHttpApi.handle` is plain request -> response (testable without sockets);
`serve` puts it behind the standard library's threading HTTP server, which logs one line
per request: `12:00:01 POST /shorten -> 201 Created (45 ms)`.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from devserver import LOOPBACK
from devserver.cors import Cors
from devserver.edge import Edge
from devserver.execution_environments import FunctionRunner
from devserver.functions import FunctionError
from devserver.http_api_events import (
    MAX_REQUEST_BODY_BYTES,
    HttpRequest,
    HttpResponse,
    InvalidResponseError,
    build_event,
    decoded_path,
    error_response,
    new_request_id,
    response_from_result,
)
from devserver.static_files import StaticFiles, content_type
from sam_template.routes import RouteTable

# The devserver's own page: how many execution environments each function runs, so that a
# test can tell requests really ran at once. Two segments: no short id can take the path,
# and a template route for it would still win.
ENVIRONMENTS_PATH = "/_devserver/environments"

# An oversized body up to this size is read and dropped before the 413, so that the client,
# still sending, sees the answer instead of a reset connection. Bigger ones are cut off.
_DRAIN_LIMIT_BYTES = 4 * MAX_REQUEST_BODY_BYTES


class RequestTooLargeError(Exception):
    pass


class BadRequestError(Exception):
    pass


class LocalHttpApi:
    """What CloudFront (the page, and the hop to the API) and API Gateway (CORS, routes)
    do with a request, minus the network."""

    def __init__(
        self,
        routes: RouteTable,
        runners: dict[str, FunctionRunner],
        static_files: StaticFiles,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        edge: Edge | None = None,
        cors: Cors | None = None,
    ) -> None:
        missing = {route.function_id for route in routes.routes} - runners.keys()
        if missing:
            raise ValueError(f"routes name functions that do not exist: {sorted(missing)}")
        self._routes = routes
        self._runners = runners
        self._static_files = static_files
        self._clock = clock
        self._edge = edge or Edge()
        self._cors = cors

    @property
    def static_root(self) -> Path | None:
        return self._static_files.root

    @property
    def runners(self) -> Mapping[str, FunctionRunner]:
        """Every function's execution environments, by logical id: what else invokes a
        function (devserver.stream_pollers) shares them with the routes, as in Lambda."""
        return MappingProxyType(self._runners)

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            static_file = self._static_files.find(request.raw_path)
            if static_file is not None:
                body = static_file.read_bytes()
                return HttpResponse(
                    200,
                    [("content-type", content_type(static_file)), ("cache-control", "no-cache")],
                    body,
                )
        # On to API Gateway, as the distribution sends it there.
        forwarded = self._edge.forward(request)
        if self._cors is None:
            return self._api(forwarded)
        if (preflight := self._cors.preflight(forwarded)) is not None:
            return preflight
        return self._cors.apply(forwarded, self._api(forwarded))

    def _api(self, request: HttpRequest) -> HttpResponse:
        now, request_id = self._clock(), new_request_id()
        match = self._routes.match(request.method, decoded_path(request.raw_path))
        if match is None and request.method == "GET" and request.raw_path == ENVIRONMENTS_PATH:
            return self._environments()
        if match is None:
            return error_response(404, "Not Found", request_id=request_id, now=now)
        event = build_event(
            request,
            route_key=match.route.route_key,
            path_parameters=match.path_parameters,
            request_id=request_id,
            now=now,
        )
        try:
            result = self._runners[match.route.function_id].invoke(event)
            return response_from_result(result, request_id=request_id, now=now)
        except (FunctionError, InvalidResponseError) as exc:
            # API Gateway shows the client only this; the details go to the function's log
            # (a handler's traceback is already there, printed by its environment).
            print(f"devserver: {match.route.function_id}: {exc}", file=sys.stderr, flush=True)
            return error_response(500, "Internal Server Error", request_id=request_id, now=now)

    def close(self) -> None:
        """Stop every function's execution environments."""
        for runner in self._runners.values():
            runner.close()

    def _environments(self) -> HttpResponse:
        stats = {function_id: runner.stats() for function_id, runner in self._runners.items()}
        return HttpResponse(
            200,
            [("content-type", "application/json"), ("cache-control", "no-store")],
            json.dumps({"functions": stats}).encode(),
        )


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must not keep the devserver from stopping
    # socketserver's default backlog of 5 drops the connections of a burst of clients
    # (the kernel then retries each only after a second): API Gateway takes them all.
    request_queue_size = 128
    api: LocalHttpApi


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalHttpServer
    protocol_version = "HTTP/1.1"  # keep-alive, like API Gateway
    _started: float | None = None

    def _serve(self) -> None:
        self._started = time.monotonic()
        try:
            body = self._read_body()
        except (RequestTooLargeError, BadRequestError) as exc:
            self.close_connection = True  # what is left of the body is still on the socket
            status, message = (
                (413, "Request Entity Too Large")
                if isinstance(exc, RequestTooLargeError)
                else (400, "Bad Request")
            )
            response = error_response(
                status, message, request_id=new_request_id(), now=datetime.now(UTC)
            )
            self._write(response, extra_headers=(("connection", "close"),))
            return
        target = urlsplit(self.path) if "://" in self.path else None
        raw_path, _, raw_query = (
            (target.path or "/", "", target.query) if target else self.path.partition("?")
        )
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            protocol=self.request_version,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            server_port=self.server.server_address[1],
        )
        self._write(self.server.api.handle(request))

    # http.server dispatches on these names; every method goes the same way.
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve  # noqa: N815

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            raise BadRequestError from None
        if length < 0:
            raise BadRequestError
        if length > MAX_REQUEST_BODY_BYTES:
            if length <= _DRAIN_LIMIT_BYTES:
                while length > 0 and (chunk := self.rfile.read(min(length, 1 << 16))):
                    length -= len(chunk)
            raise RequestTooLargeError
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:
                raise BadRequestError from None
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                if total > MAX_REQUEST_BODY_BYTES:
                    raise RequestTooLargeError
                return b"".join(chunks)
            total += size
            if total > _DRAIN_LIMIT_BYTES:
                raise RequestTooLargeError
            chunk = self.rfile.read(size)
            if total <= MAX_REQUEST_BODY_BYTES:  # past the limit: read on, keep nothing
                chunks.append(chunk)
            self.rfile.readline()

    def _write(
        self, response: HttpResponse, extra_headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.log_request(response.status, len(response.body))  # before the client can see it
        self.send_response_only(response.status)
        for name, value in [*response.headers, *extra_headers]:
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD response never carries a body
            self.wfile.write(response.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line a person can read per request: `12:00:01 GET /x -> 404 Not Found (3 ms)`."""
        try:
            phrase = HTTPStatus(int(code)).phrase
        except ValueError:
            phrase = ""
        took = (
            ""
            if self._started is None
            else f" ({(time.monotonic() - self._started) * 1000:.0f} ms)"
        )
        self._started = None  # a malformed next request on this connection is not timed
        # A request line http.server could not parse leaves no method or path.
        request = f"{self.command or '?'} {getattr(self, 'path', '?')}"
        line = f"{time.strftime('%H:%M:%S')} {request} -> {code} {phrase}".rstrip()
        sys.stderr.write(f"{line}{took}\n")

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"devserver: {self.address_string()} {format % args}\n")


def listen(port: int) -> LocalHttpServer:
    """A server bound to 127.0.0.1:port (0 picks a free port) that serves nothing yet: binding
    first, a taken port is known before anything else starts. Set its .api, then call
    serve_forever(); connections made meanwhile wait in the listen queue."""
    return LocalHttpServer((LOOPBACK, port), _RequestHandler)


def serve(api: LocalHttpApi, port: int) -> LocalHttpServer:
    """A server for api bound to 127.0.0.1:port (0 picks a free port); call serve_forever()."""
    server = listen(port)
    server.api = api
    return server

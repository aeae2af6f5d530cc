"""An HTTP proxy on 127.0.0.1 that throttles a local DynamoDB the way DynamoDB does.

DynamoDB Local and moto never refuse a request for throughput. This proxy sits in front
of one of them and asks `devserver.dynamodb_throttling.ThrottlingModel` about every
DynamoDB request (its X-Amz-Target and JSON body): what the model refuses gets DynamoDB's
error answer and never reaches the backend; everything else goes on untouched, and the
backend's answer comes back as it was sent, streamed. Every process that points its SDK
here (the devserver's execution environments, through AWS_ENDPOINT_URL_DYNAMODB) shares
one set of buckets, as they would share DynamoDB's partitions.

The model's counts are at GET /_devserver/throttling (JSON), for load tests to report.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import botocore.config
import botocore.exceptions
import botocore.session

from devserver import LOOPBACK
from devserver.dynamodb_throttling import (
    Decision,
    Forward,
    Refuse,
    TableInfo,
    ThrottlingLimits,
    ThrottlingModel,
    UnknownTableError,
)

REPORT_PATH = "/_devserver/throttling"
DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
BACKEND_TIMEOUT_S = 30.0
# A client connection idle this long is closed (botocore reconnects when it needs to).
IDLE_CLIENT_TIMEOUT_S = 120.0
_CHUNK_BYTES = 64 * 1024
# Headers about one hop, not the message (RFC 9110, 7.6.1): never passed on.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class DescribedTables:
    """The model's table lookup: each table's key schema and ARN, from DescribeTable on the
    backend, asked once per table (a table that does not exist yet is asked again)."""

    def __init__(self, backend_url: str, region: str) -> None:
        self._backend_url = backend_url
        self._region = region
        self._lock = threading.Lock()
        self._tables: dict[str, TableInfo] = {}
        self._client: Any = None

    def __call__(self, table: str) -> TableInfo:
        with self._lock:
            known = self._tables.get(table)
        if known is not None:
            return known
        try:
            description = self._dynamodb().describe_table(TableName=table)["Table"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise UnknownTableError(f"cannot describe table {table}: {exc}") from exc
        schema = sorted(description["KeySchema"], key=lambda key: key["KeyType"] != "HASH")
        info = TableInfo(tuple(key["AttributeName"] for key in schema), description["TableArn"])
        with self._lock:
            self._tables[table] = info
        return info

    def _dynamodb(self) -> Any:
        with self._lock:
            if self._client is None:
                # A local DynamoDB takes any credentials; these never leave this machine.
                self._client = botocore.session.get_session().create_client(
                    "dynamodb",
                    endpoint_url=self._backend_url,
                    region_name=self._region,
                    aws_access_key_id="devserver",
                    aws_secret_access_key="devserver",  # noqa: S106 (a local dummy)
                    config=botocore.config.Config(
                        connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}
                    ),
                )
            return self._client


class ThrottlingProxy:
    """The proxy, serving in a thread of this process on 127.0.0.1 and a free port."""

    def __init__(self, backend_url: str, model: ThrottlingModel) -> None:
        backend = urlsplit(backend_url)
        if backend.scheme != "http" or backend.hostname is None:
            raise ValueError(
                f"the throttling proxy fronts a plain http:// DynamoDB, not {backend_url}"
            )
        self.backend_url = backend_url
        self.model = model
        self._server = _ProxyServer(
            (LOOPBACK, 0), _ProxyHandler, model, (backend.hostname, backend.port or 80)
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="dynamodb-throttling", daemon=True
        )
        self._thread.start()

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def description(self) -> str:
        return (
            f"{self.model.limits.describe()}, at {self.endpoint_url} in front of "
            f"{self.backend_url} (counts at {self.endpoint_url}{REPORT_PATH})"
        )

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_clients()
        self._server.server_close()
        self._thread.join(timeout=10)


def start_throttling_proxy(
    backend_url: str,
    region: str,
    limits: ThrottlingLimits,
    clock: Callable[[], float] | None = None,
) -> ThrottlingProxy:
    """A proxy in front of the DynamoDB at backend_url, with a fresh model (clock: the
    model's, time.monotonic unless given)."""
    tables = DescribedTables(backend_url, region)
    model = (
        ThrottlingModel(limits, tables) if clock is None else ThrottlingModel(limits, tables, clock)
    )
    return ThrottlingProxy(backend_url, model)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        model: ThrottlingModel,
        backend: tuple[str, int],
    ) -> None:
        super().__init__(address, handler)
        self.model = model
        self.backend = backend
        self._clients_lock = threading.Lock()
        self._clients: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._clients_lock:
            self._clients.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._clients_lock:
            self._clients.discard(request)
        super().shutdown_request(request)

    def close_clients(self) -> None:
        """End the connections clients keep open, so that no handler thread outlives stop()."""
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):  # already gone
                client.shutdown(socket.SHUT_RDWR)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the SDK's connections alive, as DynamoDB does
    timeout = IDLE_CLIENT_TIMEOUT_S
    server: _ProxyServer

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle's algorithm holds
        # the body back until the client's delayed ACK, ~40 ms on every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._backend: http.client.HTTPConnection | None = None

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._backend is not None:
                self._backend.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the devserver prints its own line per request, not one per DynamoDB call."""

    def do_GET(self) -> None:
        if self.path == REPORT_PATH:
            self._send_json(200, self.server.model.report().to_json())
            return
        self._proxy()

    def _proxy(self) -> None:
        body = self._read_body()
        decision: Decision | None = None
        request: Any = None
        target = self.headers.get("X-Amz-Target", "")
        if self.command == "POST" and target.startswith(DYNAMODB_TARGET_PREFIX):
            try:
                request = json.loads(body)
            except ValueError:
                request = None  # DynamoDB's to answer with its SerializationException
            if isinstance(request, dict):
                decision = self.server.model.admit(target[len(DYNAMODB_TARGET_PREFIX) :], request)
        if isinstance(decision, Refuse):
            self._send_json(decision.status, decision.body)
            return
        if decision is not None and decision.request is not None:
            body = json.dumps(decision.request).encode()
        response = self._forward(body)
        if response is None:
            return
        try:
            if decision is not None and decision.needs_answer and response.status == 200:
                self._relay_completed(response, decision, request)
            else:
                self._relay(response)
        except OSError:
            # The client went away mid-answer: what is left of it cannot be sent, and the
            # backend connection holds unread bytes, so neither can be used again.
            self.close_connection = True
            self._close_backend()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _proxy  # noqa: N815

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self, body: bytes) -> http.client.HTTPResponse | None:
        """Send the request to the backend, on this client's backend connection; once more
        on a new one if a kept-alive one turns out closed. None: answered 502 already."""
        for _ in range(2):
            if self._backend is None:
                self._backend = http.client.HTTPConnection(
                    *self.server.backend, timeout=BACKEND_TIMEOUT_S
                )
            reused = self._backend.sock is not None
            try:
                # Host and every header as the client sent them: the SDK signed them.
                self._backend.putrequest(
                    self.command, self.path, skip_host=True, skip_accept_encoding=True
                )
                for name, value in self.headers.items():
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self._backend.putheader(name, value)
                if body or self.command in ("POST", "PUT", "PATCH"):
                    self._backend.putheader("Content-Length", str(len(body)))
                self._backend.endheaders(body)
                return self._backend.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._close_backend()
                if not reused:
                    break
            except (OSError, http.client.HTTPException):
                self._close_backend()
                break
        host, port = self.server.backend
        self.close_connection = True
        self._send_plain(502, f"the DynamoDB at http://{host}:{port} did not answer\n")
        return None

    def _relay(self, response: http.client.HTTPResponse) -> None:
        self.send_response_only(response.status, response.reason)
        length = response.getheader("Content-Length")
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        chunked = length is None and not no_body
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if no_body:
            response.read()
        else:
            while chunk := response.read1(_CHUNK_BYTES):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        if response.will_close:
            self._close_backend()

    def _relay_completed(
        self, response: http.client.HTTPResponse, decision: Forward, request: Any
    ) -> None:
        """An answer the model completes (batch entries held back) or learns from."""
        raw = response.read()
        if response.will_close:
            self._close_backend()
        headers = [(n, v) for n, v in response.getheaders() if n.lower() not in _HOP_BY_HOP]
        encoded = any(n.lower() == "content-encoding" and v != "identity" for n, v in headers)
        completed = None
        if not encoded:
            try:
                answer = json.loads(raw)
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                completed = self.server.model.answered(decision, request, answer)
        if completed is not None:
            raw = json.dumps(completed).encode()
            headers = [
                (name, value)
                for name, value in headers
                if name.lower() not in ("content-length", "x-amz-crc32")
            ]
            # botocore checks DynamoDB's answers against this checksum.
            headers += [("Content-Length", str(len(raw))), ("x-amz-crc32", str(zlib.crc32(raw)))]
        elif not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(raw))))
        self.send_response_only(response.status, response.reason)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        """An answer of the proxy's own, shaped like DynamoDB's."""
        raw = json.dumps(body).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", JSON_CONTENT_TYPE)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("x-amzn-RequestId", uuid.uuid4().hex.upper())
        self.send_header("x-amz-crc32", str(zlib.crc32(raw)))
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()

    def _send_plain(self, status: int, text: str) -> None:
        raw = text.encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()

    def _close_backend(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

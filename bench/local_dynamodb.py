"""The handlers in this process against Amazon's DynamoDB Local, as the devserver runs them.

DynamoDB Local is started the devserver's way (127.0.0.1 only, telemetry off), its
data on tmpfs where there is one (so SQLite's writes are not disk waits), and the
table created from template.yaml's own definition.

Everything the handlers print (Powertools' EMF metrics and log lines) goes where
Lambda's goes, a file descriptor, one write per line: file descriptor 1 points at a
temporary file for the whole phase and sys.stdout is line-buffered, so each line
costs a real write() as it would on Lambda (where the runtime's stdout is unbuffered).
The bench's own progress goes to stderr.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench import functions
from devserver.dynamodb_backends import DynamoDBLocal, DynamoDBUnavailableError, find_dynamodb_local
from devserver.dynamodb_tables import ensure_table

# Only DynamoDB Local's own data goes there, in a private mkdtemp directory.
TMPFS = Path("/dev/shm")  # noqa: S108


@dataclass(frozen=True)
class LocalStack:
    endpoint_url: str
    table_name: str
    data_dir: Path
    handler_output: IO[bytes]  # where file descriptor 1 points meanwhile

    def bytes_written(self) -> int:
        sys.stdout.flush()
        return os.fstat(self.handler_output.fileno()).st_size

    def output_since(self, offset: int) -> str:
        """What the handlers printed after `offset` bytes."""
        end = self.bytes_written()
        written = os.pread(self.handler_output.fileno(), end - offset, offset)
        return written.decode("utf-8", errors="replace")


@contextmanager
def handlers_on_dynamodb_local() -> Iterator[LocalStack]:
    install, reason = find_dynamodb_local()
    if install is None:
        raise DynamoDBUnavailableError(f"the warm benchmark needs DynamoDB Local: {reason}")
    scratch = TMPFS if TMPFS.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="bench-dynamodb-", dir=scratch) as data:
        backend = DynamoDBLocal(install, Path(data))
        saved_environment = dict(os.environ)
        try:
            os.environ.update(functions.shared_environment(backend.endpoint_url))
            functions.put_code_on_path(functions.REDIRECT)
            # Imported only now: the repository's client reads the environment just set.
            from repository.client import create_dynamodb_client

            table = functions.links_table()
            ensure_table(create_dynamodb_client(), table)
            with tempfile.TemporaryFile(prefix="bench-stdout-") as output, stdout_to(output):
                yield LocalStack(backend.endpoint_url, table.table_name, Path(data), output)
        finally:
            os.environ.clear()
            os.environ.update(saved_environment)
            backend.stop()


@contextmanager
def stdout_to(sink: IO[bytes]) -> Iterator[None]:
    """Point file descriptor 1 at sink, one write per line, and back afterwards."""
    sys.stdout.flush()
    saved = os.dup(1)
    line_buffering = sys.stdout.line_buffering
    os.dup2(sink.fileno(), 1)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        sys.stdout.reconfigure(line_buffering=line_buffering)  # type: ignore[union-attr]

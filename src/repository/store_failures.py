"""When a DynamoDB failure means "unavailable right now, try again": one rule, used everywhere.

The client (repository/client.py) already retried, with backoff, everything botocore
judges transient: throttling, 5xx, timeouts and dropped connections. What reaches us
after that is either such a failure that outlasted the retries, which the API answers
with a 503 and Retry-After, or something a retry cannot fix (a malformed request, a
missing table, denied permissions), which is our bug and must stay a loud 500.

botocore marks the first kind on the error itself (MaxAttemptsReached or
RetryQuotaReached in the response metadata); connection-level failures have their own
exception classes. Reading botocore's verdict beats keeping a second list of error
codes that would drift from its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from domain.errors import StorageUnavailable

P = ParamSpec("P")
R = TypeVar("R")


class OutOfTime(Exception):
    """A call was not started: even at its worst it must end before the function is
    stopped (repository/client.py, calls_end_within). Like DynamoDB failing, it may pass."""


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error` is DynamoDB (or the way to it) failing in a way that may pass."""
    # Timeouts, refused and dropped connections: raised only once retries ran out.
    if isinstance(error, BotocoreConnectionError | HTTPClientError | OutOfTime):
        return True
    if isinstance(error, ClientError):
        metadata: Mapping[str, Any] = error.response.get("ResponseMetadata", {})
        return bool(metadata.get("MaxAttemptsReached") or metadata.get("RetryQuotaReached"))
    return False


def raises_storage_unavailable(operation: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a repository method so that an unavailable store raises StorageUnavailable,
    a domain error the API turns into a 503; anything else propagates unchanged."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @wraps(method)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except (ClientError, BotocoreConnectionError, HTTPClientError, OutOfTime) as exc:
                if is_unavailable(exc):
                    raise StorageUnavailable(operation) from exc
                raise

        return call

    return decorate

"""Powertools' idempotency, its records kept in the links table, its errors told as ours.

Powertools' idempotency package loads boto3 and its DynamoDB persistence layer, ~20 ms
of a cold start, and most creations come without an Idempotency-Key: it is imported
only when a request carries one, so nothing in this module imports it at load time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from domain.errors import StorageUnavailable
from repository.keys import IDEMPOTENCY_PARTITION, TTL_ATTRIBUTE
from repository.store_failures import is_unavailable

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from mypy_boto3_dynamodb import DynamoDBClient

Function = Callable[..., dict[str, Any]]


class KeyReusedWithAnotherRequest(Exception):
    """The Idempotency-Key was used before, with a different body."""


class KeyStillInProgress(Exception):
    """A request with this Idempotency-Key is being processed right now."""


class IdempotencyRecordFailed(Exception):
    """A record could not be read or written, and not because DynamoDB is unavailable
    (then it is StorageUnavailable): a bug, and a loud 500."""


def run_once_per_key(
    function: Function, config: IdempotencyConfig, client: DynamoDBClient, table_name: str
) -> Function:
    """`function`, run once per key that `config` reads from its `payload` argument;
    a repeat of the key gets the first run's result back."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        idempotent_function,
    )

    # One static partition for every record: creations are throttled far below the
    # 1,000 writes/s a partition takes. Records expire through the table's own TTL.
    store = DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=IDEMPOTENCY_PARTITION,
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=client,
    )
    once: Function = idempotent_function(
        data_keyword_argument="payload", persistence_store=store, config=config
    )(function)
    return _with_our_errors(once)


def _with_our_errors(once: Function) -> Function:
    @wraps(once)
    def call(**arguments: Any) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        try:
            return once(**arguments)
        except IdempotencyValidationError as exc:
            raise KeyReusedWithAnotherRequest from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise KeyStillInProgress from exc
        except IdempotencyPersistenceLayerError as exc:
            # Powertools wraps every failure of its record store in this one error.
            if is_unavailable(exc.__cause__):
                raise StorageUnavailable("keeping an idempotency record") from exc
            raise IdempotencyRecordFailed(str(exc)) from exc

    return call

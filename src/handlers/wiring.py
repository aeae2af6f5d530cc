"""Builds settings, client and repository once per Lambda container, on first use.

Nothing here runs at import time, so importing a handler module never needs AWS
settings, and tests reset the wiring with `reset()` between cases.
"""

from __future__ import annotations

from functools import cache

from handlers.settings import Settings
from repository.client import create_dynamodb_client
from repository.dynamodb_links import DynamoDBLinkRepository


@cache
def settings() -> Settings:
    return Settings.from_environment()


@cache
def link_repository() -> DynamoDBLinkRepository:
    return DynamoDBLinkRepository(create_dynamodb_client(), settings().links_table_name)


def reset() -> None:
    """Forget everything built so far (tests change the environment between cases)."""
    settings.cache_clear()
    link_repository.cache_clear()

"""Builds settings, client and repositories once per Lambda container, on first use.

Nothing here runs at import time, so importing a handler module never needs AWS
settings, and tests reset the wiring with `reset()` between cases.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from domain.blocked_hosts import BlockedHostsCache
from domain.hot_links import HotLinks
from handlers.settings import Settings
from repository.client import create_dynamodb_client
from repository.dynamodb_blocked_hosts import DynamoDBBlockedHosts
from repository.dynamodb_click_stats import DynamoDBClickStats
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.dynamodb_rate_counter import DynamoDBCreationCounter
from repository.idempotency_store import run_once_per_key
from repository.visitor_keys import DynamoDBVisitorKeys

# What only some functions use is imported by the factory that builds it: the redirect's
# cold start loads none of the keys, listings, moderation or reports modules.
if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from mypy_boto3_dynamodb import DynamoDBClient

    from domain.api_keys import ApiKeyCache
    from handlers.moderation_settings import ReportSettings
    from repository.dynamodb_api_keys import DynamoDBApiKeys
    from repository.dynamodb_audit import DynamoDBAudit
    from repository.dynamodb_key_admin import DynamoDBKeyAdmin
    from repository.dynamodb_link_listing import DynamoDBLinkListing
    from repository.dynamodb_moderation import DynamoDBLinkModeration
    from repository.dynamodb_reports import DynamoDBReports
    from repository.report_notifier import SnsReportNotifier


@cache
def settings() -> Settings:
    return Settings.from_environment()


@cache
def dynamodb_client() -> DynamoDBClient:
    return create_dynamodb_client()


@cache
def hot_links() -> HotLinks:
    """This environment's view of which links are viral: kept between invocations, a
    hint that is right to act on however old it is (domain/hot_links.py)."""
    return HotLinks(settings().item_writes_per_second)


@cache
def api_keys() -> DynamoDBApiKeys:
    from repository.dynamodb_api_keys import DynamoDBApiKeys

    return DynamoDBApiKeys(dynamodb_client(), settings().links_table_name)


@cache
def api_key_cache() -> ApiKeyCache:
    """What this environment read of API keys, trusted for a minute (domain/api_keys.py)."""
    from domain.api_keys import ApiKeyCache

    return ApiKeyCache(read=api_keys().get, touch=api_keys().touch)


@cache
def link_repository() -> DynamoDBLinkRepository:
    return DynamoDBLinkRepository(dynamodb_client(), settings().links_table_name)


@cache
def link_listing() -> DynamoDBLinkListing:
    from repository.dynamodb_link_listing import DynamoDBLinkListing

    return DynamoDBLinkListing(dynamodb_client(), settings().links_table_name, link_repository())


@cache
def visitor_keys() -> DynamoDBVisitorKeys:
    return DynamoDBVisitorKeys(dynamodb_client(), settings().links_table_name)


@cache
def click_stats() -> DynamoDBClickStats:
    return DynamoDBClickStats(
        dynamodb_client(), settings().links_table_name, settings().click_stats_retention_days
    )


@cache
def creation_counter() -> DynamoDBCreationCounter:
    return DynamoDBCreationCounter(dynamodb_client(), settings().links_table_name)


@cache
def idempotent(
    function: Callable[..., dict[str, Any]], config: IdempotencyConfig
) -> Callable[..., dict[str, Any]]:
    """`function` made idempotent on its `payload` argument, records in the links table."""
    return run_once_per_key(function, config, dynamodb_client(), settings().links_table_name)


@cache
def blocked_hosts() -> DynamoDBBlockedHosts:
    return DynamoDBBlockedHosts(dynamodb_client(), settings().links_table_name)


@cache
def blocked_hosts_cache() -> BlockedHostsCache:
    """The hosts links may not point to: the template's DeniedHosts and the operators'
    blocked hosts, read again once a minute old (domain/blocked_hosts.py)."""
    return BlockedHostsCache(read=blocked_hosts().hosts, seed=settings().denied_hosts)


@cache
def audit() -> DynamoDBAudit:
    from repository.dynamodb_audit import DynamoDBAudit

    return DynamoDBAudit(dynamodb_client(), settings().links_table_name)


@cache
def link_moderation() -> DynamoDBLinkModeration:
    from repository.dynamodb_moderation import DynamoDBLinkModeration

    return DynamoDBLinkModeration(dynamodb_client(), settings().links_table_name, link_repository())


@cache
def key_admin() -> DynamoDBKeyAdmin:
    from repository.dynamodb_key_admin import DynamoDBKeyAdmin

    return DynamoDBKeyAdmin(dynamodb_client(), settings().links_table_name, api_keys())


@cache
def reports() -> DynamoDBReports:
    from repository.dynamodb_reports import DynamoDBReports

    return DynamoDBReports(dynamodb_client(), settings().links_table_name)


@cache
def report_settings() -> ReportSettings:
    from handlers.moderation_settings import ReportSettings

    return ReportSettings.from_environment()


@cache
def report_notifier() -> SnsReportNotifier:
    # Imported here: only the reports function loads the SNS client's module.
    from repository.report_notifier import SnsReportNotifier, create_sns_client

    return SnsReportNotifier(create_sns_client(), report_settings().topic_arn)


def reset() -> None:
    """Forget everything built so far (tests change the environment between cases)."""
    for factory in (
        settings,
        dynamodb_client,
        link_repository,
        link_listing,
        api_keys,
        api_key_cache,
        hot_links,
        visitor_keys,
        click_stats,
        creation_counter,
        idempotent,
        blocked_hosts,
        blocked_hosts_cache,
        audit,
        link_moderation,
        key_admin,
        reports,
        report_settings,
        report_notifier,
    ):
        factory.cache_clear()

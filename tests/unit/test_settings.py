from __future__ import annotations

from datetime import timedelta

import pytest

from domain.rate_limits import CreationRateLimits
from handlers.settings import MisconfiguredError, Settings

# What template.yaml sets for every function (Globals.Function.Environment).
TEMPLATE_ENVIRONMENT = {
    "LINKS_TABLE_NAME": "links",
    "PUBLIC_BASE_URL": "",
    "REDIRECT_STATUS": "302",
    "DENIED_HOSTS": "",
    "CREATION_RATE_LIMIT": "30",
    "CREATION_RATE_WINDOW_SECONDS": "300",
    "CREATION_RATE_LIMIT_PER_56": "60",
    "CREATION_RATE_LIMIT_PER_48": "120",
    "CREATION_CEILING_PER_MINUTE": "600",
    "ORIGIN_VERIFY_SECRET": "s3cr3t",
    "ALLOW_DIRECT_API_ACCESS": "false",
    "SITE_DOMAIN_NAME": "",
}
RATE_LIMIT_SETTINGS = [
    "CREATION_RATE_LIMIT",
    "CREATION_RATE_WINDOW_SECONDS",
    "CREATION_RATE_LIMIT_PER_56",
    "CREATION_RATE_LIMIT_PER_48",
    "CREATION_CEILING_PER_MINUTE",
]


def settings_with(**changes: str) -> Settings:
    return Settings.from_environment({**TEMPLATE_ENVIRONMENT, **changes})


def test_settings_read_what_the_template_sets():
    settings = settings_with(
        PUBLIC_BASE_URL="https://sho.rt/",
        REDIRECT_STATUS="308",
        DENIED_HOSTS="Evil.example, x.test",
    )

    assert settings.links_table_name == "links"
    assert settings.public_base_url == "https://sho.rt"
    assert settings.redirect_status == 308
    assert settings.denied_hosts == frozenset({"evil.example", "x.test"})
    assert settings.creation_rate_limits == CreationRateLimits(
        per_client=30,
        per_56=60,
        per_48=120,
        window=timedelta(seconds=300),
        ceiling_per_minute=600,
    )


def test_the_edge_settings_read_what_the_template_sets():
    settings = settings_with()
    assert settings.origin_verify_secrets == ("s3cr3t",)
    assert settings.allow_direct_api_access is False
    assert settings.site_domain_name is None

    rotating = settings_with(
        ORIGIN_VERIFY_PREVIOUS_SECRET="old",
        ALLOW_DIRECT_API_ACCESS="true",
        SITE_DOMAIN_NAME="sho.rt",
    )
    assert rotating.origin_verify_secrets == ("s3cr3t", "old")
    assert rotating.allow_direct_api_access is True
    assert rotating.site_domain_name == "sho.rt"


def test_an_empty_base_url_means_derive_it_from_each_request():
    assert settings_with(PUBLIC_BASE_URL="").public_base_url is None


@pytest.mark.parametrize(
    "missing",
    ["LINKS_TABLE_NAME", "REDIRECT_STATUS", "ALLOW_DIRECT_API_ACCESS", *RATE_LIMIT_SETTINGS],
)
def test_a_missing_required_setting_is_a_broken_deployment(missing):
    environment = {k: v for k, v in TEMPLATE_ENVIRONMENT.items() if k != missing}

    with pytest.raises(MisconfiguredError, match=missing):
        Settings.from_environment(environment)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIRECT_STATUS", "200"),
        ("REDIRECT_STATUS", "abc"),
        *((name, value) for name in RATE_LIMIT_SETTINGS for value in ("0", "-1", "1.5", "x")),
        ("DENIED_HOSTS", "bad host,"),
        ("ALLOW_DIRECT_API_ACCESS", "yes"),
    ],
)
def test_malformed_settings_are_refused(name, value):
    with pytest.raises(MisconfiguredError, match=name):
        settings_with(**{name: value})


@pytest.mark.parametrize(
    "base_url",
    [
        "sho.rt",
        "ftp://sho.rt",
        "https://",
        "https://user@sho.rt",
        "https://sho.rt/?q=1",
        "https://sho.rt/#frag",
        "https://sho.rt#",
    ],
)
def test_a_base_url_that_short_links_cannot_be_built_on_is_refused(base_url):
    with pytest.raises(MisconfiguredError, match="PUBLIC_BASE_URL"):
        settings_with(PUBLIC_BASE_URL=base_url)

from __future__ import annotations

import pytest

from handlers.settings import MisconfiguredError, Settings


def test_settings_read_the_table_and_an_optional_base_url():
    settings = Settings.from_environment(
        {"LINKS_TABLE_NAME": "links", "PUBLIC_BASE_URL": "https://sho.rt/"}
    )

    assert settings.links_table_name == "links"
    assert settings.public_base_url == "https://sho.rt"


def test_an_empty_base_url_means_derive_it_from_each_request():
    settings = Settings.from_environment({"LINKS_TABLE_NAME": "links", "PUBLIC_BASE_URL": ""})

    assert settings.public_base_url is None


@pytest.mark.parametrize("environment", [{}, {"LINKS_TABLE_NAME": "  "}])
def test_a_missing_table_name_is_a_broken_deployment(environment):
    with pytest.raises(MisconfiguredError, match="LINKS_TABLE_NAME"):
        Settings.from_environment(environment)


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
        Settings.from_environment({"LINKS_TABLE_NAME": "links", "PUBLIC_BASE_URL": base_url})

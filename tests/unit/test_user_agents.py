"""Devices, browsers and systems, as uap-core names them."""

from __future__ import annotations

import pytest

from domain.user_agents import DESKTOP, MOBILE, OTHER, TABLET, classify

CASES = [
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        (MOBILE, "Mobile Safari", "iOS"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
        " Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        (TABLET, "Mobile Safari", "iOS"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/142.0.0.0 Mobile Safari/537.36",
        (MOBILE, "Chrome Mobile", "Android"),
    ),
    (
        # An Android tablet: no "Mobile" token.
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/142.0.0.0 Safari/537.36",
        (TABLET, "Chrome", "Android"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
        (DESKTOP, "Edge", "Windows"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like"
        " Gecko) Version/17.1 Safari/605.1.15",
        (DESKTOP, "Safari", "Mac OS X"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        (DESKTOP, "Firefox", "Linux"),
    ),
    (
        "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko)"
        " Version/6.0 TV Safari/538.1",
        (OTHER, "Safari", "Tizen"),
    ),
    ("something nobody has seen", (OTHER, "Other", "Other")),
]


@pytest.mark.parametrize(("user_agent", "expected"), CASES)
def test_a_user_agent_is_sorted_into_device_browser_and_system(user_agent, expected):
    found = classify(user_agent)

    assert (found.device, found.browser, found.os) == expected

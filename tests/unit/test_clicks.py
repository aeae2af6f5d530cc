"""Which redirect requests count as clicks (domain/clicks.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from domain.clicks import MAX_USER_AGENT_LENGTH, is_countable_click
from tests.conftest import REPO_ROOT

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.0.0 Safari/537.36"
)

BROWSERS = {
    "Chrome on Windows": CHROME,
    "Chrome on Android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/137.0.0.0 Mobile Safari/537.36"
    ),
    "Firefox on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:139.0) Gecko/20100101 Firefox/139.0"
    ),
    "Firefox on Linux": "Mozilla/5.0 (X11; Linux x86_64; rv:139.0) Gecko/20100101 Firefox/139.0",
    "Safari on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
    ),
    "Safari on macOS": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.5 Safari/605.1.15"
    ),
    "Edge": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/137.0.0.0 Safari/537.36 Edg/137.0.0.0"
    ),
    "Samsung Internet": (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36"
    ),
    "Chrome on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/137.0.7151.107 Mobile/15E148 Safari/604.1"
    ),
    # In-app browsers: a person tapped the link inside the app.
    "Facebook in-app browser on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/22F76 [FBAN/FBIOS;FBAV/518.0.0.36.97;FBBV/737374377;"
        "FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;"
        "FBOP/80]"
    ),
    "Instagram in-app browser": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 Instagram 385.0.0.23.85 (iPhone15,2; iOS 18_5; "
        "en_US; en; scale=3.00; 1179x2556; 739285637)"
    ),
}

BOTS_AND_PREVIEW_FETCHERS = {
    "Slack link unfurling": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack image proxy": "Slack-ImgProxy (+https://api.slack.com/robots)",
    "Facebook / Messenger preview": (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    ),
    "X / Twitter card": "Twitterbot/1.0",
    "WhatsApp preview": "WhatsApp/2.23.20.0",
    "Discord embed": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Telegram preview": "TelegramBot (like TwitterBot)",
    "LinkedIn preview": (
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
    ),
    "Skype / Teams preview": (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
        "skype-url-preview@microsoft.com"
    ),
    "iMessage preview": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 "
        "(KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot "
        "Twitterbot/1.0"
    ),
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Googlebot smartphone (a browser UA with a bot suffix)": (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/137.0.7151.119 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    ),
    "Bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Applebot": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 "
        "(Applebot/0.1; +http://www.apple.com/go/applebot)"
    ),
    "Headless Chrome": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/137.0.0.0 Safari/537.36"
    ),
    "Mastodon preview": "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "curl": "curl/8.7.1",
    "Wget": "Wget/1.21.4",
    "python-requests": "python-requests/2.32.3",
    "Python urllib": "Python-urllib/3.13",
    "Go": "Go-http-client/2.0",
    "okhttp": "okhttp/4.12.0",
}


def counts(
    *,
    method: str = "GET",
    user_agent: str | None = CHROME,
    **headers: str | None,
) -> bool:
    return is_countable_click(method=method, user_agent=user_agent, **headers)


# --- who counts -------------------------------------------------------------------


@pytest.mark.parametrize("user_agent", BROWSERS.values(), ids=BROWSERS.keys())
def test_a_browser_following_the_link_is_a_click(user_agent):
    assert is_countable_click(method="GET", user_agent=user_agent)


@pytest.mark.parametrize(
    "user_agent", BOTS_AND_PREVIEW_FETCHERS.values(), ids=BOTS_AND_PREVIEW_FETCHERS.keys()
)
def test_bots_and_link_preview_fetchers_are_not_clicks(user_agent):
    assert not is_countable_click(method="GET", user_agent=user_agent)


@pytest.mark.parametrize("user_agent", [None, "", "   ", "\t"])
def test_a_request_without_a_user_agent_is_not_a_click(user_agent):
    assert not counts(user_agent=user_agent)


def test_an_absurdly_long_user_agent_is_not_a_click():
    # Given a browser's User-Agent padded to exactly the limit, and one character more
    padded = CHROME + " " + "x" * (MAX_USER_AGENT_LENGTH - len(CHROME) - 1)
    assert len(padded) == MAX_USER_AGENT_LENGTH

    # Then the first still counts and the second does not
    assert counts(user_agent=padded)
    assert not counts(user_agent=padded + "x")


def test_surrounding_whitespace_does_not_hide_a_bot():
    assert not counts(user_agent="  curl/8.7.1\n")


# --- which requests count ---------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "get", "Get"])
def test_get_is_a_click_whatever_its_case(method):
    assert counts(method=method)


@pytest.mark.parametrize("method", ["HEAD", "head", "POST", "OPTIONS", "PUT", ""])
def test_other_methods_are_not_clicks(method):
    assert not counts(method=method)


# --- prefetches and previews ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        # Chrome's speculation rules and <link rel="prefetch"> in Firefox
        ("sec_purpose", "prefetch"),
        ("sec_purpose", "prefetch;prerender"),
        ("sec_purpose", "prefetch;anonymous-client-ip"),
        ("sec_purpose", "prefetch;prerender;preview"),
        ("sec_purpose", "PREFETCH"),
        ("sec_purpose", "Prefetch ; Prerender"),
        ("sec_purpose", '"prefetch"'),
        ("sec_purpose", "prerender"),
        ("sec_purpose", "something-new, prefetch"),
        # legacy Chrome / Edge <link rel="prefetch">
        ("purpose", "prefetch"),
        ("purpose", "Prefetch"),
        ("purpose", " prefetch "),
        # legacy Firefox
        ("x_moz", "prefetch"),
        ("x_moz", "Prefetch"),
        # Safari Top Sites thumbnails
        ("x_purpose", "preview"),
        ("x_purpose", "Preview"),
    ],
)
def test_a_prefetch_or_preview_is_not_a_click(header, value):
    assert not counts(**{header: value})


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("sec_purpose", ""),
        ("sec_purpose", "navigate"),
        ("sec_purpose", "prefetching"),
        ("sec_purpose", "not-prefetch;x=1"),
        ("sec_purpose", "other;reason=prefetch"),
        ("purpose", "print"),
        ("x_moz", "something"),
        ("x_purpose", "instant"),
    ],
)
def test_unrelated_purpose_values_still_count(header, value):
    assert counts(**{header: value})


# --- cold start -------------------------------------------------------------------


def modules_loaded_after(script: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", f"{script}\nimport sys; print('\\n'.join(sys.modules))"],
        cwd=REPO_ROOT / "src",
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return {name.split(".")[0] for name in result.stdout.split()}


CALL = "from domain.clicks import is_countable_click as c; "
UA = repr(CHROME)


@pytest.mark.parametrize(
    "script",
    [
        "import domain.clicks",
        CALL + f"assert not c(method='HEAD', user_agent={UA})",
        CALL + f"assert not c(method='GET', user_agent={UA}, sec_purpose='prefetch')",
        CALL + "assert not c(method='GET', user_agent=None)",
    ],
    ids=["import", "HEAD", "prefetch", "no user agent"],
)
def test_requests_that_cannot_be_clicks_never_load_the_crawler_list(script):
    assert "crawlerdetect" not in modules_loaded_after(script)


def test_a_request_that_could_be_a_click_does_load_it():
    # The other side of the check above, so it cannot pass by never loading it.
    loaded = modules_loaded_after(CALL + f"assert c(method='GET', user_agent={UA})")

    assert "crawlerdetect" in loaded

"""Browser, operating system and kind of device, from a User-Agent.

ua-parser (the Python binding of the uap-core regular expressions that Matomo-style
analytics and many others maintain) does the parsing: its data is refreshed monthly
(package ua-parser-builtins), which no list of ours would be. What it does not name is
the kind of device, so `device_kind` sorts its answer into four: phones and tablets by
the device uap-core recognised or, failing that, the operating system, desktops by the
operating system, everything else (TVs, consoles, unknown) as "other".

Only the aggregator imports this (off the redirect's path): ua-parser compiles its
patterns on first use, about a third of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MOBILE = "mobile"
TABLET = "tablet"
DESKTOP = "desktop"
OTHER = "other"

# uap-core's names (regexes.yaml): "Generic_Android_Tablet" is its brand for an Android
# device whose User-Agent lacks "Mobile", which Android's compatibility definition
# reserves for tablets; iPads and Kindles are named as such.
_TABLET_DEVICES = frozenset({"iPad"})
_TABLET_BRANDS = frozenset({"Generic_Android_Tablet"})
_TABLET_WORDS = ("Tablet", "Kindle")
_MOBILE_DEVICES = frozenset({"iPhone", "iPod", "Generic Smartphone", "Generic Feature Phone"})
_MOBILE_BRANDS = frozenset({"Generic_Android"})
_MOBILE_SYSTEMS = frozenset(
    {"Android", "iOS", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS", "HarmonyOS"}
)
_DESKTOP_SYSTEMS = frozenset(
    {
        "Windows",
        "Mac OS X",
        "Linux",
        "Ubuntu",
        "Debian",
        "Fedora",
        "Chrome OS",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
    }
)


@dataclass(frozen=True, slots=True)
class UserAgentClass:
    device: str  # MOBILE, TABLET, DESKTOP or OTHER
    browser: str  # uap-core's family, e.g. "Chrome Mobile", "Firefox"; "Other"
    os: str  # e.g. "Android", "Mac OS X"; "Other"


@lru_cache(maxsize=4096)
def classify(user_agent: str) -> UserAgentClass:
    """Cached: a few hundred distinct User-Agents make up most clicks."""
    from ua_parser import parse  # first use compiles uap-core's patterns

    result = parse(user_agent).with_defaults()
    device, brand, system = result.device.family, result.device.brand or "", result.os.family
    return UserAgentClass(
        device=device_kind(device=device, brand=brand, os=system),
        browser=result.user_agent.family,
        os=system,
    )


def device_kind(*, device: str, brand: str, os: str) -> str:
    if device in _TABLET_DEVICES or brand in _TABLET_BRANDS:
        return TABLET
    if any(word in device for word in _TABLET_WORDS):
        return TABLET
    if device in _MOBILE_DEVICES or brand in _MOBILE_BRANDS or os in _MOBILE_SYSTEMS:
        return MOBILE
    if os in _DESKTOP_SYSTEMS and device in {"Other", "Mac"}:
        return DESKTOP
    return OTHER

"""A day of clicks for the aggregator's benchmark, as the redirect would have recorded them.

The workload of issue 12: 10,000 links, clicks spread over them by Zipf's law with
exponent s = 1 (the link ranked k gets a share proportional to 1/k: the first gets
about 10 % of all clicks, the last about 0.001 %), at 1,000 clicks a second, in
simulated time: the click numbered i happens i/1000 s after the start. Nothing here
reads the clock; a seed makes every run the same.

Each click is what a browser brings: a Referer (often none), CloudFront's viewer country,
and a visitor, an address with the one User-Agent they browse with. Three clicks in ten
come from someone who clicked the same link before. The values are drawn from fixed
lists with weights that look like a public link's traffic (mostly mobile, mostly direct
or from social sites, a long tail of small sites linking to it); they are a plausible
mix, not data. What the aggregator stores grows with the number of distinct values a
link's day sees (at most 30 per breakdown, domain/click_stats.py), which this mix
reaches on popular links.

The stream records are built by the functions' own code: the redirect's `click_facts`
(referrer host, country, the stored User-Agent, the visitor's digest under the day's
key), the repository's `link_to_item` and `click_to_attribute` for the item's new image,
and the devserver's `lambda_record` for the shape Lambda gives it (JSON-ready, creation
time in epoch seconds).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.item_size import item_size
from devserver.stream_pollers import lambda_record
from domain.click_facts import ClickFacts, click_facts
from domain.links import Link
from repository.keys import link_key
from repository.link_items import CLICK_ATTRIBUTE, click_to_attribute, link_to_item

SHORT_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # shortuuid's
RETURNING_VISITORS = 0.3  # of a link's clicks: someone who clicked it before
REMEMBERED_VISITORS = 20  # per link: a returning visitor is one of its last 20
IPV6_VISITORS = 0.1
DAY_KEY = bytes(range(32))  # stands in for the day's visitor key: any 32 bytes hash alike

# Referer headers as browsers send them (None: no header: typed, bookmarked, most apps
# and mail clients), with weights. LONG_TAIL more sites, each rare, share TAIL_WEIGHT.
REFERERS: tuple[tuple[str | None, float], ...] = (
    (None, 40),
    ("https://t.co/", 8),
    ("https://l.facebook.com/", 6),
    ("https://www.google.com/", 5),
    ("https://www.linkedin.com/", 4),
    ("https://lm.facebook.com/", 3),
    ("https://www.instagram.com/", 3),
    ("https://www.reddit.com/", 3),
    ("https://www.facebook.com/", 2),
    ("https://l.instagram.com/", 2),
    ("https://news.ycombinator.com/", 2),
    ("https://www.youtube.com/", 2),
    ("https://out.reddit.com/", 1),
    ("https://mail.google.com/", 1),
    ("https://outlook.live.com/", 1),
    ("https://teams.microsoft.com/", 1),
    ("https://app.slack.com/", 1),
    ("android-app://com.slack/", 1),
    ("android-app://com.google.android.gm/", 1),
    ("https://duckduckgo.com/", 1),
    ("https://www.bing.com/", 1),
    ("https://web.whatsapp.com/", 1),
    ("https://discord.com/", 1),
    ("https://web.telegram.org/", 0.5),
    ("https://medium.com/", 0.5),
    ("https://github.com/", 0.5),
    ("https://substack.com/", 0.5),
    ("https://www.threads.net/", 0.5),
    ("https://bsky.app/", 0.5),
    ("https://mastodon.social/", 0.3),
)
LONG_TAIL = 5_000
TAIL_WEIGHT = 5.0

# CloudFront-Viewer-Country (None: a request CloudFront could not place), with weights.
COUNTRIES: tuple[tuple[str | None, float], ...] = tuple(
    (code or None, weight)
    for code, weight in (
        ("US", 22), ("IN", 8), ("GB", 6), ("DE", 5), ("BR", 5), ("FR", 4), ("CA", 3),
        ("JP", 3), ("ES", 3), ("IT", 3), ("MX", 2), ("NL", 2), ("AU", 2), ("ID", 2),
        ("PL", 2), ("TR", 2), ("PH", 2), ("KR", 1.5), ("SE", 1), ("CH", 1), ("BE", 1),
        ("AR", 1), ("CO", 1), ("NG", 1), ("ZA", 1), ("EG", 1), ("VN", 1), ("TH", 1),
        ("PK", 1), ("UA", 1), ("PT", 1), ("AT", 1), ("IE", 1), ("DK", 0.5), ("NO", 0.5),
        ("FI", 0.5), ("IL", 0.5), ("SG", 0.5), ("NZ", 0.5), ("CL", 0.5), ("MY", 0.5),
        ("RO", 0.5), ("CZ", 0.5), ("GR", 0.5), ("HU", 0.5), ("", 1),
    )
)  # fmt: skip

# User-Agents by template: {v} is a browser version, {ios} an iOS version, so that a day
# sees a few hundred distinct strings, as real traffic does (the aggregator parses each
# distinct one once per environment: domain/user_agents.py caches 4,096).
_CHROME_VERSIONS = ("140.0.0.0", "141.0.0.0", "142.0.0.0")
_IOS_VERSIONS = ("17_7", "18_5", "18_6", "18_7", "26_0", "26_1")
_ANDROID_MODELS = ("SM-S918B", "SM-A546B", "SM-G991B", "Pixel 8", "Pixel 7a", "23078RKD5C")
USER_AGENT_TEMPLATES: tuple[tuple[str, float], ...] = (
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Mobile Safari/537.36",
        28,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/{iosv} Mobile/15E148 Safari/604.1",
        18,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Safari/537.36",
        16,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
        " (KHTML, like Gecko) Chrome/{v} Safari/537.36",
        5,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Safari/537.36 Edg/{v}",
        4,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/{iosv} Safari/605.1.15",
        3,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG {model}) AppleWebKit/537.36"
        " (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
        3,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) CriOS/{v} Mobile/15E148 Safari/604.1",
        3,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Mobile/15E148 Instagram 400.0.0.35.80 (iPhone15,3; iOS {ios};"
        " en_US; en; scale=3.00; 1290x2796; 712345678)",
        3,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; {model} Build/AP2A.240805.005; wv)"
        " AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/{v} Mobile Safari/537.36"
        " [FB_IAB/FB4A;FBAV/500.0.0.45.80;]",
        3,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
        2,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/{iosv} Mobile/15E148 Safari/604.1",
        2,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Safari/537.36 OPR/125.0.0.0",
        1,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Safari/537.36",
        1,
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} Safari/537.36",
        1,
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0", 0.5),
    (
        "Mozilla/5.0 (Linux; Android 14; {model}) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/{v} YaBrowser/25.8.1.100 Mobile Safari/537.36",
        0.5,
    ),
)


@dataclass(frozen=True)
class Workload:
    links: int = 10_000
    zipf_exponent: float = 1.0
    clicks_per_second: int = 1_000
    seconds: int = 60
    seed: int = 20261203

    @property
    def clicks(self) -> int:
        return self.clicks_per_second * self.seconds


@dataclass(frozen=True)
class Visitor:
    address: str
    user_agent: str
    country: str | None


@dataclass(frozen=True)
class SimulatedClick:
    link: int  # the link's index (0: the most clicked)
    number: int  # the link's click counter after this click, as the redirect's ADD gives it
    at: datetime
    facts: ClickFacts


class _DayKey:
    """The day's visitor key, as repository/visitor_keys.py would hand it out."""

    def key_for(self, day: date) -> bytes:
        return DAY_KEY


def zipf_cumulative_weights(links: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..links under Zipf's law (share of rank k ∝ 1/k^s)."""
    return list(itertools.accumulate(1 / rank**exponent for rank in range(1, links + 1)))


class ClickSource:
    """The clicks of one workload, in order, and the links they go to."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self._random = random.Random(workload.seed)  # noqa: S311 (a workload, no secret)
        self.short_ids = self._short_ids(workload.links)
        self._link_weights = zipf_cumulative_weights(workload.links, workload.zipf_exponent)
        self._clicks_so_far = [0] * workload.links
        self._visitors: list[list[Visitor]] = [[] for _ in range(workload.links)]
        self._agent_strings: dict[str, str] = {}  # each distinct User-Agent kept once
        self._referers, self._referer_weights = _cumulative([*REFERERS, *_tail_referers()])
        self._countries, self._country_weights = _cumulative(COUNTRIES)
        self._agents, self._agent_weights = _cumulative(USER_AGENT_TEMPLATES)
        self._keys = _DayKey()

    def _short_ids(self, count: int) -> list[str]:
        ids: set[str] = set()
        ordered: list[str] = []
        while len(ordered) < count:
            candidate = "".join(self._random.choices(SHORT_ID_ALPHABET, k=7))
            if candidate not in ids:
                ids.add(candidate)
                ordered.append(candidate)
        return ordered

    def link(self, index: int) -> Link:
        """The link as stored before its clicks: a target, a token hash, no expiry."""
        short_id = self.short_ids[index]
        return Link(
            short_id=short_id,
            url=f"https://example.com/articles/{index}?utm_source=newsletter&utm_medium=email",
            created_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=index),
            management_token_hash=hashlib.sha256(short_id.encode()).hexdigest(),
        )

    def clicks_between(
        self, start: datetime, count: int, per_second: int
    ) -> Iterator[SimulatedClick]:
        """`count` clicks from `start`, `per_second` a second, each to a link by Zipf."""
        links = self._random.choices(
            range(self.workload.links), cum_weights=self._link_weights, k=count
        )
        for offset, link in enumerate(links):
            yield self.click(link, start + timedelta(seconds=offset / per_second))

    def click(self, link: int, at: datetime) -> SimulatedClick:
        """The next click of `link`, at `at`."""
        self._clicks_so_far[link] += 1
        visitor = self._visitor(link)
        facts = click_facts(
            at=at,
            referer=_pick(self._random, self._referers, self._referer_weights),
            country=visitor.country,
            user_agent=visitor.user_agent,
            address=visitor.address,
            visitor_keys=self._keys,
        )
        return SimulatedClick(link, self._clicks_so_far[link], at, facts)

    def _visitor(self, link: int) -> Visitor:
        """Someone who clicked the link before (one of the last REMEMBERED_VISITORS), or
        someone new: an address, the one User-Agent they browse with, their country."""
        earlier = self._visitors[link]
        if earlier and self._random.random() < RETURNING_VISITORS:
            return self._random.choice(earlier)
        draw = self._random
        if draw.random() < IPV6_VISITORS:
            address = "2001:db8:" + ":".join(f"{draw.getrandbits(16):x}" for _ in range(6))
        else:
            bits = draw.getrandbits(32)
            address = f"{bits >> 24}.{bits >> 16 & 255}.{bits >> 8 & 255}.{bits & 255}"
        template = _pick(draw, self._agents, self._agent_weights) or ""
        ios = draw.choice(_IOS_VERSIONS)
        user_agent = template.format(
            v=draw.choice(_CHROME_VERSIONS),
            ios=ios,
            iosv=ios.replace("_", "."),
            model=draw.choice(_ANDROID_MODELS),
        )
        visitor = Visitor(
            address,
            self._agent_strings.setdefault(user_agent, user_agent),
            _pick(draw, self._countries, self._country_weights),
        )
        if len(earlier) < REMEMBERED_VISITORS:
            earlier.append(visitor)
        else:
            earlier[draw.randrange(REMEMBERED_VISITORS)] = visitor
        return visitor


def _pick(
    draw: random.Random, values: Sequence[str | None], cumulative: Sequence[float]
) -> str | None:
    chosen = draw.random() * cumulative[-1]
    return values[min(bisect_left(cumulative, chosen), len(values) - 1)]


def _tail_referers() -> list[tuple[str | None, float]]:
    return [
        (f"https://blog{n}.example/posts/{n}", TAIL_WEIGHT / LONG_TAIL) for n in range(LONG_TAIL)
    ]


def _cumulative(
    weighted: Sequence[tuple[str | None, float]],
) -> tuple[list[str | None], list[float]]:
    values = [value for value, _ in weighted]
    return values, list(itertools.accumulate(weight for _, weight in weighted))


def stream_record(
    link: Link, click: SimulatedClick, sequence_number: int, stream_arn: str, region: str
) -> dict[str, Any]:
    """The record DynamoDB Streams has for the click's UpdateItem (NEW_IMAGE), as Lambda
    hands it to the function."""
    clicked = Link(
        short_id=link.short_id,
        url=link.url,
        created_at=link.created_at,
        clicks=click.number,
        last_clicked_at=click.at,
        expires_at=link.expires_at,
        management_token_hash=link.management_token_hash,
    )
    image = {**link_to_item(clicked), CLICK_ATTRIBUTE: click_to_attribute(click.facts)}
    created = click.at.timestamp()
    record = {
        "eventID": hashlib.md5(str(sequence_number).encode(), usedforsecurity=False).hexdigest(),
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": click.at,
            "Keys": link_key(link.short_id),
            "NewImage": image,
            "SequenceNumber": f"{sequence_number:021d}",
            # AWS: the stream record's size; here by the item-size rules, keys and image.
            "SizeBytes": item_size(link_key(link.short_id)) + item_size(image),
            "StreamViewType": "NEW_IMAGE",
        },
    }
    return lambda_record(record, stream_arn, region, (created, created))

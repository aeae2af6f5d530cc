"""Which links are hot, as one execution environment sees them, and where their clicks go.

DynamoDB gives one item at most 1,000 write units a second, so a link clicked faster
than that cannot count every click on its own item. A hot link's clicks go to one of
CLICK_SHARDS click shards instead, picked at random: items of their own, each carrying a
copy of the target (kept in step by every change, repository/dynamodb_links.py), so a
click on a shard is still one request that counts and answers.

An environment tells a hot link from what its own redirects see, with nothing shared:
every click returns the counter's new value, and the counter counts every environment's
clicks, so two clicks of one link some time apart give the link's rate across all of
them (on a shard, that shard's rate times the number of shards). Past HOT_SHARE of an
item's limit the link is hot; under COOL_SHARE, or after QUIET_SECONDS without a click
of it here, it has cooled and its clicks go back to the link's own item. A throttled
click makes it hot at once.

What is kept here is only a hint: a click on a shard is checked and answered by the
shard's own item, exactly as a click on the link item is. An environment frozen for hours
wakes with a stale view, sends one click where it thinks best, and that click is right
either way; the hours without a click of the link then say it has cooled.
docs/architecture.md, "A link that goes viral", has the numbers.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

CLICK_SHARDS = 20
"""Shards for a hot link: 20 x 1,000 writes a second, twice the 10,000 clicks a second
a campaign link must take, so each shard runs at half its limit."""
ITEM_WRITES_PER_SECOND = 1_000
"""DynamoDB's per-partition (so per-item) write limit, on-demand or provisioned (DynamoDB
developer guide, "Burst and adaptive capacity" and "Warm throughput")."""
HOT_SHARE = 0.25  # hot from a quarter of the limit: before the first throttle
COOL_SHARE = 0.10  # back to the link item under a tenth: well apart, so no flapping
MIN_SAMPLE_SECONDS = 0.05  # clicks closer together than this say little about a rate
QUIET_SECONDS = 60.0  # no click of a link here for this long: it has cooled
SPREAD_RETRY_SECONDS = 1.0
REMEMBERED_LINKS = 1_024  # per environment; the least recently clicked are forgotten


@dataclass
class _Counter:
    number: int  # the counter's value after a click this environment saw
    at: float  # when (monotonic seconds)


@dataclass
class _LinkView:
    shards: int = 0  # 0 until the link's clicks are spread (the link item says so)
    hot: bool = False
    seen: dict[int, _Counter] | None = None  # per counter: 0 the link item, k a shard
    spread_tried_at: float | None = None


class HotLinks:
    def __init__(
        self,
        item_writes_per_second: int = ITEM_WRITES_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        chooser: random.Random | None = None,
    ) -> None:
        self.hot_rate = item_writes_per_second * HOT_SHARE
        self.cool_rate = item_writes_per_second * COOL_SHARE
        self._clock = clock
        self._chooser = chooser or _load_spreader()
        self._links: OrderedDict[str, _LinkView] = OrderedDict()

    def shard_for(self, short_id: str) -> int | None:
        """The shard (1..n) the next click of `short_id` should go to, or None for the
        link's own item."""
        shards = self.spreading(short_id)
        return self._chooser.randint(1, shards) if shards else None

    def spreading(self, short_id: str) -> int:
        """The shards this environment sends the link's clicks to now; 0: its own item."""
        view = self._links.get(short_id)
        return view.shards if view is not None and view.hot else 0

    def needs_spreading(self, short_id: str) -> bool:
        """Hot, and its clicks not spread yet: the caller should spread them (not more
        than once a second)."""
        view = self._links.get(short_id)
        if view is None or not view.hot or view.shards:
            return False
        tried = view.spread_tried_at
        return tried is None or self._clock() - tried >= SPREAD_RETRY_SECONDS

    def observe(self, short_id: str, *, counter: int, number: int, shards: int) -> None:
        """A click this environment made: `counter` (0: the link item, k: shard k) is at
        `number` now, and the link's clicks are spread over `shards` (0: not spread)."""
        view = self._view(short_id)
        if shards:
            view.shards = shards
        now = self._clock()
        seen = view.seen if view.seen is not None else {}
        view.seen = seen
        if seen and now - max(sample.at for sample in seen.values()) >= QUIET_SECONDS:
            # Not one click here for that long: as far as this environment can tell, the
            # link has cooled. If it has not, its own item's counter says so at once.
            view.hot = False
        before = seen.get(counter)
        if before is None or number < before.number:
            seen[counter] = _Counter(number, now)
            return
        elapsed = now - before.at
        if elapsed < MIN_SAMPLE_SECONDS:
            return
        rate = (number - before.number) / elapsed * (view.shards if counter else 1)
        seen[counter] = _Counter(number, now)
        if rate >= self.hot_rate:
            view.hot = True
        elif rate < self.cool_rate:
            view.hot = False

    def throttled(self, short_id: str) -> None:
        """DynamoDB refused a click on the link's item for its rate: hot, now."""
        self._view(short_id).hot = True

    def spread(self, short_id: str, shards: int) -> None:
        """The link's clicks are spread over `shards` shards now (0: a try failed)."""
        view = self._view(short_id)
        view.shards = view.shards or shards
        view.spread_tried_at = self._clock()

    def _view(self, short_id: str) -> _LinkView:
        view = self._links.get(short_id)
        if view is None:
            view = self._links[short_id] = _LinkView()
            if len(self._links) > REMEMBERED_LINKS:
                self._links.popitem(last=False)
        else:
            self._links.move_to_end(short_id)
        return view


def _load_spreader() -> random.Random:
    return random.Random()  # noqa: S311  # nosec B311 # spreads load, guards no secret

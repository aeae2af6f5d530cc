"""The visitor sketch: digests that reveal nothing, counts that are right where they can be."""

from __future__ import annotations

import random

import pytest

from domain.visitors import REGISTERS, VisitorSketch, is_digest, visitor_digest

KEY = bytes(range(32))
OTHER_DAY_KEY = bytes(range(1, 33))
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/142.0.0.0 Safari/537.36"


def visitors(count: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    return [
        visitor_digest(KEY, f"203.0.{rng.randrange(256)}.{rng.randrange(256)}", f"ua-{n}")
        for n in range(count)
    ]


def test_a_digest_is_15_bits_and_one_visitor_gets_one_digest_a_day():
    digest = visitor_digest(KEY, "203.0.113.7", CHROME)

    assert 0 <= digest < 2**15
    assert is_digest(digest)
    assert visitor_digest(KEY, "203.0.113.7", CHROME) == digest
    assert not is_digest(0)  # rank 0 never happens


def test_the_same_visitor_on_another_day_is_not_linked():
    # With a new key each day, a visitor's digests of two days agree only by chance
    # (1 in thousands); over many visitors, about as often as two strangers' do.
    pairs = [(f"198.51.100.{n}", CHROME) for n in range(200)]
    same = sum(visitor_digest(KEY, *v) == visitor_digest(OTHER_DAY_KEY, *v) for v in pairs)

    assert same <= 2


@pytest.mark.parametrize("count", [1, 2, 3, 5, 10, 20, 50])
def test_small_counts_come_out_exact_or_nearly(count):
    sketch = VisitorSketch().merged(visitors(count))

    assert abs(sketch.estimate() - count) <= max(1, count // 20)


@pytest.mark.parametrize("count", [1_000, 10_000, 100_000])
def test_large_counts_are_within_three_standard_errors(count):
    sketch = VisitorSketch().merged(visitors(count, seed=count))

    standard_error = 1.04 / REGISTERS**0.5  # 4.6 %
    assert abs(sketch.estimate() - count) <= 3 * standard_error * count


def test_a_visitor_added_again_changes_nothing():
    once = VisitorSketch().merged(visitors(300))
    twice = once.merged(visitors(300))

    assert twice == once
    assert twice.estimate() == once.estimate()


def test_no_visitor_is_zero():
    assert VisitorSketch().estimate() == 0
    assert VisitorSketch().to_bytes() == b""


@pytest.mark.parametrize("count", [0, 1, 40, 127, 128, 250, 5_000])
def test_a_sketch_survives_its_bytes_and_stays_small(count):
    sketch = VisitorSketch().merged(visitors(count))

    data = sketch.to_bytes()

    assert VisitorSketch.from_bytes(data) == sketch
    assert len(data) <= REGISTERS // 2  # sparse while small, 256 bytes at most

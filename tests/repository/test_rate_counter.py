"""What every CreationCounter does (domain/ports.py), on every backend: the unit tests'
FakeCreationCounter, and DynamoDBCreationCounter on moto and on DynamoDB Local.

Only what the domain can see is checked here: the admissions. How DynamoDB keeps the
counts, in how many writes, and what happens when containers race, is in
test_rate_counter_items.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.rate_limits import RollingCounts, RollingLimit

SCOPE = "198.51.100.7"
FIVE_MINUTES = RollingLimit(3, timedelta(minutes=5))  # sub-windows of one minute
# In the future: DynamoDB Local deletes items whose `ttl` has passed, whenever it likes.
AT = datetime(2099, 11, 21, 16, 44, 59, tzinfo=UTC)
NEXT_MINUTE = datetime(2099, 11, 21, 16, 45, 0, tzinfo=UTC)
SUB_WINDOW = FIVE_MINUTES.sub_window_of(AT)


def test_a_first_creation_is_counted_in_its_sub_window(counter):
    admission = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW, (0, 0, 0, 0, 0, 1))


def test_creations_are_admitted_up_to_the_limit_and_a_refusal_counts_nothing(counter):
    answers = [counter.count_creation(SCOPE, FIVE_MINUTES, AT).counted for _ in range(3)]

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    refused_again = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert answers == [True, True, True]
    assert not refused.counted
    assert refused.counts == RollingCounts(SUB_WINDOW, (0, 0, 0, 0, 0, 3))
    assert refused_again == refused


def test_a_creation_given_back_is_counted_no_more(counter):
    kept = counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    given_back = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    counter.give_back(SCOPE, FIVE_MINUTES, given_back)

    assert kept.counted
    assert given_back.counted
    # Two more fit again, as if the given-back one had never been counted.
    assert [counter.count_creation(SCOPE, FIVE_MINUTES, AT).counted for _ in range(3)] == [
        True,
        True,
        False,
    ]


def test_a_creation_is_not_given_back_once_its_sub_window_rolled_over(counter):
    counted = counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)  # rolls the counter over

    counter.give_back(SCOPE, FIVE_MINUTES, counted)

    # It ages out with its sub-window: both are still counted.
    third = counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)
    assert third.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 1, 2))


def test_a_give_back_with_nothing_left_to_take_changes_nothing(counter):
    counted = counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    counter.give_back(SCOPE, FIVE_MINUTES, counted)

    counter.give_back(SCOPE, FIVE_MINUTES, counted)  # taken back already
    counter.give_back("203.0.113.9", FIVE_MINUTES, counted)  # nothing counted there (or gone)

    assert counter.count_creation(SCOPE, FIVE_MINUTES, AT).counts.total == 1
    assert counter.count_creation("203.0.113.9", FIVE_MINUTES, AT).counts.total == 1


def test_the_edge_of_a_sub_window_is_no_fresh_start(counter):
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)

    assert not refused.counted
    assert refused.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 3, 0))


def test_a_later_sub_window_keeps_the_creations_still_in_the_span(counter):
    counter.count_creation(SCOPE, FIVE_MINUTES, AT - timedelta(minutes=2))
    counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    later = AT + timedelta(minutes=3)  # 16:47: 16:42's creation is still in the span
    admission = counter.count_creation(SCOPE, FIVE_MINUTES, later)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW + 3, (1, 0, 1, 0, 0, 1))
    assert not counter.count_creation(SCOPE, FIVE_MINUTES, later).counted


def test_a_counter_idle_for_a_whole_window_starts_afresh(counter):
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    admission = counter.count_creation(SCOPE, FIVE_MINUTES, AT + timedelta(hours=5))

    assert admission.counted
    assert admission.counts.counts == (0, 0, 0, 0, 0, 1)


def test_a_stale_counter_still_over_the_limit_refuses(counter):
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, AT + timedelta(minutes=4))

    assert not refused.counted
    assert FIVE_MINUTES.retry_after(refused.counts, AT + timedelta(minutes=4)) == 61


def test_scopes_and_window_layouts_are_counted_apart(counter):
    hourly = RollingLimit(3, timedelta(hours=1))
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    other_scope = counter.count_creation("2001:db8::/64", FIVE_MINUTES, AT)
    other_layout = counter.count_creation(SCOPE, hourly, AT)  # the window was reconfigured

    assert (other_scope.counted, other_scope.counts.total) == (True, 1)
    assert (other_layout.counted, other_layout.counts.total) == (True, 1)


def test_a_clock_behind_counts_in_the_sub_window_already_begun(counter):
    counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)  # another container, ahead

    admission = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 0, 2))

"""A link's stats view (#/links/<id>/stats): real clicks, made by following the short link
in the browser, reach the chart, its table, the breakdowns and the CSV download; the
range control, its checks, and what the view says with no clicks or no credential."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from tests.browser.conftest import PageUnderTest, TargetSite, new_page_under_test
from tests.browser.shortener_page import my_link, shorten
from tests.browser.test_accessibility import check_with_axe
from tests.browser.test_phone import MIN_TOUCH_TARGET, horizontal_overflow
from tests.e2e.conftest import UNLIMITED, LocalStack, start_local_stack, stop

# The template's stats window is a minute; this module's stack adds clicks up every
# second, so the view shows them within seconds.
WINDOW_SECONDS = 1
STATS_WITHIN_SECONDS = 90  # generous: a busy CI machine polls its stream slowly
# The page writes its apostrophes as U+2019.
NO_ACCESS = "Only a link\u2019s owner sees its stats"
EMPTY = "No clicks in these days yet. Clicks show here within a minute or two of happening"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """conftest's stack with a one-second click stats window: `ui` and `each_look` use it here."""
    process, local = start_local_stack(
        "moto",
        tmp_path_factory.mktemp("browser-stats"),
        UNLIMITED,
        arguments=("--parameter-overrides", f"ClickStatsWindowSeconds={WINDOW_SECONDS}"),
    )
    yield local
    stop(process)


def click_link(page: Page, short_url: str, times: int = 1, referer: str | None = None) -> None:
    """Follows a short link `times` times as a person would: in another tab of the same
    browser (a real browser's User-Agent, so each one counts), landing on its target."""
    visitor = page.context.new_page()
    try:
        for _ in range(times):
            landed = (
                visitor.goto(short_url, referer=referer) if referer else visitor.goto(short_url)
            )
            assert landed is not None
            assert landed.ok, landed.status
            assert landed.request.redirected_from is not None  # through the short link
    finally:
        visitor.close()


def stats_of(stack: LocalStack, created: dict[str, Any], query: str = "") -> Any:
    answer = stack.request(
        "GET",
        f"/links/{created['shortId']}/stats{query}",
        headers={"Authorization": f"Bearer {created['managementToken']}"},
    )
    assert answer.status == 200, answer.body
    return answer.json() if "format=csv" not in query else answer.body.decode()


def delete_link(stack: LocalStack, created: dict[str, Any]) -> None:
    """Deletes the link through the API, with its management token, as its owner would."""
    deleted = stack.request(
        "DELETE",
        f"/links/{created['shortId']}",
        headers={"Authorization": f"Bearer {created['managementToken']}"},
    )
    assert deleted.status == 204, deleted.body


def wait_for_clicks(stack: LocalStack, created: dict[str, Any], clicks: int) -> Any:
    """The link's stats once they count `clicks` clicks (polled: they arrive a window at a time)."""
    deadline = time.monotonic() + STATS_WITHIN_SECONDS
    while True:
        report = stats_of(stack, created)
        if report["clicks"] >= clicks:
            return report
        assert time.monotonic() < deadline, f"only {report['clicks']} of {clicks} clicks counted"
        time.sleep(0.25)


def utc_today() -> date:
    return datetime.now(UTC).date()


def is_stats_call(csv: bool = False) -> Callable[[Request], bool]:
    def matches(request: Request) -> bool:
        path = urlsplit(request.url).path
        return (
            request.method == "GET"
            and path.startswith("/links/")
            and path.endswith("/stats")
            and ("format=csv" in request.url) == csv
        )

    return matches


def is_stats_answer(response: Response) -> bool:
    return is_stats_call()(response.request)


def days_asked(request: Request) -> tuple[date, date]:
    query = parse_qs(urlsplit(request.url).query)
    return date.fromisoformat(query["from"][0]), date.fromisoformat(query["to"][0])


def open_stats(page: Page, short_id: str) -> Any:
    """Opens the view from the link's "Stats" in "My links"; returns the API's report."""
    with page.expect_response(is_stats_answer) as answer:
        my_link(page, short_id).get_by_role("link", name=f"Stats of {short_id}").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.get_by_role("heading", level=2, name=f"Stats for {short_id}")).to_be_visible()
    return answer.value.json()


def bars(page: Page) -> Any:
    return page.locator(".click-chart__bar")


def bar_heights(page: Page) -> list[float]:
    heights: list[float] = bars(page).evaluate_all(
        "bars => bars.map(bar => Number(bar.getAttribute('height')))"
    )
    return heights


def x_label_overlaps(page: Page) -> list[str]:
    """Pairs of x labels that overlap, and labels outside the chart."""
    problems: list[str] = page.evaluate(
        """() => {
            const chart = document.querySelector('.click-chart').getBoundingClientRect();
            const labels = [...document.querySelectorAll('.click-chart__x-labels text')]
                .map(t => [t.textContent, t.getBoundingClientRect()]);
            const problems = [];
            labels.forEach(([text, box], i) => {
                if (box.left < chart.left - 0.5 || box.right > chart.right + 0.5) {
                    problems.push(`${text} outside`);
                }
                if (i > 0 && box.left < labels[i - 1][1].right) {
                    problems.push(`${labels[i - 1][0]}/${text}`);
                }
            });
            return problems;
        }"""
    )
    return problems


def too_small_targets(page: Page) -> list[str]:
    small: list[str] = page.evaluate(
        """min => [...document.querySelectorAll(
                `#stats-view :is(button, .button, .choice, summary, input:not([type=radio]))`)]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < min || box.width < min)
            .map(([name, box]) => `${name}: ${box.width}x${box.height}`)""",
        MIN_TOUCH_TARGET,
    )
    return small


def test_real_clicks_show_as_bars_a_table_and_referrers(
    each_look: PageUnderTest, target_site: TargetSite
) -> None:
    page = each_look.open()
    created = shorten(page, target_site.url("/landing"))
    first_day = utc_today()
    click_link(page, created["shortUrl"], 2, referer="https://news.example/item?id=1")
    click_link(page, created["shortUrl"], 1)
    wait_for_clicks(each_look.stack, created, 3)

    report = open_stats(page, created["shortId"])

    assert report["clicks"] == 3
    expect(page.locator("#stats-clicks")).to_have_text("3")
    expect(page.locator("#stats-visitors")).to_have_text(str(report["visitors"]))
    expect(bars(page)).to_have_count(30)
    heights = bar_heights(page)
    clicks = [day["clicks"] for day in report["days"]]
    assert [h > 0 for h in heights] == [c > 0 for c in clicks]
    assert heights.index(max(heights)) == clicks.index(max(clicks))
    if utc_today() == first_day:  # every click on one day: today's bar stands alone
        assert clicks[-1] == 3
        assert heights[-1] == max(heights) > 0
        assert heights[:-1] == [0] * 29
        expect(page.locator(".click-chart__day").last.locator("title")).to_contain_text(
            f": 3 clicks, {report['days'][-1]['visitors']} visitor"
        )
    chart = page.get_by_role("img", name="Clicks per day")
    expect(chart).to_have_attribute(
        "aria-label", re.compile(r"^Clicks per day, .+ \(UTC\): 3 clicks, most on ")
    )
    expect(page.locator("#stats-empty")).to_be_hidden()

    page.get_by_text("Show as table").click()
    rows = page.locator("#stats-table tbody tr")
    expect(rows).to_have_count(30)
    shown = rows.evaluate_all(
        """rows => rows.map(row => [
            row.dataset.date, ...[...row.querySelectorAll('td')].map(td => Number(td.textContent)),
        ])"""
    )
    assert shown == [[d["date"], d["clicks"], d["visitors"]] for d in report["days"]]

    referrers = page.locator('[data-breakdown="referrers"]')
    expect(referrers.locator('li[data-value="news.example"]')).to_contain_text("2 clicks, 67%")
    expect(referrers.locator('li[data-value="(direct)"]')).to_contain_text("1 click, 33%")
    expect(page.locator('[data-breakdown="devices"] li')).to_have_text(["Desktop3 clicks, 100%"])
    expect(page.locator('[data-breakdown="browsers"] li')).to_have_text(["Chrome3 clicks, 100%"])
    expect(page.locator('[data-breakdown="os"] li')).to_have_text(["Linux3 clicks, 100%"])
    expect(page.locator('[data-breakdown="countries"] li')).to_have_text(["Unknown3 clicks, 100%"])

    assert horizontal_overflow(page) <= 0
    assert x_label_overlaps(page) == []
    assert too_small_targets(page) == []
    assert check_with_axe(page) == []


def test_a_fresh_link_says_what_will_appear_and_the_90_days_stay_readable(
    each_look: PageUnderTest, target_site: TargetSite
) -> None:
    page = each_look.open()
    created = shorten(page, target_site.url("/fresh"))

    report = open_stats(page, created["shortId"])

    assert report["clicks"] == 0
    expect(page.locator("#stats-empty")).to_have_text(
        EMPTY + "; bots and link previews are not counted.", use_inner_text=True
    )
    expect(bars(page)).to_have_count(30)
    assert set(bar_heights(page)) == {0}
    expect(page.get_by_role("img", name="Clicks per day")).to_have_attribute(
        "aria-label", re.compile(r"^Clicks per day, .+ \(UTC\): no clicks$")
    )
    ticks = page.locator(".click-chart__grid text").all_text_contents()
    assert ticks == ["0", "1", "2"]  # an axis all the same, for the bars to come
    expect(page.locator('[data-breakdown="referrers"]')).to_contain_text(
        "Referrers appear once someone follows the link from another site"
    )
    for key in ("countries", "devices", "browsers", "os"):
        expect(page.locator(f'[data-breakdown="{key}"] .breakdown__empty')).to_contain_text(
            "appear once the link is clicked"
        )
    assert check_with_axe(page) == []

    with page.expect_response(is_stats_answer):
        page.get_by_role("radio", name="Last 90 days").check()
    expect(bars(page)).to_have_count(90)
    labels = page.locator(".click-chart__x-labels text")
    assert 3 <= labels.count() <= 30
    expect(labels.last).to_have_text(short_day(utc_today()))
    assert x_label_overlaps(page) == []
    assert horizontal_overflow(page) <= 0
    assert too_small_targets(page) == []

    page.get_by_role("radio", name="Other days").check()
    page.get_by_role("button", name="Show these days").click()  # today's 90 days: fine
    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Show these days").click()
    expect(page.locator("#stats-to-error")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert too_small_targets(page) == []
    assert check_with_axe(page) == []


def short_day(day: date) -> str:
    """How en-US Chromium writes a day on the x axis ("Nov 3")."""
    return f"{day:%b} {day.day}"


def test_the_range_changes_the_bars_and_the_days_asked_for(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/ranges"))
    open_stats(page, created["shortId"])
    expect(page.get_by_role("radio", name="Last 30 days")).to_be_checked()

    for label, days in (("Last 7 days", 7), ("Last 90 days", 90), ("Last 30 days", 30)):
        with page.expect_request(is_stats_call()) as asked:
            page.get_by_role("radio", name=label).check()
        first, last = days_asked(asked.value)
        assert last == utc_today()
        assert (last - first).days + 1 == days
        expect(bars(page)).to_have_count(days)
        expect(page.locator("#stats-table tbody tr")).to_have_count(days)
        expect(page.locator("#stats-status")).to_contain_text("(UTC): 0 clicks.")


def test_days_of_ones_own_are_checked_next_to_their_fields_once(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/custom"))
    report = open_stats(page, created["shortId"])
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if is_stats_call()(r) else None)

    page.get_by_role("radio", name="Other days").check()
    # The days on screen to start from.
    expect(page.get_by_label("From", exact=True)).to_have_value(report["from"])
    expect(page.get_by_label("To", exact=True)).to_have_value(report["to"])
    show = page.get_by_role("button", name="Show these days")

    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    show.click()
    show.click()  # said once, however often it is asked
    errors = page.locator("#stats-range .field-error:visible")
    expect(errors).to_have_count(1)
    expect(page.locator("#stats-to-error")).to_have_text(
        "The last day must be on or after the first day."
    )
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("To", exact=True)).to_be_focused()

    page.get_by_label("From", exact=True).fill("2024-01-01")
    page.get_by_label("To", exact=True).fill("2025-06-01")
    show.click()
    expect(errors).to_have_count(1)
    expect(page.locator("#stats-from-error")).to_contain_text("At most 366 days")
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    expect(page.get_by_label("To", exact=True)).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("From", exact=True).fill("")
    show.click()
    expect(page.locator("#stats-from-error")).to_have_text("Enter the first day, as a whole date.")
    assert asked == []  # nothing wrong was sent

    last = utc_today() - timedelta(days=3)
    first = last - timedelta(days=9)
    page.get_by_label("From", exact=True).fill(first.isoformat())
    page.get_by_label("To", exact=True).fill(last.isoformat())
    with page.expect_request(is_stats_call()) as sent:
        show.click()
    assert days_asked(sent.value) == (first, last)
    expect(bars(page)).to_have_count(10)
    expect(errors).to_have_count(0)


def test_the_csv_download_is_the_apis_csv_under_its_name(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/csv"))
    click_link(page, created["shortUrl"], 2)
    wait_for_clicks(ui.stack, created, 2)
    report = open_stats(page, created["shortId"])
    with page.expect_response(is_stats_answer):
        page.get_by_role("radio", name="Last 7 days").check()
    last = report["to"]
    first = (date.fromisoformat(last) - timedelta(days=6)).isoformat()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()

    name = f"{created['shortId']}-clicks-{first}-to-{last}.csv"
    assert download.value.suggested_filename == name
    saved = Path(download.value.path()).read_bytes().decode()
    assert saved == stats_of(ui.stack, created, f"?from={first}&to={last}&format=csv")
    assert saved.startswith("date,clicks,visitors\r\n")
    assert saved.count("\r\n") == 8
    expect(page.locator("#stats-download-status")).to_have_text(f"Downloaded {name}.")


def test_without_the_links_token_or_a_key_no_stats_are_asked_for(ui: PageUnderTest) -> None:
    # Made through the API: this browser never held its token.
    created = ui.stack.shorten({"url": "https://example.com/someone-elses"}).json()
    page = ui.open()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if is_stats_call()(r) else None)

    page.goto(f"{ui.stack.base_url}/#/links/{created['shortId']}/stats")

    expect(page.get_by_role("heading", level=1)).to_have_text("Link stats")
    expect(page.locator("#stats-no-access")).to_contain_text(NO_ACCESS)
    expect(page.locator("#stats-content")).to_be_hidden()
    assert check_with_axe(page) == []
    assert asked == []
    page.get_by_role("link", name="See the link\u2019s public details").click()
    expect(page.locator("#details-url")).to_have_text("https://example.com/someone-elses")
    # The details offer no stats to a browser that cannot read them.
    expect(page.locator("#details-stats")).to_be_hidden()


def test_a_key_that_is_not_the_owners_gets_the_same_sentence(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/not-yours"}).json()
    page = ui.open()
    # A key of the right shape that the API does not know.
    page.evaluate(
        "key => localStorage.setItem('shortener.apiKey.v1', key)",
        "usk_0123456789abcdef_" + "A" * 43,
    )

    with page.expect_response(is_stats_answer) as answer:
        page.goto(f"{ui.stack.base_url}/#/links/{created['shortId']}/stats")

    assert answer.value.status in (401, 403)
    expect(page.locator("#stats-no-access")).to_contain_text(
        "The API key this browser holds does not belong to this link\u2019s owner."
    )
    expect(page.locator("#stats-no-access")).to_contain_text(NO_ACCESS)
    expect(page.locator("#stats-report")).to_be_hidden()


def test_a_deleted_links_stats_say_it_is_gone(ui: PageUnderTest, target_site: TargetSite) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/deleted"))
    delete_link(ui.stack, created)

    with page.expect_response(is_stats_answer) as answer:
        page.goto(f"{ui.stack.base_url}/#/links/{created['shortId']}/stats")

    assert answer.value.status == 410
    expect(page.locator("#stats-problem")).to_have_text(
        f"The short link “{created['shortId']}” was deleted (410), and its stats with it."
    )
    expect(page.locator("#stats-content")).to_be_hidden()


def test_a_range_change_answered_gone_takes_focus_to_what_says_so(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/gone-later"))
    open_stats(page, created["shortId"])
    week = page.get_by_label("Last 7 days")
    week.focus()
    delete_link(ui.stack, created)

    with page.expect_response(is_stats_answer) as answer:
        page.keyboard.press("Space")  # a keyboard user choosing another range

    assert answer.value.status == 410
    # The focused radio is hidden with the chart; focus goes to the notice, read out.
    expect(page.locator("#stats-problem")).to_be_focused()
    expect(page.locator("#stats-content")).to_be_hidden()


def test_the_details_of_ones_own_link_lead_to_its_stats(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/details"))
    page.goto(f"{ui.stack.base_url}/#/links/{created['shortId']}")
    stats = page.get_by_role("link", name="Stats: clicks per day")
    with page.expect_response(is_stats_answer):
        stats.click()
    expect(page).to_have_url(f"{ui.stack.base_url}/#/links/{created['shortId']}/stats")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Stats for {created['shortId']}")
    expect(page.locator("#stats-short-url")).to_have_text(created["shortUrl"])


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_days_are_utc_days_in_any_time_zone(
    browser: Browser, stack: LocalStack, target_site: TargetSite, zone: str
) -> None:
    ui = new_page_under_test(browser, stack, timezone_id=zone, locale="en-US")
    try:
        page = ui.open()
        created = shorten(page, target_site.url("/zones"))
        with page.expect_request(is_stats_call()) as asked:
            report = open_stats(page, created["shortId"])
        today = utc_today()
        _, last = days_asked(asked.value)
        assert last == date.fromisoformat(report["to"])
        assert last in (today, today - timedelta(days=1))  # a midnight may pass meanwhile
        expected = f"{last:%a}, {last:%b} {last.day}, {last.year}"  # en-US, in UTC
        page.get_by_text("Show as table").click()
        expect(page.locator("#stats-table tbody tr").last.locator("th")).to_have_text(expected)
        expect(page.locator(".click-chart__day").last.locator("title")).to_have_text(
            f"{expected}: 0 clicks, 0 visitors"
        )
        assert ui.csp_violations() == []
    finally:
        ui.context.close()


def test_the_y_axis_has_three_to_five_round_ticks(ui: PageUnderTest) -> None:
    page = ui.open()
    maxima = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 19, 21, 42, 99, 100, 101, 999, 12345]
    ticks: list[list[int]] = page.evaluate(
        """async maxima => {
            const { niceTicks } = await import('/assets/click-chart.js');
            return maxima.map(m => niceTicks(m));
        }""",
        maxima,
    )
    for most, axis in zip(maxima, ticks, strict=True):
        steps = {b - a for a, b in itertools.pairwise(axis)}
        assert 3 <= len(axis) <= 5, (most, axis)
        assert axis[0] == 0, (most, axis)
        assert axis[-1] >= most, (most, axis)
        assert len(steps) == 1, (most, axis)
        [step] = steps
        assert str(step).strip("0") in {"1", "2", "5"}, (most, axis)

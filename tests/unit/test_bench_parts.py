"""The bench's parts without timing anything: how they set up, count, group and judge."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from botocore.config import Config

from bench import cold_start, functions, redirect_cost, round_trips, sizes, warm
from bench.machine import cpu_model, os_name
from bench.redirect_logs import ClickLogs, click_logs
from bench.report import MET, MISSED, NO_TARGET
from repository.client import CLIENT_CONFIG
from sam_template.document import load_template
from tests.conftest import REPO_ROOT

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def test_the_baseline_client_gets_the_functions_own_config():
    options = cold_start.non_default_options(CLIENT_CONFIG)
    rebuilt = Config(**options)

    assert options  # the functions do set some
    assert cold_start.non_default_options(rebuilt) == options


def test_the_baseline_comes_first_and_only_redirect_and_shorten_have_targets():
    chosen = cold_start.variants(CLIENT_CONFIG, BROWSER)

    assert chosen[0].name == cold_start.BASELINE
    assert "create_client('dynamodb'" in chosen[0].code
    assert "handlers" not in chosen[0].code
    targets = {v.name: v.target.limit for v in chosen if v.target}
    assert targets == {"redirect": 1.3, "shorten": 1.6}
    shorten = next(v for v in chosen if v.name == "shorten")
    assert "wiring.creation_counter()" in shorten.code


def test_every_variants_code_compiles_inside_the_timing_program():
    for variant in cold_start.variants(CLIENT_CONFIG, BROWSER):
        compile(cold_start.child_program(variant.code), variant.name, "exec")


def test_children_write_bytecode_to_their_own_cache_and_inherit_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    redirect = cold_start.variants(CLIENT_CONFIG, BROWSER)[1]

    environment = cold_start.child_environment(redirect, tmp_path)

    assert "PYTHONDONTWRITEBYTECODE" not in environment
    assert environment["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    assert environment["PYTHONPATH"] == str(functions.function(functions.REDIRECT).code_dir)
    # The template's variables, and an endpoint nobody listens on.
    assert environment["REDIRECT_STATUS"] == "302"
    assert environment["AWS_ENDPOINT_URL_DYNAMODB"] == cold_start.UNUSED_ENDPOINT
    assert environment["AWS_CONFIG_FILE"].startswith("/nonexistent/")


def test_the_elapsed_time_is_the_last_marker_line_whatever_else_was_printed():
    marker = cold_start.MARKER
    stdout = f"a log line\n{marker}0.25 0.2\nmore\n{marker}0.125 0.0625\n"

    assert cold_start.parse_elapsed(stdout) == (0.125, 0.0625)


def test_the_timing_program_reports_wall_and_cpu_seconds_apart(capsys):
    # The program as a child runs it, minus the exit (os._exit would end pytest). A sleep
    # takes wall-clock time and next to no CPU: swapped or shared clocks would show it.
    code = "import time\ntime.sleep(0.05)"
    program = cold_start.child_program(code).replace("os._exit(0)", "")

    exec(compile(program, "child", "exec"), {})  # noqa: S102 (our own program)

    wall, cpu = cold_start.parse_elapsed(capsys.readouterr().out)

    assert wall >= 0.05
    assert cpu < 0.025


def test_a_child_without_a_marker_line_is_an_error():
    with pytest.raises(ValueError, match="no BENCH_ELAPSED_S"):
        cold_start.parse_elapsed("Traceback ...\n")


def test_variants_take_turns_in_a_rotating_order():
    chosen = cold_start.variants(CLIENT_CONFIG, BROWSER)[:3]
    names = [[v.name for v in cold_start.rotated(chosen, run)] for run in range(4)]

    assert names[0] == [v.name for v in chosen]
    assert names[1] == [*names[0][1:], names[0][0]]
    assert names[3] == names[0]


def cold_result(baseline: list[float], redirect: list[float]) -> cold_start.ColdStartResult:
    base_variant, redirect_variant = cold_start.variants(CLIENT_CONFIG, BROWSER)[:2]
    return cold_start.ColdStartResult(
        runs=len(baseline),
        samples=[
            cold_start.Samples(base_variant, baseline, baseline, baseline),
            cold_start.Samples(redirect_variant, redirect, redirect, redirect),
        ],
        bytecode_files=10,
        compiled_while_measuring=0,
    )


def test_cold_start_ratios_are_median_over_median_and_judged_against_the_target():
    met = cold_start.metrics(cold_result([0.2, 0.1, 0.3], [0.25, 0.24, 0.9]))
    missed = cold_start.metrics(cold_result([0.2, 0.2, 0.2], [0.3, 0.3, 0.3]))

    assert met[0].value == pytest.approx(1.25)
    assert met[0].verdict == MET
    assert missed[0].value == pytest.approx(1.5)
    assert missed[0].verdict == MISSED
    assert missed[0].shown == "1.50 (300 ms vs 200 ms)"


def test_paired_ratios_compare_each_run_with_its_own_baseline():
    result = cold_result([0.1, 0.4, 0.2], [0.2, 0.4, 0.3])

    # per run: 2.0, 1.0, 1.5
    assert cold_start.paired_ratio(result.samples[1], result.baseline) == pytest.approx(1.5)


def test_warm_ratios_compare_wall_clock_percentiles_and_judge_the_p50():
    cpu = [0.001] * 5
    result = warm.WarmResult(
        iterations=5,
        batch_size=5,
        warm_up=0,
        handler=warm.Timings([0.0022, 0.0021, 0.0023, 0.0022, 0.0080], cpu),
        repository=warm.Timings([0.0021] * 5, cpu),
        raw=warm.Timings([0.0020] * 5, cpu),
        stdout_bytes_per_redirect=250,
        update_parameters={},
        logs=ClickLogs(handler_bytes=200, handler_lines=1, access_log_bytes=170),
        raw_without_click=warm.Timings([0.0016] * 5, cpu),
        write_units=1.0,
        item_bytes=400,
        click_map_bytes=140,
    )

    p50, p99, click_map, units, logs = warm.metrics(result)

    assert p50.value == pytest.approx(1.1)
    assert p50.verdict == MET
    assert p99.target is None
    assert p99.verdict == NO_TARGET
    # The raw request with the analytics map against the same without it: no target.
    assert click_map.value == pytest.approx(1.25)
    assert click_map.verdict == NO_TARGET
    assert units.verdict == MET
    assert "140 of them the click map" in units.shown
    # 200 + 170 + two log events' 26 bytes, against the cost model's assumption.
    assert logs.value == 422
    assert logs.verdict == MET


def test_a_click_billed_two_write_units_misses_the_one_unit_target():
    timings = warm.Timings([0.002], [0.001])
    result = warm.WarmResult(
        iterations=1,
        batch_size=1,
        warm_up=0,
        handler=timings,
        repository=timings,
        raw=timings,
        stdout_bytes_per_redirect=250,
        update_parameters={},
        logs=ClickLogs(handler_bytes=200, handler_lines=1, access_log_bytes=170),
        write_units=2.0,
        item_bytes=1_100,
        click_map_bytes=500,
    )

    units = next(m for m in warm.metrics(result) if m.name.startswith("DynamoDB write units"))

    assert units.verdict == MISSED


def test_the_warm_section_says_whether_a_timed_call_fetched_a_visitor_key():
    timings = warm.Timings([0.002], [0.001])

    def section(days: tuple[str, str]) -> str:
        result = warm.WarmResult(
            iterations=1,
            batch_size=1,
            warm_up=0,
            handler=timings,
            repository=timings,
            raw=timings,
            stdout_bytes_per_redirect=250,
            update_parameters={},
            logs=ClickLogs(handler_bytes=200, handler_lines=1, access_log_bytes=170),
            days=days,
        )
        return warm.section(result).body

    assert "none of them fetched a visitor key" in section(("2026-12-03", "2026-12-03"))
    assert "crossed UTC midnight" in section(("2026-12-03", "2026-12-04"))


def test_the_log_bytes_of_a_click_are_what_the_handler_printed_and_the_access_line():
    output = '{"_aws": 1, "Clicks": [1.0]}\n' * 4
    logs = click_logs(output, clicks=4, template=load_template())

    assert logs.handler_bytes == len('{"_aws": 1, "Clicks": [1.0]}')
    assert logs.handler_lines == 1
    assert logs.total == logs.handler_bytes + logs.access_log_bytes + 2 * 26


def test_a_timed_call_records_wall_and_cpu_time_apart_and_passes_its_result_on():
    timings = warm.Timings()

    def sleep_then_answer() -> int:
        time.sleep(0.05)  # wall-clock time, next to no CPU
        return 42

    result = timings.add(sleep_then_answer)

    assert result == 42
    assert len(timings.wall) == len(timings.cpu) == 1
    assert timings.wall[0] >= 0.05
    assert timings.cpu[0] < 0.025


def test_warm_sides_take_turns_in_a_rotating_order():
    names = ["handler", "repository", "raw", "raw without the click map"]

    assert [warm.rotated(names, batch)[0] for batch in range(5)] == [
        "handler", "repository", "raw", "raw without the click map", "handler",
    ]  # fmt: skip


def test_the_update_item_the_handler_sends_is_captured_as_sent():
    sent = {"TableName": "t", "UpdateExpression": "ADD clicks :one"}

    class Events:
        def __init__(self):
            self.hooks = []

        def register(self, event, hook):
            self.hooks.append(hook)

        def unregister(self, event, hook):
            self.hooks.remove(hook)

    client = SimpleNamespace(meta=SimpleNamespace(events=Events()))

    def handler_sends_one():
        for hook in client.meta.events.hooks:
            hook(params=sent, model=None)

    captured = warm.capture_update_parameters(client, handler_sends_one)

    assert captured == sent
    assert captured is not sent
    assert client.meta.events.hooks == []  # the hook is gone before timing starts
    with pytest.raises(RuntimeError, match="expected one UpdateItem"):
        warm.capture_update_parameters(client, lambda: None)


def test_the_request_counter_names_calls_and_counts_sends():
    counter = round_trips.RequestCounter()

    counter.on_call(model=SimpleNamespace(name="UpdateItem"), params={})
    counter.on_send(request=object())
    counter.on_send(request=object())  # a retry

    assert counter.api_calls == ["UpdateItem"]
    assert counter.http_requests == 2


def test_only_operations_with_a_target_become_metrics():
    result = round_trips.RoundTripResult(
        counted=[
            round_trips.Counted("redirect", 302, 302, ["UpdateItem"], 1, round_trips.ONE_REQUEST),
            round_trips.Counted(
                "create",
                201,
                201,
                ["UpdateItem", "UpdateItem", "PutItem", "PutItem"],
                4,
                round_trips.CREATION_REQUESTS,
            ),
            round_trips.Counted("link info", 200, 200, ["GetItem"], 1),
        ],
        short_id="abc1234",
    )

    rows = round_trips.metrics(result)

    assert [(m.shown, m.verdict) for m in rows] == [
        ("1 (UpdateItem)", MET),
        ("4 (UpdateItem, UpdateItem, PutItem, PutItem)", MISSED),
    ]


def test_an_environments_first_click_of_a_day_may_make_two_requests_and_no_more():
    def verdict(requests: int) -> str:
        counted = round_trips.Counted(
            "first click",
            302,
            302,
            ["UpdateItem"] * requests,
            requests,
            round_trips.FIRST_CLICK_OF_A_DAY,
        )
        (row,) = round_trips.metrics(round_trips.RoundTripResult([counted], "abc1234"))
        return row.verdict

    assert verdict(2) == MET
    assert verdict(1) == MISSED  # the day's key was not fetched: the count is not of that
    assert verdict(3) == MISSED


@pytest.mark.parametrize(
    ("entry", "name"),
    [
        ("botocore", "botocore"),
        ("six.py", "six"),
        ("_cffi_backend.cpython-313-aarch64-linux-gnu.so", "_cffi_backend"),
        ("boto3-1.40.0.dist-info", "boto3"),
        ("python_dateutil-2.9.0.dist-info", "dateutil"),
    ],
)
def test_layer_entries_are_known_by_their_import_name(entry, name):
    assert sizes.import_name(entry) == name


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_a_layer_is_listed_by_top_level_entry_with_metadata_in_one_row(tmp_path):
    layer = tmp_path / "DependenciesLayer"
    write(layer / "python" / "pydantic" / "main.py", 3000)
    write(layer / "python" / "pydantic" / "__pycache__" / "main.cpython-313.pyc", 1000)
    write(layer / "python" / "pydantic-2.0.dist-info" / "RECORD", 100)
    write(layer / "python" / "shortuuid-1.0.dist-info" / "METADATA", 50)
    write(layer / "python" / "six.py", 500)

    built = sizes.measure_built("DependenciesLayer", layer, layer=True)

    assert built.unzipped == 4650
    assert built.bytecode == 1000
    assert 0 < built.zipped < built.unzipped  # repeated bytes deflate well
    assert [(e.name, e.size) for e in built.entries] == [
        ("pydantic", 4000),
        ("six.py", 500),
        (sizes.DIST_INFO_ROW, 150),
    ]
    assert built.runtime_provided == ["six.py"]


def test_the_layer_metrics_judge_size_and_runtime_copies(tmp_path):
    small = sizes.Built("DependenciesLayer", 14_000_000, 5_000_000, 1, [sizes.Entry("x", 1)])
    big = sizes.Built("DependenciesLayer", 15_000_000, 5_000_000, 1, [sizes.Entry("boto3", 1)])

    def verdicts(layer):
        result = sizes.SizesResult(tmp_path, [layer], [], [])
        return [(m.shown, m.verdict) for m in sizes.metrics(result)]

    assert verdicts(small) == [("14.00 MB (5.00 MB zipped)", MET), ("none", MET)]
    assert verdicts(big) == [("15.00 MB (5.00 MB zipped)", MISSED), ("boto3", MISSED)]


def test_missing_build_output_is_reported_as_not_measured(tmp_path):
    result = sizes.measure(tmp_path)

    assert result.layers == []
    assert "DependenciesLayer" in result.missing
    assert {m.verdict for m in sizes.metrics(result)} == {"not measured"}


def test_the_benchmark_reports_the_cost_the_cost_command_prints():
    # The figure must be the one `python -m deploy cost` gives people, line for line.
    printed = subprocess.run(
        [sys.executable, "-m", "deploy", "cost"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = redirect_cost.measure()
    summary = next(line for line in printed.splitlines() if "per million redirects" in line)
    analytics = next(line for line in printed.splitlines() if "per million clicks" in line)

    assert f": {redirect_cost.metrics(result)[0].shown} = " in summary
    for service, item, cost in result.lines:
        assert f"{item} ${cost:.4f}" in summary, (service, item)
    assert f": ${result.analytics_total:.4f} = " in analytics
    assert result.analytics_lines
    for service, item, cost in result.analytics_lines:
        assert f"{item} ${cost:.4f}" in analytics, (service, item)
        assert item not in summary  # on top of the redirect's figure, not in it


def test_the_machine_is_described_from_cpuinfo_and_os_release(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU @ 2.0GHz\n", encoding="utf-8")
    os_release = tmp_path / "os-release"
    os_release.write_text('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')

    assert cpu_model(cpuinfo) == "Test CPU @ 2.0GHz"
    assert os_name(os_release) == "Debian GNU/Linux 12 (bookworm)"


def test_a_module_compiled_again_after_the_warm_up_is_noticed(tmp_path):
    module = tmp_path / "work" / "main" / "src" / "handlers" / "__pycache__" / "redirect.pyc"
    write(module, 10)
    before = cold_start.bytecode_snapshot(tmp_path)
    os.utime(module, ns=(1, before[module] + 1_000_000))  # rewritten: same name, new time
    write(tmp_path / "new.pyc", 10)

    changed = cold_start.bytecode_snapshot(tmp_path).items() - before.items()

    assert {path for path, _ in changed} == {module, tmp_path / "new.pyc"}

"""The command line `make dev` uses: port from --port or $PORT, paths and concurrency
overridable for tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.__main__ import DEFAULT_DATA_DIR, DEFAULT_WEB_DIR, parse_args
from devserver.execution_environments import DEFAULT_CONCURRENCY
from sam_template.document import TEMPLATE_PATH


def test_defaults_serve_the_repository_on_port_3000() -> None:
    args = parse_args([], environ={})

    assert args.port == 3000
    assert args.template == TEMPLATE_PATH
    assert args.web_dir == DEFAULT_WEB_DIR
    assert args.data_dir == DEFAULT_DATA_DIR
    assert args.dynamodb == "auto"
    assert DEFAULT_DATA_DIR.parts[-2:] == (".local", "dynamodb")  # git-ignored


def test_port_comes_from_the_environment_unless_given() -> None:
    assert parse_args([], environ={"PORT": "4567"}).port == 4567
    assert parse_args(["--port", "0"], environ={"PORT": "4567"}).port == 0


def test_paths_and_backend_can_be_chosen(tmp_path: Path) -> None:
    args = parse_args(
        [
            "--template",
            str(tmp_path / "t.yaml"),
            "--web-dir",
            str(tmp_path / "web"),
            "--data-dir",
            str(tmp_path / "data"),
            "--dynamodb",
            "moto",
        ],
        environ={},
    )

    assert (args.template, args.web_dir, args.data_dir, args.dynamodb) == (
        tmp_path / "t.yaml",
        tmp_path / "web",
        tmp_path / "data",
        "moto",
    )


def test_concurrency_defaults_to_a_few_environments_per_function() -> None:
    assert parse_args([], environ={}).concurrency == DEFAULT_CONCURRENCY
    assert parse_args(["--concurrency", "8"], environ={}).concurrency == 8


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_concurrency_below_one_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--concurrency", value], environ={})

    assert "--concurrency" in capsys.readouterr().err

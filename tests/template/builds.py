"""The builds the build tests look at, each made once per test session.

`sam build` of the whole template (arm64, as it deploys), and a twin of the layer for
this machine's architecture (layers/Makefile with LAYER_ARCH), which this machine can
import. Both download wheels from PyPI (pip's cache makes a rebuild fast). pytest-xdist
workers share one of each: the first to ask builds it, the others wait and reuse it.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.template.conftest import REPO_ROOT, find_python313, find_tool, tool_env

LAYERS_DIR = REPO_ROOT / "layers"


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str = field(repr=False)  # shown by the assertions that need it
    seconds: float
    directory: Path

    def artifact(self, logical_id: str) -> Path:
        assert self.returncode == 0, self.output
        return self.directory / logical_id


def python313_or_skip() -> Path:
    python313 = find_python313()
    if python313 is None:
        pytest.skip("CPython 3.13 not found (scripts/find-python): Lambda bytecode needs it")
    return python313


def sam_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`sam build` as `make build` runs it, into a temporary directory."""
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    python313 = python313_or_skip()
    root = _session_dir(tmp_path_factory, "sam-build")
    command = ["build", "--no-cached", "--build-dir", root / "build", "--cache-dir", root / "cache"]
    path = f"{python313.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return _run_once(root, [sam, *command], env=tool_env(PATH=path), output=root / "build")


def host_architecture_or_skip() -> str:
    """The architecture a layer twin is built for: this machine's, if manylinux wheels load here."""
    architecture = platform.machine()
    if sys.platform != "linux" or architecture not in ("x86_64", "aarch64"):
        pytest.skip(f"manylinux wheels do not load on {sys.platform} {architecture}")
    return architecture


def layer_twin(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """DependenciesLayer built by layers/Makefile for this machine's architecture: the same
    requirements and pruning as the arm64 layer, with native code this machine can load.
    Its artifact "DependenciesLayer" is the layer's root (python/ is inside)."""
    python313 = python313_or_skip()
    root = _session_dir(tmp_path_factory, "layer-twin")
    artifacts = root / "build" / "DependenciesLayer"
    artifacts.mkdir(parents=True, exist_ok=True)
    command = [
        "make",
        "--no-print-directory",
        "-C",
        LAYERS_DIR,
        "build-DependenciesLayer",
        f"ARTIFACTS_DIR={artifacts}",
        f"LAYER_ARCH={host_architecture_or_skip()}",
        f"PYTHON313={python313}",
    ]
    return _run_once(root, command, env=tool_env(), output=root / "build")


def left_out_entries() -> dict[str, str]:
    """layers/Makefile's LEFT_OUT: path pattern under the layer's python/ -> why it is left out."""
    makefile = (LAYERS_DIR / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^define LEFT_OUT\n(.*?)^endef$", makefile, re.MULTILINE | re.DOTALL)
    assert block, "layers/Makefile defines no LEFT_OUT"
    lines = [line.strip() for line in block.group(1).splitlines()]
    return dict(line.split(None, 1) for line in lines if line and not line.startswith("#"))


def _session_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory all xdist workers of this session share (each has its own basetemp)."""
    base = tmp_path_factory.getbasetemp()
    directory = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    directory.mkdir(exist_ok=True)
    return directory


def _run_once(root: Path, command: Sequence[object], *, env: dict[str, str], output: Path) -> Build:
    result_file = root / "result.json"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds; the others wait and reuse
        if not result_file.exists():
            started = time.monotonic()
            completed = subprocess.run(
                [str(part) for part in command],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            result = {
                "returncode": completed.returncode,
                "output": completed.stdout + completed.stderr,
                "seconds": time.monotonic() - started,
            }
            result_file.write_text(json.dumps(result))
    return Build(directory=output, **json.loads(result_file.read_text()))

"""Shared by the template tests: the parsed template, and where the external tools live.

The tools run as subprocesses with every phone-home switch off: they must never reach
AWS or their vendors from a test run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sam_template.document import TEMPLATE_PATH, load_template

REPO_ROOT = TEMPLATE_PATH.parent

QUIET_TOOL_ENV = {
    "SAM_CLI_TELEMETRY": "0",
    "AWS_DEFAULT_REGION": "us-east-1",
    # boto3's credential chain (in `sam validate`) otherwise probes the EC2 metadata service.
    "AWS_EC2_METADATA_DISABLED": "true",
    # checkov's PyPI version check runs even with --skip-download.
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
}


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


def tool_env(**extra: str) -> dict[str, str]:
    return {**os.environ, **QUIET_TOOL_ENV, **extra}


def find_tool(env_var: str, fallback: str) -> Path:
    """The tool the Makefile exports (SAM, CHECKOV), else the venv's; skips if neither exists."""
    path = Path(os.environ.get(env_var) or REPO_ROOT / fallback)
    if not os.access(path, os.X_OK):
        pytest.skip(f"{env_var} tool not found at {path}: run `make test-deps`")
    return path


def find_python313() -> Path | None:
    """CPython 3.13 found the way the build finds it (scripts/find-python), or None."""
    result = subprocess.run(
        [REPO_ROOT / "scripts" / "find-python"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not result.stdout.strip():
        return None
    python = Path(result.stdout.strip())
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return python if version.stdout.split() == ["cpython", "3", "13"] else None


def run_tool(*command: Any, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a validator or linter from the repository root, offline, capturing its output."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=REPO_ROOT,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def as_list(value: Any) -> list[Any]:
    """A CloudFormation value that may be one item or a list, as a list."""
    return value if isinstance(value, list) else [value]

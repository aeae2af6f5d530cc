"""What each function's module loads at cold start: the redirect path stays lean.

Measured on this machine: pydantic costs ~70 ms, crawlerdetect ~60 ms to import and
~100 ms to compile its patterns, and the URL policy's parser and shortuuid more again.
The redirect function's module must not import them, directly or through a shared
helper.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

# crawlerdetect is needed by the redirect, but only once a GET asks whether it is a
# click (domain/clicks.py loads it then): HEAD requests and imports never pay for it.
# asyncio stands for Powertools' event handler package, whose __init__ loads it (AppSync):
# the redirect answers without a resolver (handlers/redirect.py).
HEAVY_FOR_REDIRECTS = (
    "pydantic", "ada_url", "shortuuid", "boto3", "aws_xray_sdk", "crawlerdetect", "asyncio",
)  # fmt: skip


def run_in_fresh_interpreter(script: str) -> str:
    """What `script` prints, run by a new interpreter from src/ with no AWS settings."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT / "src",
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def modules_loaded_by(module: str) -> set[str]:
    printed = run_in_fresh_interpreter(f"import sys, {module}; print('\\n'.join(sys.modules))")
    return {name.split(".")[0] for name in printed.split()}


def test_the_redirect_function_loads_no_resolver_validation_parser_or_boto3():
    loaded = modules_loaded_by("handlers.redirect")

    assert "handlers" in loaded
    assert not loaded & set(HEAVY_FOR_REDIRECTS)


def test_the_shorten_function_does_load_what_it_needs():
    # The other side of the check above, so it cannot pass by loading nothing at all.
    loaded = modules_loaded_by("handlers.shorten")

    assert {"pydantic", "ada_url", "shortuuid"} <= loaded
    # Powertools' idempotency utility (and the boto3 it brings) waits for a request
    # with an Idempotency-Key (handlers/idempotent_creation.py); the shortener answers
    # without a resolver, whose package loads asyncio (handlers/shorten.py).
    assert not loaded & {"boto3", "aws_xray_sdk", "asyncio"}


def test_each_function_module_leaves_the_collector_on_with_its_imports_frozen():
    # Each function module turns the collector off while it loads (see its top).
    for module in ("handlers.redirect", "handlers.shorten", "handlers.links"):
        script = f"import gc, {module}; print(gc.isenabled(), gc.get_freeze_count() > 10_000)"
        assert run_in_fresh_interpreter(script).split() == ["True", "True"], module

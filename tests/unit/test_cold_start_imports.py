"""What each function's module loads at cold start: the redirect path stays lean.

Measured on this machine (README): pydantic costs ~70 ms and the URL policy's parser
and shortuuid more again. The redirect function needs none of them, so its module
must not import them, directly or through a shared helper.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

HEAVY_FOR_REDIRECTS = ("pydantic", "ada_url", "shortuuid", "boto3", "aws_xray_sdk")


def modules_loaded_by(module: str) -> set[str]:
    script = f"import sys, {module}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT / "src",
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return {name.split(".")[0] for name in result.stdout.split()}


def test_the_redirect_function_loads_no_validation_parser_or_boto3():
    loaded = modules_loaded_by("handlers.redirect")

    assert "handlers" in loaded
    assert not loaded & set(HEAVY_FOR_REDIRECTS)


def test_the_shorten_function_does_load_what_it_needs():
    # The other side of the check above, so it cannot pass by loading nothing at all.
    loaded = modules_loaded_by("handlers.shorten")

    assert {"pydantic", "ada_url", "shortuuid"} <= loaded
    assert not loaded & {"boto3", "aws_xray_sdk"}

"""A function runs with its template variables under the devserver's own environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from devserver.functions import environment_warnings, function_environment
from sam_template.functions import LambdaFunction


def lambda_function(
    logical_id: str, environment: dict[str, str], unresolved: dict[str, str] | None = None
) -> LambdaFunction:
    return LambdaFunction(
        logical_id=logical_id,
        function_name=logical_id,
        code_dir=Path("code"),
        handler="app.handler",
        memory_mb=128,
        timeout_s=3.0,
        region="us-east-1",
        account_id="123456789012",
        environment=environment,
        unresolved_environment=unresolved or {},
    )


@pytest.fixture
def functions() -> list[LambdaFunction]:
    """As sam_template reads them: a variable only a deployed stack has is left unresolved."""
    return [
        lambda_function(
            "ShortenFunction",
            {"LINKS_TABLE_NAME": "local-links", "PUBLIC_BASE_URL": "https://sho.rt"},
            {"DISTRIBUTION": "GetAtt Distribution.DomainName exists only in a deployed stack"},
        ),
        lambda_function("FallbackFunction", {"LINKS_TABLE_NAME": "local-links"}),
    ]


def test_the_devservers_own_environment_overrides_the_template(
    functions: list[LambdaFunction],
) -> None:
    inherited = {"PUBLIC_BASE_URL": "http://127.0.0.1:3000", "DISTRIBUTION": "d.example"}

    environment = function_environment(functions[0], inherited)

    assert environment["PUBLIC_BASE_URL"] == "http://127.0.0.1:3000"  # as the user set it
    assert environment["LINKS_TABLE_NAME"] == "local-links"
    assert environment["DISTRIBUTION"] == "d.example"
    assert environment_warnings(functions, inherited) == []


def test_unresolvable_variables_are_left_unset_with_a_warning(
    functions: list[LambdaFunction],
) -> None:
    environment = function_environment(functions[0], {})
    warnings = environment_warnings(functions, inherited={})

    assert "DISTRIBUTION" not in environment
    assert len(warnings) == 1
    assert "ShortenFunction: DISTRIBUTION left unset" in warnings[0]

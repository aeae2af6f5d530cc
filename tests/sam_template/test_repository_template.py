"""The repository's own template.yaml runs locally: every route, table and variable."""

from __future__ import annotations

import pytest

from sam_template.application import Application, load_application
from sam_template.document import TEMPLATE_PATH, load_template, resources_of_type
from sam_template.functions import FUNCTION_TYPE

pytestmark = pytest.mark.skipif(not TEMPLATE_PATH.exists(), reason="no template.yaml yet")


@pytest.fixture(scope="module")
def application() -> Application:
    return load_application(TEMPLATE_PATH, "us-east-1")


def test_nothing_in_the_template_is_skipped(application: Application) -> None:
    assert application.problems == []


def test_every_http_api_event_is_a_route(application: Application) -> None:
    template = load_template()
    declared = {
        (
            str(event["Properties"].get("Method", "ANY")).upper(),
            event["Properties"].get("Path"),
            logical_id,
        )
        for logical_id, function in resources_of_type(template, FUNCTION_TYPE).items()
        for event in (function["Properties"].get("Events") or {}).values()
        if event["Type"] == "HttpApi"
    }

    routes = {(route.method, route.path, route.function_id) for route in application.routes.routes}

    assert routes == declared
    assert routes


def test_every_function_has_its_code_and_all_its_variables(application: Application) -> None:
    for function in application.functions:
        module_path = function.code_dir.joinpath(*function.handler.split(".")[:-1])
        assert module_path.with_suffix(".py").is_file(), function.handler
        # A variable only a deployed stack can fill would be missing from `make dev`.
        assert function.unresolved_environment == {}, function.logical_id


def test_every_table_is_created_locally(application: Application) -> None:
    template = load_template()

    assert {table.logical_id for table in application.tables} == set(
        resources_of_type(template, "AWS::DynamoDB::Table")
    )

"""The repository's own template.yaml runs in the devserver: every route, table and variable."""

from __future__ import annotations

import pytest

from devserver.functions import FUNCTION_TYPE
from devserver.project import Project, load_project
from sam_template.document import TEMPLATE_PATH, load_template, resources_of_type

pytestmark = pytest.mark.skipif(not TEMPLATE_PATH.exists(), reason="no template.yaml yet")


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(TEMPLATE_PATH, "us-east-1")


def test_nothing_in_the_template_is_skipped(project: Project) -> None:
    assert project.problems == []


def test_every_http_api_event_is_a_route(project: Project) -> None:
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

    routes = {(route.method, route.path, route.function_id) for route in project.routes.routes}

    assert routes == declared
    assert routes


def test_every_function_has_its_code_and_all_its_variables(project: Project) -> None:
    for function in project.functions:
        module_path = function.code_dir.joinpath(*function.handler.split(".")[:-1])
        assert module_path.with_suffix(".py").is_file(), function.handler
        # A variable only a deployed stack can fill would be missing from `make dev`.
        assert function.unresolved_environment == {}, function.logical_id


def test_every_table_is_created_locally(project: Project) -> None:
    template = load_template()

    assert {table.logical_id for table in project.tables} == set(
        resources_of_type(template, "AWS::DynamoDB::Table")
    )

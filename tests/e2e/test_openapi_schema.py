"""The API against its own OpenAPI document, as the local stack serves it at /openapi.json.

Schemathesis reads the document from the running stack and generates requests from it
for every operation: the document's examples, boundary values, random (also invalid)
input, and chains that follow the document's links (create, then follow, read, change,
delete, and follow again). A response fails the test when it is a 5xx, or when its
status, media type, headers or body are not what the document says.

Bounded so that it takes seconds: a few examples per operation, short chains, no
Hypothesis deadline (a loaded 2-core machine is slow, not wrong). Under CI (CI=true)
every run generates the same requests, so a failure there can be replayed.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import LocalStack

IN_CI = bool(os.environ.get("CI"))
CHECKS = [
    checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 10
SCENARIOS = 20
STEPS_PER_SCENARIO = 8
# The methods the local stack dispatches to its routes. Schemathesis also tries
# methods an operation does not have; TRACE and QUERY get Python's http.server's own
# 501 from the local stack (API Gateway answers 404), which is no fault of the API.
UNEXPECTED_METHODS_TRIED = ["get", "put", "post", "delete", "options", "patch"]
SHORTEN = "POST /shorten"
MANAGEMENT = ("PATCH /links/{shortId}", "DELETE /links/{shortId}", "GET /links/{shortId}/stats")


def schemathesis_config(base_url: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            # A fixed seed and derandomized Hypothesis in CI; a new draw every run locally.
            **({"seed": 20261121} if IN_CI else {}),
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": IN_CI,
                "database": "none",
            },
            "phases": {
                "coverage": {"unexpected-methods": UNEXPECTED_METHODS_TRIED},
                # The chains use the API as its clients do; the tests per operation send
                # the invalid input (negative mode would also drop the owner's token).
                "stateful": {
                    "max-steps": STEPS_PER_SCENARIO,
                    "generation": {"mode": "positive"},
                },
            },
        }
    )


@pytest.fixture(scope="module")
def api_schema(local_stack: LocalStack) -> schemathesis.BaseSchema:
    """The document as a client finds it: from the running stack, not from web/."""
    return schemathesis.openapi.from_url(
        f"{local_stack.base_url}/openapi.json",
        config=schemathesis_config(local_stack.base_url),
        timeout=10,
    )


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32.5's from_fixture reads and writes `Node._nodeid`, which pytest 9.2
    no longer has; it only uses it to name each operation in the report."""
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case) -> None:
    """As anyone may call it: random ids, no token or a made-up one."""
    case.call_and_validate(checks=CHECKS, timeout=10)


@schema.include(method="PATCH").parametrize()
def test_an_owners_changes_answer_as_documented(
    case: schemathesis.Case, local_stack: LocalStack
) -> None:
    """As the link's owner: a real link and its token, so the generated changes reach the
    rules for URLs and expiries instead of stopping at 401, 403 or 404."""
    created = local_stack.shorten({"url": "https://example.com/to-be-changed"})
    assert created.status == 201, created.body
    link = created.json()
    case.path_parameters["shortId"] = link["shortId"]
    case.headers["Authorization"] = f"Bearer {link['managementToken']}"

    case.call_and_validate(checks=CHECKS, timeout=10)


@schema.include(path="/links/{shortId}/stats").parametrize()
def test_an_owners_stats_answer_as_documented(
    case: schemathesis.Case, local_stack: LocalStack
) -> None:
    """As the link's owner, so the generated ranges and formats reach the rules for them
    (and a 200's JSON or CSV is checked) instead of stopping at 401, 403 or 404."""
    created = local_stack.shorten({"url": "https://example.com/with-stats"})
    assert created.status == 201, created.body
    link = created.json()
    case.path_parameters["shortId"] = link["shortId"]
    case.headers["Authorization"] = f"Bearer {link['managementToken']}"

    case.call_and_validate(checks=CHECKS, timeout=10)


def test_link_lifecycles_answer_as_documented(api_schema: schemathesis.BaseSchema) -> None:
    """Chains along the document's links, with the token from each creation passed on to
    the changes and deletions of that link, as its owner would."""
    tokens: dict[str, str] = {}
    answered: Counter[tuple[str, int]] = Counter()

    # Chains of the link routes: the moderation routes want an admin key (no chain can
    # make one) and a report's chain ends at once, so they would only crowd the chains out.
    links_only = api_schema.exclude(path_regex=r"^/(admin/|reports$)")

    class LinkLifecycles(links_only.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: schemathesis.Case) -> None:
            if case.operation.label == SHORTEN and isinstance(case.body, dict):
                _make_alias_unique(case.body)
            token = tokens.get(case.path_parameters.get("shortId", ""))
            if case.operation.label in MANAGEMENT and token is not None:
                case.headers["Authorization"] = f"Bearer {token}"

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            answered[case.operation.label, response.status_code] += 1
            if case.operation.label == SHORTEN and response.status_code == 201:
                created = response.json()
                tokens[created["shortId"]] = created["managementToken"]

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    LinkLifecycles.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS_PER_SCENARIO,
            # No shrinking: a shorter replay meets a table that the first run has changed.
            phases=[hypothesis.Phase.generate],
            deadline=None,
            derandomize=IN_CI,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )

    # The chains did reach what only an owner of a real link can: without these, the
    # run above would have checked little more than refusals.
    assert {
        (SHORTEN, 201),
        ("GET /{shortId}", 302),
        ("GET /links/{shortId}", 200),
        ("PATCH /links/{shortId}", 200),
        ("DELETE /links/{shortId}", 204),
    } <= answered.keys(), sorted(answered.items())


def _make_alias_unique(body: dict[str, Any]) -> None:
    """A generated alias made unique (still 3-64 of A-Z a-z 0-9 - _). Hypothesis checks
    that the same choices meet the same answers, and an alias is taken the second time
    it is sent. The 409 for a taken alias is left to the tests per operation."""
    alias = body.get("alias")
    if isinstance(alias, str) and 3 <= len(alias) <= 64:
        body["alias"] = f"{alias[:52]}-{uuid.uuid4().hex[:11]}"

"""The OpenAPI document in web/ is generated from the code and must match it."""

from __future__ import annotations

import json

from devserver.openapi import DOCUMENT_PATH, openapi_document, render
from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH


def test_the_checked_in_document_is_what_the_code_generates():
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == render(), (
        "web/openapi.json is stale: run `make openapi`"
    )


def test_the_document_describes_exactly_the_routes_the_template_deploys():
    document = openapi_document()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    deployed = {
        (route.method, route.path)
        for route in load_application(TEMPLATE_PATH, "us-east-1").routes.routes
    }

    assert documented == deployed


def test_every_refusal_is_documented_with_the_error_body():
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))

    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema.get("title") == "ErrorBody", (status, operation["summary"])

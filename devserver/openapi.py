"""The API's OpenAPI document, generated from the handlers' own routes and models.

Each Lambda function has its own resolver, so no single one knows every route; this
joins the three functions' routers in one resolver with validation on (which is
what makes Powertools describe the request and response models) and asks it for
the document. `make openapi` writes it to web/openapi.json, where the local stack
and the deployed page serve it; tests/integration/test_openapi_document.py fails
when the checked-in copy is stale.

    python -m devserver.openapi > web/openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from devserver.template import REPO_ROOT

DOCUMENT_PATH = REPO_ROOT / "web" / "openapi.json"
_DESCRIPTION = (
    "A serverless URL shortener. Create short links, follow them (a real visit counts"
    " as a click), read their statistics, and, with the management token handed out at"
    " creation, change or delete them. Every refusal is JSON with a `message` and, where"
    " a field is at fault, `errors` naming it."
)


def openapi_document() -> dict[str, Any]:
    _import_handlers()
    from handlers import links, redirect, shorten

    api = APIGatewayHttpResolver(enable_validation=True)
    for module in (shorten, redirect, links):
        api.include_router(module.router)
    document: dict[str, Any] = json.loads(
        api.get_openapi_json_schema(
            title="URL shortener", version="1.0.0", description=_DESCRIPTION
        )
    )
    return _without_powertools_validation_errors(_with_api_parameter_names(document))


def _without_powertools_validation_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Powertools documents a 422 in its own shape on every validated route; this API
    answers every validation error with its own error body (handlers/http_errors.py)
    and documents the 422s it can give itself, so the defaults would only mislead."""
    default = "#/components/schemas/HTTPValidationError"
    for operations in document["paths"].values():
        for operation in operations.values():
            refusal = operation["responses"].get("422", {})
            if refusal.get("content", {}).get("application/json", {}).get("schema") == {
                "$ref": default
            }:
                del operation["responses"]["422"]
    schemas = document["components"]["schemas"]
    if default not in json.dumps(document["paths"]):
        for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
            schemas.pop(name, None)
    return document


def _with_api_parameter_names(document: dict[str, Any]) -> dict[str, Any]:
    """Powertools names path parameters after the Python argument (short_id); the API,
    template.yaml and the README call it shortId."""
    paths = {}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "short_id":
                    parameter["name"] = "shortId"
                    parameter["schema"]["title"] = "Short id or alias"
        paths[path.replace("{short_id}", "{shortId}")] = operations
    document["paths"] = paths
    return document


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def _import_handlers() -> None:
    # The handlers are top-level packages in src/, as Lambda sees them.
    source = str(REPO_ROOT / "src")
    if source not in sys.path:
        sys.path.insert(0, source)


if __name__ == "__main__":
    sys.stdout.write(render())

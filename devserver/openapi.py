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
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from sam_template.document import REPO_ROOT

DOCUMENT_PATH = REPO_ROOT / "web" / "openapi.json"
_DESCRIPTION = (
    "A serverless URL shortener. Create short links, follow them (a real visit counts"
    " as a click), read their statistics, and, with the management token handed out at"
    " creation, change or delete them. Every refusal is JSON with a `message` and, where"
    " a field is at fault, `errors` naming it."
)
BEARER_SCHEME = "managementToken"
_BEARER_SCHEME_DEFINITION = HTTPBearer(
    description="The `managementToken` that POST /shorten handed out for this link."
)
# The moderation routes (/admin/...) want an API key with the admin scope instead.
ADMIN_KEY_SCHEME = "adminApiKey"
_ADMIN_KEY_SCHEME_DEFINITION = HTTPBearer(
    description="An API key (usk_...) with the `admin` scope: `make admin-key` makes the first."
)
# An owner's routes take an API key with links:read or links:write (docs/api.md, "API
# keys and owned links"): instead of a link's token where both work, alone where not.
API_KEY_SCHEME = "apiKey"
_API_KEY_SCHEME_DEFINITION = HTTPBearer(
    description="An API key (usk_...) with the scope the route names: `links:write` to"
    " create and manage its owner's links, `links:read` to list them and read their stats."
)
# Routes an API key alone opens, and POST /shorten, where a key is optional (it makes the
# link owned; with PublicCreation=false it is required).
_KEY_ONLY = {("/links", "get"), ("/links/import", "post")}
_KEY_OPTIONAL = {("/shorten", "post")}
# Path parameters as Powertools names them (the Python argument) and as the API does.
_PATH_PARAMETERS = {"short_id": ("shortId", "Short id or alias"), "key_id": ("keyId", "API key id")}
# Where a client goes from a response, as OpenAPI links naming the short id in it:
# (path, method, status) -> where the id is. Schemathesis follows them too (create,
# then follow, read, see the stats, change, delete; after a delete, follow and read again).
_ID_IN_BODY = "$response.body#/shortId"
_ID_IN_PATH = "$request.path.shortId"
_LINKS_FROM = {
    ("/shorten", "post", "201"): _ID_IN_BODY,
    ("/links/{shortId}", "patch", "200"): _ID_IN_BODY,
    ("/links/{shortId}", "delete", "204"): _ID_IN_PATH,
}
_LINKED_OPERATIONS = {
    "follow": ("/{shortId}", "get"),
    "peek": ("/{shortId}", "head"),
    "details": ("/links/{shortId}", "get"),
    "qrCode": ("/links/{shortId}/qr", "get"),
    "stats": ("/links/{shortId}/stats", "get"),
    "change": ("/links/{shortId}", "patch"),
    "delete": ("/links/{shortId}", "delete"),
}


def openapi_document() -> dict[str, Any]:
    _import_handlers()
    # The shortener and the redirect answer without a resolver; *_routes declare theirs.
    from handlers import admin, links, redirect_routes, reports, shorten_routes

    api = APIGatewayHttpResolver(enable_validation=True)
    for module in (shorten_routes, redirect_routes, links, admin, reports):
        api.include_router(module.router)
    document: dict[str, Any] = json.loads(
        api.get_openapi_json_schema(
            title="URL shortener",
            version="1.0.0",
            description=_DESCRIPTION,
            security_schemes={
                BEARER_SCHEME: _BEARER_SCHEME_DEFINITION,
                API_KEY_SCHEME: _API_KEY_SCHEME_DEFINITION,
                ADMIN_KEY_SCHEME: _ADMIN_KEY_SCHEME_DEFINITION,
            },
        )
    )
    document = _without_powertools_validation_errors(_with_api_parameter_names(document))
    document = _with_links(_with_security(_without_empty_content(document)))
    whole: dict[str, Any] = _with_whole_numbers(document)
    return whole


def _without_powertools_validation_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Powertools documents a 422 in its own shape on every validated route; this API
    answers every validation error with its own error body (handlers/responses.py)
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
    template.yaml and docs/api.md call it shortId."""
    paths = {}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in _PATH_PARAMETERS:
                    parameter["name"], parameter["schema"]["title"] = _PATH_PARAMETERS[
                        parameter["name"]
                    ]
        for python_name, (api_name, _) in _PATH_PARAMETERS.items():
            path = path.replace(f"{{{python_name}}}", f"{{{api_name}}}")
        paths[path] = operations
    document["paths"] = paths
    return document


def _without_empty_content(document: dict[str, Any]) -> dict[str, Any]:
    """A response without a body says so by having no `content` (handlers/response_docs.py
    gives an empty one to stop Powertools from inventing one)."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                if response.get("content") == {}:
                    del response["content"]
    return document


def _with_security(document: dict[str, Any]) -> dict[str, Any]:
    """The routes that answer 401 want a credential: on a link, its token or an API key of
    its owner; under /admin/, an admin API key; GET /links and POST /links/import, an API
    key. POST /shorten takes one if it comes (required where PublicCreation=false)."""
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if "401" in operation["responses"]:
                # Either one: the link's token, or an API key of its owner.
                operation["security"] = [{BEARER_SCHEME: []}, {API_KEY_SCHEME: []}]
            if "security" in operation and path.startswith("/admin/"):
                operation["security"] = [{ADMIN_KEY_SCHEME: []}]
    for path, method in _KEY_ONLY:
        document["paths"][path][method]["security"] = [{API_KEY_SCHEME: []}]
    for path, method in _KEY_OPTIONAL:
        # `{}`: no credential at all is one of the ways (OpenAPI 3, Security Requirement).
        document["paths"][path][method]["security"] = [{}, {API_KEY_SCHEME: []}]
    return document


def _with_links(document: dict[str, Any]) -> dict[str, Any]:
    paths = document["paths"]
    for (path, method, status), short_id in _LINKS_FROM.items():
        paths[path][method]["responses"][status]["links"] = {
            name: {
                "operationId": paths[target_path][target_method]["operationId"],
                "parameters": {"shortId": short_id},
            }
            for name, (target_path, target_method) in _LINKED_OPERATIONS.items()
        }
    return document


def _with_whole_numbers(node: Any) -> Any:
    """Powertools' schema model reads `minimum`, `maximum` and the like as floats, so
    `"minimum": 1` would come out as 1.0: the bounds of an integer read as written."""
    if isinstance(node, dict):
        return {key: _with_whole_numbers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_whole_numbers(item) for item in node]
    if isinstance(node, float) and node.is_integer():
        return int(node)
    return node


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def _import_handlers() -> None:
    # The handlers are top-level packages in src/, as Lambda sees them.
    source = str(REPO_ROOT / "src")
    if source not in sys.path:
        sys.path.insert(0, source)


if __name__ == "__main__":
    sys.stdout.write(render())

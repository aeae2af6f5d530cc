"""The HTTP API's CORS, from the template's CorsConfiguration, as API Gateway applies it.

From the API Gateway developer guide ("Configuring CORS for an HTTP API"): with CORS
configured, "API Gateway automatically sends a response to preflight OPTIONS requests,
even if there isn't an OPTIONS route configured", "ignores CORS headers returned from
your backend integration", and returns CORS headers only to a request that carries an
`Origin` header (a preflight also needs `Access-Control-Request-Method`). Without a
configuration it adds nothing, and an OPTIONS request is routed like any other (no
route: 404). The guide does not say what a preflight from an origin that is not
allowed gets; here it is a 204 with no CORS headers, which a browser refuses all the
same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devserver.http_api_events import HttpRequest, HttpResponse

_CORS_HEADERS = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "access-control-max-age",
    }
)


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None

    def preflight(self, request: HttpRequest) -> HttpResponse | None:
        """API Gateway's own answer to a preflight, or None for any other request."""
        origin = request.header("origin")
        if (
            request.method != "OPTIONS"
            or not origin
            or not request.header("access-control-request-method")
        ):
            return None
        headers: list[tuple[str, str]] = []
        if self._allows(origin):
            headers = [
                ("access-control-allow-origin", self._allowed_value(origin)),
                ("access-control-allow-methods", ",".join(self.allow_methods)),
                ("access-control-allow-headers", ",".join(self.allow_headers)),
            ]
            if self.max_age is not None:
                headers.append(("access-control-max-age", str(self.max_age)))
        return HttpResponse(204, headers, b"")

    def apply(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The integration's response with the backend's CORS headers replaced by the API's."""
        headers = [(n, v) for n, v in response.headers if n.lower() not in _CORS_HEADERS]
        origin = request.header("origin")
        if origin and self._allows(origin):
            headers.append(("access-control-allow-origin", self._allowed_value(origin)))
            if self.expose_headers:
                headers.append(("access-control-expose-headers", ",".join(self.expose_headers)))
        return HttpResponse(response.status, headers, response.body)

    def _allows(self, origin: str) -> bool:
        return "*" in self.allow_origins or origin in self.allow_origins

    def _allowed_value(self, origin: str) -> str:
        return "*" if "*" in self.allow_origins else origin


def cors_from_api(api_properties: dict[str, Any]) -> Cors | None:
    """The resolved CorsConfiguration of an AWS::Serverless::HttpApi, or None without one."""
    config = api_properties.get("CorsConfiguration")
    if not config:
        return None
    if config is True:  # SAM's shorthand: every origin, method and header
        return Cors(allow_origins=("*",), allow_methods=("*",), allow_headers=("*",))
    return Cors(
        allow_origins=tuple(config.get("AllowOrigins", [])),
        allow_methods=tuple(config.get("AllowMethods", [])),
        allow_headers=tuple(config.get("AllowHeaders", [])),
        expose_headers=tuple(config.get("ExposeHeaders", [])),
        max_age=config.get("MaxAge"),
    )

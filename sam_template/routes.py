"""The HTTP API's route table: which function answers a method and path, as API Gateway picks it.

API Gateway HTTP APIs choose the most specific route: an exact path beats one with
path parameters, which beats a greedy `{proxy+}`; among equally specific paths a route
for the request's method beats `ANY`; `$default` takes what nothing else matches.
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_ROUTE_KEY = "$default"
ANY_METHOD = "ANY"

_PARAMETER = re.compile(r"^\{([^{}+]+)(\+?)\}$")


class RouteError(ValueError):
    """A route the HTTP API itself would refuse to create."""


@dataclass(frozen=True)
class _Segment:
    literal: str | None  # None for a {parameter}
    parameter: str | None = None
    greedy: bool = False


@dataclass(frozen=True)
class Route:
    """One `Events` entry of Type HttpApi: `METHOD /path` (or `$default`) -> a function."""

    method: str
    path: str
    function_id: str
    _segments: tuple[_Segment, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "_segments", _parse(self.path))

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE_KEY if self.is_default else f"{self.method} {self.path}"

    @property
    def is_default(self) -> bool:
        return self.path == DEFAULT_ROUTE_KEY

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if this route takes the request, else None."""
        if self.method not in (method, ANY_METHOD):
            return None
        if self.is_default:
            return {}
        parts = path.split("/")[1:] if path.startswith("/") else None
        if parts is None:
            return None
        parameters: dict[str, str] = {}
        for index, segment in enumerate(self._segments):
            if segment.greedy:
                rest = "/".join(parts[index:])
                if not rest:
                    return None
                parameters[str(segment.parameter)] = rest
                return parameters
            if index >= len(parts):
                return None
            part = parts[index]
            if segment.literal is not None:
                if part != segment.literal:
                    return None
            elif not part:
                return None  # a {parameter} never matches an empty segment
            else:
                parameters[str(segment.parameter)] = part
        return parameters if len(parts) == len(self._segments) else None

    def specificity(self) -> tuple[bool, bool, tuple[bool, ...], bool]:
        """Sort key, larger wins: not $default, not greedy, literal segments first, own method."""
        literals = tuple(
            segment.literal is not None for segment in self._segments if not segment.greedy
        )
        greedy = any(segment.greedy for segment in self._segments)
        return (not self.is_default, not greedy, literals, self.method != ANY_METHOD)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


class RouteTable:
    """All routes of the API; `match` answers which one takes a request."""

    def __init__(self, routes: list[Route]) -> None:
        seen: dict[str, Route] = {}
        for route in routes:
            if route.route_key in seen:
                raise RouteError(
                    f"route {route.route_key!r} is defined twice "
                    f"({seen[route.route_key].function_id} and {route.function_id})"
                )
            seen[route.route_key] = route
        # Most specific first, so the first route that matches is the one API Gateway picks.
        self._routes = sorted(routes, key=Route.specificity, reverse=True)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def match(self, method: str, path: str) -> RouteMatch | None:
        for route in self._routes:
            parameters = route.match(method.upper(), path)
            if parameters is not None:
                return RouteMatch(route, parameters)
        return None


def _parse(path: str) -> tuple[_Segment, ...]:
    if path == DEFAULT_ROUTE_KEY:
        return ()
    if not path.startswith("/"):
        raise RouteError(f"route path {path!r} must start with '/'")
    if path == "/":
        return (_Segment(literal=""),)
    segments: list[_Segment] = []
    parts = path[1:].split("/")
    for index, part in enumerate(parts):
        parameter = _PARAMETER.match(part)
        if parameter is None:
            if "{" in part or "}" in part:
                raise RouteError(f"route path {path!r}: a parameter must be a whole segment")
            segments.append(_Segment(literal=part))
            continue
        greedy = parameter.group(2) == "+"
        if greedy and index != len(parts) - 1:
            raise RouteError(f"route path {path!r}: a greedy parameter must come last")
        segments.append(_Segment(literal=None, parameter=parameter.group(1), greedy=greedy))
    return tuple(segments)

"""What the stack's CloudFront distribution does to a request before API Gateway sees it.

`make dev` serves the page and the API on one origin, as the distribution does, so the
handlers get requests in the shape the distribution gives them, read from the same
template: per cache behaviour (first matching path pattern, else the default), only the
headers its origin request policy forwards; the viewer-request function's headers where
the behaviour runs it (the viewer's host and address, the distribution's own name); and
the origin's custom headers (the origin secret, X-Origin-Verify). A template without a
distribution leaves requests as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from devserver.http_api_events import HttpRequest
from sam_template.intrinsics import Resolver, UnresolvableError

# AWS's managed AllViewerExceptHostHeader: every viewer header but Host (Developer
# Guide, "Use managed origin request policies"); no CloudFront-* header.
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
# What the viewer-request function sets (template.yaml ForwardedHostFunction): always
# overwritten, so a client's own values never get through.
FUNCTION_HEADERS = ("x-forwarded-host", "x-viewer-address", "x-distribution-host")


@dataclass(frozen=True)
class Behaviour:
    path_pattern: str | None  # None: the default behaviour
    forwarded: Callable[[str], bool]  # lower-case viewer header name -> sent to the origin?
    runs_function: bool
    origin_headers: tuple[tuple[str, str], ...]

    def matches(self, path: str) -> bool:
        if self.path_pattern is None:
            return True
        # CloudFront's rule: "*" any run of characters, "?" one, case-sensitive, and a
        # leading "/" optional on the pattern.
        regex = "".join(
            ".*" if char == "*" else "." if char == "?" else re.escape(char)
            for char in self.path_pattern.removeprefix("/")
        )
        return re.fullmatch(regex, path.removeprefix("/")) is not None


@dataclass(frozen=True)
class Edge:
    """The distribution's behaviours towards the API origin, in CloudFront's order."""

    behaviours: tuple[Behaviour, ...] = ()

    def forward(self, request: HttpRequest) -> HttpRequest:
        """The request as the distribution sends it on to the API."""
        behaviour = next((b for b in self.behaviours if b.matches(request.raw_path)), None)
        if behaviour is None:
            return request
        headers = [(name, value) for name, value in request.headers if _kept(behaviour, name)]
        host = request.header("host") or ""
        if behaviour.runs_function:
            # The distribution's own name is the one the viewer used here: one origin.
            headers += [
                ("x-forwarded-host", host),
                ("x-viewer-address", request.source_ip),
                ("x-distribution-host", host),
            ]
        return replace(request, headers=[*headers, *behaviour.origin_headers])


def _kept(behaviour: Behaviour, name: str) -> bool:
    key = name.lower()
    if key == "host":
        return True  # CloudFront sends the origin's own name; locally that is this one
    if key in FUNCTION_HEADERS and behaviour.runs_function:
        return False
    if key in {header.lower() for header, _ in behaviour.origin_headers}:
        return False  # the origin's custom headers replace a viewer's of the same name
    return behaviour.forwarded(key)


def edge_from_template(template: dict[str, Any], resolver: Resolver) -> Edge:
    """The distribution's API behaviours; an empty Edge when the template has none."""
    resources = template["Resources"]
    distributions = [
        r for r in resources.values() if r.get("Type") == "AWS::CloudFront::Distribution"
    ]
    if not distributions:
        return Edge()
    (distribution,) = distributions
    config = (distribution.get("Properties") or {}).get("DistributionConfig")
    if not config:
        return Edge()
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    behaviours = []
    for raw in [*config.get("CacheBehaviors", []), config["DefaultCacheBehavior"]]:
        origin = origins[raw["TargetOriginId"]]
        if "CustomOriginConfig" not in origin:
            continue  # the page's bucket: devserver/static_files.py serves it
        behaviours.append(
            Behaviour(
                path_pattern=raw.get("PathPattern"),
                forwarded=_policy(raw.get("OriginRequestPolicyId"), resources, resolver),
                runs_function=bool(raw.get("FunctionAssociations")),
                origin_headers=tuple(
                    (header["HeaderName"], _value(header["HeaderValue"], resolver))
                    for header in origin.get("OriginCustomHeaders", [])
                ),
            )
        )
    return Edge(tuple(behaviours))


def _policy(policy_id: Any, resources: dict[str, Any], resolver: Resolver) -> Callable[[str], bool]:
    if policy_id is None:
        # No origin request policy: CloudFront forwards none of the viewer's headers.
        return lambda name: False
    if policy_id == ALL_VIEWER_EXCEPT_HOST_HEADER:
        return lambda name: name != "host"
    if isinstance(policy_id, dict) and "Ref" in policy_id:
        config = resolver.resolve(resources[policy_id["Ref"]]["Properties"])[
            "OriginRequestPolicyConfig"
        ]["HeadersConfig"]
        listed = {name.lower() for name in config.get("Headers", [])}
        behaviour = config["HeaderBehavior"]
        if behaviour == "whitelist":
            return lambda name: name in listed
        if behaviour == "allExcept":
            return lambda name: name not in listed and name != "host"
        if behaviour == "none":
            return lambda name: False
    raise UnresolvableError(f"origin request policy {policy_id!r} is not modelled locally")


def _value(value: Any, resolver: Resolver) -> str:
    resolved = resolver.resolve_string(value)
    if not isinstance(resolved, str):
        raise UnresolvableError(f"origin header value {value!r} resolves to nothing")
    return resolved

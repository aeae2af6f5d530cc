"""The admin routes (/admin/...) over HTTP, for the operator's CLI (deploy/admin.py).

The standard library's http.client, as deploy/smoke.py uses: no dependency to install
on an operator's machine, and redirects are never followed, so the key in the
Authorization header goes to the URL the operator gave and nowhere else (urllib's
redirect handler would carry it to wherever a 3xx points). For the same reason plain
http is refused except to this machine (`make dev`): a key sent in clear text over a
network is a key given away.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

TIMEOUT_SECONDS = 30
USER_AGENT = "url-shortener-admin-cli"
_EXCERPT_CHARS = 300


class ApiRefused(Exception):
    """The API answered with an error status; `message` is its own words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class ApiUnreachable(Exception):
    """No answer: the address is wrong, or the network or the service is down."""


def segment(value: str) -> str:
    """One path segment, escaped: an id or a host never reaches another route."""
    return quote(value, safe="")


def _is_this_machine(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AdminApi:
    """Requests with `Authorization: Bearer <key>` to one base URL (its path a prefix)."""

    base_url: str
    key: str
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {self.base_url!r}")
        if parts.scheme == "http" and not _is_this_machine(parts.hostname):
            raise ValueError(
                f"{self.base_url} is plain http: the key would cross the network in clear "
                "text; use the https URL (plain http is for make dev, on 127.0.0.1)"
            )

    def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str | int | None] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty one). Raises ApiRefused, ApiUnreachable."""
        parts = urlsplit(self.base_url)
        target = parts.path.rstrip("/") + path
        given = {name: value for name, value in (query or {}).items() if value is not None}
        if given:
            target += "?" + urlencode(given)
        headers = {
            "Authorization": f"Bearer {self.key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "", parts.port, timeout=self.timeout)
        try:
            connection.request(method, target, body=payload, headers=headers)
            response = connection.getresponse()
            status, location, raw = response.status, response.getheader("location"), response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ApiUnreachable(f"no answer from {self.base_url}: {exc}") from exc
        finally:
            connection.close()
        if 300 <= status < 400:
            raise ApiRefused(
                status, f"redirected to {location or '?'}: give that URL (the key was not sent on)"
            )
        if status >= 400:
            raise ApiRefused(status, _message(raw))
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ApiRefused(status, f"the answer is not JSON: {_excerpt(raw)}") from exc


def _message(raw: bytes) -> str:
    """The API's own words: its `message`, and each field's reason if it names them."""
    try:
        body = json.loads(raw)
    except ValueError:
        return _excerpt(raw) or "(no message)"
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return _excerpt(raw)
    message: str = body["message"]
    problems = body.get("errors")
    if isinstance(problems, list):
        reasons = [
            f"{problem.get('field')}: {problem.get('reason')}"
            for problem in problems
            if isinstance(problem, dict) and problem.get("field") and problem.get("reason")
        ]
        fresh = [reason for reason in reasons if reason not in message]
        if fresh:
            message += " (" + "; ".join(fresh) + ")"
    return message


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"

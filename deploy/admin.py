"""`python -m deploy admin <command>`: the operator's CLI over the admin API (/admin/...).

    links [--host H] [--since T] [--limit N]   every link, newest first
    disable ID --reason TEXT / enable ID       take a link down (410), or back up
    block HOST [--reason TEXT] / unblock HOST  refuse a host's links, new and old
    blocked / reports / keys / audit           what is blocked, reported, issued, done
    create-key --name N --owner O --scopes S   a new API key, shown once
    revoke-key ID                              a key stops working within a minute

Where: --url URL, else --env ENV (that stack's SiteUrl output, with your AWS
credentials), else $SHORTENER_URL. Who: the admin key in $SHORTENER_ADMIN_KEY, never an
argument: arguments stay in shell history and show in `ps` to every user of the machine.
Tables by default; --json prints the API's answer as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from deploy.admin_api import AdminApi, ApiRefused, ApiUnreachable, segment
from deploy.admin_output import Column, details, listing, new_key_notice
from deploy.samconfig import region, stack_name
from deploy.stack import MissingOutput, StackNotFound, describe_stack, require

KEY_ENV = "SHORTENER_ADMIN_KEY"
URL_ENV = "SHORTENER_URL"
ALL_SCOPES = ("links:write", "links:read", "admin")

LINK_COLUMNS: list[Column] = [
    ("ID", ("shortId", "id")),
    ("CREATED", ("createdAt", "created")),
    ("STATUS", ("status", "state")),
    ("CLICKS", ("clicks", "totalClicks")),
    ("OWNER", ("owner",)),
    ("CREATOR", ("creator", "creatorClass")),
    ("TARGET", ("url", "targetUrl", "target", "host")),
]
HOST_COLUMNS: list[Column] = [
    ("HOST", ("host",)),
    ("BLOCKED", ("blockedAt", "createdAt", "at")),
    ("BY", ("blockedBy.name", "blockedBy", "actor.name", "by")),
    ("REASON", ("reason",)),
]
REPORT_COLUMNS: list[Column] = [
    ("ID", ("id", "reportId")),
    ("AT", ("createdAt", "at", "reportedAt")),
    ("LINK", ("shortId", "link.shortId")),
    ("REASON", ("reason",)),
    ("LINK STATUS", ("linkStatus", "link.status", "status")),
    ("DETAILS", ("details",)),
]
KEY_COLUMNS: list[Column] = [
    ("ID", ("id", "keyId")),
    ("NAME", ("name",)),
    ("OWNER", ("owner",)),
    ("SCOPES", ("scopes",)),
    ("CREATED", ("createdAt",)),
    ("LAST USED", ("lastUsedAt",)),
    ("REVOKED", ("revokedAt",)),
]
AUDIT_COLUMNS: list[Column] = [
    ("AT", ("at",)),
    ("ACTOR", ("actor.name", "actorName", "actor")),
    ("ACTION", ("action",)),
    ("TARGET", ("target",)),
]


class Refused(Exception):
    """Something the operator must fix before a request is sent, in one line."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str | int | None] | None = None
    body: dict[str, Any] | None = None


# Each command: the request its arguments make, and how its answer reads.
Command = tuple[Callable[[argparse.Namespace], Request], Callable[[argparse.Namespace, Any], str]]


def _page(arguments: argparse.Namespace, **filters: str | None) -> dict[str, str | int | None]:
    return {"limit": arguments.limit, "cursor": arguments.cursor, **filters}


def _done(verb: str, what: Callable[[argparse.Namespace], str]) -> Callable[..., str]:
    def show(arguments: argparse.Namespace, answer: Any) -> str:
        shown = details(answer)
        return f"{verb} {what(arguments)}" + (f"\n{shown}" if shown else "")

    return show


def _new_key(arguments: argparse.Namespace, answer: Any) -> str:
    return new_key_notice(
        answer["key"],
        answer.get("id", "?"),
        answer.get("name", arguments.name),
        answer.get("owner", arguments.owner),
        answer.get("scopes", arguments.scopes),
        "created",
    )


COMMANDS: dict[str, Command] = {
    "links": (
        lambda a: Request("GET", "/admin/links", _page(a, host=a.host, since=a.since)),
        lambda a, answer: listing(answer, "links", LINK_COLUMNS),
    ),
    "disable": (
        lambda a: Request(
            "POST", f"/admin/links/{segment(a.id)}/disable", body={"reason": a.reason}
        ),
        _done("disabled", lambda a: a.id),
    ),
    "enable": (
        lambda a: Request("POST", f"/admin/links/{segment(a.id)}/enable"),
        _done("enabled", lambda a: a.id),
    ),
    "block": (
        lambda a: Request(
            "PUT",
            f"/admin/blocked-hosts/{segment(a.host)}",
            body={} if a.reason is None else {"reason": a.reason},
        ),
        _done("blocked", lambda a: f"{a.host} and its subdomains (within a minute)"),
    ),
    "unblock": (
        lambda a: Request("DELETE", f"/admin/blocked-hosts/{segment(a.host)}"),
        _done("unblocked", lambda a: a.host),
    ),
    "blocked": (
        lambda a: Request("GET", "/admin/blocked-hosts", _page(a)),
        lambda a, answer: listing(answer, "hosts", HOST_COLUMNS),
    ),
    "reports": (
        lambda a: Request("GET", "/admin/reports", _page(a)),
        lambda a, answer: listing(answer, "reports", REPORT_COLUMNS),
    ),
    "keys": (
        lambda a: Request("GET", "/admin/keys", _page(a)),
        lambda a, answer: listing(answer, "keys", KEY_COLUMNS),
    ),
    "create-key": (
        lambda a: Request(
            "POST", "/admin/keys", body={"name": a.name, "owner": a.owner, "scopes": a.scopes}
        ),
        _new_key,
    ),
    "revoke-key": (
        lambda a: Request("DELETE", f"/admin/keys/{segment(a.id)}"),
        _done("revoked", lambda a: f"{a.id} (every environment refuses it within a minute)"),
    ),
    "audit": (
        lambda a: Request("GET", "/admin/audit", _page(a)),
        lambda a, answer: listing(answer, "entries", AUDIT_COLUMNS),
    ),
}


def _scopes(value: str) -> list[str]:
    scopes = [scope.strip() for scope in value.split(",") if scope.strip()]
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if not scopes or unknown:
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(ALL_SCOPES)}")
    return scopes


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("where (the first given)")
    where.add_argument("--url", help="the shortener's base URL, e.g. http://127.0.0.1:3000")
    where.add_argument("--env", help="an environment of samconfig.toml: its stack's SiteUrl")
    common.add_argument("--json", action="store_true", help="print the API's answer as it is")
    paged = argparse.ArgumentParser(add_help=False)
    paged.add_argument("--limit", type=int, help="at most this many (the API's page size)")
    paged.add_argument("--cursor", help="the next page, as a previous answer gave it")

    main_parser = argparse.ArgumentParser(
        prog="python -m deploy admin",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=f"The admin key is read from ${KEY_ENV}; the URL may come from ${URL_ENV}.",
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="command")

    def command(name: str, summary: str, paginated: bool = False) -> argparse.ArgumentParser:
        parents = [common, paged] if paginated else [common]
        return commands.add_parser(name, parents=parents, help=summary, description=summary)

    links = command("links", "every link, newest first", paginated=True)
    links.add_argument("--host", help="only links to this host")
    links.add_argument("--since", help="only links created since (e.g. 2026-12-01T00:00:00Z)")
    disable = command("disable", "take a link down: it answers 410, for abuse")
    disable.add_argument("id", help="the link's short id")
    disable.add_argument("--reason", required=True, help="why (kept in the audit log)")
    command("enable", "put a disabled link back up").add_argument("id", help="the short id")
    block = command("block", "refuse a host (and its subdomains): new links and redirects")
    block.add_argument("host")
    block.add_argument("--reason", help="why (kept in the audit log)")
    command("unblock", "stop refusing a host").add_argument("host")
    command("blocked", "the blocked hosts", paginated=True)
    command("reports", "abuse reports, with their links' state", paginated=True)
    command("keys", "every API key (never the keys themselves)", paginated=True)
    create = command("create-key", "a new API key, shown once")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument("--owner", required=True, help="whose links it creates and manages")
    create.add_argument(
        "--scopes",
        type=_scopes,
        default=["links:write", "links:read"],
        help=f"comma-separated, of {', '.join(ALL_SCOPES)} (default: links:write,links:read)",
    )
    command("revoke-key", "revoke an API key").add_argument("id", help="the key's id")
    command("audit", "every admin action, newest first", paginated=True)
    return main_parser


def base_url(arguments: argparse.Namespace, environ: dict[str, str]) -> str:
    if arguments.url:
        return str(arguments.url)
    if arguments.env:
        return _site_url(arguments.env)
    if environ.get(URL_ENV):
        return environ[URL_ENV]
    raise Refused(f"say which shortener: --url URL, --env ENV (its stack's SiteUrl) or ${URL_ENV}")


def _site_url(environment: str) -> str:
    try:
        stack, stack_region = stack_name(environment), region(environment)
        described = describe_stack(stack, stack_region)
        if described is None:
            raise StackNotFound(f"there is no stack {stack} in {stack_region}")
        [url] = require(described.outputs, "SiteUrl")
    except KeyError as exc:
        raise Refused(exc.args[0]) from exc
    except (StackNotFound, MissingOutput) as exc:
        raise Refused(str(exc)) from exc
    except NoCredentialsError as exc:
        raise Refused(
            "--env reads the stack's URL with your AWS credentials, and none were found: "
            f"give --url or ${URL_ENV} instead"
        ) from exc
    except (ClientError, BotoCoreError) as exc:
        raise Refused(f"cannot read the stack's URL: {exc}") from exc
    return url


def admin_key(environ: dict[str, str]) -> str:
    key = environ.get(KEY_ENV, "").strip()
    if not key:
        raise Refused(
            f"no admin key: put one in ${KEY_ENV} (make admin-key prints one; make dev "
            f"prints the local one): read -rs {KEY_ENV} && export {KEY_ENV}"
        )
    if not key.startswith("usk_"):
        raise Refused(f"${KEY_ENV} is not an API key (those start with usk_)")
    return key


def _explain(error: ApiRefused) -> str:
    if error.status == 401:
        return (
            f"the API refused the key (401: {error.message}): check ${KEY_ENV}; a revoked "
            "key stops working within a minute"
        )
    if error.status == 403:
        return f"the key may not do this (403: {error.message})"
    return f"the API refused (HTTP {error.status}): {error.message}"


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    environ = dict(os.environ)
    make_request, show = COMMANDS[arguments.command]
    try:
        key = admin_key(environ)  # first: without it, nothing else is worth asking
        api = AdminApi(base_url(arguments, environ), key)
    except (Refused, ValueError) as exc:
        print(f"admin: {exc}", file=sys.stderr)
        return 1
    request = make_request(arguments)
    try:
        answer = api.call(request.method, request.path, query=request.query, body=request.body)
    except ApiRefused as exc:
        print(f"admin {arguments.command}: {_explain(exc)}", file=sys.stderr)
        return 1
    except ApiUnreachable as exc:
        print(f"admin {arguments.command}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2) if arguments.json else show(arguments, answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())

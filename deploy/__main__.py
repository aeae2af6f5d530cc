"""`python -m deploy <command> ...`: one CLI over the deploy tooling; the Makefile calls it.

Lives beside devserver/ rather than in src/: it runs on a developer's machine or in
CI, never in Lambda, so nothing of it ships in the functions' code.

Each command is `module` (its `main`) or `module:function`, called with the arguments
after the command's name; it returns the exit status.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

COMMANDS = {
    "check-build": ("deploy.build_check", "check `sam build` output: aarch64, CPython 3.13"),
    "publish-web": ("deploy.publish_web", "upload web/ to a stack's bucket, invalidate changes"),
    "smoke": ("deploy.smoke", "a link's life, the page, headers, direct API refused"),
    "cost": ("deploy.cost", "monthly cost estimate for a traffic profile"),
    "destroy": ("deploy.destroy", "empty the page's bucket, delete a stack as the role"),
    "preflight": ("deploy.preflight", "before sam deploy: the stack can take it; the role"),
    "stack-name": ("deploy.samconfig", "the stack an environment of samconfig.toml deploys"),
    "region": ("deploy.samconfig:region_main", "the region an environment deploys to"),
    "admin-key": ("deploy.admin_key", "make an admin API key in a stack's table, shown once"),
    "admin": ("deploy.admin", "the admin API: links, disable, block, reports, keys, audit"),
    "backfill-listing": (
        "deploy.backfill_listing",
        "once after upgrading: put older links into the listings",
    ),
    "parameter-overrides": (
        "deploy.samconfig:parameter_overrides_main",
        "samconfig's parameter overrides plus Key=Value pairs",
    ),
}


def command_function(target: str) -> Callable[[list[str]], int]:
    """The function a COMMANDS entry names (`module` means its `main`)."""
    module_name, _, function_name = target.partition(":")
    function: Callable[[list[str]], int] = getattr(
        importlib.import_module(module_name), function_name or "main"
    )
    return function


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] not in COMMANDS:
        print("usage: python -m deploy <command> [options]\n\ncommands:", file=sys.stderr)
        for name, (_, summary) in COMMANDS.items():
            print(f"  {name:<20} {summary}", file=sys.stderr)
        return 2
    target, _ = COMMANDS[arguments[0]]
    return command_function(target)(arguments[1:])


if __name__ == "__main__":
    sys.exit(main())

"""`python -m deploy <command> ...`: one CLI over the deploy tooling; the Makefile calls it.

Lives beside devserver/ rather than in src/: it runs on a developer's machine or in
CI, never in Lambda, so nothing of it ships in the functions' code.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "check-build": ("deploy.build_check", "check `sam build` output: aarch64, CPython 3.13"),
    "publish-web": ("deploy.publish_web", "upload web/ to a stack's bucket, invalidate changes"),
    "smoke": ("deploy.smoke", "create, follow, read and delete a link at a base URL"),
    "cost": ("deploy.cost", "monthly cost estimate for a traffic profile"),
    "destroy": ("deploy.destroy", "empty the page's bucket and delete a stack"),
    "stack-name": ("deploy.samconfig", "the stack an environment of samconfig.toml deploys"),
}


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] not in COMMANDS:
        print("usage: python -m deploy <command> [options]\n\ncommands:", file=sys.stderr)
        for name, (_, summary) in COMMANDS.items():
            print(f"  {name:<12} {summary}", file=sys.stderr)
        return 2
    module_name, _ = COMMANDS[arguments[0]]
    command: int = importlib.import_module(module_name).main(arguments[1:])
    return command


if __name__ == "__main__":
    sys.exit(main())

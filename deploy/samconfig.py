"""Facts samconfig.toml owns (stack names per environment), read rather than repeated."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

SAMCONFIG = Path(__file__).resolve().parent.parent / "samconfig.toml"


def stack_name(environment: str, samconfig: Path = SAMCONFIG) -> str:
    """The stack `sam deploy --config-env <environment>` deploys to."""
    config: dict[str, Any] = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    if environment not in config:
        raise KeyError(f"samconfig.toml has no environment {environment!r}")
    for command in ("deploy", "global"):
        name = config[environment].get(command, {}).get("parameters", {}).get("stack_name")
        if name:
            return str(name)
    raise KeyError(f"samconfig.toml names no stack for {environment!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy stack-name")
    parser.add_argument("environment")
    arguments = parser.parse_args(argv)
    try:
        print(stack_name(arguments.environment))
    except KeyError as exc:
        print(f"stack-name: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0

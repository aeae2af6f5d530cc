"""Facts samconfig.toml owns (stack name, region, parameter overrides per environment),
read rather than repeated.

SAM reads an environment's `[<env>.global.parameters]` and then its command's own table
(`[<env>.deploy.parameters]`), the command's winning; so does everything here.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

SAMCONFIG = Path(__file__).resolve().parent.parent / "samconfig.toml"
# A CloudFormation parameter's name (alphanumeric), then `=`, then its value.
_OVERRIDE = re.compile(r"([A-Za-z0-9]+)=(.*)", re.DOTALL)
# Values SAM's --parameter-overrides takes as they are; others (empty, spaces, quotes)
# go in double quotes.
_PLAIN_VALUE = re.compile(r"[^\s\"'\\]+")


def deploy_setting(environment: str, key: str, samconfig: Path = SAMCONFIG) -> Any:
    """What `sam deploy --config-env <environment>` uses for `key`; KeyError if nothing."""
    config: dict[str, Any] = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    if environment not in config:
        raise KeyError(f"samconfig.toml has no environment {environment!r}")
    for command in ("deploy", "global"):
        value = config[environment].get(command, {}).get("parameters", {}).get(key)
        if value not in (None, ""):
            return value
    raise KeyError(f"samconfig.toml gives {environment!r} no {key}")


def stack_name(environment: str, samconfig: Path = SAMCONFIG) -> str:
    """The stack `sam deploy --config-env <environment>` deploys to."""
    return str(deploy_setting(environment, "stack_name", samconfig))


def region(environment: str, samconfig: Path = SAMCONFIG) -> str:
    """The region `sam deploy --config-env <environment>` deploys to."""
    return str(deploy_setting(environment, "region", samconfig))


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """`Key=Value` items (one each, already split as a shell splits them) as a dict."""
    parsed = {}
    for pair in pairs:
        match = _OVERRIDE.fullmatch(pair)
        if not match:
            raise ValueError(f"{pair!r} is not Key=Value (Key: a template parameter's name)")
        parsed[match[1]] = match[2]
    return parsed


def parameter_overrides(
    environment: str, extra: list[str] | None = None, samconfig: Path = SAMCONFIG
) -> dict[str, str]:
    """samconfig's parameter_overrides for the environment, then `extra` (later wins).

    `sam deploy --parameter-overrides` replaces samconfig's overrides instead of adding
    to them, so whoever passes any must pass samconfig's too: this is that list."""
    try:
        configured = deploy_setting(environment, "parameter_overrides", samconfig)
    except KeyError:
        configured = []
    items = configured if isinstance(configured, list) else [configured]
    if not all(isinstance(item, str) for item in items) or any(
        item.startswith("file://") for item in items
    ):
        raise ValueError(
            f"samconfig.toml: {environment}'s parameter_overrides must be Key=Value strings"
        )
    from_samconfig = parse_overrides([pair for item in items for pair in shlex.split(item)])
    return {**from_samconfig, **parse_overrides(extra or [])}


def sam_parameter_overrides(overrides: dict[str, str]) -> str:
    """One `--parameter-overrides` argument in SAM's syntax: `Key=Value Key2="a b"`."""
    return " ".join(f"{key}={_sam_value(value)}" for key, value in overrides.items())


def _sam_value(value: str) -> str:
    if _PLAIN_VALUE.fullmatch(value):
        return value
    if "\\" in value:
        # SAM unescapes \" \' and "\ " but not \\: a backslash could not round-trip.
        raise ValueError(f"a parameter value with a backslash cannot be passed: {value!r}")
    return '"' + value.replace('"', '\\"') + '"'


def _print_fact(prog: str, read: Any, argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m deploy {prog}")
    parser.add_argument("environment", help="an environment of samconfig.toml (dev, prod)")
    arguments = parser.parse_args(argv)
    try:
        print(read(arguments.environment))
    except KeyError as exc:
        print(f"{prog}: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m deploy stack-name ENV`: the stack's name."""
    return _print_fact("stack-name", stack_name, argv)


def region_main(argv: list[str] | None = None) -> int:
    """`python -m deploy region ENV`: the region the environment deploys to."""
    return _print_fact("region", region, argv)


def parameter_overrides_main(argv: list[str] | None = None) -> int:
    """`python -m deploy parameter-overrides ENV [Key=Value ...]`: samconfig's overrides
    plus these, as one argument for `sam deploy --parameter-overrides`."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy parameter-overrides",
        description="samconfig's parameter_overrides for ENV plus Key=Value pairs (later "
        "wins), as one `sam deploy --parameter-overrides` argument.",
    )
    parser.add_argument("environment", help="an environment of samconfig.toml (dev, prod)")
    parser.add_argument("overrides", nargs="*", metavar="Key=Value")
    arguments = parser.parse_args(argv)
    try:
        merged = parameter_overrides(arguments.environment, arguments.overrides)
        print(sam_parameter_overrides(merged))
    except (KeyError, ValueError) as exc:
        print(f"parameter-overrides: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0

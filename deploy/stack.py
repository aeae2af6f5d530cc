"""Read a deployed CloudFormation stack's outputs (the names the other commands need)."""

from __future__ import annotations

from typing import Any

import boto3


class StackNotFound(LookupError):
    """No stack of that name in that region (or it has no outputs yet)."""


class MissingOutput(LookupError):
    """The stack exists but lacks an output a command needs (an older template?)."""


def cloudformation_client(region: str | None) -> Any:
    return boto3.client("cloudformation", region_name=region)


def stack_outputs(stack_name: str, region: str | None = None) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}."""
    client = cloudformation_client(region)
    try:
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except client.exceptions.ClientError as exc:
        # CloudFormation reports an unknown stack as a ValidationError, not a 404 code.
        if "does not exist" in str(exc):
            raise StackNotFound(f"no stack named {stack_name!r}") from exc
        raise
    if not stacks:
        raise StackNotFound(f"no stack named {stack_name!r}")
    return {out["OutputKey"]: out["OutputValue"] for out in stacks[0].get("Outputs", [])}


def require(outputs: dict[str, str], *keys: str) -> list[str]:
    """The values of `keys`, or MissingOutput naming every one that is absent."""
    missing = [key for key in keys if key not in outputs]
    if missing:
        raise MissingOutput(f"the stack has no output(s) {', '.join(missing)}")
    return [outputs[key] for key in keys]

"""`python -m deploy preflight --env ENV`: what `make deploy` checks before `sam deploy`.

Reads the environment's stack and region from samconfig.toml, finds the role
CloudFormation deploys as, and looks at the stack's state. A state that `sam deploy`
cannot get past (a failed first create, a failed rollback, another operation running)
stops the deploy here with what happened and the one next step, changing nothing; with
--delete-failed-stack a failed first create (ROLLBACK_COMPLETE) is deleted and the
deploy goes on.

Prints only the execution role's ARN on stdout (the Makefile hands it to
`sam deploy --role-arn`); everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from deploy import samconfig
from deploy.stack import (
    add_role_arn_argument,
    delete_stack,
    describe_stack,
    execution_role_arn,
    last_operation_failures,
)

# States `sam deploy` updates from. REVIEW_IN_PROGRESS: a change set was created for a new
# stack and never executed; sam deploy makes another and executes it.
# CREATE_FAILED / UPDATE_FAILED: a deploy with --disable-rollback kept what it had made;
# the next deploy retries from there.
DEPLOYABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "REVIEW_IN_PROGRESS",
        "CREATE_FAILED",
        "UPDATE_FAILED",
    }
)
FAILED_FIRST_CREATE = "ROLLBACK_COMPLETE"
SHOWN_FAILURES = 5


class Blocked(Exception):
    """The stack cannot take a deploy now; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    environment: str
    stack: str
    region: str
    role_arn: str

    def deploy_command(self, *flags: str) -> str:
        return " ".join(["make deploy", f"ENV={self.environment}", *flags])


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def what_failed(target: Target) -> str:
    failures = last_operation_failures(target.stack, target.region)
    if not failures:
        return "  (no failed event found)"
    lines = [f"  {failure}" for failure in failures[:SHOWN_FAILURES]]
    if len(failures) > SHOWN_FAILURES:
        lines.append(
            f"  ... and {len(failures) - SHOWN_FAILURES} more: aws cloudformation "
            f"describe-stack-events --stack-name {target.stack} --region {target.region}"
        )
    return "\n".join(lines)


def failed_first_create(target: Target, delete: bool) -> None:
    """ROLLBACK_COMPLETE: deleted with `delete`, else Blocked with what happened."""
    if delete:
        say(
            f"preflight: deleting {target.stack} (ROLLBACK_COMPLETE: its first create failed;"
            " nothing in it holds data), as the execution role, and waiting for it"
        )
        try:
            delete_stack(target.stack, target.region, target.role_arn)
        except WaiterError as exc:
            raise Blocked(
                f"stack {target.stack} was not deleted: {exc}\nWhat failed:\n" + what_failed(target)
            ) from exc
        say(f"preflight: {target.stack} deleted; the deploy creates it anew")
        return
    raise Blocked(
        f"stack {target.stack} ({target.region}) is in ROLLBACK_COMPLETE: its first create"
        " failed and CloudFormation rolled it back.\n"
        f"What failed (the first failure first):\n{what_failed(target)}\n"
        "A stack in ROLLBACK_COMPLETE cannot be updated, only deleted. Nothing in it holds"
        " data: it never finished being created, and that rollback removed what it had"
        " made, the links table too (DeletionPolicy RetainExceptOnCreate).\n"
        "Fix the cause above if it is in the code or parameters, then delete it and deploy"
        f" again with:\n  {target.deploy_command('DELETE_FAILED_STACK=1')}\n"
        "Nothing was changed."
    )


def blocked_because(target: Target, status: str) -> str | None:
    """Why a stack in `status` cannot take a deploy, with the next step; None if it can."""
    on = f"--stack-name {target.stack} --region {target.region}"
    if status in DEPLOYABLE:
        return None
    if status == "UPDATE_ROLLBACK_FAILED":
        return (
            f"stack {target.stack} is in UPDATE_ROLLBACK_FAILED: an update failed, and so"
            f" did rolling it back.\nWhat failed:\n{what_failed(target)}\n"
            "Fix the cause above (e.g. a resource changed or deleted outside"
            " CloudFormation), then finish the rollback as the execution role:\n"
            "  aws cloudformation continue-update-rollback"
            f" --stack-name {target.stack} --role-arn {target.role_arn} --region {target.region}\n"
            f"and deploy again: {target.deploy_command()}"
        )
    if status == "ROLLBACK_FAILED":
        return (
            f"stack {target.stack} is in ROLLBACK_FAILED: its first create failed, and so"
            f" did rolling it back.\nWhat failed:\n{what_failed(target)}\n"
            "It never finished being created, so it holds no data; it can only be deleted."
            f" Fix the cause above, then:\n  make destroy ENV={target.environment}\n"
            f"and deploy again: {target.deploy_command()}"
        )
    if status == "DELETE_FAILED":
        return (
            f"stack {target.stack} is in DELETE_FAILED: deleting it did not finish.\n"
            f"What failed:\n{what_failed(target)}\n"
            f"Fix the cause above, then delete it again:\n  make destroy ENV={target.environment}\n"
            f"and deploy again: {target.deploy_command()}"
        )
    if status.endswith("_IN_PROGRESS"):
        return (
            f"stack {target.stack} is {status}: another operation on it is running. Wait"
            " until it ends (aws cloudformation describe-stacks"
            f" {on} --query 'Stacks[0].StackStatus'), then run {target.deploy_command()} again."
        )
    return (
        f"stack {target.stack} is in {status}, which sam deploy cannot update.\n"
        f"What failed:\n{what_failed(target)}\n"
        f"See its events: aws cloudformation describe-stack-events {on}"
    )


def check(target: Target, delete_failed_stack: bool) -> None:
    """Return if `sam deploy` can go on (after deleting a failed first create when asked);
    Blocked, having changed nothing, if it cannot."""
    stack = describe_stack(target.stack, target.region)
    if stack is None:
        say(f"preflight: no stack {target.stack} in {target.region} yet: the deploy creates it")
        return
    if stack.status == FAILED_FIRST_CREATE:
        failed_first_create(target, delete_failed_stack)
        return
    reason = blocked_because(target, stack.status)
    if reason:
        raise Blocked(reason + "\nNothing was changed.")
    say(f"preflight: stack {target.stack} in {target.region} is {stack.status}: deploying")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy preflight",
        description="Before sam deploy: check the stack can take a deploy; print the ARN "
        "of the role CloudFormation deploys as (and nothing else) on stdout.",
    )
    parser.add_argument("--env", required=True, help="an environment of samconfig.toml")
    parser.add_argument("--region", help="default: the environment's, from samconfig.toml")
    add_role_arn_argument(parser)
    parser.add_argument(
        "--delete-failed-stack",
        action="store_true",
        help="delete the stack first if (and only if) it is in ROLLBACK_COMPLETE",
    )
    args = parser.parse_args(argv)

    try:
        stack = samconfig.stack_name(args.env)  # what sam deploy --config-env deploys
        region = args.region or samconfig.region(args.env)
        target = Target(args.env, stack, region, execution_role_arn(args.role_arn, region))
        say(f"preflight: {args.env}: stack {stack} in {region}, deployed as {target.role_arn}")
        check(target, args.delete_failed_stack)
    except KeyError as exc:
        say(f"preflight: {exc.args[0]}")
        return 1
    except (Blocked, ValueError) as exc:
        say(f"preflight: {exc}")
        return 1
    except (ClientError, BotoCoreError) as exc:
        say(f"preflight: AWS refused or could not be reached: {exc}")
        return 1
    print(target.role_arn)
    return 0


if __name__ == "__main__":
    sys.exit(main())

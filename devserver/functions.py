"""What the devserver adds to the template's functions (sam_template.functions): the
environment they run with, and the error a failed invocation is.
"""

from __future__ import annotations

from collections.abc import Mapping

from sam_template.functions import LambdaFunction


class FunctionError(Exception):
    """The function failed the way Lambda reports as an error: API Gateway answers 500.

    The handler raised, returned what Lambda cannot send, could not be imported, or its
    execution environment died.
    """


def function_environment(function: LambdaFunction, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables one function's execution environments get: its own from the template,
    under the devserver's environment. A variable set there wins (that is how to override
    e.g. PUBLIC_BASE_URL for `make dev`), and the SDK settings pointing at the local
    DynamoDB reach every function.
    """
    return {**function.environment, **environ}


def environment_warnings(
    functions: list[LambdaFunction], inherited: Mapping[str, str]
) -> list[str]:
    """Variables the template sets to what only a deployed stack has, and nobody set here."""
    return [
        f"{function.logical_id}: {name} left unset ({reason}); "
        f"set {name} in the environment to give it a value"
        for function in functions
        for name, reason in function.unresolved_environment.items()
        if name not in inherited
    ]

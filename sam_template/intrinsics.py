"""Evaluate a template's intrinsic functions with the answers a local stack has.

There is no deployed stack locally: a Ref to a parameter is the value given for it
(`--parameter-overrides`) or its Default, a Ref to a
table is the local table's name, pseudo parameters are fixed local values. What only a
deployed stack knows (an ImportValue, a CloudFront domain) raises `UnresolvableError`,
so the caller can say which value is missing instead of handing a handler a wrong one.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

ACCOUNT_ID: Final = "123456789012"  # the account id AWS's docs and moto use for examples
STACK_NAME: Final = "local"


class UnresolvableError(ValueError):
    """A value that only exists in a deployed stack (or a template mistake)."""


class _NoValue:
    """AWS::NoValue: the property (or env var) is left out, as CloudFormation does."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# CloudFormation's dynamic references to secrets: resolved at deploy time, never by us.
_SECRET_REFERENCE = re.compile(r"\{\{resolve:(?:secretsmanager|ssm-secure):[^}]*\}\}")


@dataclass(frozen=True)
class LocalStack:
    """The pseudo parameters of the stack a local run pretends to be, and the parameter
    values it was given (as `sam deploy --parameter-overrides`; the rest take Default)."""

    region: str
    account_id: str = ACCOUNT_ID
    stack_name: str = STACK_NAME
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)

    def pseudo_parameter(self, name: str) -> str | _NoValue | None:
        values: dict[str, str | _NoValue] = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/"
                f"{self.stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        return values.get(name)


class Resolver:
    """Resolves `{"Ref": ...}`, `{"Fn::Sub": ...}` and friends in one template."""

    def __init__(self, template: dict[str, Any], stack: LocalStack) -> None:
        self._template = template
        self._stack = stack
        self._conditions: dict[str, bool] = {}
        self._stand_in_secrets: dict[str, str] = {}

    @property
    def stack(self) -> LocalStack:
        return self._stack

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function in it evaluated (NO_VALUE for AWS::NoValue)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, str):
            return self._with_stand_in_secrets(value)
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Condition":
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def resolve_string(self, value: Any) -> str | _NoValue:
        """A value that must end up a string, as env vars and names do (numbers become text)."""
        resolved = self.resolve(value)
        if resolved is NO_VALUE or isinstance(resolved, str):
            return resolved
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, int | float):
            return str(resolved)
        raise UnresolvableError(f"{value!r} is not a string value")

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise UnresolvableError(f"Ref needs a name, got {name!r}")
        pseudo = self._stack.pseudo_parameter(name)
        if pseudo is not None:
            return pseudo
        parameters = self._template.get("Parameters") or {}
        if name in parameters:
            return self._parameter_default(name, parameters[name])
        if name in self._template["Resources"]:
            return self.physical_name(name)
        raise UnresolvableError(f"Ref to {name!r}: no such parameter or resource")

    def physical_name(self, logical_id: str) -> str:
        """The name a resource has locally: its explicit name property, else its logical id."""
        resource = self._template["Resources"][logical_id]
        properties = resource.get("Properties") or {}
        name_property = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::Serverless::Function": "FunctionName",
            "AWS::Lambda::Function": "FunctionName",
        }.get(resource.get("Type", ""))
        if name_property and name_property in properties:
            name = self.resolve_string(properties[name_property])
            if isinstance(name, str):
                return name
        return logical_id

    def get_att(self, logical_id: str, attribute: str) -> str:
        resources = self._template["Resources"]
        if logical_id not in resources:
            raise UnresolvableError(f"GetAtt {logical_id}.{attribute}: no such resource")
        resource_type = resources[logical_id].get("Type")
        name = self.physical_name(logical_id)
        region, account = self._stack.region, self._stack.account_id
        if resource_type == "AWS::DynamoDB::Table":
            table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            if attribute == "Arn":
                return table_arn
            if attribute == "StreamArn":
                return f"{table_arn}/stream/1970-01-01T00:00:00.000"
        if resource_type in {"AWS::Serverless::Function", "AWS::Lambda::Function"} and (
            attribute == "Arn"
        ):
            return f"arn:aws:lambda:{region}:{account}:function:{name}"
        raise UnresolvableError(
            f"GetAtt {logical_id}.{attribute} ({resource_type}) exists only in a deployed stack"
        )

    def condition(self, name: Any) -> bool:
        if not isinstance(name, str):
            raise UnresolvableError(f"Condition needs a name, got {name!r}")
        if name not in self._conditions:
            conditions = self._template.get("Conditions") or {}
            if name not in conditions:
                raise UnresolvableError(f"no such condition {name!r}")
            self._conditions[name] = self._truth(self.resolve(conditions[name]))
        return self._conditions[name]

    def resource_enabled(self, logical_id: str) -> bool:
        """False for a resource whose Condition is false: CloudFormation does not create it."""
        condition = self._template["Resources"][logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def _parameter_default(self, name: str, parameter: dict[str, Any]) -> Any:
        if name in self._stack.parameter_overrides:
            return self._stack.parameter_overrides[name]
        if "Default" not in parameter:
            raise UnresolvableError(f"parameter {name!r} has no Default to use locally")
        default = parameter["Default"]
        parameter_type = str(parameter.get("Type", "String"))
        if parameter_type == "CommaDelimitedList" or parameter_type.startswith("List<"):
            return [item.strip() for item in str(default).split(",")] if default != "" else []
        if isinstance(default, bool):
            return "true" if default else "false"
        return str(default) if isinstance(default, int | float) else default

    def _function(self, key: str, argument: Any) -> Any:
        handlers = {
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::GetAtt": self._get_att_argument,
            "Fn::If": self._if,
            "Fn::Equals": self._equals,
            "Fn::Not": self._not,
            "Fn::And": self._and,
            "Fn::Or": self._or,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": self._base64,
        }
        if key not in handlers:
            raise UnresolvableError(f"{key} exists only in a deployed stack")
        return handlers[key](argument)

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        else:
            text, raw_variables = argument
            variables = {name: self.resolve(value) for name, value in raw_variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is the escape for a literal ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                value = self.get_att(*name.split(".", 1))
            else:
                value = self.ref(name)
            if not isinstance(value, str):
                raise UnresolvableError(f"${{{name}}} in Fn::Sub is not a string")
            return value

        return self._with_stand_in_secrets(_SUB_VARIABLE.sub(substitute, text))

    def _with_stand_in_secrets(self, text: str) -> str:
        """Each secret dynamic reference as a random value, the same for the same
        reference while this process runs: like the secrets CloudFormation generates,
        and unlike the reference's own text, nobody can know it in advance."""

        def stand_in(match: re.Match[str]) -> str:
            return self._stand_in_secrets.setdefault(match.group(0), secrets.token_urlsafe(32))

        return _SECRET_REFERENCE.sub(stand_in, text)

    def _join(self, argument: Any) -> str:
        delimiter, items = argument
        return str(delimiter).join(str(item) for item in self.resolve(items))

    def _get_att_argument(self, argument: Any) -> str:
        resolved = self.resolve(argument)
        if isinstance(resolved, str):  # the long form written as "Table.Arn"
            resolved = resolved.split(".", 1)
        logical_id, attribute = resolved
        return self.get_att(logical_id, attribute)

    def _if(self, argument: Any) -> Any:
        condition_name, if_true, if_false = argument
        return self.resolve(if_true if self.condition(condition_name) else if_false)

    def _equals(self, argument: Any) -> bool:
        left, right = (self.resolve(item) for item in argument)
        return bool(left == right)

    def _not(self, argument: Any) -> bool:
        (operand,) = argument
        return not self._truth(self.resolve(operand))

    def _and(self, argument: Any) -> bool:
        return all(self._truth(self.resolve(item)) for item in argument)

    def _or(self, argument: Any) -> bool:
        return any(self._truth(self.resolve(item)) for item in argument)

    def _select(self, argument: Any) -> Any:
        index, items = argument
        return self.resolve(items)[int(self.resolve(index))]

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = argument
        return str(self.resolve(text)).split(str(delimiter))

    def _find_in_map(self, argument: Any) -> Any:
        map_name, top_key, second_key = (self.resolve(item) for item in argument)
        try:
            return self._template["Mappings"][map_name][top_key][second_key]
        except KeyError as exc:
            raise UnresolvableError(f"FindInMap {map_name}/{top_key}/{second_key}") from exc

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(str(self.resolve(argument)).encode()).decode()

    @staticmethod
    def _truth(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise UnresolvableError(f"a condition must be true or false, got {value!r}")

"""Resolve CloudFormation intrinsics of the synthesized templates against the locally created resources.

The local runner never deploys a template: it reads the values CloudFormation would have produced
(`Ref`, `Fn::GetAtt`, exports) from a `ResourceMap`. The map starts with values derived from the
templates alone (names, ARNs in the local account) and is overridden with what moto returned (queue
URLs, user pool ids) once the resources exist.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LOCAL_ACCOUNT = "123456789012"  # moto's default account: ARNs must match what moto's APIs return
LOCAL_REGION = "us-east-1"


class UnresolvableIntrinsicError(ValueError):
    """A template value references something the local runner cannot know."""


class _NoValue:
    """`Ref: AWS::NoValue`: the property is dropped, as CloudFormation does."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass
class ResourceValues:
    """What CloudFormation returns for one resource: its `Ref` and its `Fn::GetAtt` attributes."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceAddress:
    stack: str
    logical_id: str

    def __str__(self) -> str:
        return f"{self.stack}/{self.logical_id}"


@dataclass
class ResourceMap:
    """Every resource of every stack with its local values, plus the stacks' exports."""

    templates: Mapping[str, Mapping[str, Any]]
    region: str = LOCAL_REGION
    account: str = LOCAL_ACCOUNT
    values: dict[ResourceAddress, ResourceValues] = field(default_factory=dict)

    def set(self, address: ResourceAddress, ref: str, **attributes: str) -> None:
        current = self.values.get(address)
        merged = {**(current.attributes if current else {}), **attributes}
        self.values[address] = ResourceValues(ref, merged)

    def get(self, address: ResourceAddress) -> ResourceValues | None:
        return self.values.get(address)

    def resources_of_type(self, *types: str) -> list[tuple[ResourceAddress, Mapping[str, Any]]]:
        found = []
        for stack, template in self.templates.items():
            for logical_id, resource in (template.get("Resources") or {}).items():
                if isinstance(resource, Mapping) and resource.get("Type") in types:
                    found.append((ResourceAddress(stack, logical_id), resource))
        return found

    def export(self, name: str) -> tuple[str, Any]:
        """(stack, value expression) of the output exported as `name`."""
        for stack, template in self.templates.items():
            for output in (template.get("Outputs") or {}).values():
                if not isinstance(output, Mapping):
                    continue
                export = output.get("Export")
                if not isinstance(export, Mapping):
                    continue
                exported_as = IntrinsicResolver(self).resolve(export.get("Name"), stack)
                if exported_as == name:
                    return stack, output.get("Value")
        raise UnresolvableIntrinsicError(f"no stack exports '{name}'")


_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class IntrinsicResolver:
    """Evaluates template values; `resolve(value, stack)` returns plain JSON (str, list, dict, ...)."""

    def __init__(self, resources: ResourceMap) -> None:
        self._resources = resources

    def resolve(self, value: Any, stack: str) -> Any:
        if isinstance(value, list):
            resolved = [self.resolve(item, stack) for item in value]
            return [item for item in resolved if item is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(str(argument), stack)
            if key.startswith("Fn::"):
                return self._function(key, argument, stack)
        resolved_map = {key: self.resolve(item, stack) for key, item in value.items()}
        return {key: item for key, item in resolved_map.items() if item is not NO_VALUE}

    def resolve_string(self, value: Any, stack: str) -> str:
        resolved = self.resolve(value, stack)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, str | int | float):
            return str(resolved)
        raise UnresolvableIntrinsicError(f"{value!r} does not resolve to a string but to {resolved!r}")

    def _pseudo(self, name: str, stack: str) -> Any:
        pseudo: dict[str, Any] = {
            "AWS::Region": self._resources.region,
            "AWS::AccountId": self._resources.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self._resources.region}:{self._resources.account}:stack/{stack}/local"
            ),
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        if name not in pseudo:
            raise UnresolvableIntrinsicError(f"unknown pseudo parameter {name}")
        return pseudo[name]

    def _ref(self, name: str, stack: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(name, stack)
        found = self._resources.get(ResourceAddress(stack, name))
        if found is not None:
            return found.ref
        parameters = (self._resources.templates.get(stack) or {}).get("Parameters") or {}
        if name in parameters and "Default" in parameters[name]:
            # CDK's parameters (BootstrapVersion, SSM lookups) have defaults good enough locally.
            return parameters[name]["Default"]
        raise UnresolvableIntrinsicError(f"Ref {name} in stack {stack}: no such resource or parameter")

    def _get_att(self, argument: Any, stack: str) -> str:
        if isinstance(argument, str):
            logical_id, _, attribute = argument.partition(".")
        elif isinstance(argument, list) and len(argument) == 2:
            logical_id, attribute = str(argument[0]), str(self.resolve(argument[1], stack))
        else:
            raise UnresolvableIntrinsicError(f"malformed Fn::GetAtt {argument!r}")
        found = self._resources.get(ResourceAddress(stack, logical_id))
        if found is None:
            raise UnresolvableIntrinsicError(
                f"Fn::GetAtt {logical_id}.{attribute} in {stack}: no such resource"
            )
        if attribute not in found.attributes:
            raise UnresolvableIntrinsicError(
                f"Fn::GetAtt {logical_id}.{attribute} in {stack}: unknown attribute"
            )
        return found.attributes[attribute]

    def _function(self, key: str, argument: Any, stack: str) -> Any:
        if key == "Fn::GetAtt":
            return self._get_att(argument, stack)
        if key == "Fn::ImportValue":
            exporting_stack, expression = self._resources.export(self.resolve_string(argument, stack))
            return self.resolve(expression, exporting_stack)
        if key == "Fn::Join":
            delimiter, items = argument
            return str(delimiter).join(
                self.resolve_string(item, stack) for item in self.resolve(items, stack)
            )
        if key == "Fn::Select":
            index, items = argument
            return self.resolve(items, stack)[int(self.resolve(index, stack))]
        if key == "Fn::Split":
            delimiter, source = argument
            return self.resolve_string(source, stack).split(str(delimiter))
        if key == "Fn::Sub":
            return self._sub(argument, stack)
        if key == "Fn::GetAZs":
            return [f"{self._resources.region}a", f"{self._resources.region}b"]
        if key == "Fn::Base64":
            return base64.b64encode(self.resolve_string(argument, stack).encode()).decode()
        raise UnresolvableIntrinsicError(f"{key} is not supported by the local runner")

    def _sub(self, argument: Any, stack: str) -> str:
        if isinstance(argument, list):
            text, variables = str(argument[0]), dict(argument[1]) if len(argument) > 1 else {}
        else:
            text, variables = str(argument), {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return self.resolve_string(variables[name], stack)
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._get_att([logical_id, attribute], stack)
            return self.resolve_string({"Ref": name}, stack)

        # `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
        return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")

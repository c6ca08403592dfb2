"""Reading the Api stack's template the way a reviewer would: by function name and route path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Template = dict[str, Any]


def resources_of(template: Template, type_: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == type_}


def function_ids(template: Template) -> dict[str, str]:
    """Seed function name -> logical id, found by handler (`<name>.handler.handler`), never by hash."""
    return {
        resource["Properties"]["Handler"].split(".")[0]: logical_id
        for logical_id, resource in resources_of(template, "AWS::Lambda::Function").items()
        if resource["Properties"]["Handler"].endswith(".handler.handler")
    }


def function_properties(template: Template, name: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][function_ids(template)[name]]["Properties"]
    return props


def alias_ids(template: Template) -> dict[str, str]:
    """Seed function name -> logical id of its `live` alias."""
    by_function = {logical_id: name for name, logical_id in function_ids(template).items()}
    return {
        by_function[resource["Properties"]["FunctionName"]["Ref"]]: logical_id
        for logical_id, resource in resources_of(template, "AWS::Lambda::Alias").items()
        if resource["Properties"]["Name"] == "live"
    }


def policy_statements(template: Template, name: str) -> list[dict[str, Any]]:
    """Statements of the function role's inline policies."""
    role_ref = function_properties(template, name)["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        if {"Ref": role_ref} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


@dataclass(frozen=True)
class ApiMethod:
    logical_id: str
    path: str
    properties: dict[str, Any]


def api_methods(template: Template) -> dict[tuple[str, str], ApiMethod]:
    """(HTTP method, full path) -> method, with paths rebuilt from the Resource tree."""
    resources = resources_of(template, "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            properties = resources[logical_id]["Properties"]
            parent = properties["ParentId"]
            parent_path = "" if "Fn::GetAtt" in parent else path_of(parent["Ref"])
            paths[logical_id] = f"{parent_path}/{properties['PathPart']}"
        return paths[logical_id]

    methods = {}
    for logical_id, resource in resources_of(template, "AWS::ApiGateway::Method").items():
        properties = resource["Properties"]
        resource_id = properties["ResourceId"]
        path = "/" if "Fn::GetAtt" in resource_id else path_of(resource_id["Ref"])
        methods[(properties["HttpMethod"], path)] = ApiMethod(logical_id, path, properties)
    return methods


def referenced_ids(value: Any) -> set[str]:
    """Every logical id that a property value references with Ref or Fn::GetAtt, however nested."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for inner in value.values():
            found |= referenced_ids(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= referenced_ids(inner)
    return found

"""Reading the Api stack's template the way a reviewer would: by function name and route path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdk_app.synth import SynthesizedStage

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


def api_and_domain_stacks(stage: SynthesizedStage) -> list[str]:
    """Short names of the stacks that together make up the API: skeleton, stage and every domain."""
    return ["Api", "ApiStage", *(domain.value for domain in stage.stacks.domains)]


def merged_api_template(stage: SynthesizedStage) -> Template:
    """The API's stacks read as one template, as a reviewer follows a route from path to function.

    Cross-stack imports (`Fn::ImportValue`) are replaced by the exporting stack's own expression, and
    a logical id used by two stacks (each domain's `Dependencies` layer, say) gets its stack's name
    appended, in its definition and in every reference to it.
    """
    short_names = api_and_domain_stacks(stage)
    templates = {short: stage.template(short) for short in short_names}
    seen: dict[str, int] = {}
    for template in templates.values():
        for logical_id in template["Resources"]:
            seen[logical_id] = seen.get(logical_id, 0) + 1
    renames = {
        short: {logical_id: f"{logical_id}{short}" for logical_id in t["Resources"] if seen[logical_id] > 1}
        for short, t in templates.items()
    }
    exports: dict[str, Any] = {}
    for short, template in templates.items():
        for output in (template.get("Outputs") or {}).values():
            if "Export" in output:
                exports[output["Export"]["Name"]] = _renamed(output["Value"], renames[short])
    merged: dict[str, Any] = {}
    for short, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            resource = _imports_resolved(_renamed(resource, renames[short]), exports)
            merged[renames[short].get(logical_id, logical_id)] = resource
    return {"Resources": merged}


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str) and len(value) == 1:
            return {"Ref": renames.get(value["Ref"], value["Ref"])}
        if "Fn::GetAtt" in value and len(value) == 1:
            target, *rest = value["Fn::GetAtt"]
            return {"Fn::GetAtt": [renames.get(target, target), *rest]}
        renamed = {key: _renamed(inner, renames) for key, inner in value.items()}
        if "DependsOn" in renamed:
            depends = renamed["DependsOn"]
            renamed["DependsOn"] = (
                [renames.get(d, d) for d in depends]
                if isinstance(depends, list)
                else renames.get(depends, depends)
            )
        return renamed
    if isinstance(value, list):
        return [_renamed(inner, renames) for inner in value]
    return value


def _imports_resolved(value: Any, exports: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Fn::ImportValue"} and value["Fn::ImportValue"] in exports:
            return exports[value["Fn::ImportValue"]]
        return {key: _imports_resolved(inner, exports) for key, inner in value.items()}
    if isinstance(value, list):
        return [_imports_resolved(inner, exports) for inner in value]
    return value

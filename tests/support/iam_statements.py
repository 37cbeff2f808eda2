"""The identity-policy statements of a synthesized template, per Lambda handler."""

from __future__ import annotations

from typing import Any

from tests.support.synth import resources_of

PROJECTS = ["streetscenes", "pedestrians"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements_by_function(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """handler module -> statements of its role's policies."""
    functions = resources_of(template, "AWS::Lambda::Function")
    role_to_module = {
        f["Properties"]["Role"]["Fn::GetAtt"][0]: f["Properties"]["Handler"].split(".")[-2]
        for f in functions.values()
    }
    result: dict[str, list[dict[str, Any]]] = {module: [] for module in role_to_module.values()}
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        for role in policy["Properties"]["Roles"]:
            module = role_to_module.get(role["Ref"])
            if module is not None:
                result[module].extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return result

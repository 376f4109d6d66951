"""CloudFormation's intrinsic functions as a table (name -> implementation), and a context that uses it.

``Ref`` to a parameter gives its ``Default``; ``Ref``/``GetAtt`` to a resource gives a ``Reference``;
pseudo-parameters mean this account, region and partition; ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``,
``Fn::Split`` and ``Fn::GetAZs`` are here; ``Fn::If`` is in ``cfn_conditions``, ``Fn::FindInMap``,
``Fn::Base64``, ``Fn::Cidr`` and the rest in ``cfn_functions``. Pure module.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.values import PartialList, Reference, SecretStoreValue, Unknown
from privlint.normalize.cfn_conditions import fn_if
from privlint.normalize.cfn_context import (
    DEPLOYMENT_SPECIFIC,
    NO_VALUE,
    PSEUDO_PARAMETERS,
    SECRET_REF,
    Intrinsic,
    TemplateContext,
    join_parts,
    resolve,
    wrong_arguments,
)
from privlint.normalize.cfn_functions import MORE_INTRINSICS

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def _ref(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    name = resolve(arg, ctx, depth, line) if isinstance(arg, dict) else arg
    if not isinstance(name, str):
        return wrong_arguments(ctx, line, "Ref", "a logical id or parameter name")
    if name == "AWS::NoValue":
        return NO_VALUE
    if name in DEPLOYMENT_SPECIFIC and ctx.deciding:
        return Unknown(name)  # a condition on the region or account holds in some deployments and not others
    if name in PSEUDO_PARAMETERS:
        return PSEUDO_PARAMETERS[name]
    if name.startswith("AWS::"):
        return Unknown(name)
    if name in ctx.parameters:
        return ctx.parameter_default(name)
    return Reference(source=name, address=name, attribute="Ref")


def _get_att(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    parts = arg.split(".", 1) if isinstance(arg, str) else arg
    if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], str):
        attr = resolve(parts[1], ctx, depth, line)
        attr = attr if isinstance(attr, str) else ""
        return Reference(source=f"{parts[0]}.{attr}", address=parts[0], attribute=attr)
    return wrong_arguments(ctx, line, "Fn::GetAtt", "[logical id, attribute]")


def _sub(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if isinstance(arg, dict):  # the text comes from another function (a macro's Fn::Transform...)
        arg = resolve(arg, ctx, depth, line)
        if not isinstance(arg, str):
            return Unknown("Fn::Sub")
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
        template, variables = arg[0], arg[1]
    elif isinstance(arg, str):
        template, variables = arg, {}
    else:
        return wrong_arguments(ctx, line, "Fn::Sub", "a string or [string, variables]")
    if SECRET_REF.search(template):
        return SecretStoreValue(source="dynamic reference")
    parts: list[Any] = []
    pos = 0
    for m in _SUB_VAR.finditer(template):
        parts.append(template[pos : m.start()])
        expr = m.group(1).strip()
        if expr.startswith("!"):
            parts.append("${" + expr[1:] + "}")
        elif expr in variables:
            parts.append(resolve(variables[expr], ctx, depth, line))
        elif "." in expr and not expr.startswith("AWS::"):
            logical, attr = expr.split(".", 1)
            parts.append(Reference(source=expr, address=logical, attribute=attr))
        else:
            parts.append(_ref(expr, ctx, depth, line))
        pos = m.end()
    parts.append(template[pos:])
    return join_parts(parts, "Fn::Sub")


def _join(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
        return wrong_arguments(ctx, line, "Fn::Join", "[delimiter, list]")
    items = resolve(arg[1], ctx, depth, line)
    if not isinstance(items, list):
        return Unknown("Fn::Join")
    parts: list[Any] = []
    for index, item in enumerate(items):
        parts.extend([arg[0], item] if index else [item])
    return join_parts(parts, "Fn::Join")


def _select(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return wrong_arguments(ctx, line, "Fn::Select", "[index, list]")
    index, items = resolve(arg[0], ctx, depth, line), resolve(arg[1], ctx, depth, line)
    if isinstance(index, Unknown) or isinstance(items, Unknown) and not isinstance(items, PartialList):
        return Unknown("Fn::Select")
    position = int(index) if isinstance(index, int) and not isinstance(index, bool) else int(index) if isinstance(index, str) and index.isdigit() else None
    if position is None:
        return wrong_arguments(ctx, line, "Fn::Select", "a non-negative index")
    if isinstance(items, PartialList):
        return items.known[position] if position < len(items.known) else Unknown("Fn::Select")
    if not isinstance(items, list):
        return wrong_arguments(ctx, line, "Fn::Select", "a list")
    if position >= len(items):
        ctx.problem(
            line,
            f"Fn::Select index {position} is out of range: the list has {len(items)} elements",
        )
        return Unknown("Fn::Select")
    return items[position]


def _split(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0]):
        return wrong_arguments(ctx, line, "Fn::Split", "[delimiter, string]")
    text = resolve(arg[1], ctx, depth, line)
    if isinstance(text, str):
        return text.split(arg[0])
    if isinstance(text, Unknown):
        return PartialList(source="Fn::Split")
    return wrong_arguments(ctx, line, "Fn::Split", "a string")


def _get_azs(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    return PartialList(source="Fn::GetAZs")  # the zones, and how many there are, depend on the account


def _import_value(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    return Unknown("Fn::ImportValue")


INTRINSICS: dict[str, Intrinsic] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::GetAZs": _get_azs,
    "Fn::ImportValue": _import_value,
    "Fn::If": fn_if,
    **MORE_INTRINSICS,
}


def template_context(template: dict[str, Any]) -> TemplateContext:
    """The context that resolves values of ``template`` with every intrinsic function privlint knows."""
    return TemplateContext.from_template(template, INTRINSICS)

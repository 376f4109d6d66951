"""CloudFormation intrinsic functions resolved to values where a static scan can prove them.

``Ref`` to a parameter gives its ``Default``; ``Ref``/``GetAtt`` to a resource gives a ``Reference``;
pseudo-parameters mean this account, region and partition (``privlint.core.values``); ``Fn::If`` on a
condition the scan cannot decide gives ``Alternatives`` (both branches, each labelled with the input it
depends on); ``Fn::FindInMap`` on an unknown key gives every entry of the map as alternatives. Dynamic
references to Secrets Manager or SSM SecureString are ``SecretStoreValue``. Mistakes the engine would
reject (an index out of range, a wrong-type argument, a condition cycle) become problems with a line and an
unknown value. Pure module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privlint.core.values import (
    DEFAULT_PARTITION,
    THIS_ACCOUNT_ID,
    THIS_REGION,
    LineDict,
    PartialList,
    PartialString,
    Reference,
    SecretStoreValue,
    Unknown,
    is_known,
    line_of,
)

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_SECRET_REF = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):", re.IGNORECASE)
MAX_DEPTH = 64
MAX_ALTERNATIVES = (
    64  # a mapping with more entries than this on an unknown key stays unknown
)


class _NoValue:
    """``AWS::NoValue``: the key or list element that holds it is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


@dataclass(frozen=True, eq=False)
class Alternatives(Unknown):
    """One of several values, chosen by an input the scan cannot decide (a condition, a mapping key).

    ``options`` pairs each value with a description of when it is the one, e.g.
    ``("condition IsProd is true (parameter Env)", value)``.
    """

    options: tuple[tuple[str, Any], ...] = ()


PSEUDO_PARAMETERS: dict[str, Any] = {
    "AWS::AccountId": THIS_ACCOUNT_ID,
    "AWS::Partition": DEFAULT_PARTITION,
    "AWS::Region": THIS_REGION,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": Unknown("AWS::StackName"),
    "AWS::StackId": Unknown("AWS::StackId"),
    "AWS::NotificationARNs": PartialList(source="AWS::NotificationARNs"),
}

DEPLOYMENT_SPECIFIC = {"AWS::Region": THIS_REGION, "AWS::AccountId": THIS_ACCOUNT_ID}


@dataclass
class TemplateContext:
    parameters: dict[str, Any] = field(
        default_factory=dict
    )  # name -> parameter definition
    resources: dict[str, Any] = field(
        default_factory=dict
    )  # logical id -> resource definition
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, int | None, str]] = field(
        default_factory=list
    )  # (where, line, message)
    where: str = ""  # the resource (or section) being resolved, for problems
    deciding: bool = False  # evaluating a condition: a parameter with AllowedValues is an input, not its default
    condition_values: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)

    @classmethod
    def from_template(cls, template: dict[str, Any]) -> TemplateContext:
        def mapping(key: str) -> dict[str, Any]:
            value = template.get(key)
            return value if isinstance(value, dict) else {}

        return cls(
            mapping("Parameters"),
            mapping("Resources"),
            mapping("Mappings"),
            mapping("Conditions"),
        )

    def problem(self, line: int | None, message: str) -> None:
        entry = (self.where, line, message)
        if entry not in self.problems:
            self.problems.append(entry)

    def parameter_default(self, name: str) -> Any:
        param = self.parameters.get(name)
        if not isinstance(param, dict) or "Default" not in param:
            return Unknown(f"parameter {name}")
        if self.deciding and "AllowedValues" in param:
            return Unknown(f"parameter {name}")
        default = param["Default"]
        kind = param.get("Type")
        if (
            isinstance(kind, str)
            and (kind == "CommaDelimitedList" or kind.startswith("List<"))
            and isinstance(default, str)
        ):
            return [item.strip() for item in default.split(",")]
        if isinstance(default, (str, int, float, bool, list)):
            return default
        return Unknown(f"parameter {name}")


def resolve(
    value: Any, ctx: TemplateContext, depth: int = 0, line: int | None = None
) -> Any:
    """Resolve intrinsic functions inside a value; lines of mappings are kept, ``AWS::NoValue`` removes."""
    if depth > MAX_DEPTH:
        return Unknown("too deeply nested")
    if isinstance(value, str):
        if _SECRET_REF.search(value):
            return SecretStoreValue(
                source=value.split(":")[1] if ":" in value else "secret"
            )
        if "{{resolve:" in value:
            return Unknown("dynamic reference")
        return value
    if isinstance(value, list):
        items = (resolve(v, ctx, depth + 1, line) for v in value)
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    line = line_of(value) or line
    if len(value) == 1:
        ((key, arg),) = value.items()
        function = INTRINSICS.get(key) if isinstance(key, str) else None
        if function is not None:
            return function(arg, ctx, depth + 1, line)
        if isinstance(key, str) and key.startswith("Fn::"):
            return Unknown(key)
    out = LineDict(line=line_of(value), depends_on=getattr(value, "depends_on", None))
    for k, v in value.items():
        item = resolve(v, ctx, depth + 1, line)
        if item is not NO_VALUE:
            out[k] = item
    return out


Intrinsic = Callable[[Any, TemplateContext, int, "int | None"], Any]


def _ref(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    name = resolve(arg, ctx, depth, line) if isinstance(arg, dict) else arg
    if not isinstance(name, str):
        return wrong_arguments(ctx, line, "Ref", "a logical id or parameter name")
    if name == "AWS::NoValue":
        return NO_VALUE
    if name in DEPLOYMENT_SPECIFIC and ctx.deciding:
        return Unknown(
            name
        )  # a condition on the region or account holds in some deployments and not others
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
    if isinstance(
        arg, dict
    ):  # the text comes from another function (a macro's Fn::Transform...)
        arg = resolve(arg, ctx, depth, line)
        if not isinstance(arg, str):
            return Unknown("Fn::Sub")
    if (
        isinstance(arg, list)
        and len(arg) == 2
        and isinstance(arg[0], str)
        and isinstance(arg[1], dict)
    ):
        template, variables = arg[0], arg[1]
    elif isinstance(arg, str):
        template, variables = arg, {}
    else:
        return wrong_arguments(ctx, line, "Fn::Sub", "a string or [string, variables]")
    if _SECRET_REF.search(template):
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
    if (
        isinstance(index, Unknown)
        or isinstance(items, Unknown)
        and not isinstance(items, PartialList)
    ):
        return Unknown("Fn::Select")
    position = (
        int(index)
        if isinstance(index, int) and not isinstance(index, bool)
        else int(index)
        if isinstance(index, str) and index.isdigit()
        else None
    )
    if position is None:
        return wrong_arguments(ctx, line, "Fn::Select", "a non-negative index")
    if isinstance(items, PartialList):
        return (
            items.known[position]
            if position < len(items.known)
            else Unknown("Fn::Select")
        )
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
    if not (
        isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0]
    ):
        return wrong_arguments(ctx, line, "Fn::Split", "[delimiter, string]")
    text = resolve(arg[1], ctx, depth, line)
    if isinstance(text, str):
        return text.split(arg[0])
    if isinstance(text, Unknown):
        return PartialList(source="Fn::Split")
    return wrong_arguments(ctx, line, "Fn::Split", "a string")


def _get_azs(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    return PartialList(
        source="Fn::GetAZs"
    )  # the zones, and how many there are, depend on the account


def _import_value(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    return Unknown("Fn::ImportValue")


def _if(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    from privlint.normalize.cfn_conditions import evaluate_condition

    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        return wrong_arguments(
            ctx, line, "Fn::If", "[condition name, value if true, value if false]"
        )
    decided = evaluate_condition(arg[0], ctx, line)
    if arg[0] not in ctx.conditions:
        return Unknown("Fn::If")  # an undefined condition: a mistake (reported), not a choice between branches
    if decided is True:
        return resolve(arg[1], ctx, depth, line)
    if decided is False:
        return resolve(arg[2], ctx, depth, line)
    when_true, when_false = (
        resolve(arg[1], ctx, depth, line),
        resolve(arg[2], ctx, depth, line),
    )
    if when_true == when_false and is_known(when_true):
        return when_true
    origin = from_input(decided, f"condition {arg[0]}")
    return Alternatives(
        source=f"condition {arg[0]}",
        options=(
            (f"condition {arg[0]} is true{origin}", when_true),
            (f"condition {arg[0]} is false{origin}", when_false),
        ),
    )


def from_input(decided: Any, itself: str) -> str:
    """``, from parameter Env``: the inputs an undecided choice comes from, for a finding's message."""
    source = decided.source if isinstance(decided, Unknown) else ""
    return f", from {source}" if source and source != itself else ""


def wrong_arguments(
    ctx: TemplateContext, line: int | None, function: str, expected: str
) -> Unknown:
    ctx.problem(line, f"{function} expects {expected}")
    return Unknown(function)


def join_parts(parts: list[Any], source: str) -> Any:
    """Concatenate known text; unknown pieces become holes of a ``PartialString``."""
    texts: list[str | None] = []
    for p in parts:
        if isinstance(p, bool):
            texts.append("true" if p else "false")
        elif isinstance(p, (str, int, float)):
            texts.append(str(p))
        elif p is not NO_VALUE:
            texts.append(None)
    if all(t is not None for t in texts):
        return "".join(t for t in texts if t is not None)
    merged: list[str | None] = []
    for t in texts:
        if t is not None and merged and merged[-1] is not None:
            merged[-1] += t
        elif t != "":
            merged.append(t)
    return PartialString(source=source, parts=tuple(merged))


INTRINSICS: dict[str, Intrinsic] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::GetAZs": _get_azs,
    "Fn::ImportValue": _import_value,
    "Fn::If": _if,
}


def _register_more() -> None:
    from privlint.normalize.cfn_functions import MORE_INTRINSICS

    INTRINSICS.update(MORE_INTRINSICS)


_register_more()

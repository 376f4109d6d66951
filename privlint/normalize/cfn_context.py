"""Resolving a CloudFormation value: the template's context, and the walk that applies intrinsic functions.

``Ref`` to a parameter gives its ``Default``; ``Ref``/``GetAtt`` to a resource gives a ``Reference``;
pseudo-parameters mean this account, region and partition (``privlint.model.values``); ``Fn::If`` on a
condition the scan cannot decide gives ``Alternatives`` (both branches, each labelled with the input it
depends on); ``Fn::FindInMap`` on an unknown key gives every entry of the map as alternatives. Dynamic
references to Secrets Manager or SSM SecureString are ``SecretStoreValue``. Mistakes the engine would
reject (an index out of range, a wrong-type argument, a condition cycle) become problems with a line and an
unknown value. The functions themselves are in ``cfn_values`` (the table), ``cfn_functions`` and
``cfn_conditions``; the context carries the table, so those modules depend on this one and not the reverse.
Pure module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from privlint.model.values import (
    DEFAULT_PARTITION,
    THIS_ACCOUNT_ID,
    THIS_REGION,
    LineDict,
    PartialList,
    PartialString,
    SecretStoreValue,
    Unknown,
    line_of,
)

SECRET_REF = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):", re.IGNORECASE)
MAX_DEPTH = 64
MAX_ALTERNATIVES = 64  # a mapping with more entries than this on an unknown key stays unknown


class _NoValue:
    """``AWS::NoValue``: the key or list element that holds it is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


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


Intrinsic = Callable[[Any, "TemplateContext", int, "int | None"], Any]


@dataclass
class TemplateContext:
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> parameter definition
    resources: dict[str, Any] = field(default_factory=dict)  # logical id -> resource definition
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, int | None, str]] = field(default_factory=list)  # (where, line, message)
    where: str = ""  # the resource (or section) being resolved, for problems
    deciding: bool = False  # evaluating a condition: a parameter with AllowedValues is an input, not its default
    condition_values: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    intrinsics: Mapping[str, Intrinsic] = field(default_factory=dict)  # name -> function (cfn_values.INTRINSICS)

    @classmethod
    def from_template(cls, template: dict[str, Any], intrinsics: Mapping[str, Intrinsic]) -> TemplateContext:
        def mapping(key: str) -> dict[str, Any]:
            value = template.get(key)
            return value if isinstance(value, dict) else {}

        return cls(
            mapping("Parameters"),
            mapping("Resources"),
            mapping("Mappings"),
            mapping("Conditions"),
            intrinsics=intrinsics,
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
        if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")) and isinstance(default, str):
            return [item.strip() for item in default.split(",")]
        if isinstance(default, (str, int, float, bool, list)):
            return default
        return Unknown(f"parameter {name}")


def resolve(value: Any, ctx: TemplateContext, depth: int = 0, line: int | None = None) -> Any:
    """Resolve intrinsic functions inside a value; lines of mappings are kept, ``AWS::NoValue`` removes."""
    if depth > MAX_DEPTH:
        return Unknown("too deeply nested")
    if isinstance(value, str):
        if SECRET_REF.search(value):
            return SecretStoreValue(source=value.split(":")[1] if ":" in value else "secret")
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
        function = ctx.intrinsics.get(key) if isinstance(key, str) else None
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


def from_input(decided: Any, itself: str) -> str:
    """``, from parameter Env``: the inputs an undecided choice comes from, for a finding's message."""
    source = decided.source if isinstance(decided, Unknown) else ""
    return f", from {source}" if source and source != itself else ""


def wrong_arguments(ctx: TemplateContext, line: int | None, function: str, expected: str) -> Unknown:
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

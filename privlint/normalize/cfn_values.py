"""CloudFormation intrinsic functions resolved to values where a static scan can prove them.

``Ref`` to a parameter gives its ``Default``; ``Ref``/``GetAtt`` to a resource gives a ``Reference``;
``Fn::Sub``/``Fn::Join`` give strings or ``PartialString``; ``Fn::FindInMap`` reads ``Mappings``;
dynamic references to Secrets Manager or SSM SecureString are ``SecretStoreValue``. Pure module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from privlint.core.values import LineDict, PartialString, Reference, SecretStoreValue, Unknown, is_known, line_of

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_SECRET_REF = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):", re.IGNORECASE)
MAX_DEPTH = 64


@dataclass
class TemplateContext:
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> parameter definition
    resources: dict[str, Any] = field(default_factory=dict)  # logical id -> resource definition
    mappings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_template(cls, template: dict[str, Any]) -> TemplateContext:
        def mapping(key: str) -> dict[str, Any]:
            value = template.get(key)
            return value if isinstance(value, dict) else {}

        return cls(mapping("Parameters"), mapping("Resources"), mapping("Mappings"))

    def parameter_default(self, name: str) -> Any:
        param = self.parameters.get(name)
        if isinstance(param, dict) and "Default" in param:
            default = param["Default"]
            if isinstance(default, (str, int, float, bool)):
                return default if not isinstance(default, str) else default
            if isinstance(default, list):
                return default
        return Unknown(f"parameter {name}")


def resolve(value: Any, ctx: TemplateContext, depth: int = 0) -> Any:
    """Resolve intrinsic functions inside a value; lines of mappings are kept."""
    if depth > MAX_DEPTH:
        return Unknown("too deeply nested")
    if isinstance(value, str):
        if _SECRET_REF.search(value):
            return SecretStoreValue(source=value.split(":")[1] if ":" in value else "secret")
        if "{{resolve:" in value:
            return Unknown("dynamic reference")
        return value
    if isinstance(value, list):
        return [resolve(v, ctx, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return _intrinsic(key, arg, ctx, depth)
    out = LineDict(line=line_of(value))
    for k, v in value.items():
        out[k] = resolve(v, ctx, depth + 1)
    return out


def _intrinsic(name: str, arg: Any, ctx: TemplateContext, depth: int) -> Any:
    if name == "Ref":
        return _ref(arg, ctx)
    if name == "Fn::GetAtt":
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], str):
            attr = parts[1] if isinstance(parts[1], str) else ""
            return Reference(source=f"{parts[0]}.{attr}", address=parts[0], attribute=attr)
        return Unknown("Fn::GetAtt")
    if name == "Fn::Sub":
        return _sub(arg, ctx, depth)
    if name == "Fn::Join":
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            items = resolve(arg[1], ctx, depth + 1)
            if isinstance(items, list):
                return _join_parts([p for item in _interleave(items, arg[0]) for p in [item]])
        return Unknown("Fn::Join")
    if name == "Fn::If":
        if isinstance(arg, list) and len(arg) == 3:
            a, b = resolve(arg[1], ctx, depth + 1), resolve(arg[2], ctx, depth + 1)
            if is_known(a) and a == b:
                return a
        return Unknown("Fn::If")
    if name == "Fn::FindInMap":
        if isinstance(arg, list) and len(arg) >= 3:
            keys = [resolve(k, ctx, depth + 1) for k in arg[:3]]
            if all(isinstance(k, str) for k in keys):
                node: Any = ctx.mappings
                for k in keys:
                    node = node.get(k) if isinstance(node, dict) else None
                if node is not None:
                    return resolve(node, ctx, depth + 1)
        return Unknown("Fn::FindInMap")
    if name == "Fn::Select":
        if isinstance(arg, list) and len(arg) == 2:
            index, items = resolve(arg[0], ctx, depth + 1), resolve(arg[1], ctx, depth + 1)
            try:
                if isinstance(items, list):
                    return items[int(index)]
            except (ValueError, TypeError, IndexError):
                pass
        return Unknown("Fn::Select")
    return Unknown(name)


def _ref(name: Any, ctx: TemplateContext) -> Any:
    if not isinstance(name, str):
        return Unknown("Ref")
    if name.startswith("AWS::"):
        return Unknown(name)
    if name in ctx.parameters:
        return ctx.parameter_default(name)
    return Reference(source=name, address=name, attribute="Ref")


def _sub(arg: Any, ctx: TemplateContext, depth: int) -> Any:
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        template, variables = arg[0], arg[1] if isinstance(arg[1], dict) else {}
    elif isinstance(arg, str):
        template, variables = arg, {}
    else:
        return Unknown("Fn::Sub")
    if _SECRET_REF.search(template):
        return SecretStoreValue(source="dynamic reference")
    parts: list[Any] = []
    pos = 0
    for m in _SUB_VAR.finditer(template):
        parts.append(template[pos : m.start()])
        expr = m.group(1)
        if expr.startswith("!"):
            parts.append("${" + expr[1:] + "}")
        elif expr in variables:
            parts.append(resolve(variables[expr], ctx, depth + 1))
        elif "." in expr:
            logical, attr = expr.split(".", 1)
            parts.append(Reference(source=expr, address=logical, attribute=attr))
        else:
            parts.append(_ref(expr, ctx))
        pos = m.end()
    parts.append(template[pos:])
    return _join_parts(parts)


def _interleave(items: list[Any], sep: str) -> list[Any]:
    out: list[Any] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return out


def _join_parts(parts: list[Any]) -> Any:
    texts: list[str | None] = []
    for p in parts:
        if isinstance(p, bool):
            texts.append("true" if p else "false")
        elif isinstance(p, (str, int, float)) and not isinstance(p, Unknown):
            texts.append(str(p))
        else:
            texts.append(None)
    if all(t is not None for t in texts):
        return "".join(t for t in texts if t is not None)
    merged: list[str | None] = []
    for t in texts:
        if t is not None and merged and merged[-1] is not None:
            merged[-1] += t
        elif t != "":
            merged.append(t)
    return PartialString(source="Fn::Sub", parts=tuple(merged))

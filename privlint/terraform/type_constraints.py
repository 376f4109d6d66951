"""A variable's ``type`` constraint applied to its value, as Terraform converts module inputs.

What matters to a linter is what the conversion adds: attributes declared ``optional(T)`` that the
caller left out become null (or the declared default), so ``statement.value.not_actions`` is null,
not an error; numbers given as strings become numbers; sets lose duplicates. A value that does not
fit the type is left as it is (Terraform would reject the configuration; the linter keeps reading).
Pure module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from privlint.model.values import LineDict, Unknown
from privlint.parsers import hcl_syntax_tree as st
from privlint.terraform import operations as ops

MAX_TYPE_DEPTH = 32


@dataclass(frozen=True)
class TypeSpec:
    """``kind`` is a primitive name, ``any``, ``list``/``set``/``map`` (``element``), ``tuple`` (``items``) or ``object``."""

    kind: str
    element: TypeSpec | None = None
    items: tuple[TypeSpec, ...] = ()
    attributes: tuple[tuple[str, TypeSpec, bool, st.Expression | None], ...] = ()  # name, type, optional, default


ANY = TypeSpec("any")


def read_type(expr: st.Expression, depth: int = 0) -> TypeSpec:
    """The type an expression such as ``map(object({a = optional(string, "x")}))`` denotes (``any`` when unsure)."""
    if depth > MAX_TYPE_DEPTH:
        return ANY
    if isinstance(expr, st.Variable) and expr.name in ("string", "number", "bool", "any"):
        return TypeSpec(expr.name)
    if isinstance(expr, st.Template) and len(expr.parts) == 1 and expr.parts[0] in ("string", "number", "bool", "any"):
        return TypeSpec(str(expr.parts[0]))
    if not isinstance(expr, st.FunctionCall) or len(expr.args) != 1:
        return ANY
    argument = expr.args[0]
    if expr.name in ("list", "set", "map"):
        return TypeSpec(expr.name, element=read_type(argument, depth + 1))
    if expr.name == "tuple" and isinstance(argument, st.TupleExpr):
        return TypeSpec("tuple", items=tuple(read_type(i, depth + 1) for i in argument.items))
    if expr.name == "object" and isinstance(argument, st.ObjectExpr):
        attributes = []
        for item in argument.items:
            name = _key_name(item.key)
            if name is None:
                return ANY
            value = item.value
            if isinstance(value, st.FunctionCall) and value.name == "optional" and value.args:
                default = value.args[1] if len(value.args) > 1 else None
                attributes.append((name, read_type(value.args[0], depth + 1), True, default))
            else:
                attributes.append((name, read_type(value, depth + 1), False, None))
        return TypeSpec("object", attributes=tuple(attributes))
    return ANY


def _key_name(key: st.Expression) -> str | None:
    if isinstance(key, st.Variable):
        return key.name
    if isinstance(key, st.Template) and len(key.parts) == 1 and isinstance(key.parts[0], str):
        return key.parts[0]
    if isinstance(key, st.Literal) and isinstance(key.value, str):
        return key.value
    return None


def convert(value: Any, spec: TypeSpec, evaluate_default: Callable[[st.Expression], Any]) -> Any:
    """``value`` converted to ``spec``; unknown parts stay unknown, a misfit stays as it is."""
    if value is None or isinstance(value, Unknown) or spec.kind == "any":
        return value
    if spec.kind == "string":
        return ops.to_text(value) if isinstance(value, (int, float, bool)) else value
    if spec.kind == "number":
        number = ops.to_number(value) if isinstance(value, str) else value
        return value if isinstance(number, Unknown) else number
    if spec.kind == "bool":
        return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
    if spec.kind in ("list", "set") and isinstance(value, list) and spec.element is not None:
        items = [convert(v, spec.element, evaluate_default) for v in value]
        if spec.kind == "set":
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = unique
        return items
    if spec.kind == "tuple" and isinstance(value, list) and len(value) == len(spec.items):
        return [convert(v, s, evaluate_default) for v, s in zip(value, spec.items)]
    if spec.kind == "map" and isinstance(value, dict) and spec.element is not None:
        return LineDict({k: convert(v, spec.element, evaluate_default) for k, v in value.items()}, line=getattr(value, "line", None))
    if spec.kind == "object" and isinstance(value, dict):
        out = LineDict(line=getattr(value, "line", None))
        for name, attribute_type, optional, default in spec.attributes:
            if name in value and value[name] is not None:
                out[name] = convert(value[name], attribute_type, evaluate_default)
            elif optional or name in value:
                given = evaluate_default(default) if default is not None else None
                out[name] = convert(given, attribute_type, evaluate_default)
        return out
    return value

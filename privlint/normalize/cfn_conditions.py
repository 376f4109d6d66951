"""CloudFormation ``Conditions`` decided from parameter defaults, and undecided choices turned into policies.

A condition is true, false, or an ``Unknown`` naming the inputs it depends on (a parameter without a default
or with ``AllowedValues``, a pseudo-parameter such as ``AWS::Region``). ``settle`` then takes a resolved value
holding ``Alternatives`` and gives what a policy reader needs: list elements of every branch (each mapping
marked with the choice it depends on), forking a mapping inside a list when one of its values is undecided.
Pure module.
"""

from __future__ import annotations

import itertools
from typing import Any

from privlint.model.values import Alternatives, LineDict, Unknown, is_known
from privlint.normalize.cfn_context import NO_VALUE, TemplateContext, from_input, resolve, wrong_arguments

MAX_VARIANTS = 32  # more combinations of undecided choices than this in one mapping: the mapping stays unknown
Variant = tuple[Any, tuple[str, ...]]  # a value, and the choices it holds under


def evaluate_condition(name: str, ctx: TemplateContext, line: int | None = None) -> bool | Unknown:
    """The value of the named condition: True, False, or Unknown naming its inputs."""
    if name in ctx.condition_values:
        value: bool | Unknown = ctx.condition_values[name]
        return value
    if name not in ctx.conditions:
        ctx.problem(line, f"condition {name} is not defined in Conditions")
        return Unknown(f"condition {name}")
    if name in ctx.evaluating:
        ctx.problem(line, f"condition {name} depends on itself")
        return Unknown(f"condition {name}")
    ctx.evaluating.add(name)
    deciding, ctx.deciding = ctx.deciding, True
    try:
        value = condition_value(ctx.conditions[name], ctx, _line(ctx.conditions[name]) or line)
    finally:
        ctx.deciding = deciding
        ctx.evaluating.discard(name)
    ctx.condition_values[name] = value
    return value


def condition_value(expr: Any, ctx: TemplateContext, line: int | None = None, depth: int = 0) -> bool | Unknown:
    if depth > 32:
        return Unknown("too deeply nested")
    line = _line(expr) or line
    if isinstance(expr, bool):
        return expr
    if isinstance(expr, str) and expr.lower() in ("true", "false"):
        return expr.lower() == "true"
    if not (isinstance(expr, dict) and len(expr) == 1):
        ctx.problem(
            line,
            "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition reference",
        )
        return Unknown("condition")
    ((function, arg),) = expr.items()
    if function == "Condition" and isinstance(arg, str):
        return evaluate_condition(arg, ctx, line)
    if function == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
        left, right = (resolve(a, ctx, depth + 1, line) for a in arg)
        if is_known(left) and is_known(right):
            return bool(_comparable(left) == _comparable(right))
        return _unknown_of(left, right)
    if function in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
        values = [condition_value(a, ctx, line, depth + 1) for a in arg]
        decisive: bool = function == "Fn::Or"  # the value that decides the whole expression on its own
        if decisive in values:
            return decisive
        if all(isinstance(v, bool) for v in values):
            return not decisive
        return _unknown_of(*values)
    if function == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
        value = condition_value(arg[0], ctx, line, depth + 1)
        return (not value) if isinstance(value, bool) else value
    ctx.problem(line, f"{function} in a condition has the wrong arguments")
    return Unknown("condition")


def _comparable(value: Any) -> Any:
    """CloudFormation compares the text of values: ``1`` equals ``"1"``, ``true`` equals ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _unknown_of(*values: Any) -> Unknown:
    sources = [v.source for v in values if isinstance(v, Unknown) and v.source and not isinstance(v, Alternatives)]
    return Unknown(", ".join(dict.fromkeys(sources)) or "an unknown input")


def _line(value: Any) -> int | None:
    return getattr(value, "line", None)


# ----------------------------------------------------------------------------- settling alternatives


def settle(value: Any, depends_on: tuple[str, ...] = ()) -> Any:
    """A resolved mapping with its ``Alternatives`` settled (see the module docstring)."""
    variants = _variants(value)
    if len(variants) == 1:
        settled, deps = variants[0]
        return mark(settled, depends_on + deps) if depends_on + deps else settled
    if not isinstance(value, dict):
        return _merge([(v, depends_on + d) for v, d in variants], value)
    out = LineDict(line=getattr(value, "line", None))
    for key in dict.fromkeys(k for v, _ in variants if isinstance(v, dict) for k in v):
        options = [(v.get(key, NO_VALUE) if isinstance(v, dict) else NO_VALUE, depends_on + d) for v, d in variants]
        merged = _merge(options, value.get(key))
        if merged is not NO_VALUE:
            out[key] = merged
    return out


def _merge(options: list[Variant], original: Any) -> Any:
    """One value standing for every variant: equal values as they are, lists and policy documents united."""
    present = [(v, d) for v, d in options if v is not NO_VALUE]
    if not present:
        return NO_VALUE
    if len(present) == len(options) and all(v == present[0][0] for v, _ in present):
        return present[0][0]
    if all(isinstance(v, list) for v, _ in present):
        return _union([(v, d) for v, d in present], len(options))
    if all(isinstance(v, dict) and "Statement" in v for v, _ in present):
        document = LineDict(present[0][0], line=getattr(present[0][0], "line", None))
        document["Statement"] = _union([(_as_list(v["Statement"]), d) for v, d in present], len(options))
        return document
    return Unknown(original.source if isinstance(original, Unknown) and original.source else "a condition")


def _union(lists: list[Variant], total: int) -> list[Any]:
    """Elements of every list; those missing from some variant are marked with the choices they hold under."""
    out: list[Any] = []
    for items, deps in lists:
        for item in items:
            everywhere = len(lists) == total and all(item in other for other, _ in lists)
            entry = item if everywhere else mark(item, deps)
            if entry not in out:
                out.append(entry)
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _variants(value: Any) -> list[Variant]:
    if isinstance(value, Alternatives):
        out = [(v, (label, *deps)) for label, option in zip(value.labels, value.options) for v, deps in _variants(option)]
        return out if len(out) <= MAX_VARIANTS else [(Unknown(value.source), ())]
    if isinstance(value, list):
        return _list_variants(value)
    if isinstance(value, dict):
        per_key = [(k, _variants(v)) for k, v in value.items()]
        if all(len(vs) == 1 and not vs[0][1] for _, vs in per_key):
            same = LineDict(
                line=getattr(value, "line", None),
                depends_on=getattr(value, "depends_on", None),
            )
            same.update((k, vs[0][0]) for k, vs in per_key if vs[0][0] is not NO_VALUE)
            return [(same, ())]
        combinations = _product([vs for _, vs in per_key])
        if combinations is None:
            return [(_unknown_inside(value), ())]
        out_dicts: list[Variant] = []
        for combo in combinations:
            variant = LineDict(
                line=getattr(value, "line", None),
                depends_on=getattr(value, "depends_on", None),
            )
            deps: tuple[str, ...] = ()
            for (key, _), (item, item_deps) in zip(per_key, combo):
                if item is not NO_VALUE:
                    variant[key] = item
                deps += item_deps
            out_dicts.append((variant, deps))
        return out_dicts
    return [(value, ())]


def _list_variants(items: list[Any]) -> list[Variant]:
    """Mappings of every branch are spliced into the list; undecided scalars fork the list itself."""
    fixed: list[Any] = []
    forks: list[tuple[int, list[Variant]]] = []
    for item in items:
        variants = _variants(item)
        if len(variants) == 1 and not variants[0][1]:
            fixed.append(variants[0][0])
        elif all(isinstance(v, dict) or v is NO_VALUE for v, _ in variants):
            fixed.extend(mark(v, d) for v, d in variants if v is not NO_VALUE)
        else:
            forks.append((len(fixed), variants))
            fixed.append(NO_VALUE)
    if not forks:
        return [(fixed, ())]
    combinations = _product([vs for _, vs in forks])
    if combinations is None:
        return [([Unknown("a condition") if v is NO_VALUE else v for v in fixed], ())]
    out: list[Variant] = []
    for combo in combinations:
        chosen = list(fixed)
        deps: tuple[str, ...] = ()
        for (position, _), (item, item_deps) in zip(forks, combo):
            chosen[position] = _flatten_marker(item)
            deps += item_deps
        flat: list[Any] = []
        for entry in chosen:
            if isinstance(entry, _Spread):
                flat.extend(entry.items)
            elif entry is not NO_VALUE:
                flat.append(entry)
        out.append((flat, deps))
    return out


class _Spread:
    """A branch that gives a list where one element was written: its elements join the enclosing list."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _flatten_marker(item: Any) -> Any:
    return _Spread(item) if isinstance(item, list) else item


def _product(choices: list[list[Variant]]) -> list[tuple[Variant, ...]] | None:
    count = 1
    for options in choices:
        count *= len(options)
        if count > MAX_VARIANTS:
            return None
    return list(itertools.product(*choices))


def _unknown_inside(value: dict[str, Any]) -> dict[str, Any]:
    out = LineDict(line=getattr(value, "line", None))
    for key, item in value.items():
        out[key] = Unknown(item.source) if isinstance(item, Alternatives) else item
    return out


def mark(value: Any, deps: tuple[str, ...]) -> Any:
    """A copy of the value whose mappings say which choices they hold under."""
    if not deps:
        return value
    if isinstance(value, dict):
        own = getattr(value, "depends_on", None)
        text = " and ".join(dict.fromkeys(((own,) if own else ()) + deps))
        return LineDict(
            {k: mark(v, deps) for k, v in value.items()},
            line=getattr(value, "line", None),
            depends_on=text,
        )
    if isinstance(value, list):
        return [mark(v, deps) for v in value]
    return value


def fn_if(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        return wrong_arguments(ctx, line, "Fn::If", "[condition name, value if true, value if false]")
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
        options=(when_true, when_false),
        labels=(f"condition {arg[0]} is true{origin}", f"condition {arg[0]} is false{origin}"),
    )

"""The ``AWS::LanguageExtensions`` transform's ``Fn::ForEach``, expanded before a template is read.

``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Body}]`` in ``Resources``, ``Conditions`` or
``Outputs`` becomes one entry per element of the collection (a list, or a ``Ref`` to a list parameter...):
``${Identifier}`` and ``&{Identifier}`` (the element without non-alphanumeric characters) are replaced in
the output keys, and ``Ref: Identifier`` and ``${Identifier}`` in ``Fn::Sub`` are replaced in the bodies.
Loops nest. Expansion stops at ``MAX_EXPANSIONS`` entries. Pure module.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.values import LineDict, line_of
from privlint.normalize.cfn_context import TemplateContext, resolve

MAX_EXPANSIONS = 1000
_LOOP_PREFIX = "Fn::ForEach::"
_SECTIONS = ("Conditions", "Resources", "Outputs")


def expand_for_each(template: dict[str, Any], ctx: TemplateContext) -> dict[str, Any]:
    """A copy of the template with every ``Fn::ForEach`` loop expanded (problems go to ``ctx``)."""
    if not any(isinstance(template.get(s), dict) and any(_is_loop(k) for k in template[s]) for s in _SECTIONS):
        return template
    out = LineDict(template, line=line_of(template))
    budget = [MAX_EXPANSIONS]
    for section in _SECTIONS:
        entries = template.get(section)
        if isinstance(entries, dict):
            ctx.where = section
            out[section] = _expand_entries(entries, {}, ctx, budget)
    return out


def _is_loop(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(_LOOP_PREFIX)


def _expand_entries(
    entries: dict[str, Any],
    bindings: dict[str, str],
    ctx: TemplateContext,
    budget: list[int],
) -> dict[str, Any]:
    out = LineDict(line=line_of(entries))
    for key, body in entries.items():
        if _is_loop(key):
            out.update(_expand_loop(key, body, bindings, ctx, budget))
        elif budget[0] > 0:
            budget[0] -= 1
            out[_key(key, bindings)] = substitute(body, bindings)
    return out


def _expand_loop(
    name: str,
    loop: Any,
    bindings: dict[str, str],
    ctx: TemplateContext,
    budget: list[int],
) -> dict[str, Any]:
    line = line_of(loop)
    if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str) and isinstance(loop[2], dict)):
        ctx.problem(line, f"{name} expects [identifier, collection, {{output key: template}}]")
        return {}
    identifier, collection, body = loop
    items = resolve(substitute(collection, bindings), ctx, line=line)
    if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) and not isinstance(i, bool) for i in items):
        ctx.problem(
            line,
            f"{name}: the collection is not a list privlint can know, so what the loop makes is not analysed",
        )
        return {}
    out: dict[str, Any] = {}
    for item in items:
        if budget[0] <= 0:
            ctx.problem(
                line,
                f"{name} makes more than {MAX_EXPANSIONS} entries: the rest are not analysed",
            )
            break
        out.update(_expand_entries(body, {**bindings, identifier: str(item)}, ctx, budget))
    return out


def _key(key: Any, bindings: dict[str, str]) -> Any:
    if not isinstance(key, str):
        return key
    for identifier, value in bindings.items():
        key = key.replace("${" + identifier + "}", value).replace("&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", value))
    return key


def _sub_text(text: str, bindings: dict[str, str], skip: set[str]) -> str:
    for identifier, value in bindings.items():
        if identifier not in skip:
            text = text.replace("${" + identifier + "}", value)
    return text


def substitute(value: Any, bindings: dict[str, str]) -> Any:
    """The body of a loop for one element: the identifier replaced where CloudFormation replaces it."""
    if not bindings:
        return value
    if isinstance(value, list):
        return [substitute(v, bindings) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((function, arg),) = value.items()
        if function == "Ref" and isinstance(arg, str) and arg in bindings:
            return bindings[arg]
        if function == "Fn::Sub" and isinstance(arg, str):
            return LineDict({function: _sub_text(arg, bindings, set())}, line=line_of(value))
        if function == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            own = set(arg[1]) if isinstance(arg[1], dict) else set()
            return LineDict(
                {
                    function: [
                        _sub_text(arg[0], bindings, own),
                        substitute(arg[1], bindings),
                    ]
                },
                line=line_of(value),
            )
    return LineDict(
        {_key(k, bindings): substitute(v, bindings) for k, v in value.items()},
        line=line_of(value),
    )

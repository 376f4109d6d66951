"""Terraform's map functions: keys, values, lookup, merge, zipmap, transpose, matchkeys."""

from __future__ import annotations

from typing import Any

from privlint.model.values import LineDict, Reference, Unknown
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    Function,
    FunctionError,
    known,
    mapping,
    same_value,
    sequence,
    text,
)


def keys(value: Any) -> Any:
    if isinstance(value, Unknown):
        return ops.unknown("keys()", value)
    return sorted(mapping(value))


def values(value: Any) -> Any:
    if isinstance(value, Unknown):
        return ops.unknown("values()", value)
    table = mapping(value)
    return [table[k] for k in sorted(table)]


def lookup(table: Any, key: Any, *default: Any) -> Any:
    if len(default) > 1:
        raise FunctionError("lookup() takes two or three arguments")
    if isinstance(table, Reference):
        return Reference(source=table.source, address=table.address, attribute=table.attribute)
    if isinstance(table, Unknown) or isinstance(key, Unknown):
        return ops.unknown("lookup()", table, key)
    name = text(key)
    entries = mapping(table)
    if name in entries:
        return entries[name]
    if default:
        return default[0]
    raise FunctionError("lookup(): no such key and no default")


def merge(*tables: Any) -> Any:
    out = LineDict(line=None)
    for table in tables:
        if table is None:
            continue
        if isinstance(table, Unknown):
            return ops.unknown("merge()", table)  # it may replace any key before it
        entries = mapping(table)
        if out.line is None:
            out.line = getattr(entries, "line", None)
        out.update(entries)
    return out


@known("zipmap()")
def zipmap(names: Any, items: Any) -> Any:
    key_list, value_list = sequence(names), sequence(items)
    if len(key_list) != len(value_list):
        raise FunctionError("zipmap(): lists of different lengths")
    return {text(k): v for k, v in zip(key_list, value_list, strict=True)}


@known("transpose()")
def transpose(table: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key, items in sorted(mapping(table).items()):
        for item in sequence(items):
            out.setdefault(text(item), []).append(key)
    return {k: sorted(v) for k, v in sorted(out.items())}


@known("matchkeys()")
def matchkeys(items: Any, names: Any, searchset: Any) -> Any:
    value_list, key_list, wanted = sequence(items), sequence(names), sequence(searchset)
    if len(value_list) != len(key_list):
        raise FunctionError("matchkeys(): lists of different lengths")
    return [v for v, k in zip(value_list, key_list, strict=True) if any(same_value(k, w) for w in wanted)]


MAP_FUNCTIONS: dict[str, Function] = {
    "keys": keys,
    "lookup": lookup,
    "matchkeys": matchkeys,
    "merge": merge,
    "transpose": transpose,
    "values": values,
    "zipmap": zipmap,
}

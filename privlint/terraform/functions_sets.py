"""Terraform's set functions. Sets are lists here, in Terraform's order (numbers, then strings, sorted).

A union with an unknown set still holds every known element; a difference keeps what the subtracted
set is known not to hold, only when that set is fully known.
"""

from __future__ import annotations

import itertools
from typing import Any

from privlint.model.values import Unknown, is_known
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    MAX_ELEMENTS,
    Function,
    FunctionError,
    cause_text,
    distinct_values,
    kept_element,
    known,
    list_arguments,
    partial_or_list,
    parts_of,
    same_value,
    sequence,
    sort_key,
    unknown_or_error,
)


def as_set(items: list[Any]) -> list[Any]:
    unique = distinct_values(items)
    try:
        return sorted(unique, key=sort_key)
    except TypeError:
        return unique


def setunion(*sets: Any) -> Any:
    found = list_arguments("setunion()", sets)
    if isinstance(found, Unknown):
        return found
    items, complete = found
    if not all(kept_element(i) for i in items):
        items, complete = [i for i in items if kept_element(i)], False
    return partial_or_list(as_set(items), complete, cause_text("setunion()", sets))


@known("setintersection()")
def setintersection(first: Any, *others: Any) -> Any:
    rest = [sequence(o) for o in others]
    return as_set([i for i in sequence(first) if all(any(same_value(i, j) for j in other) for other in rest)])


def setsubtract(first: Any, second: Any) -> Any:
    if not is_known(second):
        return ops.unknown("setsubtract()", second)
    removed = sequence(second)
    found = parts_of(first)
    if found is None:
        return unknown_or_error("setsubtract()", first)
    items, complete = found
    if not all(kept_element(i) for i in items):
        items, complete = [i for i in items if kept_element(i)], False
    kept = [i for i in items if not any(same_value(i, r) for r in removed)]
    return partial_or_list(as_set(kept), complete, cause_text("setsubtract()", [first]))


@known("setproduct()")
def setproduct(*sets: Any) -> Any:
    if len(sets) < 2:
        raise FunctionError("setproduct() needs at least two sets")
    lists = [sequence(s) for s in sets]
    size = 1
    for items in lists:
        size *= len(items)
    if size > MAX_ELEMENTS:
        return Unknown("setproduct(): too many elements")
    return [list(combination) for combination in itertools.product(*lists)]


SET_FUNCTIONS: dict[str, Function] = {
    "setintersection": setintersection,
    "setproduct": setproduct,
    "setsubtract": setsubtract,
    "setunion": setunion,
}

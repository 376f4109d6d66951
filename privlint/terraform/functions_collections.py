"""Terraform's list functions (maps: ``functions_maps``), keeping the known part of a partly unknown list.

``concat(["iam:PassRole"], var.extra)`` is a ``PartialList`` known to hold ``iam:PassRole``; a function whose
result depends on what is unknown (``length``, ``element``) is unknown itself, keeping the cause.
"""

from __future__ import annotations

from typing import Any

from privlint.model.values import (
    Alternatives,
    PartialList,
    PartialString,
    Reference,
    Unknown,
    is_known,
)
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    MAX_ELEMENTS,
    Function,
    FunctionError,
    boolean,
    cause_of,
    cause_text,
    distinct_values,
    encoded,
    integer,
    kept_element,
    known,
    list_arguments,
    number,
    partial_or_list,
    parts_of,
    same_value,
    sequence,
    text,
    unknown_or_error,
)


def length(value: Any) -> Any:
    if encoded(value):
        return len(text(value)) if is_known(value) else cause_of("length()", value)
    if isinstance(value, Unknown):
        return ops.unknown("length()", value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, dict)):
        return len(value)
    raise FunctionError("length() needs a string or a collection")


def element(collection: Any, position: Any) -> Any:
    if isinstance(collection, Unknown) or isinstance(position, Unknown):
        return ops.unknown("element()", collection, position)
    items = sequence(collection)
    index = integer(position)
    if not items:
        raise FunctionError("element() of an empty list")
    if index < 0:
        raise FunctionError("element() with a negative index")
    return items[index % len(items)]


@known("slice()")
def slice_(collection: Any, start: Any, end: Any) -> Any:
    items = sequence(collection)
    first, last = integer(start), integer(end)
    if not 0 <= first <= last <= len(items):
        raise FunctionError("slice() indexes out of range")
    return items[first:last]


def concat(*lists: Any) -> Any:
    found = list_arguments("concat()", lists)
    if isinstance(found, Unknown):
        return found
    items, complete = found
    return partial_or_list(items, complete, cause_text("concat()", lists))


def compact(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("compact()", collection)
    items, complete = found
    kept: list[Any] = []
    for item in items:
        if _surely_set(item):
            kept.append(item)
        elif isinstance(item, Unknown):
            complete = False  # it may be empty: the result is not known to hold it
        elif item is not None and item != "":
            kept.append(text(item))
    return partial_or_list(kept, complete, cause_text("compact()", [collection, *items]))


def _surely_set(value: Any) -> bool:
    """A reference is most likely set; a string with some known text is not empty, on every branch."""
    if isinstance(value, Alternatives):
        return all(_surely_set(option) or (isinstance(option, str) and option != "") for option in value.options)
    return isinstance(value, Reference) or (isinstance(value, PartialString) and any(value.parts))


def distinct(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("distinct()", collection)
    items, complete = found
    if not all(kept_element(i) for i in items):
        complete = False  # an unknown element may equal a known one
        items = [i for i in items if kept_element(i)]
    return partial_or_list(distinct_values(items), complete, cause_text("distinct()", [collection]))


def flatten(collection: Any) -> Any:
    out: list[Any] = []
    complete = True

    def visit(value: Any, depth: int) -> None:
        nonlocal complete
        if depth > 64:
            raise FunctionError("flatten() nested too deeply")
        found = parts_of(value)
        if found is None:
            if isinstance(value, Unknown) and not kept_element(value):
                complete = False  # an unknown element may itself be a list
            else:
                out.append(value)
            return
        items, whole = found
        complete = complete and whole
        for item in items:
            visit(item, depth + 1)
            if len(out) > MAX_ELEMENTS:
                raise FunctionError("flatten(): too many elements")

    if parts_of(collection) is None:
        return unknown_or_error("flatten()", collection)
    visit(collection, 0)
    return partial_or_list(out, complete, cause_text("flatten()", [collection]))


def contains(collection: Any, value: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("contains()", collection)
    items, complete = found
    if not is_known(value):
        return ops.unknown("contains()", value)
    if any(is_known(i) and same_value(i, value) for i in items):
        return True
    if complete and all(is_known(i) for i in items):
        return False
    return ops.unknown("contains()", collection, *items)


def one(collection: Any) -> Any:
    if collection is None:
        return None
    if isinstance(collection, Reference):
        return collection  # the one element of a referenced list: keep the address
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("one()", collection)
    items, complete = found
    if len(items) > 1:
        raise FunctionError("one() of more than one element")
    if not complete:
        return ops.unknown("one()", collection)
    return items[0] if items else None


def index(collection: Any, value: Any) -> Any:
    if not is_known(collection) or not is_known(value):
        return ops.unknown("index()", collection, value)
    for position, item in enumerate(sequence(collection)):
        if same_value(item, value):
            return position
    raise FunctionError("index(): value not in the list")


def coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Reference):
            return arg  # the referenced attribute is most likely set: keep the address
        if isinstance(arg, Unknown):
            return ops.unknown("coalesce()", arg)
        if arg is not None and arg != "":
            return arg
    raise FunctionError("coalesce(): no non-null, non-empty argument")


def coalescelist(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Reference):
            return arg
        if isinstance(arg, PartialList) and arg.known:
            return arg
        if isinstance(arg, Unknown):
            return ops.unknown("coalescelist()", arg)
        if sequence(arg):
            return arg
    raise FunctionError("coalescelist(): every list is empty")


@known("chunklist()")
def chunklist(collection: Any, size: Any) -> Any:
    items, chunk = sequence(collection), integer(size)
    if chunk < 0:
        raise FunctionError("chunklist(): negative size")
    if chunk == 0:
        return [items]
    return [items[i : i + chunk] for i in range(0, len(items), chunk)]


MAX_RANGE = 1024  # Terraform refuses range() results longer than this


@known("range()")
def range_(*args: Any) -> Any:
    if not 1 <= len(args) <= 3:
        raise FunctionError("range() takes one to three arguments")
    numbers = [number(a) for a in args]
    start, limit = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
    step = numbers[2] if len(numbers) == 3 else (1 if limit >= start else -1)
    if step == 0:
        raise FunctionError("range(): step must not be zero")
    if (step > 0 and limit < start) or (step < 0 and limit > start):
        raise FunctionError("range(): step goes the wrong way")
    count = max(0, int(-(-(limit - start) // step)))
    if count > MAX_RANGE:
        raise FunctionError("range(): more than 1024 values")
    return [ops.normal_number(start + i * step) for i in range(count)]


def reverse(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("reverse()", collection)
    items, complete = found
    return partial_or_list(list(reversed(items)), complete, cause_text("reverse()", [collection]))


def sort(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("sort()", collection)
    items, complete = found
    if not all(is_known(i) for i in items):
        items, complete = [i for i in items if is_known(i)], False
    return partial_or_list(sorted(text(i) for i in items), complete, cause_text("sort()", [collection]))


def alltrue(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("alltrue()", collection)
    items, complete = found
    decided = [boolean(i) for i in items if not isinstance(i, Unknown)]
    if False in decided:
        return False
    if complete and len(decided) == len(items):
        return True
    return ops.unknown("alltrue()", collection, *items)


def anytrue(collection: Any) -> Any:
    found = parts_of(collection)
    if found is None:
        return unknown_or_error("anytrue()", collection)
    items, complete = found
    decided = [boolean(i) for i in items if not isinstance(i, Unknown)]
    if True in decided:
        return True
    if complete and len(decided) == len(items):
        return False
    return ops.unknown("anytrue()", collection, *items)


@known("sum()")
def sum_(collection: Any) -> Any:
    items = sequence(collection)
    if not items:
        raise FunctionError("sum() of an empty list")
    total: int | float = 0
    for item in items:
        total += number(item)
    return ops.normal_number(total)


COLLECTION_FUNCTIONS: dict[str, Function] = {
    "alltrue": alltrue,
    "anytrue": anytrue,
    "chunklist": chunklist,
    "coalesce": coalesce,
    "coalescelist": coalescelist,
    "compact": compact,
    "concat": concat,
    "contains": contains,
    "distinct": distinct,
    "element": element,
    "flatten": flatten,
    "index": index,
    "length": length,
    "one": one,
    "range": range_,
    "reverse": reverse,
    "slice": slice_,
    "sort": sort,
    "sum": sum_,
}

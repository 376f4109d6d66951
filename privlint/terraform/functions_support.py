"""What every family of Terraform built-in functions shares: the error type, argument checks and bounds.

Functions receive already-evaluated values (``privlint.model.values``). ``FunctionError`` is raised where
Terraform itself fails; an argument that is not known gives an ``Unknown`` that keeps its cause.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from privlint.model.values import (
    LineDict,
    PartialList,
    PartialString,
    Reference,
    Unknown,
    is_known,
)
from privlint.terraform import operations as ops
from privlint.terraform.template_values import render_json

MAX_ELEMENTS = 10_000  # range(), setproduct(), chunklist()... beyond this are unknown, not a memory sink
MAX_TEXT = 1_000_000  # characters a function may build (strrev, indent, format...)
MAX_WIDTH = 10_000  # format() widths and precisions

Function = Callable[..., Any]


class FunctionError(Exception):
    """A call Terraform would reject (a wrong type, an index out of range): ``try()`` moves on, ``can()`` is false."""


class JsonDocument(LineDict):
    """``jsonencode`` of an object: a JSON string for every function, still readable as a policy document.

    Policy rules read statements from the structure (and its source lines); string functions see its text.
    """


class JsonList(list):  # type: ignore[type-arg]
    """``jsonencode`` of a list or tuple, like ``JsonDocument``."""


def encoded(value: Any) -> bool:
    return isinstance(value, (JsonDocument, JsonList))


def known(label: str) -> Callable[[Function], Function]:
    """Decorate a function that needs every argument fully known: otherwise its result is unknown."""

    def decorate(function: Function) -> Function:
        @wraps(function)
        def wrapper(*args: Any) -> Any:
            if not all(is_known(a) for a in args):
                return cause_of(label, args)
            return function(*args)

        return wrapper

    return decorate


def cause_of(label: str, values: Any, depth: int = 0) -> Unknown:
    """An unknown result naming the first unknown input found inside ``values`` (``var.x``), else ``label``."""
    stack: list[tuple[Any, int]] = [(values, 0)]
    while stack:
        value, level = stack.pop(0)
        if isinstance(value, Unknown):
            found = ops.unknown(label, value)
            if found.source != label:
                return found
            if isinstance(value, PartialList):
                stack.extend((v, level + 1) for v in value.known)
        elif level < 32 and isinstance(value, dict):
            stack.extend((v, level + 1) for v in value.values())
        elif level < 32 and isinstance(value, (list, tuple)):
            stack.extend((v, level + 1) for v in value)
    return Unknown(label)


def text(value: Any, what: str = "argument") -> str:
    """A known argument as a string, converted as Terraform converts primitives; collections are errors."""
    if encoded(value):
        rendered = render_json(value)
        if isinstance(rendered, str):
            return rendered
        raise FunctionError(f"{what} is not a string")
    if isinstance(value, Unknown) or value is None:
        raise FunctionError(f"{what} must be a string")
    converted = ops.to_text(value)
    if not isinstance(converted, str):
        raise FunctionError(f"{what} must be a string")
    return str(converted)


def number(value: Any, what: str = "argument") -> int | float:
    converted = ops.to_number(value)
    if isinstance(converted, Unknown):
        raise FunctionError(f"{what} must be a number")
    return converted


def integer(value: Any, what: str = "argument") -> int:
    converted = number(value, what)
    if isinstance(converted, float):
        if not converted.is_integer():
            raise FunctionError(f"{what} must be a whole number")
        return int(converted)
    return converted


def boolean(value: Any, what: str = "argument") -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not isinstance(value, Unknown) and value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"{what} must be a bool")


def sequence(value: Any, what: str = "argument") -> list[Any]:
    """A known list, tuple or set argument (sets are lists here)."""
    if isinstance(value, list) and not encoded(value):
        return value
    raise FunctionError(f"{what} must be a list")


def mapping(value: Any, what: str = "argument") -> dict[str, Any]:
    if isinstance(value, dict) and not encoded(value) and not isinstance(value, Unknown):
        return value
    raise FunctionError(f"{what} must be a map or object")


def is_collection(value: Any) -> bool:
    return isinstance(value, (list, dict)) and not encoded(value) and not isinstance(value, Unknown)


def bounded_text(result: str) -> str:
    if len(result) > MAX_TEXT:
        raise FunctionError("result too large")
    return result


def partial_or_list(known_part: list[Any], complete: bool, source: str) -> Any:
    """The elements found so far: the whole list when nothing was unknown, else a ``PartialList``."""
    return known_part if complete else PartialList(source=source, known=tuple(known_part))


def parts_of(value: Any) -> tuple[list[Any], bool] | None:
    """A list argument's known elements and whether that is all of them; None when nothing is known of it."""
    if isinstance(value, PartialList):
        return list(value.known), False
    if isinstance(value, list) and not encoded(value):
        return value, True
    return None


def same_value(left: Any, right: Any) -> bool:
    """Terraform's equality (``1 == "1"`` is false) for known values; references are equal by address."""
    if isinstance(left, Reference) or isinstance(right, Reference):
        return bool(left == right)
    return ops.binary("==", left, right) is True


def kept_element(value: Any) -> bool:
    """A list element a function keeps as it is: a known value, a partly known string, or a reference.

    A reference is most likely one value that exists (a document's ``json``, a role's ``arn``), and a
    string with holes is still one string; keeping them lets the policy rules see them through
    ``flatten``, ``compact`` and sets.
    """
    return is_known(value) or isinstance(value, (Reference, PartialString))


def sort_key(value: Any) -> tuple[int, Any]:
    """A total order for set elements: numbers, then strings, then anything else by its JSON text."""
    if isinstance(value, bool):
        return (2, str(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (3, str(render_json(value)))


def list_arguments(name: str, args: tuple[Any, ...]) -> tuple[list[Any], bool] | Unknown:
    """The known elements of every list argument in order, and whether they are all of them."""
    out: list[Any] = []
    complete = True
    for arg in args:
        found = parts_of(arg)
        if found is None:
            if not isinstance(arg, Unknown):
                raise FunctionError(f"{name} needs lists")
            complete = False
            continue
        items, whole = found
        out.extend(items)
        complete = complete and whole
    if len(out) > MAX_ELEMENTS:
        return Unknown(f"{name}: too many elements")
    return out, complete


def cause_text(label: str, args: Any) -> str:
    """The first unknown argument's cause, so a partial result still says which input it depends on."""
    return cause_of(label, args).source


def unknown_or_error(label: str, value: Any) -> Unknown:
    if isinstance(value, Unknown):
        return ops.unknown(label, value)
    raise FunctionError(f"{label} needs a list")


def distinct_values(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if not any(same_value(item, seen) for seen in out):
            out.append(item)
    return out

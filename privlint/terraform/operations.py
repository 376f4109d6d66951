"""Terraform's operations on values: attribute and index access, operators, and template text.

Values follow ``privlint.model.values``: plain Python data when known, an ``Unknown`` (or a subclass that
keeps what is known of it) when not. ``EvaluationError`` marks what Terraform itself would reject, so
``try()`` and ``can()`` can tell an error from a value that is merely unknown. Pure module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from privlint.model.values import (
    MAX_VARIANTS,
    Alternatives,
    LineDict,
    PartialList,
    PartialString,
    Reference,
    Unknown,
    is_known,
)


@dataclass(frozen=True)
class EvaluationError(Unknown):
    """An expression Terraform would reject (a missing key, a wrong type): unknown, and an error for ``try``."""


_CAUSE_BREADTH = 64


def unknown(label: str, *operands: Any) -> Unknown:
    """An unknown result that names its first unknown operand's cause (``var.x``), else ``label``.

    Keeping the cause lets a report say which input a value depends on.
    """
    for references in (False, True):
        # An input first; else what a provider computes: a resource's attribute, or an output of a
        # module that is not read (a registry module), which is an input of this configuration.
        for operand in operands:
            cause = _cause(operand, references)
            if cause:
                return Unknown(cause)
    return Unknown(label)


def _cause(value: Any, references: bool, depth: int = 0) -> str:
    """What an unknown value depends on; a template with unknown parts depends on what they do."""
    if isinstance(value, PartialString):
        for hole in value.holes if depth < 8 else ():
            found = _cause(hole, references, depth + 1)
            if found:
                return found
        return ""
    if isinstance(value, Reference):
        return value.source if references else ""
    if isinstance(value, Unknown) and not isinstance(value, EvaluationError):
        return value.source
    if isinstance(value, (list, dict)) and depth < 8:
        items = list(value.values()) if isinstance(value, dict) else value
        for item in items[:_CAUSE_BREADTH]:  # bounded: a cause is a label, never worth a long search
            found = _cause(item, references, depth + 1)
            if found:
                return found
    return ""


def alternatives(cause: str, *options: Any) -> Any:
    """The branches of a conditional whose condition is unknown (nested ones flattened, errors dropped)."""
    flat: list[Any] = []
    for option in options:
        for item in option.options if isinstance(option, Alternatives) else (option,):
            if not isinstance(item, EvaluationError) and item not in flat:
                flat.append(item)
    if len(flat) == 1:
        return flat[0]
    if not flat or len(flat) > MAX_VARIANTS:
        return Unknown(cause)
    return Alternatives(source=cause, options=tuple(flat))


def _each_option(value: Alternatives, operation: Any, *args: Any) -> Any:
    return alternatives(value.source, *(operation(option, *args) for option in value.options))


def get_attr(value: Any, name: str) -> Any:
    """``value.name``: a key of an object, or an attribute of a referenced resource."""
    if isinstance(value, Alternatives):
        return _each_option(value, get_attr, name)
    if isinstance(value, Reference):
        return value if value.attribute else Reference(source=f"{value.source}.{name}", address=value.address, attribute=name)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        return EvaluationError(f"no attribute {name}")
    if isinstance(value, list) and name.isdigit():
        return index(value, int(name))  # the legacy ``list.0`` form
    if isinstance(value, EvaluationError):
        return value  # ``x[0].name`` on an empty ``x`` stays an error, so ``try()`` moves on
    if isinstance(value, Unknown):
        return Unknown(value.source or "unknown")
    return EvaluationError(f"no attribute {name}")


def index(value: Any, key: Any) -> Any:
    """``value[key]`` on a list (number keys), an object or map (string keys), or a reference."""
    if isinstance(value, Alternatives):
        return _each_option(value, index, key)
    for operand in (value, key):
        if isinstance(operand, EvaluationError):
            return operand
    if isinstance(key, Unknown):
        if isinstance(value, Reference):
            return Reference(source=value.source, address=value.address, attribute=value.attribute)
        return unknown("index", key, value)
    if isinstance(value, Reference):
        return value
    if isinstance(value, dict):
        text = to_text(key) if isinstance(key, (int, float, bool)) else key
        if isinstance(text, str) and text in value:
            return value[text]
        return EvaluationError("no such key")
    if isinstance(value, list):
        position = to_number(key)
        if isinstance(position, float) and position.is_integer():
            position = int(position)
        if isinstance(position, int) and not isinstance(position, bool) and 0 <= position < len(value):
            return value[position]
        return EvaluationError("index out of range")
    if isinstance(value, Unknown):
        return Unknown(value.source or "unknown")
    return EvaluationError("not indexable")


def to_number(value: Any) -> int | float | Unknown:
    """Terraform's conversion to number: numbers as they are, numeric strings parsed."""
    if isinstance(value, bool):
        return EvaluationError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) > 400:
                raise ValueError(text[:10])
            number = float(text) if any(c in text for c in ".eE") or text.lower() in ("inf", "nan") else int(text, 10)
        except ValueError:
            return EvaluationError("not a number")
        if isinstance(number, float) and not math.isfinite(number):
            return EvaluationError("not a number")
        return number
    if isinstance(value, Unknown):
        return value
    return EvaluationError("not a number")


def normal_number(value: float) -> int | float:
    """Terraform has one number type: integral floats are shown and compared as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def to_text(value: Any) -> str | Unknown:
    """A primitive value as template text (``true``, ``1``, ``2.5``); objects and lists cannot be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(normal_number(value)) if value.is_integer() else repr(value)
    if value is None:
        return EvaluationError("null in a template")
    if isinstance(value, Unknown):
        return value
    return EvaluationError("a collection in a template")


_ARITHMETIC = {"+", "-", "*", "/", "%"}
_COMPARISON = {"<", ">", "<=", ">="}


def binary(op: str, left: Any, right: Any) -> Any:
    """Terraform's binary operators: arithmetic and comparison on numbers, logic on bools, equality on anything."""
    if op in ("&&", "||"):
        return _logic(op, left, right)
    for operand in (left, right):
        if isinstance(operand, EvaluationError):
            return operand  # an error inside an operand is the expression's error, for ``try()``
    if op in ("==", "!="):
        equal = _compare(left, right)
        if isinstance(equal, Unknown):
            return unknown(f"operator {op}", left, right)
        return equal if op == "==" else not equal
    a, b = to_number(left), to_number(right)
    if isinstance(a, EvaluationError) or isinstance(b, EvaluationError):
        return EvaluationError(f"operator {op} needs numbers")
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return unknown(f"operator {op}", a, b)
    if op in _COMPARISON:
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    try:
        if op == "+":
            result: int | float = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            if _too_large(a) or _too_large(b):
                return EvaluationError("number too large")
            result = a * b
        elif op == "/":
            if b == 0:
                return EvaluationError("division by zero")
            result = a / b if (isinstance(a, float) or isinstance(b, float) or a % b) else a // b
        else:
            if b == 0:
                return EvaluationError("modulo by zero")
            result = math.fmod(a, b) if isinstance(a, float) or isinstance(b, float) else int(math.copysign(abs(a) % abs(b), a))
    except (OverflowError, ValueError):
        return EvaluationError("number out of range")
    return normal_number(result)


def _too_large(number: float) -> bool:
    return isinstance(number, int) and number.bit_length() > 4096


def _logic(op: str, left: Any, right: Any) -> Any:
    if (op == "&&" and left is False) or (op == "||" and left is True):
        return left  # short-circuit: the right side is not evaluated, its error does not count
    for side in (left, right):
        if isinstance(side, EvaluationError):
            return side
    for side in (left, right):
        if not isinstance(side, (bool, Unknown)):
            return EvaluationError(f"operator {op} needs bools")
    # A known side that decides the result proves it, whatever the other side is.
    if op == "&&" and (left is False or right is False):
        return False
    if op == "||" and (left is True or right is True):
        return True
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return unknown(f"operator {op}", left, right)
    return (left and right) if op == "&&" else (left or right)


def _compare(left: Any, right: Any) -> bool | Unknown:
    """Equality that is known whenever the known parts decide it, as Terraform's is.

    A collection or a template is never null, whatever its unknown parts hold; collections of
    different sizes or keys differ; one element known to differ makes the collections differ.
    """
    if isinstance(left, Alternatives) or isinstance(right, Alternatives):
        options = left.options if isinstance(left, Alternatives) else (left,)
        others = right.options if isinstance(right, Alternatives) else (right,)
        results = {_compare(a, b) for a in options for b in others}
        return results.pop() if len(results) == 1 and isinstance(next(iter(results)), bool) else Unknown("comparison")
    if is_known(left) and is_known(right):
        return _equal(left, right)
    if left is None or right is None:
        other = right if left is None else left
        # A resource or module object (a reference with no attribute) exists: only an attribute may be null.
        whole_object = isinstance(other, Reference) and not other.attribute and bool(other.address)
        never_null = whole_object or isinstance(other, (PartialString, PartialList)) or not isinstance(other, Unknown)
        return False if never_null else Unknown("comparison")
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return Unknown("comparison")
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return False
        return _all_equal([_compare(left[k], right[k]) for k in left])
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return _all_equal([_compare(a, b) for a, b in zip(left, right)])
    return False  # a collection and something else, or a list and an object


def _all_equal(results: list[bool | Unknown]) -> bool | Unknown:
    if False in results:
        return False
    return True if all(r is True for r in results) else Unknown("comparison")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    same_kind = type(left) is type(right) or all(isinstance(x, str) for x in (left, right)) or all(isinstance(x, dict) for x in (left, right))
    if not same_kind:
        return False
    return bool(left == right)


def unary(op: str, value: Any) -> Any:
    if isinstance(value, EvaluationError):
        return value
    if op == "!":
        if isinstance(value, bool):
            return not value
        return unknown("operator !", value) if isinstance(value, Unknown) else EvaluationError("operator ! needs a bool")
    number = to_number(value)
    if isinstance(number, Unknown):
        return number
    return normal_number(-number)


def truth(value: Any) -> bool | Unknown:
    """A condition's value: a bool, or the strings ``"true"``/``"false"`` that Terraform converts."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if isinstance(value, Unknown):
        return value
    return EvaluationError("a condition must be a bool")


def element_values(collection: Any) -> list[tuple[Any, Any]] | PartialList | Unknown:
    """``(key, value)`` pairs a ``for`` expression, ``for_each`` or a splat iterates over, in Terraform's order.

    Lists give their indexes, maps their keys in lexical order. A ``PartialList`` is returned as it is,
    so the caller can map its known elements.
    """
    if isinstance(collection, PartialList):
        return collection
    if isinstance(collection, dict) and not isinstance(collection, Unknown):
        return [(k, collection[k]) for k in sorted(collection, key=str)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, Unknown):
        return unknown("collection", collection)
    return EvaluationError("not a collection")


def new_object(line: int | None = None) -> LineDict:
    return LineDict(line=line)

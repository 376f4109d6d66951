"""``format`` and ``formatlist``: Terraform's printf verbs, widths and precisions.

An unknown argument under ``%s``/``%v`` becomes a hole in a ``PartialString``, so
``format("arn:aws:iam::%s:root", var.account)`` keeps its known text for the rules.
"""

from __future__ import annotations

import json
import re
from typing import Any

from privlint.model.values import (
    PartialList,
    PartialString,
    Reference,
    Unknown,
    is_known,
)
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    MAX_ELEMENTS,
    MAX_TEXT,
    MAX_WIDTH,
    FunctionError,
    boolean,
    encoded,
    is_collection,
    number,
    text,
)
from privlint.terraform.template_values import join_template, render_json

_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<arg>\d+)\])?(?P<width>\d+)?(?:\.(?P<precision>\d*))?(?P<verb>.)?",
    re.DOTALL,
)


def _json(value: Any) -> str:
    rendered = render_json(value)
    if not isinstance(rendered, str):
        raise FunctionError("format(): value cannot be encoded")
    return rendered


def _default(value: Any, alternate: bool) -> str:
    if alternate:
        return _json(value)
    if value is None:
        return "null"
    if isinstance(value, str) or encoded(value):
        return text(value)
    if isinstance(value, (bool, int, float)):
        return text(value)
    return _json(value)


def _number_text(value: Any, verb: str, flags: str, precision: int | None) -> str:
    n = number(value)
    if verb in "dboxX":
        if isinstance(n, float):
            if not n.is_integer():
                raise FunctionError("format(): a whole number is needed")
            n = int(n)
        spec = {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb]
        sign = "+" if "+" in flags else (" " if " " in flags else "")
        body = format(n, sign + ("#" if "#" in flags and verb != "d" else "") + spec)
        return body
    sign = "+" if "+" in flags else (" " if " " in flags else "")
    if verb in "eEfFgG":
        if verb in "gG" and precision is None:
            body = repr(float(n)) if isinstance(n, float) else str(n)
            return (sign if not body.startswith("-") else "") + body
        return format(float(n), f"{sign}.{6 if precision is None else precision}{verb}")
    raise FunctionError("format(): unsupported verb")


def _pad(body: str, flags: str, width: int | None, numeric: bool) -> str:
    if width is None or len(body) >= width:
        return body
    if "-" in flags:
        return body.ljust(width)
    if "0" in flags and numeric:
        sign = body[0] if body[:1] in "+- " else ""
        return sign + body[len(sign) :].rjust(width - len(sign), "0")
    return body.rjust(width)


def _render(value: Any, verb: str, flags: str, width: int | None, precision: int | None) -> str:
    numeric = False
    if verb == "v":
        body = _default(value, "#" in flags)
    elif verb == "s":
        if value is None or (is_collection(value)):
            raise FunctionError("format(): %s needs a string")
        body = text(value)
        if precision is not None:
            body = body[:precision]
    elif verb == "q":
        body = json.dumps(text(value), ensure_ascii=False)
    elif verb == "t":
        body = "true" if boolean(value) else "false"
    elif verb in "dboxXeEfFgG":
        body, numeric = _number_text(value, verb, flags, precision), True
    else:
        raise FunctionError("format(): unsupported verb")
    return _pad(body, flags, width, numeric)


def _pieces(spec: str, args: tuple[Any, ...]) -> list[Any]:
    """The formatted text, as known strings and the unknown values that fill holes."""
    out: list[Any] = []
    position = 0
    cursor = 0
    for match in _VERB.finditer(spec):
        out.append(spec[cursor : match.start()])
        cursor = match.end()
        verb = match.group("verb")
        if verb == "%" and not (match.group("flags") or match.group("width") or match.group("precision") is not None):
            out.append("%")
            continue
        if verb is None:
            raise FunctionError("format(): unfinished verb")
        if match.group("arg"):
            position = int(match.group("arg")) - 1
        if not 0 <= position < len(args):
            raise FunctionError("format(): not enough arguments")
        value = args[position]
        position += 1
        width = int(match.group("width")) if match.group("width") else None
        precision_text = match.group("precision")
        precision = int(precision_text or 0) if precision_text is not None else None
        if (width or 0) > MAX_WIDTH or (precision or 0) > MAX_WIDTH:
            raise FunctionError("format(): width too large")
        if not is_known(value):
            if verb in "sv" and width is None and precision is None and not isinstance(value, PartialList):
                out.append(value)  # a hole that keeps what is known of the value
            else:
                out.append(ops.unknown("format()", value))
            continue
        out.append(_render(value, verb, match.group("flags"), width, precision))
        if sum(len(p) for p in out if isinstance(p, str)) > MAX_TEXT:
            raise FunctionError("format(): result too large")
    out.append(spec[cursor:])
    return out


def format_(spec: Any, *args: Any) -> Any:
    if not is_known(spec):
        return ops.unknown("format()", spec)
    pieces = [p for p in _pieces(text(spec), args) if p != ""]
    if all(isinstance(p, str) for p in pieces):
        return "".join(pieces)
    if len(pieces) == 1:  # format("%s", x) is x, or as unknown as x
        only = pieces[0]
        return only if isinstance(only, (Reference, PartialString)) else ops.unknown("format()", only)
    return join_template([piece for p in pieces for piece in _spliced(p)])


def _spliced(piece: Any) -> list[Any]:
    """A ``PartialString`` argument as its own known parts and holes, so the result names the real inputs."""
    if not isinstance(piece, PartialString):
        return [piece]
    holes = iter(piece.holes)
    return [part if part is not None else next(holes, Unknown(piece.source)) for part in piece.parts]


def formatlist(spec: Any, *args: Any) -> Any:
    if not is_known(spec):
        return ops.unknown("formatlist()", spec)
    lengths = set()
    for arg in args:
        if isinstance(arg, Unknown):
            return ops.unknown("formatlist()", arg)
        if isinstance(arg, list) and not encoded(arg):
            lengths.add(len(arg))
    if len(lengths) > 1:
        raise FunctionError("formatlist(): lists of different lengths")
    count = lengths.pop() if lengths else 1
    if count > MAX_ELEMENTS:
        return Unknown("formatlist(): too many elements")
    rows = []
    for row in range(count):
        row_args = tuple(a[row] if isinstance(a, list) and not encoded(a) else a for a in args)
        rows.append(format_(spec, *row_args))
    return rows

"""The CloudFormation intrinsics that compute new text or numbers: ``Fn::Base64``, ``Fn::Cidr``, and the
language extensions' ``Fn::Length`` and ``Fn::ToJsonString``. Pure module, registered by ``cfn_values``."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json
from typing import Any

from privlint.core.values import PartialList, PartialString, Unknown
from privlint.normalize.cfn_values import Intrinsic, TemplateContext, _wrong, resolve

MAX_CIDR_BLOCKS = 256  # the most Fn::Cidr accepts


def _base64(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    text = resolve(arg, ctx, depth, line)
    if isinstance(text, str):
        return base64.b64encode(text.encode()).decode()
    return Unknown("Fn::Base64")


def _cidr(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3):
        return _wrong(ctx, line, "Fn::Cidr", "[ip block, count, cidr bits]")
    block, count, bits = (resolve(a, ctx, depth, line) for a in arg)
    if any(isinstance(v, Unknown) for v in (block, count, bits)):
        return PartialList(source="Fn::Cidr")
    try:
        network = ipaddress.ip_network(str(block), strict=False)
        how_many, host_bits = int(count), int(bits)
        prefix = network.max_prefixlen - host_bits
        if not (1 <= how_many <= MAX_CIDR_BLOCKS) or not (
            network.prefixlen <= prefix <= network.max_prefixlen
        ):
            raise ValueError
        return [
            str(n)
            for n in itertools.islice(network.subnets(new_prefix=prefix), how_many)
        ]
    except (ValueError, TypeError):
        return _wrong(
            ctx,
            line,
            "Fn::Cidr",
            "a CIDR block, a count from 1 to 256 and a number of bits that fits the block",
        )


def _length(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    items = resolve(arg, ctx, depth, line)
    if isinstance(items, list):
        return len(items)
    if isinstance(items, Unknown):
        return Unknown("Fn::Length")
    return _wrong(ctx, line, "Fn::Length", "a list")


_HOLE = "@@privlint-hole@@"  # stands for an unknown value while the JSON text is written; never in real text


def _to_json_string(
    arg: Any, ctx: TemplateContext, depth: int, line: int | None
) -> Any:
    value = resolve(arg, ctx, depth, line)
    if not isinstance(value, (dict, list)):
        return (
            Unknown("Fn::ToJsonString")
            if isinstance(value, Unknown)
            else _wrong(ctx, line, "Fn::ToJsonString", "an object or a list")
        )
    text = json.dumps(_with_holes(value), separators=(",", ":"))
    if _HOLE not in text:
        return text
    # Unknown pieces become holes, so a policy written with Fn::ToJsonString is still read statement by statement.
    parts: list[str | None] = []
    for index, piece in enumerate(text.split(_HOLE)):
        if index:
            parts.append(None)
        if piece:
            parts.append(piece)
    return PartialString(source="Fn::ToJsonString", parts=tuple(parts))


def _with_holes(value: Any) -> Any:
    if isinstance(value, PartialString):
        return "".join(_HOLE if p is None else p for p in value.parts)
    if isinstance(value, Unknown):
        return _HOLE
    if isinstance(value, dict):
        return {str(k): _with_holes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_holes(v) for v in value]
    return value


MORE_INTRINSICS: dict[str, Intrinsic] = {
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
}

"""More CloudFormation intrinsics: ``Fn::FindInMap`` (every entry of the map, as alternatives, on a key the
scan cannot decide), ``Fn::Base64``, ``Fn::Cidr``, and the language extensions' ``Fn::Length`` and
``Fn::ToJsonString``. Pure module, registered by ``cfn_values``."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json
from typing import Any

from privlint.model.values import Alternatives, PartialList, PartialString, Unknown, is_known
from privlint.normalize.cfn_context import DEPLOYMENT_SPECIFIC, MAX_ALTERNATIVES, Intrinsic, TemplateContext, resolve, wrong_arguments

MAX_CIDR_BLOCKS = 256  # the most Fn::Cidr accepts


def _base64(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    text = resolve(arg, ctx, depth, line)
    if isinstance(text, str):
        return base64.b64encode(text.encode()).decode()
    return Unknown("Fn::Base64")


def _cidr(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3):
        return wrong_arguments(ctx, line, "Fn::Cidr", "[ip block, count, cidr bits]")
    block, count, bits = (resolve(a, ctx, depth, line) for a in arg)
    if any(isinstance(v, Unknown) for v in (block, count, bits)):
        return PartialList(source="Fn::Cidr")
    try:
        network = ipaddress.ip_network(str(block), strict=False)
        how_many, host_bits = int(count), int(bits)
        prefix = network.max_prefixlen - host_bits
        if not (1 <= how_many <= MAX_CIDR_BLOCKS) or not (network.prefixlen <= prefix <= network.max_prefixlen):
            raise ValueError
        return [str(n) for n in itertools.islice(network.subnets(new_prefix=prefix), how_many)]
    except (ValueError, TypeError):
        return wrong_arguments(
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
    return wrong_arguments(ctx, line, "Fn::Length", "a list")


_HOLE = "@@privlint-hole@@"  # stands for an unknown value while the JSON text is written; never in real text


def _to_json_string(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    value = resolve(arg, ctx, depth, line)
    if not isinstance(value, (dict, list)):
        return Unknown("Fn::ToJsonString") if isinstance(value, Unknown) else wrong_arguments(ctx, line, "Fn::ToJsonString", "an object or a list")
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


def _find_in_map(arg: Any, ctx: TemplateContext, depth: int, line: int | None) -> Any:
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        return wrong_arguments(ctx, line, "Fn::FindInMap", "[map, top-level key, second-level key]")
    default: Any = None
    if len(arg) == 4:
        option = arg[3]
        if not (isinstance(option, dict) and "DefaultValue" in option):
            return wrong_arguments(
                ctx,
                line,
                "Fn::FindInMap",
                "a DefaultValue option as its fourth argument",
            )
        default = resolve(option["DefaultValue"], ctx, depth, line)
    name, top, second = (_map_key(resolve(k, ctx, depth, line)) for k in arg[:3])
    table = ctx.mappings.get(name) if isinstance(name, str) else None
    if not isinstance(table, dict):
        if default is not None:
            return default
        if isinstance(name, str):
            ctx.problem(line, f"Fn::FindInMap names a mapping that does not exist: {name}")
        return Unknown("Fn::FindInMap")
    found: list[tuple[str, Any]] = []
    for top_key, entries in table.items():
        if not _key_matches(top, top_key) or not isinstance(entries, dict):
            continue
        for second_key, item in entries.items():
            if _key_matches(second, second_key):
                found.append(
                    (
                        f"Mappings {name} entry {top_key}.{second_key} is chosen, from {_input_of(top, second)}",
                        item,
                    )
                )
    if not found:
        if default is not None:
            return default
        if is_known(top) and is_known(second):
            ctx.problem(line, f"Fn::FindInMap finds no entry in mapping {name}")
        return Unknown("Fn::FindInMap")
    if is_known(top) and is_known(second):
        return resolve(found[0][1], ctx, depth, line)
    if default is not None:
        found.append(
            (
                f"no entry of Mappings {name} is chosen, from {_input_of(top, second)}",
                default,
            )
        )
    return _alternatives(
        f"Fn::FindInMap {name}",
        [(label, resolve(v, ctx, depth, line)) for label, v in found],
    )


def _map_key(key: Any) -> Any:
    """This region or account is a real one at deploy time, not the marker: any entry may be the one."""
    for pseudo, marker in DEPLOYMENT_SPECIFIC.items():
        if isinstance(key, str) and marker in key:
            return Unknown(pseudo)
    return key


def _key_matches(key: Any, candidate: Any) -> bool:
    if isinstance(key, Unknown):
        return True
    return isinstance(key, (str, int, float)) and not isinstance(key, bool) and str(key) == str(candidate)


def _input_of(*keys: Any) -> str:
    sources = [k.source for k in keys if isinstance(k, Unknown) and k.source]
    return ", ".join(dict.fromkeys(sources)) or "an unknown key"


def _alternatives(source: str, options: list[tuple[str, Any]]) -> Any:
    distinct: list[Any] = []
    for _label, value in options:
        if value not in distinct:
            distinct.append(value)
    if len(distinct) == 1 and is_known(distinct[0]):
        return distinct[0]
    if len(options) > MAX_ALTERNATIVES:
        return Unknown(source)
    return Alternatives(source=source, options=tuple(value for _label, value in options), labels=tuple(label for label, _value in options))


MORE_INTRINSICS: dict[str, Intrinsic] = {
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
}

"""Terraform's numeric, type-conversion and IP network functions."""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from privlint.model.values import LineDict, PartialList, Reference, Unknown, is_known
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    Function,
    FunctionError,
    boolean,
    cause_of,
    encoded,
    integer,
    known,
    mapping,
    number,
    sequence,
    text,
)


def _numbers(args: tuple[Any, ...]) -> list[int | float]:
    if not args:
        raise FunctionError("at least one number is needed")
    return [number(a) for a in args]


@known("max()")
def max_(*args: Any) -> Any:
    return max(_numbers(args))


@known("min()")
def min_(*args: Any) -> Any:
    return min(_numbers(args))


@known("abs()")
def abs_(value: Any) -> Any:
    return abs(number(value))


@known("ceil()")
def ceil(value: Any) -> Any:
    return math.ceil(number(value))


@known("floor()")
def floor(value: Any) -> Any:
    return math.floor(number(value))


@known("signum()")
def signum(value: Any) -> Any:
    n = number(value)
    return (n > 0) - (n < 0)


@known("log()")
def log(value: Any, base: Any) -> Any:
    n, b = number(value), number(base)
    if n <= 0 or b <= 0 or b == 1:
        raise FunctionError("log() out of its domain")
    return ops.normal_number(math.log(n, b))


@known("pow()")
def pow_(value: Any, power: Any) -> Any:
    n, p = number(value), number(power)
    if isinstance(n, int) and isinstance(p, int) and p >= 0:
        if n.bit_length() * p > 4096:
            raise FunctionError("pow(): number too large")
        return n**p
    try:
        return ops.normal_number(math.pow(n, p))
    except (OverflowError, ValueError) as exc:
        raise FunctionError("pow() out of range") from exc


@known("parseint()")
def parseint(value: Any, base: Any) -> Any:
    digits, radix = text(value), integer(base)
    if not 2 <= radix <= 62:
        raise FunctionError("parseint(): base must be 2 to 62")
    if len(digits) > 400:
        raise FunctionError("parseint(): number too long")
    sign = -1 if digits.startswith("-") else 1
    body = digits[1:] if digits[:1] in "+-" else digits
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if radix <= 36:
        body = body.lower()
    if not body:
        raise FunctionError("parseint(): no digits")
    result = 0
    for ch in body:
        digit = alphabet.find(ch)
        if not 0 <= digit < radix:
            raise FunctionError("parseint(): not a number in that base")
        result = result * radix + digit
    return sign * result


# -- type conversion


def tostring(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value if isinstance(value, Reference) else ops.unknown("tostring()", value)
    if isinstance(value, (list, dict)) and not encoded(value):
        raise FunctionError("tostring() of a collection")
    if not is_known(value):
        return cause_of("tostring()", value)  # a jsonencode() result with unknown parts
    return text(value)


def tonumber(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return ops.unknown("tonumber()", value)
    return number(value)


def tobool(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return ops.unknown("tobool()", value)
    return boolean(value)


def _unify(items: list[Any]) -> list[Any]:
    """Elements of one list type: mixed primitives all become strings, as Terraform converts them."""
    kinds = {_kind(i) for i in items if i is not None and not isinstance(i, Unknown)}
    if len(kinds) > 1:
        if kinds <= {"string", "number", "bool"}:
            return [text(i) if i is not None and not isinstance(i, Unknown) else i for i in items]
        raise FunctionError("elements of different types")
    return items


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "map"


def tolist(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, PartialList):
        return value
    if isinstance(value, Unknown):
        return value if isinstance(value, Reference) else ops.unknown("tolist()", value)
    return _unify(sequence(value))


def toset(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Unknown) and not isinstance(value, PartialList):
        return value if isinstance(value, Reference) else ops.unknown("toset()", value)
    from privlint.terraform.functions_sets import setunion

    return setunion(value if isinstance(value, PartialList) else _unify(sequence(value)))


def tomap(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value if isinstance(value, Reference) else ops.unknown("tomap()", value)
    entries = mapping(value)
    unified = _unify(list(entries.values()))
    return LineDict(zip(entries, unified, strict=True), line=getattr(entries, "line", None))


def sensitive(value: Any) -> Any:
    return value  # sensitivity changes how Terraform prints a value, not the value


def ephemeralasnull(value: Any) -> Any:
    return value


def issensitive(value: Any) -> Any:
    return ops.unknown("issensitive()", value)  # whether a variable is marked sensitive is not in its value


# -- IP networks


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text(prefix), strict=False)
    except ValueError as exc:
        raise FunctionError("not a CIDR prefix") from exc


@known("cidrhost()")
def cidrhost(prefix: Any, host: Any) -> Any:
    network, offset = _network(prefix), integer(host)
    size = network.num_addresses
    if not -size <= offset < size:
        raise FunctionError("cidrhost(): host number out of range")
    base = int(network.network_address) + (offset if offset >= 0 else size + offset)
    return str(ipaddress.ip_address(base))


@known("cidrnetmask()")
def cidrnetmask(prefix: Any) -> Any:
    network = _network(prefix)
    if network.version != 4:
        raise FunctionError("cidrnetmask() is for IPv4 only")
    return str(network.netmask)


def _subnet(network: ipaddress.IPv4Network | ipaddress.IPv6Network, bits: int, num: int) -> Any:
    new_prefix = network.prefixlen + bits
    if bits < 0 or new_prefix > network.max_prefixlen:
        raise FunctionError("cidrsubnet(): too many new bits")
    if not 0 <= num < 2**bits:
        raise FunctionError("cidrsubnet(): network number out of range")
    base = int(network.network_address) + (num << (network.max_prefixlen - new_prefix))
    return ipaddress.ip_network((base, new_prefix))


@known("cidrsubnet()")
def cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    return str(_subnet(_network(prefix), integer(newbits), integer(netnum)))


@known("cidrsubnets()")
def cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    network = _network(prefix)
    out: list[str] = []
    cursor = int(network.network_address)
    end = int(network.broadcast_address)
    for bits in (integer(b) for b in newbits):
        length = network.prefixlen + bits
        if bits < 1 or length > network.max_prefixlen:
            raise FunctionError("cidrsubnets(): invalid new bits")
        step = 1 << (network.max_prefixlen - length)
        cursor = -(-cursor // step) * step  # align to the subnet size, as Terraform does
        if cursor + step - 1 > end:
            raise FunctionError("cidrsubnets(): not enough room")
        out.append(str(ipaddress.ip_network((cursor, length))))
        cursor += step
    return out


NUMERIC_FUNCTIONS: dict[str, Function] = {
    "abs": abs_,
    "ceil": ceil,
    "floor": floor,
    "log": log,
    "max": max_,
    "min": min_,
    "parseint": parseint,
    "pow": pow_,
    "signum": signum,
    "tostring": tostring,
    "tonumber": tonumber,
    "tobool": tobool,
    "tolist": tolist,
    "toset": toset,
    "tomap": tomap,
    "sensitive": sensitive,
    "nonsensitive": sensitive,
    "ephemeralasnull": ephemeralasnull,
    "issensitive": issensitive,
    "cidrhost": cidrhost,
    "cidrnetmask": cidrnetmask,
    "cidrsubnet": cidrsubnet,
    "cidrsubnets": cidrsubnets,
}

"""Terraform's date, time and path functions that depend only on their arguments (RFC 3339 timestamps)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from privlint.model.values import Unknown
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import Function, FunctionError, known, text

_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DURATION = re.compile(r"([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1,
    "m": 60,
    "h": 3600,
}


def _timestamp(value: Any) -> datetime:
    match = _RFC3339.match(text(value))
    if not match:
        raise FunctionError("not an RFC 3339 timestamp")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    zone = match.group(8)
    offset = timedelta(0) if zone in "Zz" else timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * (1 if zone[0] == "+" else -1)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError as exc:
        raise FunctionError("not a valid date") from exc
    return moment + timedelta(microseconds=int((fraction[1:] + "000000")[:6])) if fraction else moment


def _rfc3339(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    zone = "Z" if not offset else moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone


@known("timeadd()")
def timeadd(timestamp: Any, duration: Any) -> Any:
    moment, spec = _timestamp(timestamp), text(duration)
    if not _DURATION.match(spec):
        raise FunctionError("timeadd(): invalid duration")
    seconds = sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(spec))
    try:
        return _rfc3339(moment + timedelta(seconds=-seconds if spec.startswith("-") else seconds))
    except OverflowError as exc:
        raise FunctionError("timeadd(): out of range") from exc


@known("timecmp()")
def timecmp(first: Any, second: Any) -> Any:
    a, b = _timestamp(first), _timestamp(second)
    return (a > b) - (a < b)


_FORMAT_TOKENS = re.compile(
    r"'(?:[^']|'')*'|YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|mm|m|ss|s|AA|aa|ZZZZZ|ZZZZ|ZZZ|Z|[A-Za-z]+|.",
    re.DOTALL,
)


def _zone(moment: datetime, style: str) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if style == "ZZZ":
        return "UTC" if not offset else moment.strftime("%z")
    if not offset and style == "Z":
        return "Z"
    raw = moment.strftime("%z")
    return raw if style == "ZZZZ" else raw[:3] + ":" + raw[3:]


@known("formatdate()")
def formatdate(spec: Any, timestamp: Any) -> Any:
    moment = _timestamp(timestamp)
    out: list[str] = []
    for token in _FORMAT_TOKENS.findall(text(spec)):
        if token.startswith("'"):
            out.append(token[1:-1].replace("''", "'") if len(token) > 1 else "")
            continue
        hour12 = moment.hour % 12 or 12
        table = {
            "YYYY": f"{moment.year:04d}",
            "YY": f"{moment.year % 100:02d}",
            "MMMM": moment.strftime("%B"),
            "MMM": moment.strftime("%b"),
            "MM": f"{moment.month:02d}",
            "M": str(moment.month),
            "DD": f"{moment.day:02d}",
            "D": str(moment.day),
            "EEEE": moment.strftime("%A"),
            "EEE": moment.strftime("%a"),
            "hh": f"{moment.hour:02d}",
            "h": str(moment.hour),
            "HH": f"{hour12:02d}",
            "H": str(hour12),
            "mm": f"{moment.minute:02d}",
            "m": str(moment.minute),
            "ss": f"{moment.second:02d}",
            "s": str(moment.second),
            "AA": "AM" if moment.hour < 12 else "PM",
            "aa": "am" if moment.hour < 12 else "pm",
        }
        if token in table:
            out.append(table[token])
        elif token in ("Z", "ZZZZ", "ZZZZZ", "ZZZ"):
            out.append(_zone(moment, token))
        elif token.isalpha():
            raise FunctionError("formatdate(): unsupported format letter")
        else:
            out.append(token)
    return "".join(out)


@known("basename()")
def basename(path: Any) -> Any:
    value = text(path).rstrip("/")
    return (value.rsplit("/", 1)[-1] or "/") if value else ("/" if text(path) else ".")


@known("dirname()")
def dirname(path: Any) -> Any:
    value = text(path)
    if "/" not in value:
        return "."
    head = value.rsplit("/", 1)[0].rstrip("/")
    return head or "/"


def pathexpand(path: Any) -> Any:
    """A path that does not start with ``~`` is returned as it is; ``~`` is the home of whoever runs Terraform."""
    if isinstance(path, Unknown):
        return ops.unknown("pathexpand()", path)
    value = text(path)  # null is an error, so try(pathexpand(null), x) is x
    return value if not value.startswith("~") else Unknown("pathexpand()")


TIME_AND_PATH_FUNCTIONS: dict[str, Function] = {
    "basename": basename,
    "dirname": dirname,
    "pathexpand": pathexpand,
    "formatdate": formatdate,
    "timeadd": timeadd,
    "timecmp": timecmp,
}

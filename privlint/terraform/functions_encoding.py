"""Terraform's encoding and hash functions: JSON, YAML, base64, CSV, URLs, digests and ``uuidv5``.

``jsonencode`` of a collection keeps the structure (see ``JsonDocument``) so a policy document written
with ``jsonencode({...})`` stays readable, with its unknown parts, by the policy rules. Decoders are
bounded: YAML is read with the safe loader, without aliases, and both reject deep or huge input.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import gzip
import hashlib
import io
import json
import urllib.parse
import uuid
from typing import Any

import yaml

from privlint.model.values import LineDict, PartialList, Unknown, is_known
from privlint.terraform import operations as ops
from privlint.terraform.functions_support import (
    MAX_ELEMENTS,
    MAX_TEXT,
    Function,
    FunctionError,
    JsonDocument,
    JsonList,
    encoded,
    known,
    text,
)
from privlint.terraform.template_values import render_json

MAX_DECODE = 1_000_000
MAX_NESTING = 64


def _encode_nested(value: Any, depth: int = 0) -> Any:
    """Copy a structure with every nested ``jsonencode`` result turned into its JSON text, where known."""
    if depth > MAX_NESTING:
        raise FunctionError("jsonencode(): nested too deeply")
    if encoded(value) and is_known(value):
        return text(value)
    if isinstance(value, dict) and not isinstance(value, Unknown):
        return JsonDocument(
            {str(k): _encode_nested(v, depth + 1) for k, v in value.items()},
            line=getattr(value, "line", None),
        )
    if isinstance(value, list):
        return [_encode_nested(v, depth + 1) for v in value]
    return value


def jsonencode(value: Any) -> Any:
    if isinstance(value, PartialList):
        return ops.unknown("jsonencode()", value)
    if isinstance(value, dict) and not isinstance(value, Unknown):
        return _encode_nested(value)
    if isinstance(value, list):
        return JsonList(_encode_nested(value))
    if isinstance(value, Unknown):
        return ops.unknown("jsonencode()", value)
    rendered = render_json(value)
    if not isinstance(rendered, str):
        raise FunctionError("jsonencode(): value cannot be encoded")
    return rendered


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_NESTING:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def _with_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return LineDict({k: _with_lines(v) for k, v in value.items()}, line=None)
    if isinstance(value, list):
        return [_with_lines(v) for v in value]
    if isinstance(value, float):
        return ops.normal_number(value)
    return value


def jsondecode(value: Any) -> Any:
    if encoded(value):
        return _plain_copy(value)  # jsondecode(jsonencode(x)) is x, unknown parts included
    if not is_known(value):
        return ops.unknown("jsondecode()", value)
    source = text(value)
    if len(source) > MAX_DECODE:
        return Unknown("jsondecode(): text too long")
    try:
        decoded = json.loads(source)
    except RecursionError:
        return Unknown("jsondecode(): nested too deeply")
    except ValueError as exc:
        raise FunctionError("jsondecode(): invalid JSON") from exc
    if not _depth_ok(decoded):
        return Unknown("jsondecode(): nested too deeply")
    return _with_lines(decoded)


def _plain_copy(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, Unknown):
        return LineDict(
            {k: _plain_copy(v) for k, v in value.items()},
            line=getattr(value, "line", None),
        )
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


class _SafeLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: an alias bomb cannot make it expand exponentially."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not read")
        return super().compose_node(parent, index)


def yamldecode(value: Any) -> Any:
    if not is_known(value):
        return ops.unknown("yamldecode()", value)
    source = text(value)
    if len(source) > MAX_DECODE:
        return Unknown("yamldecode(): text too long")
    try:
        documents = list(yaml.load_all(source, Loader=_SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        if "aliases" in str(exc):
            return Unknown("yamldecode(): YAML aliases")
        raise FunctionError("yamldecode(): invalid YAML") from exc
    if len(documents) > 1:
        raise FunctionError("yamldecode(): more than one document")
    decoded = _yaml_plain(documents[0] if documents else None)
    if not _depth_ok(decoded):
        return Unknown("yamldecode(): nested too deeply")
    return _with_lines(decoded)


def _yaml_plain(value: Any) -> Any:
    """YAML's dates and binary data as the strings Terraform gives; keys as strings."""
    if isinstance(value, dict):
        return {_scalar_key(k): _yaml_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_plain(v) for v in value]
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _scalar_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return text(value)
    return json.dumps(text(value), ensure_ascii=False)


def _yaml_lines(value: Any, indent: int, depth: int) -> list[str]:
    if depth > MAX_NESTING:
        raise FunctionError("yamlencode(): nested too deeply")
    pad = " " * indent
    if isinstance(value, dict) and not encoded(value):
        if not value:
            return [pad + "{}"]
        lines: list[str] = []
        for key in sorted(value):
            item = value[key]
            name = json.dumps(str(key), ensure_ascii=False)
            if _is_block(item):
                lines.append(f"{pad}{name}:")
                lines.extend(_yaml_lines(item, indent + (0 if isinstance(item, list) else 2), depth + 1))
            else:
                lines.append(f"{pad}{name}: {_inline(item)}")
        return lines
    if isinstance(value, list) and not encoded(value):
        if not value:
            return [pad + "[]"]
        lines = []
        for item in value:
            if _is_block(item):
                nested = _yaml_lines(item, indent + 2, depth + 1)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_inline(item)}")
        return lines
    return [pad + _yaml_scalar(value)]


def _is_block(value: Any) -> bool:
    return isinstance(value, (dict, list)) and not encoded(value) and bool(value)


def _inline(value: Any) -> str:
    if isinstance(value, dict) and not encoded(value):
        return "{}"
    if isinstance(value, list) and not encoded(value):
        return "[]"
    return _yaml_scalar(value)


@known("yamlencode()")
def yamlencode(value: Any) -> Any:
    out = "\n".join(_yaml_lines(value, 0, 0)) + "\n"
    if len(out) > MAX_TEXT:
        raise FunctionError("yamlencode(): result too large")
    return out


@known("base64encode()")
def base64encode(value: Any) -> Any:
    return base64.b64encode(text(value).encode("utf-8")).decode("ascii")


@known("base64decode()")
def base64decode(value: Any) -> Any:
    try:
        raw = base64.b64decode(text(value), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise FunctionError("base64decode(): not base64 of UTF-8 text") from exc


@known("base64gzip()")
def base64gzip(value: Any) -> Any:
    return base64.b64encode(gzip.compress(text(value).encode("utf-8"), mtime=0)).decode("ascii")


_ENCODINGS = {
    "UTF-8": "utf-8",
    "UTF-16LE": "utf-16-le",
    "UTF-16BE": "utf-16-be",
    "UTF-16": "utf-16",
}


def _codec(name: Any) -> str:
    label = text(name)
    try:
        return _ENCODINGS.get(label.upper()) or codecs.lookup(label).name
    except LookupError as exc:
        raise FunctionError("unknown character encoding") from exc


@known("textencodebase64()")
def textencodebase64(value: Any, encoding: Any) -> Any:
    try:
        return base64.b64encode(text(value).encode(_codec(encoding))).decode("ascii")
    except UnicodeError as exc:
        raise FunctionError("textencodebase64(): text not encodable") from exc


@known("textdecodebase64()")
def textdecodebase64(value: Any, encoding: Any) -> Any:
    try:
        return base64.b64decode(text(value), validate=True).decode(_codec(encoding))
    except (binascii.Error, ValueError) as exc:
        raise FunctionError("textdecodebase64(): invalid input") from exc


@known("urlencode()")
def urlencode(value: Any) -> Any:
    return urllib.parse.quote(text(value), safe="-._~")


@known("csvdecode()")
def csvdecode(value: Any) -> Any:
    rows = list(csv.reader(io.StringIO(text(value)), strict=True))
    if not rows:
        raise FunctionError("csvdecode(): no header row")
    if len(rows) > MAX_ELEMENTS:
        return Unknown("csvdecode(): too many rows")
    header, body = rows[0], [r for r in rows[1:] if r]
    if any(len(r) != len(header) for r in body):
        raise FunctionError("csvdecode(): rows of different lengths")
    return [dict(zip(header, r, strict=True)) for r in body]


def _digest(algorithm: str, as_base64: bool) -> Function:
    label = ("base64" if as_base64 else "") + algorithm + "()"

    @known(label)
    def digest(value: Any) -> Any:
        raw = hashlib.new(algorithm, text(value).encode("utf-8"))
        return base64.b64encode(raw.digest()).decode("ascii") if as_base64 else raw.hexdigest()

    return digest


_UUID_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


@known("uuidv5()")
def uuidv5(namespace: Any, name: Any) -> Any:
    label = text(namespace)
    try:
        space = _UUID_NAMESPACES.get(label) or uuid.UUID(label)
    except ValueError as exc:
        raise FunctionError("uuidv5(): invalid namespace") from exc
    return str(uuid.uuid5(space, text(name)))


ENCODING_FUNCTIONS: dict[str, Function] = {
    "base64decode": base64decode,
    "base64encode": base64encode,
    "base64gzip": base64gzip,
    "base64sha256": _digest("sha256", True),
    "base64sha512": _digest("sha512", True),
    "csvdecode": csvdecode,
    "jsondecode": jsondecode,
    "jsonencode": jsonencode,
    "md5": _digest("md5", False),
    "sha1": _digest("sha1", False),
    "sha256": _digest("sha256", False),
    "sha512": _digest("sha512", False),
    "textdecodebase64": textdecodebase64,
    "textencodebase64": textencodebase64,
    "urlencode": urlencode,
    "uuidv5": uuidv5,
    "yamldecode": yamldecode,
    "yamlencode": yamlencode,
}

"""A JSON reader that remembers the line each object starts on.

The standard library's decoder gives no positions, and findings need lines. Objects become
``LineDict`` (a dict with ``.line``); everything else is plain JSON. Errors carry a line number.
"""

from __future__ import annotations

import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from privlint.core.values import LineDict

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
MAX_DEPTH = 200


class JsonError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"{message} (line {line})")
        self.reason = message
        self.line = line


class KeyedLineDict(LineDict):
    """A parsed JSON object that also remembers the line of each of its keys."""

    __slots__ = ("key_lines",)

    def __init__(self, line: int | None = None) -> None:
        super().__init__(line=line)
        self.key_lines: dict[str, int] = {}


class _Reader:
    def __init__(self, text: str, key_lines: bool = False) -> None:
        self.text = text
        self.key_lines = key_lines
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        import bisect

        return bisect.bisect_left(self.newlines, pos) + 1

    def fail(self, message: str, pos: int) -> JsonError:
        return JsonError(message, self.line_at(pos))

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise self.fail("JSON nested too deeply", pos)
        text = self.text
        pos = self.skip(pos)
        if pos >= len(text):
            raise self.fail("unexpected end of JSON", pos)
        ch = text[pos]
        if ch == "{":
            return self.obj(pos, depth)
        if ch == "[":
            return self.array(pos, depth)
        if ch == '"':
            try:
                return scanstring(text, pos + 1, True)
            except ValueError as exc:
                raise self.fail(f"invalid string: {exc.args[0].split(':')[0]}", pos) from None
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                return val, pos + len(word)
        m = _NUMBER.match(text, pos)
        if m and m.end() > pos:
            num = m.group(0)
            return (float(num) if m.group(1) or m.group(2) else int(num)), m.end()
        raise self.fail(f"unexpected character {ch!r}", pos)

    def obj(self, pos: int, depth: int) -> tuple[LineDict, int]:
        out = KeyedLineDict(line=self.line_at(pos)) if self.key_lines else LineDict(line=self.line_at(pos))
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise self.fail("expected a property name in double quotes", pos)
            key_pos = pos
            try:
                key, pos = scanstring(self.text, pos + 1, True)
            except ValueError:
                raise self.fail("invalid property name", pos) from None
            if isinstance(out, KeyedLineDict):
                out.key_lines[key] = self.line_at(key_pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after a property name", pos)
            value, pos = self.value(pos + 1, depth + 1)
            out[key] = value
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                return out, pos + 1
            raise self.fail("expected ',' or '}' in an object", pos)

    def array(self, pos: int, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            value, pos = self.value(pos, depth + 1)
            out.append(value)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("]", pos):
                return out, pos + 1
            raise self.fail("expected ',' or ']' in an array", pos)


def loads(text: str, key_lines: bool = False) -> Any:
    """Parse JSON text; objects are ``LineDict`` with the line they start on. Raises JsonError.

    With ``key_lines`` objects are ``KeyedLineDict`` and also record the line of every key.
    """
    reader = _Reader(text, key_lines)
    value, pos = reader.value(0, 0)
    pos = reader.skip(pos)
    if pos != len(text):
        raise reader.fail("extra data after the JSON value", pos)
    return value

"""A JSON reader that remembers the line each object starts on.

The standard library's decoder gives no positions, and findings need lines. Objects become
``LineDict`` (a dict with ``.line``); everything else is plain JSON. Errors carry a line number.
Hostile input is an error with a line, never a crash: nesting beyond ``MAX_DEPTH``, numbers too long
to convert or too large for a float. ``outline`` reads only the top levels, to tell what a file is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]  # not declared in typeshed
from typing import Any

from privlint.model.problems import SourceError
from privlint.model.values import LineDict

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_SCALAR_END = re.compile(r"[,}\]\s]")
_STRUCTURE = re.compile(r'["{}\[\]]')
MAX_DEPTH = 200
MAX_NUMBER_CHARACTERS = 4_000  # under Python's own int-conversion limit (4,300 digits), so the message is ours
_INFINITIES = (float("inf"), float("-inf"))
# json's own string scanner: (text, index after the opening quote, strict) -> (string, index after the closing quote)
_scan_string: Callable[[str, int, bool], tuple[str, int]] = scanstring


class JsonError(SourceError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message, line)
        self.args = (f"{message} (line {line})",)
        self.reason = message


class KeyedLineDict(LineDict):
    """A parsed JSON object that also remembers the line of each of its keys."""

    __slots__ = ("key_lines",)

    def __init__(self, line: int | None = None) -> None:
        super().__init__(line=line)
        self.key_lines: dict[str, int] = {}


class _Reader:
    def __init__(self, text: str, keep_depth: int | None = None, key_lines: bool = False) -> None:
        self.text = text
        self.key_lines = key_lines
        self.keep_depth = keep_depth  # outline: values deeper than this are skipped and read as None
        # Lines are counted forward from the last position asked about (the reader moves forward): a
        # table of every newline would cost 36 bytes per line of input.
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        if pos < self._line_pos:
            self._line_pos, self._line = 0, 1
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def fail(self, message: str, pos: int) -> JsonError:
        return JsonError(message, self.line_at(pos))

    def skip(self, pos: int) -> int:
        blank = _WS.match(self.text, pos)  # matches, if only the empty string
        return blank.end() if blank else pos

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        if self.keep_depth is not None and depth > self.keep_depth:
            return None, self.skip_value(pos)
        if depth > MAX_DEPTH:
            raise self.fail(f"JSON nested more than {MAX_DEPTH} levels deep", pos)
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
                return _scan_string(text, pos + 1, True)
            except ValueError as exc:
                raise self.fail(f"invalid string: {exc.args[0].split(':')[0]}", pos) from None
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                return val, pos + len(word)
        m = _NUMBER.match(text, pos)
        if m and m.end() > pos:
            return self.number(m), m.end()
        raise self.fail(f"unexpected character {ch!r}", pos)

    def number(self, m: re.Match[str]) -> int | float:
        num = m.group(0)
        outlining = self.keep_depth is not None  # the parse proper reports a bad number
        if len(num) > MAX_NUMBER_CHARACTERS:
            if outlining:
                return 0
            raise self.fail(f"a number of {len(num):,} characters: too long to read", m.start())
        if not (m.group(1) or m.group(2)):
            return int(num)
        value = float(num)
        if value in _INFINITIES and not outlining:
            raise self.fail("a number too large to represent", m.start())
        return value

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
                key, pos = _scan_string(self.text, pos + 1, True)
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

    def skip_value(self, pos: int) -> int:
        """The end of the value at ``pos``, without building it (iterative: any depth costs no stack)."""
        text = self.text
        pos = self.skip(pos)
        if text.startswith('"', pos):
            return self.string_end(pos)
        if not text.startswith(("{", "["), pos):
            scalar_end = _SCALAR_END.search(text, pos)
            return scalar_end.start() if scalar_end else len(text)
        depth = 0
        while True:
            found = _STRUCTURE.search(text, pos)
            if found is None:
                raise self.fail("unexpected end of JSON", len(text))
            ch, pos = found.group(), found.end()
            if ch == '"':
                pos = self.string_end(pos - 1)
            elif ch in "{[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return pos

    def string_end(self, pos: int) -> int:
        try:
            return int(_scan_string(self.text, pos + 1, False)[1])
        except ValueError:
            raise self.fail("invalid string", pos) from None


def loads(text: str, key_lines: bool = False) -> Any:
    """Parse JSON text; objects are ``LineDict`` with the line they start on. Raises JsonError.

    With ``key_lines`` objects are ``KeyedLineDict`` and also record the line of every key.
    """
    reader = _Reader(text, key_lines=key_lines)
    value, pos = reader.value(0, 0)
    pos = reader.skip(pos)
    if pos != len(text):
        raise reader.fail("extra data after the JSON value", pos)
    return value


def outline(text: str, keep_depth: int = 3) -> Any:
    """The top ``keep_depth`` levels of a JSON document, deeper values as None: enough to tell what a
    file is when it is too deep or holds numbers too large to read in full. Raises JsonError."""
    return _Reader(text, keep_depth).value(0, 0)[0]

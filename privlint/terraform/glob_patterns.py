"""``fileset()``'s glob patterns: ``*``, ``**``, ``?``, ``[class]``, ``[!class]`` and ``{a,b}``.

Matched by stepping a set of pattern positions through the name (no backtracking), so a pattern
written to be slow (``*a*a*a*...b``) costs pattern length times name length, never more.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from privlint.model.values import Unknown

MAX_GLOB_LENGTH = 1_000
MAX_ALTERNATIVES = 64  # patterns a ``{a,b}{c,d}...`` expands to

# Tokens: a literal character, "?" (one character but "/"), a class, "*" (a run without "/"),
# "**/" (nothing, or a run that ends with "/") and "**" at the end (any run).
_ONE, _STAR, _DIRS, _ANY = "?", "*", "**/", "**"
Token = tuple[str, Any]


@dataclass(frozen=True)
class Glob:
    alternatives: tuple[tuple[Token, ...], ...]

    def matches(self, name: str) -> bool:
        return any(_match(tokens, name) for tokens in self.alternatives)


def glob_pattern(pattern: Any) -> Glob | None:
    """The pattern, or None when it is unknown, names a path outside the directory, or is malformed."""
    if not isinstance(pattern, str) or isinstance(pattern, Unknown) or len(pattern) > MAX_GLOB_LENGTH:
        return None
    cleaned = posixpath.normpath(pattern)
    if cleaned.startswith(("/", "../")) or cleaned == "..":
        return None
    pieces = _expand_braces(cleaned)
    if pieces is None:
        return None
    alternatives = []
    for piece in pieces:
        tokens = _tokens(piece)
        if tokens is None:
            return None
        alternatives.append(tokens)
    return Glob(tuple(alternatives))


def _expand_braces(pattern: str) -> list[str] | None:
    parts: list[list[str]] = []
    position = 0
    for match in re.finditer(r"\{([^{}]*)\}", pattern):
        parts.append([pattern[position : match.start()]])
        parts.append(match.group(1).split(","))
        position = match.end()
    parts.append([pattern[position:]])
    total = 1
    for options in parts:
        total *= len(options)
    if total > MAX_ALTERNATIVES:
        return None
    expanded = ["".join(choice) for choice in itertools.product(*parts)]
    return None if any(c in e for e in expanded for c in "{}") else expanded


def _tokens(pattern: str) -> tuple[Token, ...] | None:
    components = pattern.split("/")
    tokens: list[Token] = []
    for position, component in enumerate(components):
        last = position == len(components) - 1
        if component == "**":
            if tokens[-1:] != [(_DIRS, None)]:  # ``**/**`` is ``**``
                tokens.append((_ANY, None) if last else (_DIRS, None))
            continue
        i = 0
        while i < len(component):
            char = component[i]
            if char == "*":
                if tokens[-1:] != [(_STAR, None)]:
                    tokens.append((_STAR, None))
            elif char == "?":
                tokens.append((_ONE, None))
            elif char == "\\" and i + 1 < len(component):
                i += 1
                tokens.append(("lit", component[i]))
            elif char == "[":
                end = component.find("]", i + 2)
                if end < 0:
                    return None
                body = component[i + 1 : end]
                negate = body[:1] in ("^", "!")
                escaped = "".join("\\" + c if c in "\\^[]" else c for c in (body[1:] if negate else body))
                try:
                    tokens.append(("class", re.compile(f"[^/{escaped}]" if negate else f"[{escaped}]")))
                except re.error:
                    return None
                i = end
            else:
                tokens.append(("lit", char))
            i += 1
        if not last:
            tokens.append(("lit", "/"))
    return tuple(tokens)


def _closure(tokens: tuple[Token, ...], states: set[int]) -> set[int]:
    """Positions reachable without reading a character: a ``*`` or ``**`` may match nothing."""
    pending = list(states)
    reached = set(states)
    while pending:
        state = pending.pop()
        if state < len(tokens) and tokens[state][0] in (_STAR, _DIRS, _ANY) and state + 1 not in reached:
            reached.add(state + 1)
            pending.append(state + 1)
    return reached


def _match(tokens: tuple[Token, ...], name: str) -> bool:
    states = _closure(tokens, {0})
    for char in name:
        following: set[int] = set()
        for state in states:
            if state >= len(tokens):
                continue
            kind, value = tokens[state]
            if kind == "lit":
                if char == value:
                    following.add(state + 1)
            elif kind == _ONE:
                if char != "/":
                    following.add(state + 1)
            elif kind == "class":
                if value.fullmatch(char):
                    following.add(state + 1)
            elif kind == _STAR:
                if char != "/":
                    following.add(state)
            elif kind == _DIRS:
                following.add(state)
                if char == "/":
                    following.add(state + 1)
            else:  # _ANY
                following.add(state)
        if not following:
            return False
        states = _closure(tokens, following)
    return len(tokens) in states

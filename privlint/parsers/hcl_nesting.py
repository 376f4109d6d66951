"""Stopping a read: a bound on how deep the front-end reads, so untrusted input cannot exhaust the Python stack.

The counter tracks levels of the syntax tree being built (expressions, traversal steps, template
directives), so every tree the front-end returns is at most ``MAX_NESTING`` levels deep and any
recursive consumer (evaluator, equality, printing) stays far below the interpreter's recursion limit.
No real configuration comes close.
"""

from __future__ import annotations

MAX_NESTING = 200


class Unreadable(Exception):
    """Raised while reading an expression; the caller turns it into ``Invalid`` plus one syntax problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class NestingTooDeep(Unreadable):
    def __init__(self, line: int) -> None:
        super().__init__(line, "HCL syntax error: expression nested too deeply")


class Nesting:
    """The current depth. ``enter`` raises past the limit; after a raise the owner calls ``reset``."""

    __slots__ = ("depth",)

    def __init__(self) -> None:
        self.depth = 0

    def enter(self, line: int, levels: int = 1) -> None:
        self.depth += levels
        if self.depth > MAX_NESTING:
            raise NestingTooDeep(line)

    def leave(self, levels: int = 1) -> None:
        self.depth -= levels

    def reset(self) -> None:
        self.depth = 0

"""Input privlint cannot make sense of: the one error shape every reader raises, and the problem it becomes.

A reader raises ``SourceError(message, line)``; the format that called it turns it into a ``Problem`` of
its file (a PL000 finding). Messages never quote the offending value: it may be a secret.
"""

from __future__ import annotations

from dataclasses import dataclass


class SourceError(ValueError):
    """Text a reader cannot read, at a line (None when the whole file is at fault)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Problem:
    """A document privlint could read but not make sense of (e.g. a policy that is not valid JSON)."""

    file: str
    line: int | None
    resource: str
    message: str

"""How a failure inside privlint is described to the user: why, never the exception's text.

The text of an exception may quote a value from the scanned input (a secret), so only its kind is named.
"""

from __future__ import annotations


def failure_reason(exc: BaseException) -> str:
    """``nested too deeply``, ``out of memory``, the system's reason for an OSError, or the exception's kind."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"internal error {type(exc).__name__}"


def could_not_analyse(exc: BaseException) -> str:
    return f"privlint could not analyse this file ({failure_reason(exc)})"

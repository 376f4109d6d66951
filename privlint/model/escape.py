"""Escaping of text that came from scanned files (names, values, reasons) before it reaches an output.

A file name or resource name is written by whoever wrote the scanned code: a newline in it must not
forge a finding line, an escape sequence must not drive the terminal, a spreadsheet must not run it
as a formula, and a Markdown table or CI annotation must not gain rows or fields from it.
"""

from __future__ import annotations

import re

# C0/C1 controls, DEL, line/paragraph separators and format characters (bidi overrides, zero-width).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def printable(text: str) -> str:
    """``text`` with every control or invisible formatting character shown as a visible escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(
        lambda m: _NAMED.get(
            m.group(),
            f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}",
        ),
        text,
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text (OWASP CSV injection: prefix a quote to formula starts)."""
    if text.startswith(_FORMULA_START) and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return "'" + text
    return text


def markdown_cell(text: str) -> str:
    """One Markdown table cell: no line breaks, and a '|' is not a column separator."""
    return printable(text).replace("|", "\\|")


def annotation_data(text: str) -> str:
    """The message of a GitHub Actions workflow command (``::error ...::message``)."""
    # Line breaks are the command's own escapes; any other control character (ESC) is shown, not sent.
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def annotation_property(text: str) -> str:
    """A property value of a workflow command (``file=...,line=...``): ':' and ',' separate fields."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")

"""Single-file input formats: the table of them, and how a file's format is recognised by content.

Terraform is read per module directory by the engine; every other format is one file = one unit.
A new format is a module ``privlint/pipeline/format_<name>.py`` defining ``FORMAT`` (see
``privlint.pipeline.units.Format``), listed in ``all_formats``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from privlint.pipeline.units import Document, Format


@lru_cache(maxsize=1)
def all_formats() -> tuple[Format, ...]:
    """Every single-file format, in the order they are tried (imported on first use: a run of
    Terraform files alone never loads the others)."""
    from privlint.pipeline import (
        format_cloudformation,
        format_credential_report,
        format_github_snapshot,
        format_iam_authorization_details,
        format_peribolos,
        format_plan,
        format_safe_settings,
    )

    return (
        format_cloudformation.FORMAT,
        format_credential_report.FORMAT,
        format_peribolos.FORMAT,
        format_safe_settings.FORMAT,
        format_github_snapshot.FORMAT,
        format_iam_authorization_details.FORMAT,
        format_plan.FORMAT,
    )


def sniff_suffixes() -> tuple[str, ...]:
    return tuple(sorted({s for f in all_formats() for s in f.suffixes}))


def detect(text: str, name: str) -> Format | None:
    """The first format that recognises this file, or None."""
    stripped = text.lstrip()
    decoded = None
    if stripped.startswith(("{", "[")):
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            # Too deep, or a number too long to convert: its top levels still tell what the file is,
            # and its format's parser reports the problem with a line instead of skipping the file.
            decoded = _outline(text)
    doc = Document(text, name, decoded)
    for fmt in all_formats():
        if name.endswith(fmt.suffixes) and fmt.sniff(doc):
            return fmt
    return None


def _outline(text: str) -> Any:
    from privlint.parsers.jsonpos import JsonError, outline

    try:
        return outline(text, keep_depth=3)
    except JsonError:
        return None


def by_name(name: str) -> Format:
    return next(f for f in all_formats() if f.name == name)

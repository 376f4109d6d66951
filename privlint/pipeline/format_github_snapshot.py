"""GitHub organisation snapshots (JSON, the REST API's shapes) as a format.

The file is validated against the published schema (privlint/data/schemas/github-org-snapshot.schema.json);
each schema error becomes a parse-error finding naming its JSON path and line, and nothing else in
that file is analysed (a half-understood snapshot could hide an owner).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.model.values import line_of
from privlint.pipeline.units import Document, Format, Unit

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "schemas" / "github-org-snapshot.schema.json"
MARKER = "github_org_snapshot"
MAX_SCHEMA_ERRORS = 20  # enough to fix a file; a wholly wrong file would otherwise flood the report


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _is_snapshot(doc: Document) -> bool:
    if isinstance(doc.json, dict):
        return MARKER in doc.json
    # Broken JSON that says it is a snapshot: parse it to report its error.
    return doc.json is None and doc.text.lstrip().startswith("{") and f'"{MARKER}"' in doc.text[:4096]


def json_path(parts: Iterable[str | int]) -> str:
    """jsonschema's path (deque of keys and indexes) as ``$.repositories[0].name``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def line_at(data: Any, parts: Iterable[str | int]) -> int | None:
    """The line of the deepest object on the path that the line-aware reader placed."""
    line = line_of(data)
    node = data
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = line_of(node) or line
    return line


def schema_error_text(error: ValidationError) -> str:
    """What a jsonschema error says, without the offending value (a token in a wrongly typed field)."""
    kind, expected = error.validator, error.validator_value
    if kind in ("required", "additionalProperties", "dependentRequired"):
        return str(error.message)  # names properties, not values
    if kind == "type":
        return f"not of type {' or '.join(map(repr, expected)) if isinstance(expected, list) else repr(expected)}"
    if kind in ("enum", "const"):
        return "not one of the allowed values"
    if kind == "pattern":
        return f"does not match {expected!r}"
    if kind == "format":
        return f"not a valid {expected}"
    if kind in ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"fails {kind} {expected}"
    return f"does not satisfy the schema ({kind})"


def validate(data: Any, display: str) -> list[Problem]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    problems = []
    for error in errors[:MAX_SCHEMA_ERRORS]:
        path = json_path(error.absolute_path)
        message = schema_error_text(error)
        message = message if len(message) <= 160 else message[:157] + "..."
        problems.append(Problem(display, line_at(data, error.absolute_path), display, f"GitHub org snapshot: {path}: {message}"))
    if len(errors) > MAX_SCHEMA_ERRORS:
        problems.append(Problem(display, None, display, f"GitHub org snapshot: {len(errors) - MAX_SCHEMA_ERRORS} more schema errors not shown"))
    return problems


def _parse(text: str, display: str, settings: Settings) -> Unit:
    from privlint.normalize.github import from_snapshot
    from privlint.parsers.jsonpos import JsonError, loads

    unit = Unit()
    try:
        data = loads(text)
    except JsonError as exc:
        unit.problems.append(Problem(display, exc.line, display, f"invalid JSON: {exc.reason}"))
        return unit
    problems = validate(data, display)
    if problems:
        unit.problems.extend(problems)
        return unit
    unit.inventory.github_orgs.append(from_snapshot(data, display))
    return unit


FORMAT = Format("github-snapshot", (".json",), _is_snapshot, _parse)

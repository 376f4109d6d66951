"""Attribute-level differences between two documents, and how their values may be shown.

A ``Difference`` names one path that changed (``policy``, ``ingress[0].cidr_blocks``) with its value
before and after. Added or removed subtrees are reported once, at their root. Lists are compared
element by element (Terraform plans, CloudFormation), or as sets when the order carries no meaning
(grants in two snapshots): then a changed list is one difference at the list's path.

Values are compared as they are, but never shown as they are: ``shown()`` replaces every sensitive
value (``privlint.config_drift.sensitive``) with ``(sensitive)``, and every value that leaves this
package goes through it. A difference that withheld something carries keyed fingerprints of its raw
values instead, for the audit log.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict

from privlint.config_drift.sensitive import fingerprint, is_sensitive_path, looks_secret
from privlint.model.values import PartialString, Reference, Unknown

Path = tuple[str | int, ...]
Kind = Literal["changed", "added", "removed", "created", "deleted", "replaced"]

KNOWN_AFTER_APPLY = Unknown("known after apply")
SENSITIVE = "(sensitive)"
_MISSING = object()


class DifferenceSite(TypedDict):
    """Where a resource's differences were found: the fields every ``Difference`` of it shares."""

    source: str
    file: str
    line: int
    resource: str
    resource_type: str


class Difference(BaseModel):
    """One change to one resource: an attribute path (empty for the whole resource) and its values."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    source: str  # "resource_drift", "resource_changes", "cloudformation-drift", "snapshot"
    file: str
    line: int
    resource: str
    resource_type: str = ""
    path: Path = ()
    kind: Kind = "changed"
    before: Any = None  # already safe to show (see shown())
    after: Any = None
    sensitive: bool = False  # a value (or part of one) was withheld: marked sensitive, or it looks secret
    before_fingerprint: str | None = None  # keyed hash of the withheld raw value (see sensitive.fingerprint)
    after_fingerprint: str | None = None

    @property
    def attribute(self) -> str:
        return render_path(self.path)


def render_path(path: Path) -> str:
    """``("ingress", 0, "cidr_blocks")`` -> ``ingress[0].cidr_blocks``; empty -> ``""``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))


def diff(before: Any, after: Any, *, lists_as_sets: bool = False, path: Path = ()) -> list[tuple[Path, Any, Any]]:
    """Every changed path as (path, before, after); an absent side is ``None``.

    Use ``diff_kinds`` to tell a value that was added or removed from one changed to or from null.
    """
    return [(p, b, a) for p, b, a, _k in diff_kinds(before, after, lists_as_sets=lists_as_sets, path=path)]


def diff_kinds(before: Any, after: Any, *, lists_as_sets: bool = False, path: Path = ()) -> list[tuple[Path, Any, Any, Kind]]:
    """(path, before, after, kind) for every changed path; kind is changed, added or removed."""
    out: list[tuple[Path, Any, Any, Kind]] = []
    _walk(before, after, path, lists_as_sets, out)
    return out


def _walk(before: Any, after: Any, path: Path, as_sets: bool, out: list[tuple[Path, Any, Any, Kind]]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted({*before, *after}, key=str):
            b, a = before.get(key, _MISSING), after.get(key, _MISSING)
            if b is _MISSING:
                out.append(((*path, key), None, a, "added"))
            elif a is _MISSING:
                out.append(((*path, key), b, None, "removed"))
            else:
                _walk(b, a, (*path, key), as_sets, out)
        return
    if isinstance(before, list) and isinstance(after, list):
        if as_sets:
            if sorted(map(_canonical, before)) != sorted(map(_canonical, after)):
                out.append((path, before, after, "changed"))
            return
        for index in range(max(len(before), len(after))):
            if index >= len(before):
                out.append(((*path, index), None, after[index], "added"))
            elif index >= len(after):
                out.append(((*path, index), before[index], None, "removed"))
            else:
                _walk(before[index], after[index], (*path, index), as_sets, out)
        return
    if not _same(before, after):
        out.append((path, before, after, "changed"))


def _same(a: Any, b: Any) -> bool:
    # bool is an int in Python; true and 1 are different values in configuration.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def marked(marks: Any, path: Path) -> bool:
    """True when a Terraform-style mark tree (``before_sensitive``, ``after_unknown``) marks ``path`` or a parent."""
    return subtree(marks, path) is True


def subtree(marks: Any, path: Path) -> Any:
    """The part of a mark tree under ``path`` (``True`` when a parent is marked)."""
    node = marks
    for step in path:
        if node is True:
            return True
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    return node


def with_unknowns(value: Any, unknown: Any) -> Any:
    """Put ``KNOWN_AFTER_APPLY`` wherever ``after_unknown`` marks a value (the plan omits those values)."""
    if unknown is True:
        return KNOWN_AFTER_APPLY
    if isinstance(unknown, dict):
        base = dict(value) if isinstance(value, dict) else {}
        for key, mark in unknown.items():
            if mark is True or isinstance(mark, (dict, list)):
                base[key] = with_unknowns(base.get(key), mark)
        return base if base or isinstance(value, dict) else value
    if isinstance(unknown, list) and isinstance(value, list):
        return [with_unknowns(v, unknown[i]) if i < len(unknown) else v for i, v in enumerate(value)]
    return value


def shown(value: Any, sensitive_marks: Any = None, path: Path = (), resource_type: str = "") -> tuple[Any, bool]:
    """A copy of ``value`` (found at ``path`` of a ``resource_type``) safe to print or log, and whether something was withheld.

    Marked parts, parts at a sensitive path and values that look secret become ``(sensitive)``; unknown
    values become readable placeholders.
    """
    if value is None:
        return None, False
    if isinstance(value, Unknown):
        return _unknown_text(value), False
    if sensitive_marks is True or is_sensitive_path(path, resource_type) or looks_secret(value):
        return SENSITIVE, True
    if isinstance(value, dict):
        out, hidden = {}, False
        for key, item in value.items():
            marks = sensitive_marks.get(key) if isinstance(sensitive_marks, dict) else None
            out[str(key)], h = shown(item, marks, (*path, str(key)), resource_type)
            hidden = hidden or h
        return out, hidden
    if isinstance(value, list):
        items, hidden = [], False
        for index, item in enumerate(value):
            marks = sensitive_marks[index] if isinstance(sensitive_marks, list) and index < len(sensitive_marks) else None
            shown_item, h = shown(item, marks, (*path, index), resource_type)
            items.append(shown_item)
            hidden = hidden or h
        return items, hidden
    if isinstance(value, str):
        return str(value), False  # drop str subclasses (SourceText)
    return value, False


def _unknown_text(value: Unknown) -> str:
    if isinstance(value, Reference) and value.address:
        return "${" + value.address + (f".{value.attribute}" if value.attribute else "") + "}"
    if isinstance(value, PartialString):
        return value.pattern()
    return f"({value.source or 'unknown'})"


def brief(value: Any, limit: int = 80) -> str:
    """A one-line rendering of a shown value for messages."""
    if value is None:
        return "null"
    text = value if isinstance(value, str) else _canonical(value)
    text = json.dumps(text) if isinstance(value, str) else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_values(
    path: Path, before: Any, after: Any, before_sensitive: Any = None, after_sensitive: Any = None, resource_type: str = ""
) -> tuple[Any, Any, bool]:
    """Before and after at ``path`` as they may be shown, and whether something was withheld."""
    b, hidden_b = shown(before, subtree(before_sensitive, path), path, resource_type)
    a, hidden_a = shown(after, subtree(after_sensitive, path), path, resource_type)
    return b, a, hidden_b or hidden_a


def difference(path: Path, kind: Kind, before: Any, after: Any, *, before_sensitive: Any = None, after_sensitive: Any = None, **common: Any) -> Difference:
    """One difference with its values made safe to show (and fingerprinted when something was withheld)."""
    shown_b, shown_a, hidden = safe_values(path, before, after, before_sensitive, after_sensitive, common.get("resource_type", ""))
    return Difference(
        path=path,
        kind=kind,
        before=shown_b,
        after=shown_a,
        sensitive=hidden,
        before_fingerprint=fingerprint(before) if hidden else None,
        after_fingerprint=fingerprint(after) if hidden else None,
        **common,
    )


def differences_between(
    before: Any,
    after: Any,
    *,
    source: str,
    file: str,
    line: int,
    resource: str,
    resource_type: str = "",
    before_sensitive: Any = None,
    after_sensitive: Any = None,
    lists_as_sets: bool = False,
) -> list[Difference]:
    """Attribute-level differences of one resource, with values already made safe to show."""
    common: DifferenceSite = {"source": source, "file": file, "line": line, "resource": resource, "resource_type": resource_type}
    return [
        difference(path, kind, b, a, before_sensitive=before_sensitive, after_sensitive=after_sensitive, **common)
        for path, b, a, kind in diff_kinds(before, after, lists_as_sets=lists_as_sets)
    ]


def whole_resource(
    kind: Kind, value: Any, *, source: str, file: str, line: int, resource: str, resource_type: str = "", sensitive_marks: Any = None, before: bool = False
) -> Difference:
    """A resource created, deleted or replaced as a whole (path empty)."""
    safe, hidden = shown(value, sensitive_marks, (), resource_type)
    digest = fingerprint(value) if hidden else None
    return Difference(
        source=source,
        file=file,
        line=line,
        resource=resource,
        resource_type=resource_type,
        kind=kind,
        before=safe if before else None,
        after=None if before else safe,
        sensitive=hidden,
        before_fingerprint=digest if before else None,
        after_fingerprint=None if before else digest,
    )

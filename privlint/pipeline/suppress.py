"""Suppressions: accepted exceptions to a control, kept as a risk register (PAM-3).

Three spellings, one model:
- an inline comment inside or directly above a Terraform block or CloudFormation resource:
  ``# privlint:ignore PL101 reason="break-glass account" owner=secops until=2026-12-31``
  (checkov's ``#checkov:skip=CKV_PRIVLINT_101:reason`` is honoured too);
- CloudFormation ``Metadata: {privlint: {ignore: [{id, reason, owner, until}]}}`` on a resource;
- ``suppressions:`` in the configuration file, by rule and resource glob.

A suppression without a reason does not apply and is reported (PL001); an expired one no longer
applies and is reported (PL002); one that matched nothing is reported (PL003); one without an
owner or expiry applies but is reported as an incomplete risk-register entry (PL004).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from privlint.model.findings import Finding, Suppression

_IGNORE = re.compile(r"(?:#|//)\s*privlint:ignore\s+(?P<body>.*)$")
_CHECKOV = re.compile(r"#\s*checkov:skip=(?P<id>[A-Z0-9_]+)(?::(?P<reason>.*))?$")


def has_reason(suppression: Suppression) -> bool:
    """A reason of only spaces explains nothing: it is no reason."""
    return bool(suppression.reason and suppression.reason.strip())


@dataclass
class Directive:
    """A suppression and what it covers: a line range of a file, or a resource (address glob)."""

    suppression: Suppression
    file_glob: str | None = None  # config suppressions: glob on the finding's file
    resource_glob: str | None = None
    lines: tuple[int, int] | None = None  # inline: the block the comment belongs to
    problem: str | None = None  # why it cannot apply (malformed), reported as PL001
    used: int = 0
    covered: list[str] = field(default_factory=list)  # resources of the findings it suppressed

    def covers(self, finding: Finding) -> bool:
        s = self.suppression
        if not _rule_matches(s.rule, finding.rule_id):
            return False
        if self.lines is not None:
            return finding.file == s.file and self.lines[0] <= finding.line <= self.lines[1]
        if self.file_glob is not None and not fnmatch.fnmatch(finding.file, self.file_glob):
            return False
        if self.resource_glob is not None:
            if self.file_glob is None and finding.file != s.file:
                return False  # metadata suppressions name a resource of their own template
            return fnmatch.fnmatchcase(finding.resource, self.resource_glob)
        return True


def _rule_matches(wanted: str, rule_id: str) -> bool:
    from privlint.model.catalog import load_catalog

    if wanted.upper() == rule_id:
        return True
    meta = load_catalog().get(rule_id)
    return meta is not None and wanted.lower() == meta.name


def checkov_rule(check_id: str) -> str | None:
    """``CKV_PRIVLINT_101`` -> ``PL101`` (the bundle's checks are numbered after the rule ids)."""
    m = re.fullmatch(r"CKV_PRIVLINT_(\d{3})", check_id)
    return f"PL{m.group(1)}" if m else None


# --------------------------------------------------------------------------- reading directives


def comment_directives(text: str, file: str, columns: dict[int, int] | None = None) -> list[tuple[int, Suppression, str | None]]:
    """(line, suppression, problem) for every privlint:ignore / checkov:skip comment in a file.

    Only real comments count: the same words inside a string, a heredoc or a YAML block scalar are data.
    ``columns`` (line -> column where its comment starts) comes from the caller's parser, else from
    the small lexer of ``privlint.pipeline.comments``.
    """
    from privlint.pipeline.comments import comment_columns, syntax_of

    if "privlint:ignore" not in text and "checkov:skip" not in text:
        return []
    if columns is None:
        columns = comment_columns(text, syntax_of(file, text))
    out: list[tuple[int, Suppression, str | None]] = []
    lines = text.splitlines()
    for number, column in columns.items():
        comment = lines[number - 1][column:]
        m = _IGNORE.match(comment)
        if m:
            out.extend((number, s, p) for s, p in _parse_ignore(m.group("body"), file, number))
            continue
        m = _CHECKOV.match(comment)
        if m and checkov_rule(m.group("id")):
            reason = (m.group("reason") or "").strip() or None
            out.append((number, Suppression(rule=checkov_rule(m.group("id")) or "", source="checkov", file=file, line=number, reason=reason), None))
    return out


def _parse_ignore(body: str, file: str, line: int) -> list[tuple[Suppression, str | None]]:
    try:
        words = shlex.split(body, comments=False)
    except ValueError:
        words = body.split()
    rules = [w for w in words if "=" not in w]
    fields = dict(w.split("=", 1) for w in words if "=" in w)
    problem = None
    until: dt.date | None = None
    if "until" in fields:
        try:
            until = dt.date.fromisoformat(fields["until"])
        except ValueError:
            problem = f"until={fields['until']!r} is not a date (YYYY-MM-DD)"
    if not rules:
        return [(Suppression(rule="?", source="inline", file=file, line=line), "names no rule id")]
    return [
        (
            Suppression(
                rule=r.rstrip(","), source="inline", file=file, line=line, reason=fields.get("reason") or None, owner=fields.get("owner") or None, until=until
            ),
            problem,
        )
        for r in rules
    ]


def attach_to_blocks(
    comments: list[tuple[int, Suppression, str | None]], blocks: list[tuple[int, int]], text: str, columns: dict[int, int] | None = None
) -> list[Directive]:
    """A comment inside a block covers that block; one directly above it (only comment lines between) covers the next block."""
    from privlint.pipeline.comments import comment_columns, syntax_of

    if not comments:
        return []
    lines = text.splitlines()
    if columns is None:
        columns = comment_columns(text, syntax_of(comments[0][1].file, text))
    comment_lines = {n for n, column in columns.items() if not lines[n - 1][:column].strip()}
    directives: list[Directive] = []
    starts = sorted(blocks)
    for line, suppression, problem in comments:
        target = next(((s, e) for s, e in starts if s <= line <= e), None)
        if target is None:
            target = next(((s, e) for s, e in starts if s > line), None)
            if target is not None and not set(range(line + 1, target[0])) <= comment_lines:
                target = None
        if target is None:
            problem = problem or "is not inside or directly above a block"
            target = (line, line)
        directives.append(Directive(suppression, lines=target, problem=problem))
    return directives


def metadata_directives(resources: dict[str, Any], file: str, line_of_resource: dict[str, int]) -> list[Directive]:
    """CloudFormation ``Metadata: privlint: ignore: [{id, reason, owner, until}]``."""
    out: list[Directive] = []
    for logical_id, resource in resources.items():
        meta = resource.get("Metadata") if isinstance(resource, dict) else None
        entries = meta.get("privlint", {}).get("ignore") if isinstance(meta, dict) and isinstance(meta.get("privlint"), dict) else None
        if not isinstance(entries, list):
            continue
        line = line_of_resource.get(logical_id, 1)
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            problem = None
            until = entry.get("until")
            if isinstance(until, str):
                try:
                    until = dt.date.fromisoformat(until)
                except ValueError:
                    problem, until = f"until={until!r} is not a date (YYYY-MM-DD)", None
            elif isinstance(until, dt.datetime):
                until = until.date()
            elif not isinstance(until, dt.date):
                until = None
            rule = entry.get("id") or entry.get("rule")
            suppression = Suppression(
                rule=str(rule) if rule else "?",
                source="metadata",
                file=file,
                line=line,
                reason=str(entry["reason"]) if entry.get("reason") else None,
                owner=str(entry["owner"]) if entry.get("owner") else None,
                until=until,
            )
            out.append(Directive(suppression, resource_glob=str(logical_id), problem=problem or (None if rule else "names no rule id")))
    return out


def config_directives(entries: Iterable[Any], config_file: str) -> list[Directive]:
    out = []
    for index, entry in enumerate(entries):
        suppression = Suppression(rule=entry.rule, source="config", file=config_file, line=index + 1, reason=entry.reason, owner=entry.owner, until=entry.until)
        out.append(Directive(suppression, file_glob=entry.path, resource_glob=entry.resource))
    return out


# --------------------------------------------------------------------------- applying


@dataclass
class Outcome:
    findings: list[Finding]
    problems: list[tuple[str, Directive, str]] = field(default_factory=list)  # (rule id, directive, message)
    active: list[Directive] = field(default_factory=list)
    unknown_rules: list[str] = field(default_factory=list)  # "file:line: rule" of directives naming no known rule


def known_rule(name: str) -> bool:
    """A rule id (PL101) or name (admin-without-mfa) of the catalog."""
    from privlint.model.catalog import load_catalog

    catalog = load_catalog()
    return name.upper() in catalog or any(meta.name == name.lower() for meta in catalog.values())


def apply(findings: list[Finding], directives: list[Directive], today: dt.date) -> Outcome:
    """Mark covered findings suppressed; report suppressions that are malformed, expired, incomplete or unused."""
    outcome = Outcome(findings=findings)
    usable: list[Directive] = []
    for d in directives:
        s = d.suppression
        where = f"suppression of {s.rule[:60]} at {s.file}:{s.line}"
        if d.problem:
            outcome.problems.append(("PL001", d, f"The {where} {d.problem}, so it does not apply: fix it."))
        elif not known_rule(s.rule):
            # A typo must not pass unseen: the suppression does nothing, and the run is an error.
            outcome.unknown_rules.append(f"{s.file}:{s.line}: {s.rule}")
            outcome.problems.append(("PL001", d, f"The {where} names no known rule, so it does not apply: `privlint rules` lists the ids and names."))
        elif not has_reason(s):
            outcome.problems.append(
                ("PL001", d, f'The {where} has no reason, so it does not apply: add reason="..." (the risk accepted, for the risk register).')
            )
        elif s.until is not None and s.until < today:
            outcome.problems.append(
                ("PL002", d, f"The {where} expired on {s.until.isoformat()}, so the finding is reported again: fix it, or renew the exception with a new date.")
            )
        else:
            usable.append(d)
    for finding in findings:
        for d in usable:
            if d.covers(finding):
                finding.suppressed = True
                finding.suppression = d.suppression
                d.used += 1
                if finding.resource not in d.covered:
                    d.covered.append(finding.resource)
                break
    for d in usable:
        s = d.suppression
        where = f"suppression of {s.rule[:60]} at {s.file}:{s.line}"
        if d.used == 0:
            outcome.problems.append(("PL003", d, f"The {where} matches no finding: remove it."))
            continue
        outcome.active.append(d)
        missing = [name for name, value in (("owner", s.owner), ("until", s.until)) if value is None]
        # checkov's skip syntax has room for a reason only: asking for more would fail every build
        # that uses one comment for both tools. Its register row shows no owner and no expiry.
        if missing and s.source != "checkov":
            outcome.problems.append(("PL004", d, f"The {where} has no {' or '.join(missing)}: the risk register needs an owner and an expiry date."))
    return outcome

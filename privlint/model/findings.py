"""Findings and the report: the output contract (see docs/output.md)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from privlint.model.version import __version__

MAX_FINDING_TEXT = 2_000  # characters of a finding's file, resource or message


def printable(text: str) -> str:
    """``text`` as UTF-8 can encode it: a file name's undecodable bytes (read with surrogateescape) and
    lone surrogates become U+FFFD, so that JSON and SARIF output are always written."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _escaped_bytes_only(text) else "replace").decode("utf-8", "replace")


def _escaped_bytes_only(text: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


class Severity(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def rank(self) -> int:
        return {"critical": 4, "high": 3, "medium": 2, "low": 1}[self.value]


class Category(str, Enum):
    admin_without_mfa = "admin-without-mfa"
    wildcard_privilege = "wildcard-privilege"
    default_credential = "default-credential"
    config_drift = "config-drift"
    account_hygiene = "account-hygiene"
    parse_error = "parse-error"


SourceKind = Literal["inline", "metadata", "config", "checkov"]


class Suppression(BaseModel):
    """The details a suppressed finding carries in the JSON output, and a risk-register row."""

    rule: str
    source: SourceKind
    file: str
    line: int
    reason: str | None = None
    owner: str | None = None
    until: dt.date | None = None


class Finding(BaseModel):
    """One problem: which rule (``rule_id``, ``category``, ``severity``, ``controls``), where (``file``, ``line``,
    ``resource``) and what to do (``message``, which never quotes a secret). A suppressed finding keeps
    ``suppressed=True`` and its ``suppression``; it does not count in the summary or the exit status."""

    rule_id: str
    category: Category
    severity: Severity
    file: str
    line: int = Field(ge=1, description="1 for problems that concern the whole file")
    resource: str
    message: str
    controls: list[str]
    suppressed: bool = False
    suppression: Suppression | None = None  # present in the JSON only for suppressed findings
    disabled: bool | None = None  # True: the resource is switched off by an input variable (include_disabled)
    enabled_by: str | None = None  # the input variable that would create it, with ``disabled``
    depends_on: str | None = None  # the unknown input whose value selects the branch this finding holds on

    @field_validator("file", "resource", "message")
    @classmethod
    def _printable(cls, value: str) -> str:
        # A 9 MB name quoted in ten messages made the text report take 1.8 GB: a finding stays readable.
        value = printable(value)
        return value if len(value) <= MAX_FINDING_TEXT else value[: MAX_FINDING_TEXT - 3] + "..."

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.rule_id, self.resource, self.message)


class Tool(BaseModel):
    name: str = "privlint"
    version: str = __version__


class AppliedConfig(BaseModel):
    """A configuration file that applied to the scan, and what it changed (it may switch checks off)."""

    file: str
    changes: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    files: int = 0
    findings: int = 0  # unsuppressed findings
    by_severity: dict[str, int] = Field(default_factory=dict)
    parse_errors: int = 0
    config: list[AppliedConfig] | None = None  # absent when no configuration file applied


class Report(BaseModel):
    """What a scan returns: ``findings`` sorted by file, line and rule, and a ``summary`` of the unsuppressed ones.

    ``fails(severity)`` says whether an unsuppressed finding reaches that threshold (the exit status);
    ``to_json()`` is the JSON output, described by ``report_schema()``."""

    tool: Tool = Field(default_factory=Tool)
    findings: list[Finding] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)

    @classmethod
    def build(cls, findings: list[Finding], files: int) -> Report:
        ordered = sorted(_dedupe(findings), key=Finding.sort_key)
        active = [f for f in ordered if not f.suppressed]
        by_severity: dict[str, int] = {}
        for sev in Severity:
            count = sum(1 for f in active if f.severity == sev)
            if count:
                by_severity[sev.value] = count
        summary = Summary(
            files=files,
            findings=len(active),
            by_severity=by_severity,
            parse_errors=sum(1 for f in active if f.category == Category.parse_error),
        )
        return cls(findings=ordered, summary=summary)

    def fails(self, threshold: Severity) -> bool:
        return any(not f.suppressed and f.severity.rank >= threshold.rank for f in self.findings)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Finding] = []
    for f in findings:
        key = f.sort_key()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


REPORT_SCHEMA_FILE = "schemas/report.schema.json"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``Report.to_json()`` (``privlint schema report``), shipped in ``privlint/data``."""
    from privlint.model.datafiles import load_json

    schema: dict[str, Any] = load_json(REPORT_SCHEMA_FILE)
    return schema


def mask(secret: str) -> str:
    """Show at most two leading characters (fewer for short values) and never the length."""
    shown = min(2, len(secret) // 4)
    return secret[:shown] + "****"

"""The change register: approved changes, the approval policy, and the problems found in it.

A YAML or JSON file validated against the pydantic models below; their JSON Schema is what
``privlint schema change-register`` publishes. A record that does not validate cannot approve
anything; it becomes a finding (with its line) and the rest of the register is still used.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from privlint.model.problems import SourceError
from privlint.model.regex_safety import may_backtrack

Status = Literal["proposed", "approved", "rejected", "implemented"]
# A name or a list of names (the schema says so; the model always holds a list).
Names = Annotated[list[str], WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})]
DEFAULT_TICKET_PATTERN = r"^(CHG|OCR|[A-Z]+)-\d+$"


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    required_approvals: int = Field(2, ge=1, description="Distinct approvers every change needs (CCM-4). The only requester's own approval does not count.")
    security_approvers: list[str] = Field(default_factory=list, description="A security-relevant change also needs one of these approvers (CCM-5).")
    ticket_pattern: str = Field(DEFAULT_TICKET_PATTERN, description="Regular expression a record's ticket must match (CCM-3).")

    @field_validator("ticket_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        if len(value) > MAX_TICKET_PATTERN:
            raise ValueError(f"longer than {MAX_TICKET_PATTERN} characters")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # re's FutureWarnings about the author's pattern are no concern of the reader
                re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc.msg}") from None
        except (RecursionError, OverflowError):
            raise ValueError("a regular expression nested too deeply to compile") from None
        if may_backtrack(value):
            # (a+)+ and the like take exponential time on a near-miss: a register could stall every run.
            raise ValueError("a repetition or alternation inside a repetition (such as (a+)+ or (a|aa)*) is not allowed: it can take exponential time")
        return value


MAX_TICKET_PATTERN = 300
MAX_TICKET_LENGTH = 200  # longer tickets never match: bounds the work of any pattern


class Cover(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource: str = Field(min_length=1, description="Terraform address, CloudFormation logical id, or github:... resource.")
    attributes: list[str] | None = Field(None, description="Attribute paths covered (a path covers everything under it); omitted: the whole resource.")


class ChangeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    ticket: str | None = Field(None, description="Ticket in the service management tool (Jira, ServiceNow...).")
    summary: str | None = None
    status: Status
    requested_by: Names = Field(default_factory=list, description="Who asked for the change (a name or a list).")
    approvers: Names = Field(default_factory=list, description="Who approved it (a name or a list).")
    approved_at: dt.date | None = None
    expires: dt.date | None = Field(None, description="After this date the record no longer approves anything.")
    covers: list[Cover] = Field(min_length=1)

    @field_validator("requested_by", "approvers", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("approved_at", "expires", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Only YYYY-MM-DD: "1/2/2026" means different days in different countries.
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("not a date in YYYY-MM-DD form")
        return value


class ChangeRegister(BaseModel):
    """The whole file (the published JSON Schema describes this model)."""

    model_config = ConfigDict(extra="forbid", title="privlint change register")

    policy: Policy = Field(default_factory=Policy)
    changes: list[ChangeRecord] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    schema = ChangeRegister.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://privlint.dev/schemas/change-register.json"
    return schema


@dataclass
class RegisterProblem:
    """Something wrong in the register: ``rule`` is the catalog id (PL510-PL512)."""

    rule: str
    line: int
    resource: str
    message: str


@dataclass
class LoadedRegister:
    file: str
    policy: Policy = field(default_factory=Policy)
    changes: list[tuple[ChangeRecord, int]] = field(default_factory=list)  # usable records and their lines
    problems: list[RegisterProblem] = field(default_factory=list)


def _line(value: Any, default: int) -> int:
    return getattr(value, "line", None) or default


def _errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "record"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def build_register(data: Any, file: str) -> LoadedRegister:
    """Validate a decoded register (mappings carry ``.line``) record by record."""
    loaded = LoadedRegister(file=file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        loaded.problems.append(RegisterProblem("PL510", 1, file, "the change register must be a mapping with 'policy' and 'changes'"))
        return loaded
    unknown = sorted(str(k) for k in data if k not in ("policy", "changes"))
    if unknown:
        loaded.problems.append(RegisterProblem("PL510", _line(data, 1), file, f"unknown top-level keys {unknown}: expected 'policy' and 'changes'"))
    try:
        loaded.policy = Policy.model_validate(data.get("policy") or {})
    except ValidationError as exc:
        loaded.problems.append(RegisterProblem("PL510", _line(data.get("policy"), 1), "policy", f"invalid policy ({_errors(exc)}); the defaults apply."))
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        loaded.problems.append(RegisterProblem("PL510", _line(data, 1), file, "'changes' must be a list of change records"))
        return loaded
    records: list[tuple[ChangeRecord, int]] = []
    for raw in changes:
        line = _line(raw, _line(data, 1))
        name = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"record at line {line}"
        try:
            records.append((ChangeRecord.model_validate(raw), line))
        except ValidationError as exc:
            loaded.problems.append(RegisterProblem("PL510", line, name, f"change record {name} is invalid and approves nothing: {_errors(exc)}."))
    counts = Counter(record.id for record, _ in records)
    for record, line in records:
        if counts[record.id] > 1:
            loaded.problems.append(
                RegisterProblem(
                    "PL511",
                    line,
                    record.id,
                    f"change id {record.id} is used by {counts[record.id]} records: none of them approves anything until the ids are unique.",
                )
            )
            continue
        if record.approved_at and record.expires and record.expires < record.approved_at:
            loaded.problems.append(
                RegisterProblem(
                    "PL510", line, record.id, f"change record {record.id} expires ({record.expires}) before it was approved ({record.approved_at})."
                )
            )
        self_approver = only_requester_approving(record)
        if self_approver:
            loaded.problems.append(
                RegisterProblem(
                    "PL512", line, record.id, f"change record {record.id} is approved by its only requester {self_approver}: that approval does not count."
                )
            )
        loaded.changes.append((record, line))
    return loaded


def only_requester_approving(record: ChangeRecord) -> str | None:
    if len(set(record.requested_by)) == 1 and record.requested_by[0] in record.approvers:
        return record.requested_by[0]
    return None


def load_register(text: str, file: str) -> LoadedRegister:
    """Parse YAML or JSON text. Raises ``RegisterSyntaxError`` (with a line) when it is neither."""
    from privlint.config_drift.yamlpos import YamlError, load_yaml_with_lines
    from privlint.parsers.jsonpos import JsonError, loads

    try:
        data = loads(text) if text.lstrip().startswith("{") else load_yaml_with_lines(text)
    except JsonError as exc:
        raise RegisterSyntaxError(f"invalid JSON: {exc.reason}", exc.line) from None
    except YamlError as exc:
        raise RegisterSyntaxError(str(exc), exc.line) from None
    return build_register(data, file)


class RegisterSyntaxError(SourceError):
    pass

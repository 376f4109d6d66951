"""AWS IAM credential reports (`aws iam generate-credential-report`, then `get-credential-report`) as a format.

The report is a CSV whose header starts ``user,arn,user_creation_time``; that header is how the file is
recognised, whatever its name ends with (.csv). Columns are read by name, so older reports with fewer
columns still parse. A row that does not fit (wrong number of fields, a value that is neither a boolean
nor a timestamp where one is due) is a parse-error finding on its line; the other rows are still read.
The report holds no secrets (only dates and flags), so nothing needs masking.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from privlint.model.inventory import (
    AccessKeyStatus,
    CredentialReport,
    CredentialReportRow,
    Location,
)
from privlint.model.problems import Problem
from privlint.model.settings import Settings
from privlint.pipeline.units import Document, Format, Unit

HEADER_START = "user,arn,user_creation_time"
REQUIRED = ("user", "arn", "password_enabled", "mfa_active")
ROOT_USER = "<root_account>"
# Values AWS writes where there is no date: never used, not applicable, or before tracking began.
_NO_DATE = {"", "n/a", "no_information", "not_supported"}
_MAX_PROBLEMS = 10


class RowError(ValueError):
    pass


def _is_report(doc: Document) -> bool:
    return doc.text.lstrip("\ufeff").lstrip().startswith(HEADER_START)


def _bool(value: str | None, column: str, allow_unsupported: bool = False) -> bool | None:
    text = (value or "").strip().lower()
    if text in ("true", "false"):
        return text == "true"
    if allow_unsupported and text in ("not_supported", "n/a"):
        return None
    raise RowError(f"column {column} is not true or false")


def _time(value: str | None, column: str) -> dt.datetime | None:
    text = (value or "").strip()
    if text.lower() in _NO_DATE:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"column {column} is not an ISO 8601 date-time, N/A or no_information") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _row(fields: dict[str, str], display: str, line: int) -> CredentialReportRow:
    user = fields["user"].strip()
    if not user:
        raise RowError("column user is empty")
    is_root = user == ROOT_USER
    keys = []
    for number in (1, 2):
        active = fields.get(f"access_key_{number}_active")
        if active is None:
            continue
        keys.append(
            AccessKeyStatus(
                number=number,
                active=bool(_bool(active, f"access_key_{number}_active")),
                last_rotated=_time(fields.get(f"access_key_{number}_last_rotated"), f"access_key_{number}_last_rotated"),
                last_used=_time(fields.get(f"access_key_{number}_last_used_date"), f"access_key_{number}_last_used_date"),
            )
        )
    return CredentialReportRow(
        user=user,
        arn=fields.get("arn") or None,
        location=Location(file=display, line=line),
        is_root=is_root,
        created=_time(fields.get("user_creation_time"), "user_creation_time"),
        password_enabled=_bool(fields.get("password_enabled"), "password_enabled", allow_unsupported=True),
        password_last_used=_time(fields.get("password_last_used"), "password_last_used"),
        password_last_changed=_time(fields.get("password_last_changed"), "password_last_changed"),
        mfa_active=_bool(fields.get("mfa_active"), "mfa_active"),
        access_keys=keys,
    )


def _newest(rows: list[CredentialReportRow]) -> dt.datetime | None:
    stamps = [
        t
        for r in rows
        for t in (r.created, r.password_last_used, r.password_last_changed, *(k.last_used for k in r.access_keys), *(k.last_rotated for k in r.access_keys))
        if t is not None
    ]
    return max(stamps) if stamps else None


def parse_report(text: str, display: str) -> tuple[CredentialReport, list[Problem]]:
    problems: list[Problem] = []
    rows: list[CredentialReportRow] = []

    def problem(line: int, message: str) -> None:
        if len(problems) < _MAX_PROBLEMS:
            problems.append(Problem(display, line, display, f"credential report: {message}"))

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            problem(1, f"header lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            return CredentialReport(file=display, as_of=None), problems
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            if not values or values == [""]:
                continue
            if len(values) != len(header):
                problem(start, f"row has {len(values)} fields, the header has {len(header)}")
                continue
            try:
                rows.append(_row(dict(zip(header, values)), display, start))
            except RowError as exc:
                problem(start, str(exc))
    except csv.Error as exc:
        problem(reader.line_num or 1, f"not valid CSV: {exc}")
    return CredentialReport(file=display, as_of=_newest(rows), rows=rows), problems


def _parse(text: str, display: str, settings: Settings) -> Unit:
    report, problems = parse_report(text, display)
    unit = Unit(problems=problems)
    unit.inventory.credential_reports.append(report)
    return unit


FORMAT = Format("aws-credential-report", (".csv",), _is_report, _parse)

"""The risk register: every active suppression, as CSV, JSON or Markdown (PAM-3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from pydantic import BaseModel

from privlint.model.catalog import load_catalog
from privlint.model.findings import Suppression


class RegisterEntry(BaseModel):
    rule: str
    controls: list[str]
    resource: str
    location: str
    reason: str | None
    owner: str | None
    expiry: dt.date | None
    days_left: int | None
    source: str


def entries(suppressions: list[tuple[Suppression, str]], today: dt.date) -> list[RegisterEntry]:
    """(suppression, resource it covers) pairs as register rows, sorted by expiry (soonest first)."""
    catalog = load_catalog()
    rows = []
    for s, resource in suppressions:
        meta = catalog.get(s.rule) or next((m for m in catalog.values() if m.name == s.rule), None)
        rows.append(
            RegisterEntry(
                rule=meta.id if meta else s.rule,
                controls=sorted(meta.controls) if meta else [],
                resource=resource,
                location=f"{s.file}:{s.line}",
                reason=s.reason,
                owner=s.owner,
                expiry=s.until,
                days_left=(s.until - today).days if s.until else None,
                source=s.source,
            )
        )
    return sorted(rows, key=lambda r: (r.expiry or dt.date.max, r.location, r.rule, r.resource))


COLUMNS = ["rule", "controls", "resource", "location", "reason", "owner", "expiry", "days_left", "source"]


def render(rows: list[RegisterEntry], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.model_dump(mode="json") for r in rows], indent=2) + "\n"
    from privlint.model.escape import markdown_cell, printable, spreadsheet_cell

    cells = [[_cell(r, c) for c in COLUMNS] for r in rows]
    if fmt == "csv":
        # Reasons, resources and paths come from the scanned files: no formula, no control character.
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([spreadsheet_cell(printable(c)) for c in row] for row in cells)
        return out.getvalue()
    header = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    return header + "".join("| " + " | ".join(markdown_cell(c) for c in row) + " |\n" for row in cells)


def _cell(row: RegisterEntry, column: str) -> str:
    value = getattr(row, column)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)

"""GitHub Actions workflow commands: ``::error file=PATH,line=N,title=...::message`` (annotations on the pull request)."""

from __future__ import annotations

from pathlib import Path

from privlint.model.escape import annotation_data, annotation_property
from privlint.model.findings import Report
from privlint.report.locations import Locator

_COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def render(report: Report, root: Path) -> str:
    """One line per unsuppressed finding; paths relative to the repository root, as GitHub resolves them."""
    locator = Locator(root)
    lines = []
    for f in report.findings:
        if f.suppressed:
            continue
        props = f"file={annotation_property(locator.shown(f.file))},line={f.line},title={annotation_property(f'{f.rule_id} {f.severity.value}: {f.resource}')}"
        lines.append(f"::{_COMMAND[f.severity.value]} {props}::{annotation_data(f.message)}")
    return "".join(line + "\n" for line in lines)

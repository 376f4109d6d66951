"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array of issues with fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

from privlint.model.findings import Report
from privlint.report.locations import Locator

_SEVERITY = {"critical": "critical", "high": "major", "medium": "minor", "low": "info"}


def render(report: Report, root: Path) -> str:
    locator = Locator(root)
    issues = [
        {
            "type": "issue",
            "check_name": f.rule_id,
            "description": f"{f.rule_id} {f.resource}: {f.message}",
            "categories": ["Security"],
            "severity": _SEVERITY[f.severity.value],
            "fingerprint": fingerprint,
            "location": {"path": locator.shown(f.file), "lines": {"begin": f.line}},
        }
        for f, fingerprint in locator.fingerprints(report.findings)
        if not f.suppressed
    ]
    return json.dumps(issues, indent=2) + "\n"

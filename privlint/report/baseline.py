"""Baseline files: the fingerprints of known findings, so a scan reports only new ones (as checkov and detect-secrets do).

A fingerprint is the rule, the path relative to the repository root and the resource (not the line),
so findings stay known when lines move. The file is JSON, sorted, meant to be committed.
"""

from __future__ import annotations

import json
from pathlib import Path

from privlint.model.findings import Report
from privlint.report.locations import Locator

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def create(report: Report, root: Path) -> str:
    locator = Locator(root)
    entries = sorted(
        (
            {
                "fingerprint": fp,
                "rule": f.rule_id,
                "file": locator.shown(f.file),
                "resource": f.resource,
            }
            for f, fp in locator.fingerprints(report.findings)
            if not f.suppressed
        ),
        key=lambda e: (e["file"], e["rule"], e["resource"], e["fingerprint"]),
    )
    return json.dumps({"tool": "privlint", "version": VERSION, "findings": entries}, indent=2) + "\n"


def read(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError):
        raise BaselineError(f"baseline {path} is not valid JSON (write one with --create-baseline)") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("tool") != "privlint" or not isinstance(entries, list):
        raise BaselineError(f"baseline {path} is not a privlint baseline (write one with --create-baseline)")
    return {e["fingerprint"] for e in entries if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)}


def without_known(report: Report, known: set[str], root: Path) -> tuple[Report, int]:
    """The report without findings whose fingerprint is in the baseline, and how many were hidden."""
    keep = [f for f, fp in Locator(root).fingerprints(report.findings) if f.suppressed or fp not in known]
    hidden = len(report.findings) - len(keep)
    rebuilt = Report.build(keep, files=report.summary.files)
    rebuilt.summary.config = report.summary.config
    return rebuilt, hidden

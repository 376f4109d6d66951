"""SARIF 2.1.0 output for GitHub code scanning and other SARIF viewers.

Follows GitHub's "SARIF support for code scanning": artifact URIs relative to the repository root
with ``uriBaseId`` %SRCROOT%, a ``partialFingerprints`` entry that does not depend on how the path
was typed or on line numbers, ``security-severity`` that follows the severity actually reported,
one ``helpUri`` anchor per rule, ``automationDetails`` and ``invocations`` naming the configuration
that applied. Suppressed findings are left out unless asked for (GitHub shows every result it is
given as an alert); when included they carry ``suppressions`` entries.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from privlint.model.catalog import RuleMeta, load_catalog
from privlint.model.findings import Finding, Report, Severity
from privlint.model.version import __version__
from privlint.report.locations import Locator

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning ranks alerts by security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
INFO_URI = "https://github.com/privlint/privlint"
RULES_DOC = "https://github.com/privlint/privlint/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "privlint/v2"


def help_uri(rule_id: str) -> str:
    """The rule's section of docs/rules.md (its heading is the id, so the anchor is the id in lower case)."""
    return f"{RULES_DOC}#{rule_id.lower()}"


def _artifact(path: str, locator: Locator) -> dict[str, str] | None:
    relative = locator.relative(path)
    return {"uri": quote(relative), "uriBaseId": SRCROOT} if relative is not None else None


def _rule(meta: RuleMeta, severity: Severity) -> dict[str, Any]:
    help_text = f"{meta.summary}\n\nWhy: {meta.rationale}\n\nFix: {meta.fix}"
    markdown = f"{meta.summary}\n\n**Why.** {meta.rationale}\n\n**Fix.** {meta.fix}"
    if meta.bad_example:
        markdown += f"\n\nBad:\n```\n{meta.bad_example}\n```"
    if meta.good_example:
        markdown += f"\n\nGood:\n```\n{meta.good_example}\n```"
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.summary[:1000]},
        "help": {"text": help_text, "markdown": markdown},
        "helpUri": help_uri(meta.id),
        "defaultConfiguration": {"level": _LEVEL[severity.value]},
        "properties": {
            "tags": ["security", meta.category.value, *meta.controls][:10],
            "controls": list(meta.controls),
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[severity.value],
        },
    }


def _rule_severities(findings: list[Finding]) -> dict[str, Severity]:
    """GitHub ranks an alert by its rule's security-severity: use the highest severity the rule reports in this run."""
    highest: dict[str, Severity] = {}
    for f in findings:
        if f.rule_id not in highest or f.severity.rank > highest[f.rule_id].rank:
            highest[f.rule_id] = f.severity
    return highest


def _result(finding: Finding, fingerprint: str, index: int, locator: Locator) -> dict[str, Any]:
    physical: dict[str, Any] = {"region": {"startLine": finding.line}}
    artifact = _artifact(finding.file, locator)
    if artifact is not None:
        physical["artifactLocation"] = artifact
    else:  # outside the repository: GitHub cannot show it in a file, but the absolute URI is honest
        physical["artifactLocation"] = {"uri": Path(os.path.abspath(finding.file)).as_uri()}
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity.value],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical, "logicalLocations": [{"name": finding.resource, "kind": "resource"}]}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "category": finding.category.value,
            "controls": finding.controls,
            "security-severity": _SECURITY_SEVERITY[finding.severity.value],
        },
    }
    if finding.suppressed and finding.suppression is not None:
        s = finding.suppression
        suppression: dict[str, Any] = {
            "kind": "external" if s.source == "config" else "inSource",
            "status": "accepted",
            "justification": s.reason or "",
            "properties": {"owner": s.owner, "until": s.until.isoformat() if s.until else None, "source": s.source},
        }
        where = _artifact(s.file, locator)
        if where is not None:
            suppression["location"] = {"physicalLocation": {"artifactLocation": where, "region": {"startLine": max(s.line, 1)}}}
        result["suppressions"] = [suppression]
    return result


def to_sarif(report: Report, root: Path | None = None, include_suppressed: bool = False) -> dict[str, Any]:
    """The SARIF log; ``root`` is the repository root the URIs are relative to (default: the working directory)."""
    locator = Locator(root or Path.cwd())
    catalog = load_catalog()
    findings = [f for f in report.findings if include_suppressed or not f.suppressed]
    severities = _rule_severities(findings)
    used = sorted(catalog)
    index = {rule_id: i for i, rule_id in enumerate(used)}
    # Fingerprints over every finding, so adding a suppression does not renumber the others.
    results = [_result(f, fp, index[f.rule_id], locator) for f, fp in locator.fingerprints(report.findings) if include_suppressed or not f.suppressed]
    config = [{"file": locator.shown(c.file), "changes": c.changes} for c in report.summary.config or []]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "privlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFO_URI,
                        "rules": [_rule(catalog[r], severities.get(r, catalog[r].severity)) for r in used],
                    }
                },
                "automationDetails": {"id": "privlint/"},
                "invocations": [{"executionSuccessful": True, "properties": {"config": config}}],
                "originalUriBaseIds": {SRCROOT: {"uri": locator.root.as_uri().rstrip("/") + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(report: Report, root: Path | None = None, include_suppressed: bool = False) -> str:
    return json.dumps(to_sarif(report, root, include_suppressed), indent=2, sort_keys=False)

"""SARIF 2.1.0 output for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any
from urllib.parse import quote

from privlint import __version__
from privlint.core.findings import Finding, Report
from privlint.rules.base import RuleMeta, load_catalog

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning reads properties.security-severity (a CVSS-like score) to rank alerts.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
INFO_URI = "https://github.com/privlint/privlint#rules"


def _uri(path: str) -> dict[str, str]:
    posix = path.replace(os.sep, "/")
    if os.path.isabs(path):
        return {"uri": "file://" + quote(posix)}
    return {"uri": quote(posix.removeprefix("./"))}


def _rule(meta: RuleMeta) -> dict[str, Any]:
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
        "fullDescription": {"text": meta.summary},
        "help": {"text": help_text, "markdown": markdown},
        "helpUri": f"{INFO_URI}",
        "defaultConfiguration": {"level": _LEVEL[meta.severity.value]},
        "properties": {
            "tags": ["security", meta.category.value, *meta.controls],
            "controls": list(meta.controls),
            "security-severity": _SECURITY_SEVERITY[meta.severity.value],
        },
    }


def _fingerprint(finding: Finding, occurrence: int) -> str:
    """Stable across runs: the rule, file and resource (not the line, which moves with unrelated edits)."""
    key = f"{finding.rule_id}|{finding.file}|{finding.resource}|{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def to_sarif(report: Report) -> dict[str, Any]:
    catalog = load_catalog()
    used = sorted({f.rule_id for f in report.findings} | set(catalog))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in report.findings:
        key = (finding.rule_id, finding.file, finding.resource)
        occurrence = seen[key]
        seen[key] += 1
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": _LEVEL[finding.severity.value],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": _uri(finding.file), "region": {"startLine": finding.line}},
                    "logicalLocations": [{"name": finding.resource, "kind": "resource"}],
                }
            ],
            "partialFingerprints": {"privlint/v1": _fingerprint(finding, occurrence)},
            "properties": {"severity": finding.severity.value, "category": finding.category.value, "controls": finding.controls,
                           "security-severity": _SECURITY_SEVERITY[finding.severity.value]},
        }
        if finding.suppressed and finding.suppression is not None:
            s = finding.suppression
            suppression: dict[str, Any] = {
                "kind": "external" if s.source == "config" else "inSource",
                "status": "accepted",
                "justification": s.reason or "",
                "location": {"physicalLocation": {"artifactLocation": _uri(s.file), "region": {"startLine": max(s.line, 1)}}},
                "properties": {"owner": s.owner, "until": s.until.isoformat() if s.until else None, "source": s.source},
            }
            result["suppressions"] = [suppression]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "privlint", "version": __version__, "informationUri": INFO_URI,
                                    "rules": [_rule(catalog[r]) for r in used if r in catalog]}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, sort_keys=False)

"""JUnit XML (the format Jenkins, GitLab, Azure DevOps and CircleCI read as test results).

One test case per finding, failed; a clean scan is one passing case, so CI shows a test ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from privlint.model.escape import printable
from privlint.model.findings import Report
from privlint.report.locations import Locator


def render(report: Report, root: Path) -> str:
    locator = Locator(root)
    shown = [f for f in report.findings if not f.suppressed]
    suites = ET.Element(
        "testsuites",
        name="privlint",
        tests=str(max(len(shown), 1)),
        failures=str(len(shown)),
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="privlint",
        tests=str(max(len(shown), 1)),
        failures=str(len(shown)),
        errors="0",
        skipped="0",
    )
    for f in shown:
        path = printable(locator.shown(f.file))
        case = ET.SubElement(
            suite,
            "testcase",
            classname=path,
            name=printable(f"{f.rule_id} {f.resource}"),
            file=path,
            line=str(f.line),
        )
        failure = ET.SubElement(case, "failure", message=printable(f.message), type=f.severity.value)
        # XML 1.0 cannot hold most control characters, even escaped: printable() shows them instead.
        failure.text = printable(f"{path}:{f.line}: {f.severity.value} {f.rule_id} {f.resource}: {f.message} ({', '.join(f.controls)})")
    if not shown:
        ET.SubElement(
            suite,
            "testcase",
            classname="privlint",
            name=f"no findings in {report.summary.files} files",
        )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

"""JUnit XML, GitHub workflow annotations, GitLab Code Quality, and output that hostile names cannot forge."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

HOSTILE = "evil\n::error file=x.tf,line=1::forged\x1b[31m|=cmd"
ADMIN_TF = FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user/main.tf"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A tree whose directory name and CloudFormation logical id carry a newline, a forged command and ESC."""
    module = tmp_path / HOSTILE
    module.mkdir()
    shutil.copy(ADMIN_TF, module / "main.tf")
    template = json.loads((FIXTURES / "rules/PL101-admin-without-mfa/cloudformation/bad/user.json").read_text())
    template["Resources"] = {'Alice"\nclick A call alert()\n<b>': template["Resources"]["AliceUser"]}
    template.pop("Outputs")
    (tmp_path / "stack.json").write_text(json.dumps(template))
    (tmp_path / ".git").mkdir()
    return tmp_path


def _check(root: Path, fmt: str, *args: str) -> str:
    result = run_cli("check", str(root), "-f", fmt, *args)
    assert result.returncode == 1, result.stderr
    return result.stdout


def test_junit_xml(hostile: Path) -> None:
    suites = ET.fromstring(_check(hostile, "junit"))
    cases = suites.findall("./testsuite/testcase")
    assert int(suites.get("failures")) == len(cases) == 2
    assert {c.get("file") for c in cases} == {
        HOSTILE.replace("\n", "\\n").replace("\x1b", "\\e") + "/main.tf",
        "stack.json",
    }
    assert all(c.find("failure").get("type") in ("critical", "high", "medium", "low") for c in cases)
    clean = ET.fromstring(
        run_cli(
            "check",
            str(FIXTURES / "rules/PL101-admin-without-mfa/terraform/good/user"),
            "-f",
            "junit",
        ).stdout
    )
    assert clean.get("failures") == "0" and len(clean.findall("./testsuite/testcase")) == 1


def test_github_annotations_cannot_forge_commands(hostile: Path) -> None:
    lines = _check(hostile, "github").splitlines()
    assert len(lines) == 2 and all(line.startswith("::error file=") for line in lines)
    for line in lines:
        command, _, message = line[2:].partition("::")
        assert "\x1b" not in line and "forged" not in message
        fields = dict(part.split("=", 1) for part in command.removeprefix("error ").split(","))
        assert set(fields) == {"file", "line", "title"} and fields["line"].isdigit()
    assert any("file=stack.json" in line for line in lines)


def test_gitlab_code_quality(hostile: Path) -> None:
    issues = json.loads(_check(hostile, "gitlab"))
    assert len(issues) == 2
    for issue in issues:
        assert issue["type"] == "issue" and issue["check_name"].startswith("PL") and issue["categories"] == ["Security"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert len(issue["fingerprint"]) == 32 and issue["location"]["lines"]["begin"] >= 1
        assert not issue["location"]["path"].startswith(("/", ".."))
    assert len({i["fingerprint"] for i in issues}) == 2


def test_text_output_escapes_names(hostile: Path) -> None:
    text = _check(hostile, "text")
    finding_lines = [line for line in text.splitlines() if ": high " in line or ": critical " in line]
    assert len(finding_lines) == 2 and "\x1b" not in text
    assert not any(line.startswith(("::error", "click")) for line in text.splitlines())
    assert "evil\\n::error" in text and "\\e[31m" in text


def test_mermaid_and_dot_labels_cannot_add_statements(hostile: Path) -> None:
    mermaid = run_cli("graph", str(hostile / "stack.json")).stdout
    assert "alert()" in mermaid and not any(line.strip().startswith("click") for line in mermaid.splitlines())
    assert "<b>" not in mermaid and "\x1b" not in mermaid
    dot = run_cli("graph", str(hostile / "stack.json"), "-f", "dot").stdout
    assert not any(line.strip().startswith("click") for line in dot.splitlines())


def _suppressed_tree(tmp_path: Path, reason: str) -> Path:
    source = ADMIN_TF.read_text().replace(
        'resource "aws_iam_user" "alice"',
        f'# privlint:ignore PL101 reason="{reason}" owner=secops until=2099-01-01\nresource "aws_iam_user" "alice"',
    )
    (tmp_path / "main.tf").write_text(source)
    return tmp_path


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_risk_register_csv_neutralises_formulas(tmp_path: Path, start: str) -> None:
    root = _suppressed_tree(tmp_path, f"{start}HYPERLINK(1)")
    rows = list(csv.DictReader(io.StringIO(run_cli("risk-register", str(root), "-f", "csv").stdout)))
    (row,) = rows
    assert row["reason"].startswith(("'", "\\t")) and "HYPERLINK" in row["reason"]  # quoted, or the tab shown as \t
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_risk_register_markdown_cell_cannot_add_rows_or_columns(tmp_path: Path) -> None:
    root = _suppressed_tree(tmp_path, "a | b")
    table = run_cli("risk-register", str(root)).stdout.splitlines()
    assert len(table) == 3 and table[2].count(" | ") == table[0].count(" | ")
    assert "a \\| b" in table[2]


def test_escape_helpers_directly() -> None:
    from privlint.model.escape import (
        annotation_data,
        annotation_property,
        markdown_cell,
        printable,
        spreadsheet_cell,
    )

    assert printable("a\nb\x1b[2J\u202ec") == "a\\nb\\e[2J\\u202ec"
    assert spreadsheet_cell("=1+1") == "'=1+1" and spreadsheet_cell("-12") == "-12" and spreadsheet_cell("ok") == "ok"
    assert markdown_cell("x|y\nz") == "x\\|y\\nz"
    assert annotation_data("50%\nnext\x1b") == "50%25%0Anext\\e"
    assert annotation_property("a:b,c") == "a%3Ab%2Cc"

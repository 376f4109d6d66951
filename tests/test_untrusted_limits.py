"""Nothing is skipped silently: every hostile input ends in a PL000 naming its file (and line), and the
other files' findings are kept. Each test builds its hostile input itself, next to a file with a
known finding.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import privlint
from tests.conftest import FIXTURES, privlint_command

KNOWN_BAD = FIXTURES / "rules/PL303-default-admin-username/cloudformation/bad/main.template"  # two PL303 findings
KNOWN_RULE = "PL303"


def findings_by_file(report: privlint.Report) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    for f in report.findings:
        out.setdefault(Path(f.file).name, []).append((f.rule_id, f.line, f.message))
    return out


def with_known_finding(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(KNOWN_BAD, root / "known.template")
    return root


def plan_text(values: str) -> str:
    return (
        '{"format_version": "1.2",\n "planned_values": {"root_module": {"resources": [\n'
        '  {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u",\n'
        f'   "values": {values}}}]}}}}}}\n'
    )


@pytest.mark.parametrize(
    "values, reason",
    [
        ('{"x": ' + "[" * 1000 + "]" * 1000 + "}", "nested more than 200 levels"),
        ('{"x": 1e999999}', "too large to represent"),
        ('{"x": ' + "9" * 5000 + "}", "5,000 characters"),
        ('{"x": -' + "1" * 5000 + ".5}", "5,003 characters"),
    ],
)
def test_plans_too_deep_or_with_huge_numbers_are_reported(tmp_path: Path, values: str, reason: str) -> None:
    root = with_known_finding(tmp_path / "repo")
    (root / "plan.json").write_text(plan_text(values))
    report = privlint.scan([root])
    found = findings_by_file(report)
    assert [(rule, line) for rule, line, message in found["plan.json"] if reason in message] == [("PL000", 4)], found
    assert [rule for rule, _l, _m in found["known.template"]] == [KNOWN_RULE] * 2
    assert report.summary.files == 2


def test_drift_reports_a_plan_too_deep(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"format_version": "1.2", "resource_changes": [\n' + "[" * 1000 + "]" * 1000 + "]}")
    result = subprocess.run(
        [*privlint_command(), "drift", "--plan", str(tmp_path / "plan.json"), "--format", "json"], check=False, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["rule_id"] == "PL000" and finding["line"] == 2 and "nested" in finding["message"]


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)],
)
def test_utf16_and_utf32_files_with_a_bom_are_read(tmp_path: Path, encoding: str, bom: bytes) -> None:
    (tmp_path / "wide.template").write_bytes(bom + KNOWN_BAD.read_text().encode(encoding))
    expected = findings_by_file(privlint.scan([KNOWN_BAD]))[KNOWN_BAD.name]
    assert findings_by_file(privlint.scan([tmp_path]))["wide.template"] == expected


def test_a_broken_utf16_file_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "wide.template").write_bytes(codecs.BOM_UTF16_LE + "Resources:\n  X: 1\n".encode("utf-16-le") + b"\x00\xd8")
    found = findings_by_file(privlint.scan([with_known_finding(tmp_path)]))
    assert ("PL000", 1, "not valid UTF-16 (line 3); read with replacement characters") in found["wide.template"]
    assert len(found["known.template"]) == 2


def test_a_module_source_with_a_component_over_255_bytes(tmp_path: Path) -> None:
    root = with_known_finding(tmp_path / "repo")
    (root / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n\nmodule "m" {\n  source = "./' + "a" * 300 + '"\n}\n')
    found = findings_by_file(privlint.scan([root]))
    assert found["main.tf"] == [("PL000", 5, "module source cannot be read: File name too long")]
    assert len(found["known.template"]) == 2


def test_a_file_name_that_is_not_utf8_still_gives_json_and_sarif(tmp_path: Path) -> None:
    root = with_known_finding(tmp_path / "repo")
    odd = os.fsencode(root) + b"/odd\xff\xfe.template"
    with open(odd, "wb") as out:
        out.write(KNOWN_BAD.read_bytes())
    for fmt in ("json", "sarif", "text"):
        result = subprocess.run([*privlint_command(), "check", str(root), "--format", fmt], check=False, capture_output=True)
        assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
        text = result.stdout.decode("utf-8")  # valid UTF-8, whatever the file name held
        assert ("odd%EF%BF%BD%EF%BF%BD.template" if fmt == "sarif" else "odd\ufffd\ufffd.template") in text
        if fmt == "json":
            files = {Path(f["file"]).name for f in json.loads(text)["findings"]}
            assert files == {"known.template", "odd\ufffd\ufffd.template"}
        if fmt == "sarif":
            assert len(json.loads(text)["runs"][0]["results"]) == 4


def test_a_memory_error_while_parsing_costs_only_its_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from privlint.terraform import loader

    root = tmp_path / "repo"
    for name in ("a", "b", "c"):
        (root / name).mkdir(parents=True)
        policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        (root / name / "main.tf").write_text(
            f'resource "aws_iam_user" "{name}" {{\n  name = "{name}"\n}}\n'
            f'resource "aws_iam_user_policy" "{name}" {{\n  user = aws_iam_user.{name}.name\n  policy = {json.dumps(policy)}\n}}\n' + "# padding\n" * 2000
        )
    real = loader.parse_file

    def exhausted(path: Path, text: str) -> object:
        if path.parent.name == "b":
            raise MemoryError
        return real(path, text)

    monkeypatch.setattr(loader, "parse_file", exhausted)
    report = privlint.scan([root], {"max_file_size": 10_000_000})
    by_dir: dict[str, set[str]] = {}
    for f in report.findings:
        by_dir.setdefault(Path(f.file).parent.name, set()).add(f.rule_id)
    assert by_dir["b"] == {"PL000"}
    assert "PL000" not in by_dir["a"] | by_dir["c"] and by_dir["a"] and by_dir["a"] == by_dir["c"]
    assert [f.message for f in report.findings if f.rule_id == "PL000"] == ["privlint could not analyse this file (out of memory)"]


# -- permissions: root reads everything, so as root these run privlint as the unprivileged user "nobody"


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory another user can enter (pytest's tmp_path is private to this user)."""
    path = Path(tempfile.mkdtemp(prefix="privlint-perm-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for sub in path.rglob("*"):
            if sub.is_dir() and not sub.is_symlink():
                sub.chmod(0o755)
        shutil.rmtree(path)


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    command = [*privlint_command(), *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200", HOME="/nonexistent")
    return subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)


def reported(result: subprocess.CompletedProcess[str]) -> dict[str, list[tuple[str, int, str]]]:
    assert "Traceback" not in result.stderr, result.stderr
    out: dict[str, list[tuple[str, int, str]]] = {}
    for f in json.loads(result.stdout)["findings"]:
        out.setdefault(f["file"], []).append((f["rule_id"], f["line"], f["message"]))
    return out


def test_unreadable_directories_and_files_are_named(shared_tmp: Path) -> None:
    root = with_known_finding(shared_tmp / "repo")
    for name, mode in (("closed", 0o000), ("listable", 0o644)):  # listable: r without x
        with_known_finding(root / name)
        (root / name).chmod(mode)
    with_known_finding(root / "open")
    (root / "open" / "secret.tf").write_text('resource "aws_iam_user" "u" {}\n')
    (root / "open" / "secret.tf").chmod(0)
    found = reported(run_unprivileged("check", str(root), "--format", "json"))
    assert found[f"{root}/closed"] == [("PL000", 1, "cannot read directory: Permission denied; its files were not scanned")]
    assert found[f"{root}/listable/known.template"] == [("PL000", 1, "cannot read file: Permission denied")]
    assert found[f"{root}/open/secret.tf"] == [("PL000", 1, "cannot read file: Permission denied")]
    assert [r for r, _l, _m in found[f"{root}/known.template"]] == [KNOWN_RULE] * 2
    assert [r for r, _l, _m in found[f"{root}/open/known.template"]] == [KNOWN_RULE] * 2


def test_an_explicit_path_into_an_unreadable_directory(shared_tmp: Path) -> None:
    closed = with_known_finding(shared_tmp / "closed")
    closed.chmod(0)
    other = with_known_finding(shared_tmp / "other")
    found = reported(run_unprivileged("check", str(closed / "known.template"), str(other), "--format", "json"))
    assert found[f"{closed}/known.template"] == [("PL000", 1, "cannot read: Permission denied")]
    assert [r for r, _l, _m in found[f"{other}/known.template"]] == [KNOWN_RULE] * 2


def test_a_long_value_is_checked_for_secrets_in_linear_time() -> None:
    from privlint.config_drift.sensitive import looks_secret

    # The connection-string pattern used to rescan the rest of the value from every letter (quadratic):
    # a 9 MB string in a plan took more than half an hour in `privlint drift`.
    assert not looks_secret("A" * 300_000) and not looks_secret("a:" * 150_000)
    assert looks_secret("x" * 300_000 + " postgres://u:pw@host/db")


def test_a_change_register_with_a_pattern_too_deep_to_compile(tmp_path: Path) -> None:
    register = tmp_path / "changes.yaml"
    register.write_text("policy:\n  ticket_pattern: '" + "(" * 1000 + "x" + ")" * 1000 + "'\nchanges: []\n")
    result = subprocess.run(
        [*privlint_command(), "drift", "--plan", str(FIXTURES / "drift" / "plan-drift.json"), "--register", str(register), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    problems = [f for f in json.loads(result.stdout)["findings"] if f["file"] == str(register)]
    assert problems and all(f["rule_id"] in ("PL000", "PL501", "PL505", "PL510") or f["line"] >= 1 for f in problems)
    assert any("ticket_pattern" in f["message"] for f in problems), problems


@pytest.mark.parametrize("pattern", [r"^(a+)+$", r"^(\w+\s?)*$", r"^(a|aa)*$"])
def test_a_ticket_pattern_that_backtracks_exponentially_is_refused(tmp_path: Path, pattern: str) -> None:
    """A register is the author's data: a pattern such as (a+)+ on a near-miss ticket would stall every run."""
    register = tmp_path / "changes.yaml"
    register.write_text(
        f"policy:\n  ticket_pattern: '{pattern}'\nchanges:\n  - id: C1\n    ticket: '{'a' * 60}!'\n"
        "    status: approved\n    requested_by: ann\n    approvers: [bob, cy]\n    covers: [{resource: aws_iam_role.breakglass}]\n"
    )
    result = subprocess.run(
        [*privlint_command(), "drift", "--plan", str(FIXTURES / "drift" / "plan-drift.json"), "--register", str(register), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["file"] == str(register)]
    assert any("ticket_pattern" in m and "exponential" in m for m in messages), messages


def test_a_ticket_pattern_with_many_repetitions_in_a_row_is_not_run_on_a_long_ticket(tmp_path: Path) -> None:
    """``a*a*...a*b`` has no nesting, but on 150 a's a backtracking search would take years: it counts as no match."""
    register = tmp_path / "changes.yaml"
    register.write_text(
        "policy:\n  ticket_pattern: '^" + "a*" * 10 + "b$'\nchanges:\n  - id: C1\n    ticket: '" + "a" * 150 + "'\n"
        "    status: approved\n    requested_by: ann\n    approvers: [bob, cy]\n    covers: [{resource: aws_iam_role.breakglass}]\n"
    )
    result = subprocess.run(
        [*privlint_command(), "drift", "--plan", str(FIXTURES / "drift" / "plan-drift.json"), "--register", str(register), "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    assert any(f["rule_id"] == "PL506" and "change record C1" in f["message"] for f in json.loads(result.stdout)["findings"])


def test_a_yaml_document_with_too_many_nodes_is_refused_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Composing costs ~700 bytes per node: 4 million one-letter items (8 MB) used to cost 2.7 GB.
    from privlint.parsers import yaml_lines

    MAX_NODES = 1_000  # the real budget (200,000) takes seconds to reach
    monkeypatch.setattr(yaml_lines, "MAX_NODES", MAX_NODES)
    (tmp_path / "t.template").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n      Path: [" + "x," * (MAX_NODES + 10) + "]\n"
    )
    found = findings_by_file(privlint.scan([with_known_finding(tmp_path)]))
    assert found["t.template"] == [("PL000", 6, f"more than {MAX_NODES:,} YAML nodes in one document: not read")]
    assert len(found["known.template"]) == 2


def test_a_huge_name_quoted_in_findings_is_cut(tmp_path: Path) -> None:
    from privlint.model.findings import MAX_FINDING_TEXT

    login = "a" * 200_000
    (tmp_path / "org.json").write_text(
        json.dumps(
            {
                "github_org_snapshot": 1,
                "organization": {"login": "acme", "two_factor_requirement_enabled": False},
                "admins": [{"login": login, "id": 1, "type": "User"}],
            }
        )
    )
    report = privlint.scan([tmp_path])
    assert report.findings and all(len(f.message) <= MAX_FINDING_TEXT and len(f.resource) <= MAX_FINDING_TEXT for f in report.findings)
    assert any(f.message.endswith("...") for f in report.findings)


def test_cloudformation_drift_with_a_huge_index_or_a_value_too_deep(tmp_path: Path) -> None:
    from privlint.config_drift.cfn_drift import cfn_differences, pointer_path

    assert pointer_path("/Policies/" + "9" * 4400) == ("Policies", "9" * 4400)
    doc = {
        "StackResourceDrifts": [
            {
                "LogicalResourceId": "Role",
                "ResourceType": "AWS::IAM::Role",
                "StackResourceDriftStatus": "MODIFIED",
                "PropertyDifferences": [
                    {
                        "PropertyPath": "/Policies/" + "9" * 4400,
                        "ExpectedValue": "[" * 5000,
                        "ActualValue": "[" + "9" * 5000 + "]",
                        "DifferenceType": "NOT_EQUAL",
                    },
                ],
            }
        ]
    }
    differences, _problems = cfn_differences(doc, "drift.json")
    assert len(differences) == 1


def test_drift_inputs_inside_an_unreadable_directory(shared_tmp: Path) -> None:
    closed = shared_tmp / "closed"
    (closed / "baseline").mkdir(parents=True)
    shutil.copy(FIXTURES / "drift" / "plan-drift.json", closed / "plan.json")
    closed.chmod(0)
    plan = reported(run_unprivileged("drift", "--plan", str(closed / "plan.json"), "--format", "json"))
    assert plan == {str(closed / "plan.json"): [("PL000", 1, "cannot read: Permission denied")]}
    other = shared_tmp / "other"
    other.mkdir()
    snapshots = reported(run_unprivileged("drift", "--baseline", str(closed / "baseline"), "--current", str(other), "--format", "json"))
    assert snapshots == {str(closed / "baseline"): [("PL000", 1, "cannot read: Permission denied")]}

"""Configuration, suppressions (the risk register) and their findings (PL001-PL004; privlint/pipeline/suppress.py),
from the CLI and the API."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs

import privlint
from privlint.pipeline.config import ConfigError, find_config, load_config

ADMIN = """\
resource "aws_iam_user" "alice" {
  name = "alice"
}

resource "aws_iam_user_policy_attachment" "alice" {
  user       = aws_iam_user.alice.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def summary(report: privlint.Report) -> list[tuple[str, str, bool]]:
    return sorted((f.rule_id, f.resource, f.suppressed) for f in report.findings)


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("suppressions")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)


def test_inline_comment_above_the_block_suppresses_and_is_recorded(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '# privlint:ignore PL101 reason="break-glass account" owner=secops until=2099-01-31\n' + ADMIN)
    report = privlint.scan(tmp_path)
    assert summary(report) == [("PL101", "aws_iam_user.alice", True)]
    (finding,) = report.findings
    assert finding.suppression is not None and finding.suppression.reason == "break-glass account"
    assert finding.suppression.owner == "secops" and str(finding.suppression.until) == "2099-01-31"
    assert report.summary.findings == 0 and not report.fails(privlint.Settings().fail_on)
    data = json.loads(report.to_json())
    assert data["findings"][0]["suppressed"] is True and data["findings"][0]["suppression"]["source"] == "inline"


def test_inline_comment_inside_the_block_and_by_rule_name(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", ADMIN.replace('  name = "alice"', '  name = "alice" # privlint:ignore admin-without-mfa reason="x" owner=o until=2099-01-01'))
    assert summary(privlint.scan(tmp_path)) == [("PL101", "aws_iam_user.alice", True)]


def test_a_comment_above_another_block_does_not_leak(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", ADMIN + '\n# privlint:ignore PL101 reason="x" owner=o until=2099-01-01\nresource "aws_iam_user" "bob" { name = "bob" }\n')
    found = summary(privlint.scan(tmp_path))
    assert ("PL101", "aws_iam_user.alice", False) in found
    assert any(rule == "PL003" for rule, _, _ in found)  # the comment on bob matched nothing


def test_suppression_without_reason_does_not_apply(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", "# privlint:ignore PL101\n" + ADMIN)
    found = summary(privlint.scan(tmp_path))
    assert ("PL101", "aws_iam_user.alice", False) in found
    assert [r for r, _, _ in found].count("PL001") == 1


def test_expired_suppression_reports_both(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '# privlint:ignore PL101 reason="temporary" owner=me until=2020-01-01\n' + ADMIN)
    report = privlint.scan(tmp_path)
    assert sorted(f.rule_id for f in report.findings if not f.suppressed) == ["PL002", "PL101"]
    expired = next(f for f in report.findings if f.rule_id == "PL002")
    assert "2020-01-01" in expired.message and expired.line == 1


def test_incomplete_suppression_applies_but_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '# privlint:ignore PL101 reason="break-glass"\n' + ADMIN)
    found = summary(privlint.scan(tmp_path))
    assert ("PL101", "aws_iam_user.alice", True) in found and any(r == "PL004" for r, _, _ in found)


def test_checkov_skip_comment_serves_both_tools(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", "# checkov:skip=CKV_PRIVLINT_101:break-glass user\n" + ADMIN)
    report = privlint.scan(tmp_path, {"ignore": ["PL004"]})
    assert summary(report) == [("PL101", "aws_iam_user.alice", True)]
    assert report.findings[0].suppression.source == "checkov"


def test_cloudformation_metadata_and_comment_forms(tmp_path: Path) -> None:
    write(
        tmp_path,
        "template.yaml",
        """\
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Alice:
            Type: AWS::IAM::User
            Metadata:
              privlint:
                ignore:
                  - {id: PL101, reason: break-glass, owner: secops, until: 2099-12-31}
            Properties:
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
          # privlint:ignore PL101 reason="shared admin, ticket SEC-9" owner=secops until=2099-12-31
          Bob:
            Type: AWS::IAM::User
            Properties:
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
          Carol:
            Type: AWS::IAM::User
            Properties:
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
    """,
    )
    assert summary(privlint.scan(tmp_path)) == [("PL101", "Alice", True), ("PL101", "Bob", True), ("PL101", "Carol", False)]


def test_configuration_file_selection_severity_exclude_and_suppressions(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", ADMIN + 'resource "aws_db_instance" "db" {\n  password = "changeme"\n}\n')
    write(tmp_path, "legacy/old.tf", 'resource "aws_db_instance" "old" {\n  password = "changeme"\n}\n')
    write(
        tmp_path,
        ".privlint.yaml",
        """\
        exclude: [legacy]
        severity: {PL101: critical}
        ignore: [default-credential]
        suppressions: []
    """,
    )
    report = privlint.scan(tmp_path, tmp_path / ".privlint.yaml")
    assert [(f.rule_id, f.severity.value) for f in report.findings] == [("PL101", "critical")]
    write(
        tmp_path,
        ".privlint.yaml",
        """\
        select: [PL302]
        suppressions:
          - {rule: PL302, resource: "aws_db_*", reason: "test database", owner: qa, until: 2099-01-01}
    """,
    )
    report = privlint.scan(tmp_path, tmp_path / ".privlint.yaml")
    assert summary(report) == [("PL302", "aws_db_instance.db", True), ("PL302", "aws_db_instance.old", True)]


def test_config_is_found_by_walking_up_and_errors_name_the_key(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n\n[tool.privlint]\nmin_password_length = 20\n")
    write(tmp_path, "infra/main.tf", ADMIN)
    found = find_config(tmp_path / "infra")
    assert found == tmp_path / "pyproject.toml"
    assert load_config(found).settings.min_password_length == 20
    write(tmp_path, "infra/.privlint.yaml", "min_pasword_length: 20\nfail_on: severe\n")
    with pytest.raises(ConfigError) as err:
        load_config(find_config(tmp_path / "infra"))
    assert "unknown key 'min_pasword_length'" in str(err.value) and "key 'fail_on'" in str(err.value)


def test_cli_config_errors_exit_2(cli, tmp_path: Path) -> None:
    write(tmp_path, "main.tf", ADMIN)
    write(tmp_path, ".privlint.yaml", "selct: [PL101]\n")
    result = cli("check", str(tmp_path))
    assert result.returncode == 2 and "unknown key 'selct'" in result.stderr and "Traceback" not in result.stderr
    assert cli("check", str(tmp_path), "--config", str(tmp_path / "nope.yaml")).returncode == 2
    write(tmp_path, "good.yaml", "fail_on: critical\n")
    assert cli("check", str(tmp_path), "--config", str(tmp_path / "good.yaml")).returncode == 0


def test_risk_register_from_cli_and_api(cli, tmp_path: Path) -> None:
    write(tmp_path, "main.tf", '# privlint:ignore PL101 reason="break-glass account" owner=secops until=2099-01-31\n' + ADMIN)
    rows = privlint.frontend.api.risk_register(tmp_path)
    assert [(r.rule, r.resource, r.owner, r.controls) for r in rows] == [("PL101", "aws_iam_user.alice", "secops", ["PAM-3", "PAM-4", "PUG-5"])]
    assert rows[0].days_left and rows[0].days_left > 0 and rows[0].location.endswith("main.tf:1")
    out = cli("risk-register", str(tmp_path), "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert table[0]["rule"] == "PL101" and table[0]["reason"] == "break-glass account" and table[0]["expiry"] == "2099-01-31"
    assert json.loads(cli("risk-register", str(tmp_path), "--format", "json").stdout)[0]["owner"] == "secops"
    assert "| PL101 |" in cli("risk-register", str(tmp_path)).stdout


def test_published_config_schema(cli) -> None:
    import jsonschema

    schema = json.loads(cli("schema", "config").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate({"fail_on": "high", "suppressions": [{"rule": "PL101", "reason": "x"}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fail_on": "sometimes"}, schema)

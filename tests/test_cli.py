"""The real `privlint` command: output contract, exit codes, text output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from conftest import FIXTURES
from privlint.model.findings import report_schema

SCHEMA = report_schema()


def test_json_output_matches_the_contract(cli) -> None:
    result = cli("check", "fixtures/", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    findings = report["findings"]
    assert findings == sorted(findings, key=lambda f: (f["file"], f["line"], f["rule_id"], f["resource"], f["message"]))
    # "file" is the path as given, joined with the file's relative path.
    assert all(f["file"].startswith("fixtures/") for f in findings)
    summary = report["summary"]
    assert summary["findings"] == sum(1 for f in findings if not f["suppressed"])
    assert summary["by_severity"] == {
        s: n for s in ("critical", "high", "medium", "low") if (n := sum(f["severity"] == s and not f["suppressed"] for f in findings))
    }
    assert summary["parse_errors"] == sum(f["category"] == "parse-error" for f in findings)
    every_rule = {f["rule_id"] for f in findings}
    assert {"PL000", "PL101", "PL102", "PL201", "PL202", "PL203", "PL204", "PL205", "PL301", "PL302", "PL303", "PL304", "PL305", "PL401", "PL402"} <= every_rule


def test_output_is_deterministic(cli) -> None:
    first = cli("check", "fixtures/rules", "fixtures/constructs", "--format", "json").stdout
    second = cli("check", "fixtures/constructs", "fixtures/rules", "--format", "json").stdout
    assert json.loads(first)["findings"] == json.loads(second)["findings"]


def test_exit_codes_and_fail_on(cli) -> None:
    assert cli("check", "fixtures/rules/PL101-admin-without-mfa/terraform/good/user").returncode == 0
    assert cli("check", "fixtures/rules/PL101-admin-without-mfa/terraform/bad/user").returncode == 1
    # PL304 is medium: --fail-on high lets it pass, --fail-on medium does not.
    assert cli("check", "fixtures/rules/PL304-login-profile-without-reset/terraform/bad", "--fail-on", "high").returncode == 0
    assert cli("check", "fixtures/rules/PL304-login-profile-without-reset/terraform/bad", "--fail-on", "medium").returncode == 1
    missing = cli("check", "no/such/dir")
    assert missing.returncode == 2 and "no such file or directory: no/such/dir" in missing.stderr and "Traceback" not in missing.stderr
    assert cli("check", "fixtures", "--format", "yaml").returncode == 2
    assert cli("check").returncode == 2


def test_text_output_lines_start_with_path_and_line(cli) -> None:
    result = cli("check", "fixtures/rules/PL101-admin-without-mfa/terraform/bad/group", "--color", "never")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fixtures/rules/PL101-admin-without-mfa/terraform/bad/group/main.tf:2: high")
    assert "PL101" in lines[0] and "aws_iam_group.admins" in lines[0] and "PUG-5" in lines[0]
    assert lines[-1].startswith("3 findings (3 high) in")
    colored = cli("check", "fixtures/rules/PL101-admin-without-mfa/terraform/bad/group", "--color", "always")
    assert "\x1b[" in colored.stdout


def _fixture_secrets() -> list[str]:
    """Every literal secret privlint finds in the fixtures (from its own inventory)."""
    from privlint.pipeline.discover import discover
    from privlint.pipeline.engine import Scanner

    units, _ = Scanner()._parse(discover([str(FIXTURES)], 10_000_000).files)
    return sorted({c.value for u in units for c in u.inventory.credentials if c.kind == "secret"})


def test_secrets_are_masked_everywhere(cli) -> None:
    secrets = _fixture_secrets()
    assert "Xk9#mPq2vL7!wR4t" in secrets and "changeme" in secrets and len(secrets) >= 5
    for fmt in ("text", "json"):
        out = cli("check", "fixtures/", "--format", fmt).stdout
        for secret in secrets:
            assert secret not in out


def test_rules_and_explain(cli) -> None:
    listing = cli("rules").stdout
    assert "PL101" in listing and "admin-without-mfa" in listing
    explained = cli("explain", "PL101")
    assert explained.returncode == 0 and "PUG-5" in explained.stdout and "Fix" in explained.stdout
    assert cli("explain", "wildcard-action").returncode == 0
    assert cli("explain", "PL999").returncode == 2


def test_explicit_files_read_their_module_for_context(cli, tmp_path: Path) -> None:
    (tmp_path / "users.tf").write_text('resource "aws_iam_user" "u" { name = "u" }\n')
    (tmp_path / "attach.tf").write_text(
        'resource "aws_iam_user_policy_attachment" "a" {\n  user = aws_iam_user.u.name\n  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    # Only users.tf is named (as pre-commit does), but the attachment in attach.tf still counts.
    result = cli("check", str(tmp_path / "users.tf"), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["resource"]) for f in findings] == [("PL101", "aws_iam_user.u")]
    assert cli("check", str(tmp_path / "attach.tf")).returncode == 0  # the finding is in users.tf

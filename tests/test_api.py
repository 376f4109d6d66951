"""The importable API returns typed models."""

from __future__ import annotations

import pytest

import privlint
from privlint.core.findings import Category, Finding, Report, Severity
from conftest import FIXTURES


def test_scan_returns_a_typed_report() -> None:
    report = privlint.scan(FIXTURES / "terraform" / "admin-user-without-mfa" / "bad")
    assert isinstance(report, Report)
    (finding,) = report.findings
    assert isinstance(finding, Finding)
    assert finding.category is Category.admin_without_mfa and finding.severity is Severity.high
    assert finding.controls == ["PAM-3", "PAM-4", "PUG-5"]
    assert report.fails(Severity.high) and not report.fails(Severity.critical)


def test_scan_text_for_each_format() -> None:
    tf = privlint.scan_text('resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})\n}\n')
    assert [(f.rule_id, f.severity.value, f.file, f.line) for f in tf.findings] == [("PL201", "critical", "main.tf", 2)]
    cfn = privlint.scan_text(
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: changeme\n",
        format="cloudformation",
        filename="stack.yaml",
    )
    assert [(f.rule_id, f.resource, f.file) for f in cfn.findings] == [("PL302", "Db", "stack.yaml")]


def test_scan_text_rejects_what_is_not_the_format() -> None:
    with pytest.raises(ValueError):
        privlint.scan_text("just: yaml\n", format="cloudformation")
    with pytest.raises(ValueError):
        privlint.scan_text("x", format="ansible")  # type: ignore[arg-type]


def test_settings_are_validated_and_used() -> None:
    bad = FIXTURES / "terraform" / "weak-password-policy" / "good"
    assert privlint.scan(bad).findings == []
    assert [f.rule_id for f in privlint.scan(bad, {"min_password_length": 20}).findings] == ["PL402"]
    with pytest.raises(ValueError):
        privlint.scan(bad, {"min_pasword_length": 20})
    extra = privlint.scan(FIXTURES / "terraform" / "hardcoded-secret" / "bad", {"extra_default_passwords": ["Xk9#mPq2vL7!wR4t"]})
    assert "PL302" in {f.rule_id for f in extra.findings}

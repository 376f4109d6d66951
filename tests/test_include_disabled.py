"""`privlint check --include-disabled`, run as the real command, on blocks an input variable switches off.

The default scan lints what would be deployed, so it stays quiet; with the flag, the switched-off blocks are
linted too and each finding says it is disabled and which variable turns it on.
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

SWITCHED_OFF = "fixtures/constructs/terraform/include-disabled"

CASES = [
    pytest.param(
        "module-call-off",
        "module.breakglass[0].aws_iam_user.this",
        "var.create",
        id="module-call-off",
    ),
    pytest.param(
        "resources-off",
        "module.breakglass.aws_iam_user.this[0]",
        "var.create",
        id="resources-off",
    ),
    pytest.param(
        "attachment-off",
        "module.breakglass.aws_iam_user.this",
        "var.grant_admin",
        id="attachment-off",
    ),
]


def _findings(*args: str) -> list[dict[str, object]]:
    result = run_cli("check", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


@pytest.mark.parametrize("fixture", ["module-call-off", "resources-off", "attachment-off"])
def test_default_scan_is_quiet(fixture: str) -> None:
    assert _findings(f"{SWITCHED_OFF}/{fixture}") == []


@pytest.mark.parametrize(("fixture", "address", "variable"), CASES)
def test_include_disabled_reports_the_switched_off_admin(fixture: str, address: str, variable: str) -> None:
    findings = _findings("--include-disabled", f"{SWITCHED_OFF}/{fixture}")
    admin = [f for f in findings if f["rule_id"] == "PL101"]
    assert [(f["resource"], f.get("disabled"), f.get("enabled_by")) for f in admin] == [(address, True, variable)]
    assert variable in str(admin[0]["message"])


def test_literal_count_zero_stays_dropped(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "off" {\n  count = 0\n  name  = "off"\n}\n\n'
        'resource "aws_iam_user_policy_attachment" "off" {\n  count      = 0\n  user       = "off"\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    assert _findings("--include-disabled", str(tmp_path)) == []


def test_a_finding_deployed_by_default_is_not_labelled_disabled(tmp_path) -> None:
    """A switched-off grant that only changes the wording of a finding (which grants make the user admin)
    does not make the finding one that exists only when the switch is on."""
    (tmp_path / "main.tf").write_text(
        'variable "extra" {\n  type    = bool\n  default = false\n}\n\n'
        'resource "aws_iam_user" "ops" {\n  name = "ops"\n}\n\n'
        'resource "aws_iam_user_policy_attachment" "admin" {\n  user       = aws_iam_user.ops.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n\n'
        'resource "aws_iam_user_policy_attachment" "also" {\n  count      = var.extra ? 1 : 0\n  user       = aws_iam_user.ops.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"\n}\n'
    )
    default = [f for f in _findings(str(tmp_path)) if f["rule_id"] == "PL101"]
    everything = [f for f in _findings("--include-disabled", str(tmp_path)) if f["rule_id"] == "PL101"]
    assert len(default) == len(everything) == 1
    assert everything[0].get("disabled") is None and everything[0].get("enabled_by") is None

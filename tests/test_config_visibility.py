"""A scanned repository must not switch the checks off unseen: unknown ids, who may write the config,
every report naming it, and suppressions that are real comments with a real reason."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, run_cli
from privlint.model.findings import report_schema

ADMIN = FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user"
TARGET = 'resource "aws_iam_user" "alice"'


@pytest.fixture
def module(tmp_path: Path) -> Path:
    shutil.copytree(ADMIN, tmp_path / "repo" / "infra")
    return tmp_path / "repo" / "infra"


@pytest.mark.parametrize(
    "config",
    [
        "select: [PL9999]\n",
        "ignore: [PL9999]\n",
        "severity:\n  PL9999: low\n",
        "suppressions:\n  - rule: PL9999\n    reason: typo\n",
    ],
)
def test_unknown_rule_in_the_configuration_is_an_error_naming_it(module: Path, config: str) -> None:
    (module.parent / ".privlint.yaml").write_text(config)
    result = run_cli("check", str(module))
    assert result.returncode == 2 and "PL9999" in result.stderr and ".privlint.yaml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_on_the_command_line_is_an_error(module: Path, flag: str) -> None:
    result = run_cli("check", str(module), flag, "PL1O1")
    assert result.returncode == 2 and "command line" in result.stderr and "PL1O1" in result.stderr


@pytest.mark.parametrize(
    "comment",
    [
        '# privlint:ignore PL9999 reason="x" owner=a until=2099-01-01',
        "#checkov:skip=CKV_PRIVLINT_999:typo",
    ],
)
def test_unknown_rule_in_a_suppression_comment_is_an_error_and_hides_nothing(module: Path, comment: str) -> None:
    main = module / "main.tf"
    main.write_text(main.read_text().replace(TARGET, f"{comment}\n{TARGET}"))
    result = run_cli("check", str(module), "-f", "json")
    assert result.returncode == 2 and "PL999" in result.stderr and "main.tf:" in result.stderr
    rules = {f["rule_id"] for f in json.loads(result.stdout)["findings"] if not f["suppressed"]}
    assert {"PL001", "PL101"} <= rules


def test_every_report_names_the_configuration_and_what_it_turned_off(
    module: Path,
) -> None:
    config = module.parent / ".privlint.yaml"  # in a parent of the scanned directory
    config.write_text("ignore: [admin-without-mfa]\nexclude: ['*.json']\n")
    text = run_cli("check", str(module))
    assert text.returncode == 0 and "No findings" in text.stdout
    footer = text.stdout.splitlines()[-1]
    assert footer.startswith(f"Configuration {config}") and "ignore: admin-without-mfa" in footer and "exclude: *.json" in footer
    report = json.loads(run_cli("check", str(module), "-f", "json").stdout)
    jsonschema.validate(report, report_schema())
    summary = report["summary"]
    assert summary["config"] == [
        {
            "file": str(config),
            "changes": ["exclude: *.json", "ignore: admin-without-mfa"],
        }
    ]
    sarif = json.loads(run_cli("check", str(module), "-f", "sarif").stdout)
    (applied,) = sarif["runs"][0]["invocations"][0]["properties"]["config"]
    assert applied["changes"] == summary["config"][0]["changes"]
    quiet = run_cli("check", str(module), "--quiet")
    assert "Configuration" in quiet.stdout  # --quiet drops the summary, never the configuration
    config.unlink()
    assert "Configuration" not in run_cli("check", str(module)).stdout
    assert "config" not in json.loads(run_cli("check", str(module), "-f", "json").stdout)["summary"]


def test_select_names_every_rule_it_turns_off(module: Path) -> None:
    (module.parent / ".privlint.yaml").write_text("select: [PL304]\n")
    footer = run_cli("check", str(module)).stdout.splitlines()[-1]
    assert "only PL304" in footer and "every other rule is off" in footer


def test_a_configuration_others_may_write_is_refused(module: Path) -> None:
    config = module.parent / ".privlint.yaml"
    config.write_text("ignore: [admin-without-mfa]\n")
    for mode in (0o664, 0o646):
        config.chmod(mode)
        result = run_cli("check", str(module))
        assert result.returncode == 2 and "writable by group or others" in result.stderr and str(config) in result.stderr
    config.chmod(0o644)
    assert run_cli("check", str(module)).returncode == 0


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file away needs root",
)
def test_a_configuration_another_user_owns_is_refused(module: Path) -> None:
    config = module.parent / ".privlint.yaml"
    config.write_text("ignore: [admin-without-mfa]\n")
    os.chown(config, 4321, -1)
    result = run_cli("check", str(module))
    assert result.returncode == 2 and "belongs to another user" in result.stderr


def _with_comment(module: Path, comment: str, *, inside: bool = False) -> list[dict]:
    main = module / "main.tf"
    text = main.read_text()
    text = text.replace(f"{TARGET} {{", f"{TARGET} {{\n{comment}") if inside else text.replace(TARGET, f"{comment}\n{TARGET}")
    main.write_text(text)
    return json.loads(run_cli("check", str(module), "-f", "json").stdout)["findings"]


def test_a_reason_of_only_spaces_is_no_reason(module: Path) -> None:
    findings = _with_comment(module, '# privlint:ignore PL101 reason="   " owner=a until=2099-01-01')
    assert any(f["rule_id"] == "PL001" and "no reason" in f["message"] for f in findings)
    assert any(f["rule_id"] == "PL101" and not f["suppressed"] for f in findings)


def test_a_directive_inside_a_string_or_heredoc_is_not_a_comment(module: Path) -> None:
    directive = 'privlint:ignore PL101 reason=\\"hidden\\" owner=a until=2099-01-01'
    in_string = _with_comment(module, f'  tags_all = {{ note = "# {directive}" }}', inside=True)
    assert any(f["rule_id"] == "PL101" and not f["suppressed"] for f in in_string)
    shutil.copy(ADMIN / "main.tf", module / "main.tf")
    heredoc = 'description = <<EOT\n# privlint:ignore PL101 reason="hidden" owner=a until=2099-01-01\nEOT'
    in_heredoc = _with_comment(module, heredoc, inside=True)
    assert any(f["rule_id"] == "PL101" and not f["suppressed"] for f in in_heredoc)
    assert not any(f["rule_id"] in ("PL001", "PL003") for f in in_string + in_heredoc)


def test_a_directive_inside_a_yaml_block_scalar_is_not_a_comment(
    tmp_path: Path,
) -> None:
    template = (FIXTURES / "rules/PL101-admin-without-mfa/cloudformation/bad/user.template").read_text()
    hidden = 'Description: |\n  # privlint:ignore PL101 reason="hidden" owner=a until=2099-01-01\n'
    (tmp_path / "stack.template").write_text(hidden + template.replace("Description:", "# Description:", 1))
    findings = json.loads(run_cli("check", str(tmp_path), "-f", "json").stdout)["findings"]
    assert any(f["rule_id"] == "PL101" and not f["suppressed"] for f in findings)


def test_one_checkov_skip_comment_serves_both_tools(module: Path) -> None:
    findings = _with_comment(module, "#checkov:skip=CKV_PRIVLINT_101:break-glass account, reviewed quarterly")
    assert [f["rule_id"] for f in findings if not f["suppressed"]] == []
    assert run_cli("check", str(module)).returncode == 0  # no PL004 for the owner/expiry checkov cannot express
    empty = _with_comment(module, "#checkov:skip=CKV_PRIVLINT_101:   ")
    assert any(f["rule_id"] == "PL001" for f in empty)

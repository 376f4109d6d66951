"""AWS IAM credential reports: detection by header, rules PL121, PL122, PL420, PL421, bad input, the IaC join."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import privlint
from conftest import FIXTURES
from privlint.model.settings import Settings
from privlint.pipeline.discover import discover
from privlint.pipeline.engine import Scanner
from privlint.pipeline.format_credential_report import parse_report
from privlint.rules.credential_report import (
    console_user_without_mfa,
    dormant_credentials,
    link_iac_admins,
)

REPORTS = FIXTURES / "credential-report"
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
    "cert_2_last_rotated"
)


def findings(path: Path | str, **config: object) -> set[tuple[str, str, int, str]]:
    report = privlint.scan([str(path)], config=config or None)
    return {(f.rule_id, f.resource, f.line, f.severity.value) for f in report.findings}


def row(
    user: str,
    password: str = "true",
    password_used: str = "2025-05-01T00:00:00+00:00",
    mfa: str = "true",
    key1: str = "false",
    key1_used: str = "N/A",
    created: str = "2024-01-01T00:00:00+00:00",
) -> str:
    arn = "arn:aws:iam::111122223333:root" if user == "<root_account>" else f"arn:aws:iam::111122223333:user/{user}"
    rotated = created if key1 == "true" else "N/A"
    return (
        f"{user},{arn},{created},{password},{password_used},{created},N/A,{mfa},{key1},{rotated},{key1_used},N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )


def write(tmp_path: Path, *rows: str, name: str = "credential-report.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


BAD = REPORTS / "bad" / "credential-report.csv"


@pytest.mark.parametrize(("fixture_dir", "case"), case_params([*family_fixture_dirs("credential_report"), REPORTS]))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    """Each rule's own reports, and the whole-family report of fixtures/credential-report/ (bad, good,
    malformed rows, and joined with Terraform)."""
    assert_case_matches(fixture_dir, case)


def test_json_output_names_the_report_row(cli) -> None:
    result = cli("check", str(BAD), "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    alice = next(f for f in data["findings"] if f["rule_id"] == "PL121")
    assert alice["file"] == str(BAD) and alice["line"] == 3 and alice["resource"] == "aws-credential-report:alice"
    assert alice["category"] == "admin-without-mfa" and alice["controls"] == ["PAM-3", "PUG-5"]


def test_dormancy_days_is_configurable() -> None:
    got = findings(BAD, dormancy_days=150)
    assert ("PL421", "aws-credential-report:bob", 4, "medium") in got
    assert not any(f[0] == "PL421" and f[1].endswith(":dan") for f in got)  # 142 days is within 150


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Dormancy counts from the newest timestamp in the report, never from today's date.
        ([row("ann", password_used="2025-01-01T00:00:00+00:00"), row("eve", password_used="2025-04-02T00:00:00+00:00")], {"ann"}),
        ([row("ann", password_used="2025-01-01T00:00:00+00:00"), row("eve", password_used="2025-03-31T00:00:00+00:00")], set()),
        # A key still in use keeps the user active even if the password is not.
        ([row("ann", password_used="2024-01-01T00:00:00+00:00", key1="true", key1_used="2025-06-01T00:00:00+00:00")], set()),
        # Disabled password and inactive keys: nothing to be dormant.
        ([row("ann", password="false", password_used="2020-01-01T00:00:00+00:00"), row("eve", password_used="2025-06-01T00:00:00+00:00")], set()),
        # Root is not reported for being unused: that is what it should be.
        (
            [row("<root_account>", password="not_supported", password_used="2020-01-01T00:00:00+00:00"), row("eve", password_used="2025-06-01T00:00:00+00:00")],
            set(),
        ),
    ],
)
def test_dormancy(tmp_path: Path, rows: list[str], expected: set[str]) -> None:
    got = {f.resource.split(":", 1)[1] for f in privlint.scan([write(tmp_path, *rows)]).findings if f.rule_id == "PL421"}
    assert got == expected


def test_report_with_fewer_columns_still_parses(tmp_path: Path) -> None:
    """Older reports and exports lack some columns; they are read by name."""
    path = tmp_path / "old.csv"
    path.write_text(
        "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active\n"
        "alice,arn:aws:iam::1:user/alice,2024-01-01T00:00:00+00:00,true,2025-01-01T00:00:00+00:00,false\n"
    )
    assert findings(path) == {("PL121", "aws-credential-report:alice", 2, "high")}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (HEADER.split(",password_enabled")[0] + ",foo\nalice,x,y,z\n", 1, "header lacks"),
        (HEADER + '\n"alice,arn:aws:iam::1:user/alice\n', 2, "not valid CSV"),
        (HEADER + "\n" + row("alice", mfa="maybe") + "\n", 2, "mfa_active"),
        (HEADER + "\n" + row("alice") + "\n\n" + row("bob", created="yesterday") + "\n", 4, "user_creation_time"),
    ],
)
def test_bad_csv_never_crashes(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "credential-report.csv"
    path.write_text(text)
    report = privlint.scan([path])
    errors = [f for f in report.findings if f.rule_id == "PL000"]
    assert errors and errors[0].line == line and words in errors[0].message and errors[0].file == str(path)


def test_other_csv_files_are_not_read_as_reports(tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text("name,email\nalice,alice@example.com\n")
    assert privlint.scan([tmp_path]).summary.files == 0


def test_report_saved_with_windows_line_endings_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + row("alice", mfa="false") + "\r\n").encode("utf-8"))
    assert findings(path) == {("PL121", "aws-credential-report:alice", 2, "high")}


# -- the join with IaC: an IAM user of the same name that the Terraform makes admin-level


def _units(path: Path):
    scanner = Scanner()
    units, problems = scanner._parse(discover([str(path)], scanner.settings.max_file_size).files)
    assert not problems
    return units


def test_join_by_user_name_makes_the_finding_critical() -> None:
    """With the inventories of one scan linked, alice (admin through the admins group) is critical."""
    units = _units(REPORTS / "with-terraform")
    report_unit = next(u for u in units if u.inventory.credential_reports)
    link_iac_admins(u.inventory for u in units)
    hits = {h.resource: h for h in console_user_without_mfa(report_unit.inventory, Settings())}
    assert hits["aws-credential-report:alice"].severity is not None and hits["aws-credential-report:alice"].severity.value == "critical"
    assert "AdministratorAccess" in hits["aws-credential-report:alice"].message
    dormant = {h.resource: h.severity for h in dormant_credentials(report_unit.inventory, Settings())}
    assert dormant["aws-credential-report:bob"] is None  # bob is not admin in the IaC: the rule's own severity


def test_without_the_link_the_report_is_judged_on_its_own() -> None:
    units = _units(REPORTS / "with-terraform")
    report_unit = next(u for u in units if u.inventory.credential_reports)
    hits = {h.resource: h for h in console_user_without_mfa(report_unit.inventory, Settings())}
    assert hits["aws-credential-report:alice"].severity is None


def test_join_inside_one_inventory() -> None:
    """When the report and the IaC share an inventory (merged), the join needs no linking."""
    units = _units(REPORTS / "with-terraform")
    merged = units[0].inventory.model_copy(deep=True)
    for unit in units[1:]:
        merged.merge(unit.inventory)
    hits = {h.resource: h for h in console_user_without_mfa(merged, Settings())}
    assert hits["aws-credential-report:alice"].severity.value == "critical"  # type: ignore[union-attr]


def test_mixed_directory_reports_each_format_with_its_file_and_resource(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FIXTURES / "rules/PL220-azure-wildcard-role-definition/terraform/bad", tmp_path / "azure")
    shutil.copytree(FIXTURES / "rules/PL223-gcp-public-member/terraform/bad", tmp_path / "gcp")
    shutil.copy(BAD, tmp_path / "report.csv")
    got = {(f.file, f.rule_id, f.resource) for f in privlint.scan([str(tmp_path)]).findings}
    base = str(tmp_path)
    assert (f"{base}/azure/main.tf", "PL220", "azurerm_role_definition.platform_operator") in got
    assert (f"{base}/gcp/main.tf", "PL223", "google_storage_bucket_iam_binding.allow_public_read") in got
    assert (f"{base}/report.csv", "PL121", "aws-credential-report:alice") in got
    assert {r for _f, r, _res in got} == {"PL220", "PL223", "PL121", "PL122", "PL420", "PL421"}


# -- any text after a real header: parse errors at worst, never an exception


_CELLS = st.sampled_from(
    [
        "true",
        "false",
        "N/A",
        "no_information",
        "not_supported",
        "",
        "2025-01-01T00:00:00+00:00",
        "2025-13-45T99:00:00",
        "<root_account>",
        '"',
        '"a,b"',
        "\x00",
        "\r",
        "\n",
        "é",
        "alice",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=25), max_size=6))
def test_parser_never_raises(rows: list[list[str]]) -> None:
    text = HEADER + "\n" + "\n".join(",".join(r) for r in rows)
    report, problems = parse_report(text, "r.csv")
    for problem in problems:
        assert problem.file == "r.csv" and problem.line is not None and problem.line >= 1
    # One outcome per physical line at most (csv also breaks lines at a bare \r).
    assert len(report.rows) + len(problems) <= len(rows) + text.count("\n") + text.count("\r") + 1

"""GitHub organisation inputs (API snapshot, peribolos, safe-settings, Terraform) and rules PL110-PL414.

Every rule has a fixture or an inline case that trips it and one that passes; bad input becomes a
PL000 parse-error finding with its line (and, for snapshots, its JSON path), never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import privlint
from conftest import FIXTURES

GITHUB = FIXTURES / "github"
# One export per source, each tripping most of the family's rules at once (expected.json beside each).
SOURCES = [GITHUB / name for name in ("snapshot", "peribolos", "safe-settings", "terraform", "terraform-collaborators-module")]
TOO_FEW_OWNERS = FIXTURES / "rules/PL411-github-too-few-owners/github-peribolos/bad"


def found(path: Path | str, **config: Any) -> set[tuple[str, str, int]]:
    report = privlint.scan([str(path)], config=config or None)
    return {(f.rule_id, f.resource, f.line) for f in report.findings}


def rules(path: Path | str, **config: Any) -> set[tuple[str, str]]:
    return {(rule, resource) for rule, resource, _ in found(path, **config)}


def snapshot(**changes: Any) -> dict[str, Any]:
    """The good snapshot fixture with some keys replaced."""
    data = json.loads((GITHUB / "snapshot" / "good" / "acme-corp.json").read_text())
    data.update(changes)
    return data


def write_json(tmp_path: Path, data: Any, name: str = "org.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.mark.parametrize(("fixture_dir", "case"), case_params([*family_fixture_dirs("github"), *SOURCES]))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    """Each rule's own cases, and each source's whole-organisation export: bad, good, invalid (schema
    errors), a Terraform module given outside collaborators as objects (a literal list, or one built by `for`)."""
    assert_case_matches(fixture_dir, case)


# --------------------------------------------------------------------------- API snapshot


def test_owner_without_2fa_is_critical() -> None:
    report = privlint.scan([str(GITHUB / "snapshot" / "bad")])
    severities = {(f.rule_id, f.resource): f.severity.value for f in report.findings}
    assert severities[("PL111", "github:acme-corp/member/bob-sre")] == "critical"
    assert severities[("PL111", "github:acme-corp/collaborator/jo-contractor")] == "high"


def test_default_permission_write_is_medium_and_read_passes(tmp_path: Path) -> None:
    good = snapshot()
    for permission, expected in (("write", "medium"), ("admin", "high")):
        data = snapshot(organization=dict(good["organization"], default_repository_permission=permission))
        report = privlint.scan([str(write_json(tmp_path, data))])
        assert [(f.rule_id, f.severity.value) for f in report.findings] == [("PL210", expected)]


def test_2fa_unknown_is_not_guessed(tmp_path: Path) -> None:
    data = snapshot()
    data["organization"].pop("two_factor_requirement_enabled")
    del data["members_2fa_disabled"]
    assert found(write_json(tmp_path, data)) == set()


def test_member_collaborator_with_admin_is_not_an_outside_collaborator(tmp_path: Path) -> None:
    # alice-ops is an owner and a direct admin collaborator on api (in the good fixture): not reported.
    data = snapshot()
    assert any(c["login"] == "alice-ops" and c["role_name"] == "admin" for c in data["repositories"][0]["collaborators"])
    assert found(write_json(tmp_path, data)) == set()


def test_owner_counts_follow_settings(tmp_path: Path) -> None:
    path = write_json(tmp_path, snapshot())  # two owners
    assert rules(path) == set()
    assert rules(path, max_admins=1) == {("PL410", "github:acme-corp")}
    assert rules(path, min_admins=3) == {("PL411", "github:acme-corp")}
    one_owner = snapshot(admins=snapshot()["admins"][:1])
    assert rules(write_json(tmp_path, one_owner, "one.json")) == {("PL411", "github:acme-corp")}
    no_owner_list = snapshot()
    del no_owner_list["admins"]  # the export could not list owners: no count is proven
    assert not {r for r in rules(write_json(tmp_path, no_owner_list, "none.json"), min_admins=3) if r[0] in ("PL410", "PL411")}


def test_approved_admins_and_expiry(tmp_path: Path) -> None:
    path = write_json(tmp_path, snapshot())  # owners alice-ops, bob-sre
    assert rules(path, approved_admins=[{"name": "alice-ops", "until": "2999-01-01"}, {"name": "BOB-SRE"}]) == set()
    assert rules(path, approved_admins=[{"name": "alice-ops", "until": "2999-01-01"}]) == {("PL412", "github:acme-corp/member/bob-sre")}
    expired = privlint.scan([str(path)], config={"approved_admins": [{"name": "alice-ops", "until": "2020-01-31"}, {"name": "bob-sre"}]})
    assert [(f.rule_id, f.resource) for f in expired.findings] == [("PL412", "github:acme-corp/member/alice-ops")]
    assert "expired on 2020-01-31" in expired.findings[0].message


def test_dormancy_is_measured_from_the_export_time(tmp_path: Path) -> None:
    data = snapshot()
    data["credential_authorizations"][1]["credential_accessed_at"] = "2026-08-20T09:00:00Z"  # 92 days before exported_at
    assert rules(write_json(tmp_path, data)) == {("PL413", "github:acme-corp/member/bob-sre")}
    data["credential_authorizations"][1]["credential_accessed_at"] = "2026-08-23T09:00:00Z"  # 89 days
    assert rules(write_json(tmp_path, data)) == set()
    assert rules(write_json(tmp_path, data), dormancy_days=60) == {("PL413", "github:acme-corp/member/bob-sre")}


def test_schema_errors_are_parse_errors_with_json_path_and_line() -> None:
    report = privlint.scan([str(GITHUB / "snapshot" / "invalid" / "schema-errors.json")])
    got = {(f.rule_id, f.line, f.message.split(": ", 2)[1]) for f in report.findings}
    assert got == {("PL000", 19, "$.admins[1]"), ("PL000", 25, "$.hooks[0].id"), ("PL000", 3, "$.organization.two_factor_requirement_enabled")}
    assert report.summary.parse_errors == 3


# Invalid JSON lives here, not in fixtures/: checkov's --external-checks-git reads every JSON file in
# the repository as a possible policy and stops on one that does not parse.
BROKEN_SNAPSHOT = """{
  "github_org_snapshot": 1,
  "organization": {
    "login": "acme-corp",
    "two_factor_requirement_enabled": true
  },
  "admins": [
    {"login": "alice-ops", "id": 1001,}
  ]
}
"""


def test_broken_snapshot_json_is_a_parse_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text(BROKEN_SNAPSHOT)
    report = privlint.scan([str(tmp_path / "broken.json")])
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL000", 8)]


@pytest.mark.parametrize(
    "text",
    [
        '{"github_org_snapshot": 1}',
        '{"github_org_snapshot": 2, "organization": {"login": "x"}}',
        '{"github_org_snapshot": 1, "organization": {"login": "x"}, "admins": "alice"}',
        '{"github_org_snapshot": 1, "organization": {"login": "x"}, "teams": [{"slug": "t", "repos": [{"name": 7}]}]}',
        '{"github_org_snapshot": 1, "organization": {"login": "x"}, "repositories": [{"name": "r", "branch_protection": {"enforce_admins": true}}]}',
        '{"github_org_snapshot": 1, "organization": []}',
        '{"github_org_snapshot": 1, "organization": {"login": "x"}, "hooks": [{"id": 1, "config": null}]}',
        '{"github_org_snapshot": 1, "organization": {"login": "x"}' + ', "admins": [[' * 300,
    ],
)
def test_malformed_snapshots_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "snap.json"
    path.write_text(text)
    report = privlint.scan([str(path)])
    assert report.findings and all(f.rule_id == "PL000" for f in report.findings)
    assert all(f.file == str(path) and f.line >= 1 for f in report.findings)


def test_unrelated_json_is_not_a_snapshot(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "organization": {"login": "y"}}')
    assert privlint.scan([str(tmp_path)]).findings == []


# --------------------------------------------------------------------------- peribolos


def test_peribolos_single_org_form_names_the_org_by_directory() -> None:
    assert found(TOO_FEW_OWNERS) == {("PL411", "github:acme-labs", 2)}
    assert found(TOO_FEW_OWNERS, min_admins=1) == set()


def test_peribolos_owner_line_for_unapproved_admin() -> None:
    hits = found(GITHUB / "peribolos" / "good", approved_admins=[{"name": "alice-ops"}])
    assert hits == {("PL412", "github:acme-corp/member/bob-sre", 10)}


def test_broken_peribolos_yaml_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("orgs:\n  acme:\n    admins:\n    - alice\n   members: [\n")
    report = privlint.scan([str(tmp_path)])
    assert [(f.rule_id, f.line) for f in report.findings] == [("PL000", 5)]


# --------------------------------------------------------------------------- safe-settings


def test_safe_settings_branch_other_than_default_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text("branches:\n  - name: release/v1\n    protection:\n      enforce_admins: false\n")
    assert found(tmp_path) == set()


def test_broken_settings_yml_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text("teams:\n  - name: core\n    permission: admin\n  - {name: x\n")
    report = privlint.scan([str(tmp_path)])
    assert [f.rule_id for f in report.findings] == ["PL000"] and report.findings[0].line >= 4


def test_other_yaml_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "workflow.yml").write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n")
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: teams\ndata:\n  admins: alice\n")
    assert privlint.scan([str(tmp_path)]).findings == []


# --------------------------------------------------------------------------- Terraform (integrations/github)


def test_terraform_plaintext_secret_is_masked() -> None:
    report = privlint.scan([str(GITHUB / "terraform" / "bad")])
    text = report.to_json()
    assert "npm_Xf3kq9TzLm2Rw8YbVc1Hd4Ns6Pj0Ga7Ue5Ko" not in text and "np****" in text


def test_terraform_owner_count_points_at_first_owner_without_org_settings(tmp_path: Path) -> None:
    source = (GITHUB / "terraform" / "bad" / "main.tf").read_text()
    start = source.index('resource "github_organization_settings"')
    end = source.index('resource "github_membership" "alice"')
    (tmp_path / "main.tf").write_text(source[:start] + source[end:])
    hits = {h for h in found(tmp_path) if h[0] == "PL410"}
    assert hits == {("PL410", "github_membership.alice", 19)}
    # Terraform may manage only some owners: too few is never claimed from it.
    assert not {h for h in found(tmp_path, min_admins=3, max_admins=10) if h[0] in ("PL410", "PL411")}


def test_terraform_branch_protection_on_main_without_branch_default(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "github_branch_protection_v3" "web" {\n  repository = "web"\n  branch     = "main"\n}\n'
        'resource "github_branch_protection" "release" {\n  repository_id  = "R_1"\n  pattern        = "release/*"\n  enforce_admins = false\n}\n'
    )
    assert found(tmp_path) == {("PL414", "github_branch_protection_v3.web", 1)}


def test_team_repository_default_permission_is_pull(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "github_team_repository" "t" {\n  team_id    = "42"\n  repository = "api"\n}\n')
    assert found(tmp_path) == set()


def test_repository_collaborators_blocks(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "github_repository_collaborators" "api" {\n  repository = "api"\n'
        '  user {\n    username   = "jo-contractor"\n    permission = "admin"\n  }\n'
        '  team {\n    team_id    = "platform"\n    permission = "admin"\n  }\n}\n'
    )
    assert rules(tmp_path) == {("PL212", "github_repository_collaborators.api"), ("PL211", "github_repository_collaborators.api")}


# --------------------------------------------------------------------------- everything together


def test_a_directory_mixing_every_github_format(tmp_path: Path) -> None:
    shutil.copytree(GITHUB / "snapshot" / "bad", tmp_path / "export")
    shutil.copytree(GITHUB / "peribolos" / "bad", tmp_path / "peribolos")
    shutil.copytree(GITHUB / "safe-settings" / "bad", tmp_path / "admin")
    shutil.copytree(GITHUB / "terraform" / "bad", tmp_path / "terraform")
    (tmp_path / "export" / "broken.json").write_text(BROKEN_SNAPSHOT)
    report = privlint.scan([str(tmp_path)])
    by_file: dict[str, set[str]] = {}
    for f in report.findings:
        by_file.setdefault(os.path.relpath(f.file, tmp_path), set()).add(f.rule_id)
    assert by_file == {
        "export/acme-corp.json": {"PL110", "PL111", "PL210", "PL211", "PL212", "PL311", "PL410", "PL413", "PL414"},
        "export/broken.json": {"PL000"},
        "peribolos/config.yaml": {"PL210", "PL211", "PL410"},
        os.path.join("admin", ".github", "settings.yml"): {"PL211", "PL212", "PL414"},
        os.path.join("admin", ".github", "repos", "api.yml"): {"PL414"},
        "terraform/main.tf": {"PL210", "PL211", "PL212", "PL301", "PL310", "PL311", "PL410", "PL414"},
    }


def test_cli_json_output_for_a_snapshot(cli: Any) -> None:
    result = cli("check", "fixtures/github/snapshot/bad", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    finding = next(f for f in data["findings"] if f["rule_id"] == "PL311")
    assert finding == {
        "rule_id": "PL311",
        "category": "default-credential",
        "severity": "medium",
        "file": "fixtures/github/snapshot/bad/acme-corp.json",
        "line": 515,
        "resource": "github:acme-corp/hook/40002",
        "message": finding["message"],
        "controls": ["PAM-6"],
        "suppressed": False,
    }


# --------------------------------------------------------------------------- properties: odd but decodable input


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["admin", "write", "main", "", "x", "2026-01-01T00:00:00Z"]))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "login",
                    "slug",
                    "name",
                    "id",
                    "config",
                    "secret",
                    "permissions",
                    "role_name",
                    "enforce_admins",
                    "enabled",
                    "repos",
                    "collaborators",
                    "branch_protection",
                    "default_branch",
                    "admin",
                    "permission",
                    "username",
                    "protection",
                    "teams",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
_KEYS = [
    "organization",
    "admins",
    "members",
    "members_2fa_disabled",
    "outside_collaborators",
    "outside_collaborators_2fa_disabled",
    "teams",
    "repositories",
    "hooks",
    "credential_authorizations",
    "exported_at",
]
_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _no_internal_errors(report: Any) -> None:
    assert not [f for f in report.findings if "could not analyse" in f.message], report.findings


@_PROPERTY
@given(body=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6))
def test_any_snapshot_body_gives_findings_or_parse_errors_never_internal_errors(tmp_path: Path, body: dict[str, Any]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"github_org_snapshot": 1, **body}))
    _no_internal_errors(privlint.scan([str(path)]))


@_PROPERTY
@given(org=st.dictionaries(st.sampled_from(["admins", "members", "teams", "default_repository_permission"]), _VALUES, min_size=1, max_size=4))
def test_any_peribolos_org_never_gives_internal_errors(tmp_path: Path, org: dict[str, Any]) -> None:
    import yaml

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"orgs": {"acme": org}}))
    _no_internal_errors(privlint.scan([str(path)]))


@_PROPERTY
@given(doc=st.dictionaries(st.sampled_from(["collaborators", "teams", "branches", "repository"]), _VALUES, min_size=1, max_size=4))
def test_any_safe_settings_file_never_gives_internal_errors(tmp_path: Path, doc: dict[str, Any]) -> None:
    import yaml

    path = tmp_path / "settings.yml"
    path.write_text(yaml.safe_dump(doc))
    _no_internal_errors(privlint.scan([str(path)]))

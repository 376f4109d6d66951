"""GCP identities in Terraform: basic roles (PL222), public members (PL223), keys of admin service accounts (PL320)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs

import privlint


def findings(path: Path | str) -> set[tuple[str, str, int, str]]:
    return {(f.rule_id, f.resource, f.line, f.severity.value) for f in privlint.scan([str(path)]).findings}


def scan_tf(text: str) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.resource, f.severity.value) for f in privlint.scan_text(text, "terraform").findings}


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("gcp")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)


@pytest.mark.parametrize(
    ("resource", "target"),
    [
        ("google_project_iam_member", 'project = "p"'),
        ("google_folder_iam_member", 'folder = "folders/1"'),
        ("google_organization_iam_member", 'org_id = "1"'),
    ],
)
def test_owner_at_every_level_of_the_hierarchy(resource: str, target: str) -> None:
    text = f'resource "{resource}" "x" {{\n  {target}\n  role = "roles/owner"\n  member = "user:a@example.com"\n}}\n'
    assert scan_tf(text) == {("PL222", f"{resource}.x", "high")}


def test_unapplied_iam_policy_document_is_still_read() -> None:
    """A module may output policy_data for its caller: the owner binding is still reported."""
    text = 'data "google_iam_policy" "p" {\n  binding {\n    role = "roles/owner"\n    members = ["user:a@example.com"]\n  }\n}\n'
    assert scan_tf(text) == {("PL222", "data.google_iam_policy.p", "high")}


def test_public_owner_in_a_binding_is_critical() -> None:
    text = 'resource "google_project_iam_binding" "x" {\n  project = "p"\n  role = "roles/owner"\n  members = ["allUsers", "user:a@example.com"]\n}\n'
    assert scan_tf(text) == {("PL222", "google_project_iam_binding.x", "high"), ("PL223", "google_project_iam_binding.x", "critical")}


def test_empty_binding_grants_nothing() -> None:
    text = 'resource "google_project_iam_binding" "x" {\n  project = "p"\n  role = "roles/owner"\n  members = []\n}\n'
    assert scan_tf(text) == set()


def test_members_only_a_caller_supplies_are_not_judged_in_the_module() -> None:
    """Like terraform-google-project-factory's fabric-project: owners come from var.owners (default [])."""
    text = """
variable "owners" {
  type    = list(string)
  default = []
}
resource "google_project_iam_member" "owners" {
  count   = length(var.owners)
  project = "p"
  role    = "roles/owner"
  member  = element(var.owners, count.index)
}
"""
    assert scan_tf(text) == set()


def test_owner_passed_by_a_module_call_is_reported_in_the_module(tmp_path: Path) -> None:
    (tmp_path / "modules" / "project").mkdir(parents=True)
    (tmp_path / "modules" / "project" / "main.tf").write_text(
        'variable "owner" {}\nresource "google_project_iam_member" "owner" {\n  project = "p"\n  role = "roles/owner"\n  member = var.owner\n}\n'
    )
    (tmp_path / "main.tf").write_text('module "project" {\n  source = "./modules/project"\n  owner = "user:jane@example.com"\n}\n')
    got = {(f.rule_id, f.resource) for f in privlint.scan([tmp_path]).findings}
    assert got == {("PL222", "module.project.google_project_iam_member.owner")}


def test_key_of_a_service_account_whose_grant_is_unknown_is_not_reported() -> None:
    """ "serviceAccount:${...email}" does not say which account: no link, no guess."""
    text = """
resource "google_service_account" "sa" {
  account_id = "deployer"
}
resource "google_project_iam_member" "m" {
  project = "p"
  role    = "roles/iam.securityAdmin"
  member  = "serviceAccount:${var.sa_email}"
}
resource "google_service_account_key" "k" {
  service_account_id = google_service_account.sa.name
}
"""
    assert scan_tf(text) == set()


def test_plan_json_is_read_too(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.6.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "google_project_iam_member.x",
                        "mode": "managed",
                        "type": "google_project_iam_member",
                        "name": "x",
                        "values": {"project": "p", "role": "roles/editor", "member": "allAuthenticatedUsers", "condition": []},
                    },
                ]
            }
        },
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    assert {(f.rule_id, f.severity.value) for f in privlint.scan([tmp_path]).findings} == {("PL222", "medium"), ("PL223", "critical")}

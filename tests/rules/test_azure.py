"""Azure identities in Terraform: broad RBAC roles (PL220, PL221) and directory admins without MFA (PL120)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs

import privlint


def findings(path: Path | str, **config: object) -> set[tuple[str, str, int, str]]:
    report = privlint.scan([str(path)], config=config or None)
    return {(f.rule_id, f.resource, f.line, f.severity.value) for f in report.findings}


def scan_tf(text: str) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.resource, f.severity.value) for f in privlint.scan_text(text, "terraform").findings}


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("azure")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)


ASSIGNMENT = """
resource "azuread_directory_role" "ga" {{
  display_name = "Global Administrator"
}}
resource "azuread_user" "ops" {{
  user_principal_name = "ops@example.com"
  display_name        = "ops"
}}
resource "azuread_directory_role_assignment" "ops" {{
  role_id             = azuread_directory_role.ga.template_id
  principal_object_id = azuread_user.ops.object_id
}}
resource "azuread_conditional_access_policy" "p" {{
  display_name = "p"
  state        = {state}
  conditions {{
    client_app_types = ["all"]
    applications {{
      included_applications = ["All"]
    }}
    users {{
      {users}
    }}
  }}
  grant_controls {{
    operator          = "{operator}"
    built_in_controls = {controls}
  }}
}}
{extra}
"""


def _policy(state: str = '"enabled"', users: str = 'included_users = ["All"]', operator: str = "OR", controls: str = '["mfa"]', extra: str = "") -> str:
    return ASSIGNMENT.format(state=state, users=users, operator=operator, controls=controls, extra=extra)


HIT = {("PL120", "azuread_directory_role_assignment.ops", "high")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_policy(), set()),  # all users must use MFA
        (_policy(state='"disabled"'), HIT),
        (_policy(state="var.state"), set()),  # unknown state: could be enabled, so no finding by guesswork
        (_policy(controls='["mfa", "compliantDevice"]'), HIT),  # OR: a compliant device is enough without MFA
        (_policy(operator="AND", controls='["mfa", "compliantDevice"]'), set()),
        (_policy(controls='["block"]'), HIT),
        (_policy(users='included_users = ["All"]\n      excluded_users = [azuread_user.ops.object_id]'), HIT),
        (_policy(users="included_users = [azuread_user.ops.object_id]"), set()),
        (_policy(users='included_users = ["0b3f7a51-93a6-4e11-8a27-5a8e1d9c2b40"]'), HIT),  # somebody else
        (_policy(users="included_roles = [azuread_directory_role.ga.template_id]"), set()),
        (_policy(users='included_roles = ["62E90394-69F5-4237-9190-012177145E10"]'), set()),  # template id, any case
        (_policy(users="included_groups = var.admin_groups"), set()),  # unknown members
        (
            _policy(
                users="included_groups = [azuread_group.admins.object_id]",
                extra='resource "azuread_group" "admins" {\n  display_name = "admins"\n  security_enabled = true\n}\n'
                'resource "azuread_group_member" "ops" {\n  group_object_id = azuread_group.admins.object_id\n  member_object_id = azuread_user.ops.object_id\n}\n',
            ),
            set(),
        ),
    ],
)
def test_conditional_access_coverage(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert scan_tf(text) == expected


def test_unprivileged_directory_role_is_not_reported() -> None:
    text = """
resource "azuread_directory_role" "reader" {
  display_name = "Directory Readers"
}
resource "azuread_directory_role_assignment" "r" {
  role_id             = azuread_directory_role.reader.template_id
  principal_object_id = "4f1c2b7e-2d0a-4a8e-9b61-0c7d1e3f5a92"
}
"""
    assert scan_tf(text) == set()


def test_older_directory_role_member_resource_is_read() -> None:
    text = """
resource "azuread_directory_role" "ua" {
  display_name = "User Administrator"
}
resource "azuread_directory_role_member" "m" {
  role_object_id   = azuread_directory_role.ua.object_id
  member_object_id = "4f1c2b7e-2d0a-4a8e-9b61-0c7d1e3f5a92"
}
"""
    assert scan_tf(text) == {("PL120", "azuread_directory_role_member.m", "high")}


@pytest.mark.parametrize(
    ("scope", "role", "expected"),
    [
        ('"/subscriptions/00000000-0000-0000-0000-000000000000"', 'role_definition_name = "Owner"', "high"),
        ('"/"', 'role_definition_name = "Owner"', "high"),  # tenant root
        ('"/providers/Microsoft.Management/managementGroups/platform"', 'role_definition_name = "Contributor"', "medium"),
        ('"/subscriptions/0000/resourceGroups/rg-app"', 'role_definition_name = "Owner"', None),
        ('"/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv"', 'role_definition_name = "Owner"', None),
        ("data.azurerm_subscription.primary.id", 'role_definition_name = "Reader"', None),
        ("data.azurerm_subscription.primary.id", "role_definition_id = data.azurerm_role_definition.owner.id", "high"),
        ("data.azurerm_subscription.primary.id", "role_definition_id = azurerm_role_definition.everything.role_definition_resource_id", "high"),
        ("var.scope", 'role_definition_name = "Owner"', None),  # unknown scope: not reported
        ("data.azurerm_client_config.current.subscription_id", 'role_definition_name = "Owner"', None),  # an id, not a scope
    ],
)
def test_role_assignment_scope_and_role(scope: str, role: str, expected: str | None) -> None:
    text = f"""
data "azurerm_subscription" "primary" {{}}
data "azurerm_client_config" "current" {{}}
data "azurerm_role_definition" "owner" {{
  name = "Owner"
}}
resource "azurerm_role_definition" "everything" {{
  name  = "everything"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sandbox"
  permissions {{
    actions = ["*"]
  }}
}}
resource "azurerm_role_assignment" "a" {{
  scope        = {scope}
  {role}
  principal_id = "4f1c2b7e-2d0a-4a8e-9b61-0c7d1e3f5a92"
}}
"""
    got = {(r, sev) for r, res, sev in scan_tf(text) if res == "azurerm_role_assignment.a"}
    assert got == ({("PL221", expected)} if expected else set())


def test_authorization_wildcard_counts_as_wildcard() -> None:
    text = """
resource "azurerm_role_definition" "access" {
  name  = "access-manager"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions = ["Microsoft.Authorization/*", "Microsoft.Resources/subscriptions/resourceGroups/read"]
  }
}
"""
    assert scan_tf(text) == {("PL220", "azurerm_role_definition.access", "high")}


RECOMMENDED_POLICY = """
# Shaped like robertbrandso/terraform-azuread-recommended-conditional-access-policies, policy CAU008.
variable "reporting_only_for_all_policies" {{
  type    = bool
  default = false
}}
variable "cau008_state" {{
  type    = string
  default = "{state}"
}}
variable "privileged_role_ids" {{
  type    = list(string)
  default = ["62e90394-69f5-4237-9190-012177145e10", "e8611ab8-c189-46e8-94e1-60213ab1f814"]
}}
resource "azuread_group" "cau008_exclude" {{
  display_name     = "Access-CA-Exclude-CAU008"
  security_enabled = true
}}
resource "azuread_conditional_access_policy" "cau008" {{
  display_name = "CAU008-All: Grant Require MFA for Admins when Browser and Modern Auth Clients-v1.0"
  state        = var.reporting_only_for_all_policies == true ? "enabledForReportingButNotEnforced" : var.cau008_state
  conditions {{
    users {{
      included_roles  = var.privileged_role_ids
      excluded_groups = [azuread_group.cau008_exclude.object_id]
    }}
    applications {{
      included_applications = ["All"]
    }}
    client_app_types = ["browser", "mobileAppsAndDesktopClients"]
  }}
  grant_controls {{
    built_in_controls = ["mfa"]
    operator          = "OR"
  }}
}}
resource "azuread_directory_role_assignment" "ops" {{
  role_id             = "62e90394-69f5-4237-9190-012177145e10"
  principal_object_id = "4f1c2b7e-2d0a-4a8e-9b61-0c7d1e3f5a92"
}}
"""


@pytest.mark.parametrize(("state", "expected"), [("enabled", set()), ("disabled", {("PL120", "azuread_directory_role_assignment.ops", "high")})])
def test_recommended_policy_module_shape(state: str, expected: set[tuple[str, str, str]]) -> None:
    assert scan_tf(RECOMMENDED_POLICY.format(state=state)) == expected

"""Azure identities in Terraform: broad RBAC roles (PUG-2, PUG-3) and directory admins without MFA (PUG-5)."""

from __future__ import annotations

from collections.abc import Iterator

from privlint.model.datafiles import load_json
from privlint.model.findings import Severity
from privlint.model.inventory import AzureConditionalAccessPolicy, AzureDirectoryRoleAssignment, AzureRoleDefinition, Inventory
from privlint.model.settings import Settings
from privlint.normalize.terraform_azure import directory_role_names
from privlint.rules.base import Hit, rule

_BROAD_SCOPES = {"subscription": "subscription", "management-group": "management-group"}


def _denies_access_management(definition: AzureRoleDefinition) -> bool:
    """not_actions keep the role from writing role assignments (as Contributor's do)."""
    lowered = [a.lower() for a in definition.not_actions]
    return any(a in ("microsoft.authorization/*", "microsoft.authorization/*/write", "microsoft.authorization/roleassignments/write") for a in lowered)


def wildcard_actions(definition: AzureRoleDefinition) -> list[str]:
    return [a for a in definition.actions if a == "*" or a.lower() == "microsoft.authorization/*"]


@rule("PL220")
def azure_wildcard_role_definition(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for definition in inventory.azure_role_definitions:
        wild = wildcard_actions(definition)
        if not wild:
            continue
        contained = _denies_access_management(definition)
        severity = Severity.medium if contained else None
        what = (
            "every action except managing access (a Contributor equivalent)" if contained else "every action, including granting access (an Owner equivalent)"
        )
        yield Hit(
            resource=definition.address,
            location=definition.location,
            message=(
                f"Custom role {definition.address} allows {', '.join(repr(a) for a in wild)}: {what}; list the operations it needs instead of a wildcard."
            ),
            severity=severity,
        )


@rule("PL221")
def azure_privileged_role_at_broad_scope(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    builtin = load_json("azure_roles.json")["rbac_privileged"]
    definitions = {d.address: d for d in inventory.azure_role_definitions}
    for assignment in inventory.azure_role_assignments:
        scope = _BROAD_SCOPES.get(assignment.scope_kind)
        if scope is None:
            continue
        if assignment.role_name in builtin:
            entry = builtin[assignment.role_name]
            role, why, severity = assignment.role_name, entry["why"], Severity(entry["severity"])
        elif assignment.role_definition in definitions and wildcard_actions(definitions[assignment.role_definition]):
            definition = definitions[assignment.role_definition]
            role, why = f"custom role {definition.address}", "it allows every action"
            severity = Severity.medium if _denies_access_management(definition) else Severity.high
        else:
            continue
        yield Hit(
            resource=assignment.address,
            location=assignment.location,
            message=(
                f"{assignment.address} assigns {role} at {scope} scope ({why}, everywhere below it): assign a narrower "
                "role at resource-group scope, or make the access time-limited with Privileged Identity Management."
            ),
            severity=severity,
        )


def _groups_of(inventory: Inventory, principal: str) -> set[str]:
    return {group for group, members in inventory.azure_group_members.items() if principal in members}


def _covers(policy: AzureConditionalAccessPolicy, assignment: AzureDirectoryRoleAssignment, groups: set[str]) -> bool:
    """Whether this policy could require MFA of the assignment's principal. Unknown values count as covering."""
    if policy.enforced is False or policy.requires_mfa is False or policy.all_applications is False:
        return False
    subject = {assignment.principal} if assignment.principal else set()
    subject |= set(assignment.role_keys) | groups
    if subject & set(policy.excluded):
        return False
    return policy.all_users or bool(subject & set(policy.included)) or policy.unknown_members or assignment.principal is None


@rule("PL120")
def azure_directory_role_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    privileged = directory_role_names()
    privileged_names = {n.lower() for n in privileged.values()}
    for assignment in inventory.azure_directory_role_assignments:
        name = assignment.role_name
        if not (name and name.lower() in privileged_names) and not set(assignment.role_keys) & set(privileged):
            continue
        name = name or next(privileged[k] for k in assignment.role_keys if k in privileged)
        groups = _groups_of(inventory, assignment.principal) if assignment.principal else set()
        if any(_covers(p, assignment, groups) for p in inventory.azure_conditional_access_policies):
            continue
        who = assignment.principal or "its principal"
        yield Hit(
            resource=assignment.address,
            location=assignment.location,
            message=(
                f"{assignment.address} makes {who} a {name}, and no enabled conditional access policy in this "
                'configuration requires MFA for that role or user: add one with built_in_controls ["mfa"] '
                "including the role (or all users)."
            ),
        )

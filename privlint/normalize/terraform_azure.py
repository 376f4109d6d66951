"""Terraform azurerm / azuread resources into the inventory: RBAC roles, directory roles, conditional access.

Pure: no parser imports. Called by ``TerraformNormaliser`` with every record of one module. Principals and
roles are named by *keys*: the address a reference points at (``azuread_user.alice``), or a literal id as
written (GUIDs lower-cased), so an assignment and a conditional access policy that name the same user or
role can be matched.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.datafiles import load_json
from privlint.model.inventory import (
    AzureConditionalAccessPolicy,
    AzureDirectoryRoleAssignment,
    AzureRoleAssignment,
    AzureRoleDefinition,
    AzureScopeKind,
    Inventory,
    Location,
)
from privlint.model.records import ResourceRecord
from privlint.model.values import PartialString, Reference, Unknown, as_list, line_of

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# ARM scope ids, most specific last; "${?}" (an unknown part) counts as one path segment.
_SCOPE_PATTERNS: list[tuple[re.Pattern[str], AzureScopeKind]] = [
    (re.compile(r"^/$"), "management-group"),  # the tenant root scope
    (re.compile(r"^/providers/Microsoft\.Management/managementGroups/[^/]+/?$", re.IGNORECASE), "management-group"),
    (re.compile(r"^/subscriptions/[^/]+/?$", re.IGNORECASE), "subscription"),
    (re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/?$", re.IGNORECASE), "resource-group"),
    (re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/.+", re.IGNORECASE), "resource"),
]

# The resource a scope reference points at tells its kind.
_SCOPE_TYPES: dict[str, AzureScopeKind] = {
    "azurerm_subscription": "subscription",
    "azurerm_management_group": "management-group",
    "azurerm_resource_group": "resource-group",
}


def normalise(records: list[ResourceRecord], inventory: Inventory) -> None:
    if not any(r.type.startswith(("azurerm_", "azuread_")) for r in records):
        return
    by_address = {r.address: r for r in records}
    for record in records:
        if record.type == "azurerm_role_definition" and record.mode == "resource":
            inventory.azure_role_definitions.append(_role_definition(record))
    for record in records:
        if record.mode != "resource":
            continue
        if record.type == "azurerm_role_assignment":
            inventory.azure_role_assignments.append(_role_assignment(record, by_address))
        elif record.type in ("azuread_directory_role_assignment", "azuread_directory_role_member"):
            inventory.azure_directory_role_assignments.append(_directory_role_assignment(record, by_address))
        elif record.type == "azuread_conditional_access_policy":
            inventory.azure_conditional_access_policies.append(_conditional_access(record))
        elif record.type == "azuread_group":
            members = [k for k in (key_of(m) for m in as_list(record.get("members"))) if k]
            if members:
                inventory.azure_group_members.setdefault(record.address, []).extend(members)
        elif record.type == "azuread_group_member":
            group, member = key_of(record.get("group_object_id")), key_of(record.get("member_object_id"))
            if group and member:
                inventory.azure_group_members.setdefault(group, []).append(member)


def key_of(value: Any) -> str | None:
    """The key that names a principal or role: a reference's address, or a literal id."""
    if isinstance(value, Reference):
        return value.address
    if isinstance(value, str) and value.strip():
        return value.strip().lower() if _GUID.fullmatch(value.strip()) else value.strip()
    return None


def scope_kind(value: Any) -> AzureScopeKind:
    if isinstance(value, Reference):
        resource_type = value.address.removeprefix("data.").split(".")[0]
        if value.attribute not in ("", "id"):
            return "unknown"  # e.g. subscription_id: an id, not a scope
        return _SCOPE_TYPES.get(resource_type, "resource")
    text = value.pattern() if isinstance(value, PartialString) else value if isinstance(value, str) else None
    if text is None:
        return "unknown"
    for pattern, kind in _SCOPE_PATTERNS:
        if pattern.match(text.strip()):
            return kind
    return "unknown"


def _strings(value: Any) -> tuple[list[str], bool]:
    """Known strings of a list attribute, and whether some item is unknown."""
    if isinstance(value, Unknown):
        return [], True
    items = as_list(value)
    return [i for i in items if isinstance(i, str)], any(not isinstance(i, str) for i in items)


def _role_definition(record: ResourceRecord) -> AzureRoleDefinition:
    actions: list[str] = []
    not_actions: list[str] = []
    unknown = False
    for block in as_list(record.get("permissions")):
        if not isinstance(block, dict):
            unknown = True
            continue
        known, missing = _strings(block.get("actions"))
        actions.extend(known)
        excluded, _ = _strings(block.get("not_actions"))
        not_actions.extend(excluded)
        unknown = unknown or missing
    location = record.attr_location("permissions")
    blocks = as_list(record.get("permissions"))
    if blocks and line_of(blocks[0]):
        location = Location(file=record.file, line=line_of(blocks[0]))
    return AzureRoleDefinition(
        address=record.address,
        location=location,
        name=record.get("name") if isinstance(record.get("name"), str) else None,
        actions=actions,
        not_actions=not_actions,
        unknown_actions=unknown,
        scope_kind=scope_kind(record.get("scope")),
    )


def builtin_rbac_role(name_or_id: str) -> str | None:
    """The built-in RBAC role name for a role name or a (full or bare) role definition id."""
    roles: dict[str, dict[str, str]] = load_json("azure_roles.json")["rbac_privileged"]
    for name, entry in roles.items():
        if name_or_id.strip().lower() == name.lower():
            return name
        guid = _GUID.search(name_or_id)
        if guid and guid.group(0).lower() == entry["id"]:
            return name
    return None


def _role_assignment(record: ResourceRecord, by_address: dict[str, ResourceRecord]) -> AzureRoleAssignment:
    role_name: str | None = None
    definition: str | None = None
    name = record.get("role_definition_name")
    role_id = record.get("role_definition_id")
    if isinstance(name, str):
        role_name = builtin_rbac_role(name) or name
    elif isinstance(role_id, Reference):
        target = by_address.get(role_id.address)
        if target is not None and target.type == "azurerm_role_definition":
            if target.mode == "resource":
                definition = target.address
            elif isinstance(target.get("name"), str):  # data source looking up a built-in role by name
                role_name = builtin_rbac_role(target.get("name")) or target.get("name")
    elif isinstance(role_id, (str, PartialString)):
        text = role_id.pattern() if isinstance(role_id, PartialString) else role_id
        role_name = builtin_rbac_role(text)
    return AzureRoleAssignment(
        address=record.address,
        location=record.location,
        role_name=role_name,
        role_definition=definition,
        scope_kind=scope_kind(record.get("scope")),
        principal=key_of(record.get("principal_id")),
    )


def directory_role_names() -> dict[str, str]:
    """Privileged directory role template id -> display name."""
    return {guid.lower(): name for name, guid in load_json("azure_roles.json")["directory_privileged"].items()}


def _directory_role_assignment(record: ResourceRecord, by_address: dict[str, ResourceRecord]) -> AzureDirectoryRoleAssignment:
    role_ref = record.get("role_id") if record.type == "azuread_directory_role_assignment" else record.get("role_object_id")
    principal = record.get("principal_object_id") if record.type == "azuread_directory_role_assignment" else record.get("member_object_id")
    names = directory_role_names()
    keys: list[str] = []
    role_name: str | None = None
    key = key_of(role_ref)
    if key:
        keys.append(key)
    target = by_address.get(role_ref.address) if isinstance(role_ref, Reference) else None
    if target is not None and target.type == "azuread_directory_role":
        template = key_of(target.get("template_id"))
        if template:
            keys.append(template)
            role_name = names.get(template)
        display = target.get("display_name")
        if isinstance(display, str):
            role_name = display
            template_of_name = next((g for g, n in names.items() if n.lower() == display.lower()), None)
            if template_of_name:
                keys.append(template_of_name)
    elif key in names:
        role_name = names[key]
    return AzureDirectoryRoleAssignment(
        address=record.address,
        location=record.location,
        role_name=role_name,
        role_keys=keys,
        principal=key_of(principal),
    )


def _first_block(value: Any) -> dict[str, Any] | None:
    blocks = [b for b in as_list(value) if isinstance(b, dict)]
    return blocks[0] if blocks else None


def _conditional_access(record: ResourceRecord) -> AzureConditionalAccessPolicy:
    state = record.get("state")
    enforced = state == "enabled" if isinstance(state, str) else None
    conditions = _first_block(record.get("conditions")) or {}
    users = _first_block(conditions.get("users")) or {}
    included: list[str] = []
    excluded: list[str] = []
    unknown = isinstance(record.get("conditions"), Unknown) or isinstance(conditions.get("users"), Unknown)
    all_users = False
    for attribute, target in (
        ("included_users", included),
        ("included_groups", included),
        ("included_roles", included),
        ("excluded_users", excluded),
        ("excluded_groups", excluded),
        ("excluded_roles", excluded),
    ):
        raw = users.get(attribute)
        if isinstance(raw, Unknown):
            unknown = True
            continue
        for item in as_list(raw):
            if item == "All" and attribute == "included_users":
                all_users = True
            key = key_of(item)
            if key is None:
                unknown = True
            else:
                target.append(key)
    applications = _first_block(conditions.get("applications")) or {}
    apps, apps_unknown = _strings(applications.get("included_applications"))
    admin_apps = {a.lower() for a in load_json("azure_roles.json")["mfa_applications"]}
    all_applications: bool | None = True if {a.lower() for a in apps} & admin_apps else (None if apps_unknown or not applications else False)
    return AzureConditionalAccessPolicy(
        address=record.address,
        location=record.location,
        enforced=enforced,
        requires_mfa=_requires_mfa(record.get("grant_controls")),
        all_applications=all_applications,
        all_users=all_users,
        included=included,
        excluded=excluded,
        unknown_members=unknown,
    )


def _requires_mfa(value: Any) -> bool | None:
    """MFA is required when "mfa" (or an authentication strength) is a control no other control can replace."""
    if isinstance(value, Unknown):
        return None
    grant = _first_block(value)
    if grant is None:
        return False
    if grant.get("authentication_strength_policy_id") is not None:
        return True
    controls, unknown = _strings(grant.get("built_in_controls"))
    if "mfa" not in controls:
        return None if unknown else False
    operator = grant.get("operator")
    if operator == "OR" and (len(controls) > 1 or unknown):
        return False  # another control (a compliant device, say) satisfies the policy without MFA
    return True

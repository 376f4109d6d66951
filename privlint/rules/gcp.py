"""GCP identities in Terraform: basic roles and public members (PUG-2), keys for admin service accounts (PAM-6)."""

from __future__ import annotations

from collections.abc import Iterator

from privlint.model.datafiles import load_json
from privlint.model.findings import Severity
from privlint.model.inventory import GcpIamBinding, Inventory
from privlint.model.settings import Settings
from privlint.rules.base import Hit, rule

_HIERARCHY = {"project", "folder", "organization"}


def _where(binding: GcpIamBinding) -> str:
    return f"{binding.level} level" if binding.level != "unknown" else "a google_iam_policy no resource here applies"


@rule("PL222")
def gcp_primitive_role(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    primitive = load_json("gcp_roles.json")["primitive"]
    for binding in inventory.gcp_iam_bindings:
        if binding.role not in primitive:
            continue
        if not (binding.members or binding.member_refs):
            # No members grants nothing; members only a caller supplies (var.owners) are judged at the call.
            continue
        who = ", ".join([*binding.members, *binding.member_refs][:3])
        yield Hit(
            resource=binding.address,
            location=binding.location,
            message=(
                f"{binding.address} grants the basic role {binding.role} to {who} at {_where(binding)}: grant predefined roles for the services actually used."
            ),
            severity=Severity(primitive[binding.role]),
        )


@rule("PL223")
def gcp_public_member(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    data = load_json("gcp_roles.json")
    public = set(data["public_members"])
    admin = set(data["admin"])
    for binding in inventory.gcp_iam_bindings:
        members = sorted(public & set(binding.members))
        if not members:
            continue
        critical = binding.level in _HIERARCHY or binding.role in admin
        yield Hit(
            resource=binding.address,
            location=binding.location,
            message=(
                f"{binding.address} grants {binding.role or 'a role'} to {' and '.join(members)} (anyone"
                f"{' with a Google account' if members == ['allAuthenticatedUsers'] else ' on the internet'}) at "
                f"{_where(binding)}: grant it to a group or service account instead."
            ),
            severity=Severity.critical if critical else None,
        )


def admin_service_accounts(inventory: Inventory) -> dict[str, str]:
    """Service-account keys (address, or email as written) -> the admin role the module grants them."""
    admin = set(load_json("gcp_roles.json")["admin"])
    by_account_id = {account_id: address for address, account_id in inventory.gcp_service_accounts.items()}
    out: dict[str, str] = {}
    for binding in inventory.gcp_iam_bindings:
        role = binding.role
        if role is None or role not in admin or binding.level not in (*_HIERARCHY, "unknown"):
            continue
        for ref in binding.member_refs:
            out.setdefault(ref, role)
        for member in binding.members:
            if member.startswith("serviceAccount:"):
                email = member.split(":", 1)[1]
                out.setdefault(email, role)
                address = by_account_id.get(email.split("@", 1)[0])
                if address:
                    out.setdefault(address, role)
    return out


@rule("PL320")
def gcp_admin_service_account_key(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    if not inventory.gcp_service_account_keys:
        return
    admins = admin_service_accounts(inventory)
    for key in inventory.gcp_service_account_keys:
        role = admins.get(key.service_account or "")
        if role is None:
            continue
        yield Hit(
            resource=key.address,
            location=key.location,
            message=(
                f"{key.address} exports a long-lived key for {key.service_account}, which holds {role}: delete the key "
                "and use workload identity federation or short-lived impersonation."
            ),
        )

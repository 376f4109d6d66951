"""Terraform google resources into the inventory: IAM grants at every level and service-account keys.

Pure: no parser imports. Covers ``google_*_iam_member`` / ``_binding`` / ``_policy`` and the bindings of
``data "google_iam_policy"`` applied through ``policy_data``. A data source no resource in the module applies
is still recorded (level "unknown"): a module may hand it to its caller.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.inventory import GcpBindingLevel, GcpIamBinding, GcpServiceAccountKey, Inventory, Location
from privlint.model.records import ResourceRecord
from privlint.model.values import PartialString, Reference, Unknown, as_list, line_of

_IAM_RESOURCE = re.compile(r"^google_(.+)_iam_(member|binding|policy)$")
_LEVELS: dict[str, GcpBindingLevel] = {"project": "project", "folder": "folder", "organization": "organization", "service_account": "service-account"}


def normalise(records: list[ResourceRecord], inventory: Inventory) -> None:
    if not any(r.type.startswith("google_") for r in records):
        return
    by_address = {r.address: r for r in records}
    applied: set[str] = set()
    for record in records:
        if record.mode != "resource":
            continue
        if record.type == "google_service_account" and isinstance(record.get("account_id"), str):
            inventory.gcp_service_accounts[record.address] = record.get("account_id")
        elif record.type == "google_service_account_key":
            sa = record.get("service_account_id")
            ref = sa.address if isinstance(sa, Reference) else sa if isinstance(sa, str) else None
            inventory.gcp_service_account_keys.append(GcpServiceAccountKey(address=record.address, location=record.location, service_account=ref))
        match = _IAM_RESOURCE.match(record.type)
        if match is None:
            continue
        level = _LEVELS.get(match.group(1), "resource")
        kind = match.group(2)
        if kind == "policy":
            data = record.get("policy_data")
            if isinstance(data, Reference) and data.address in by_address:
                applied.add(data.address)
                source = by_address[data.address]
                for block in as_list(source.get("binding")):
                    inventory.gcp_iam_bindings.append(_binding(record.address, record.type, level, block, source.file, source.line))
            elif isinstance(data, dict):  # jsonencode({bindings = [...]})
                for block in as_list(data.get("bindings")):
                    inventory.gcp_iam_bindings.append(
                        _binding(record.address, record.type, level, block, record.file, record.attribute_lines.get("policy_data", record.line))
                    )
            continue
        members = record.get("member") if kind == "member" else record.get("members")
        block = {"role": record.get("role"), "members": members, "condition": record.get("condition")}
        binding = _binding(record.address, record.type, level, block, record.file, record.line)
        binding.location = record.attr_location("members" if kind == "binding" else "member")
        inventory.gcp_iam_bindings.append(binding)
    for record in records:
        if record.mode == "data" and record.type == "google_iam_policy" and record.address not in applied:
            for block in as_list(record.get("binding")):
                inventory.gcp_iam_bindings.append(_binding(record.address, record.type, "unknown", block, record.file, record.line))


def _binding(address: str, resource_type: str, level: GcpBindingLevel, block: Any, file: str, default_line: int | None) -> GcpIamBinding:
    if not isinstance(block, dict):
        return GcpIamBinding(
            address=address, location=Location(file=file, line=default_line), resource_type=resource_type, level=level, role=None, unknown_members=True
        )
    members: list[str] = []
    refs: list[str] = []
    unknown = isinstance(block.get("members"), Unknown) and not isinstance(block.get("members"), (Reference, PartialString))
    for member in as_list(block.get("members")):
        if isinstance(member, str):
            members.append(member.strip())
        elif isinstance(member, Reference):
            refs.append(member.address)
        elif isinstance(member, PartialString):
            members.append(member.pattern())  # "serviceAccount:${?}": the kind is known, the account is not
            refs.extend(member.references)  # ...but "serviceAccount:${google_service_account.x.email}" names x
        else:
            unknown = True
    role = block.get("role")
    condition = block.get("condition")
    return GcpIamBinding(
        address=address,
        location=Location(file=file, line=line_of(block) or default_line),
        resource_type=resource_type,
        level=level,
        role=role if isinstance(role, str) else None,
        members=members,
        member_refs=refs,
        unknown_members=unknown,
        conditional=bool(as_list(condition)) if not isinstance(condition, Unknown) else True,
    )

"""GitHub organisation configuration as snapshot records, so two sources can be compared.

Any registered GitHub format (API snapshot, peribolos, safe-settings) is parsed by its own format
and normalised to ``GitHubOrg`` (privlint.model.inventory); this module turns that into one record per
``github:ORG[/KIND/NAME]`` resource. Sources say different amounts (peribolos has no webhooks or
2FA status), so ``comparable`` keeps only what both sides describe: a kind of resource present on
both, and attributes both state. Lists of members and grants are compared as sets, like all snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from privlint.model.inventory import GitHubOrg
from privlint.model.records import ResourceRecord

GITHUB_PREFIX = "github_"


def _record(address: str, type_: str, values: dict[str, Any], file: str, line: int | None) -> ResourceRecord:
    return ResourceRecord(address=address, type=type_, values={k: v for k, v in values.items() if v is not None}, file=file, line=line)


def org_records(org: GitHubOrg) -> list[ResourceRecord]:
    out = [
        _record(
            org.resource,
            "github_organization_settings",
            {"two_factor_requirement_enabled": org.two_factor_requirement_enabled, "default_repository_permission": org.default_repository_permission},
            org.location.file,
            org.location.line,
        )
    ]
    if org.members_complete:  # only a source that lists everyone can say someone was added or removed
        for m in org.members:
            role = m.role or "outside collaborator"
            out.append(_record(m.resource, "github_membership", {"role": role, "two_factor_disabled": m.two_factor_disabled}, m.location.file, m.location.line))
    grants: dict[str, dict[str, str]] = defaultdict(dict)
    where: dict[str, tuple[str, int | None, str]] = {}
    for access in org.repo_access:
        grants[access.resource][access.repository] = access.permission
        kind = "github_team_repository" if access.grantee_kind == "team" else "github_repository_collaborator"
        where.setdefault(access.resource, (access.location.file, access.location.line, kind))
    for resource, repositories in grants.items():
        file, line, kind = where[resource]
        out.append(_record(resource, kind, {"repositories": dict(repositories)}, file, line))
    for p in org.branch_protections:
        out.append(_record(p.resource, "github_branch_protection", {"branch": p.branch, "enforce_admins": p.enforce_admins}, p.location.file, p.location.line))
    for h in org.hooks:
        out.append(_record(h.resource, "github_organization_webhook", {"has_secret": h.has_secret}, h.location.file, h.location.line))
    return out


def comparable(baseline: dict[str, ResourceRecord], current: dict[str, ResourceRecord]) -> tuple[dict[str, ResourceRecord], dict[str, ResourceRecord]]:
    """Both sides reduced to what both describe (GitHub records only; others pass through)."""
    types_a = {r.type for r in baseline.values()}
    types_b = {r.type for r in current.values()}

    def keep(records: dict[str, ResourceRecord], other: dict[str, ResourceRecord], other_types: set[str]) -> dict[str, ResourceRecord]:
        out = {}
        for address, record in records.items():
            if not record.type.startswith(GITHUB_PREFIX):
                out[address] = record
            elif record.type in other_types:
                twin = other.get(address)
                if twin is not None:
                    shared = record.values.keys() & twin.values.keys()
                    record = ResourceRecord(
                        address=record.address, type=record.type, values={k: record.values[k] for k in shared}, file=record.file, line=record.line
                    )
                out[address] = record
        return out

    return keep(baseline, current, types_b), keep(current, baseline, types_a)

"""Privilege-escalation paths to admin without MFA (PL103, PL104), found on the principal graph.

The graph (privlint/analysis/) gives, for every principal that is not admin-level, a shortest path to admin
rights; these rules report the paths on which no step requires MFA.
"""

from __future__ import annotations

from collections.abc import Iterator

from privlint.analysis.graph_model import EscalationPath, PrincipalGraph
from privlint.analysis.paths import iter_reported
from privlint.analysis.principal_graph import build_graph
from privlint.core.iam import assumable_without_mfa
from privlint.core.inventory import Inventory, Location, Principal
from privlint.core.settings import Settings
from privlint.rules.base import Hit, rule

_last: tuple[Inventory, PrincipalGraph] | None = None


def graph_of(inventory: Inventory) -> PrincipalGraph:
    """Both rules read the same graph: build it once per inventory."""
    global _last
    if _last is None or _last[0] is not inventory:
        _last = (inventory, build_graph(inventory))
    return _last[1]


def _location(path: EscalationPath, inventory: Inventory) -> Location:
    grant = path.first_grant
    if grant is not None:
        return Location(file=grant.file, line=grant.line)
    return inventory.principals[path.source].location


def _message(kind: str, path: EscalationPath) -> str:
    last = path.edges[-1]
    if last.effect == "grant":
        ending = f"it can rewrite the permissions of {path.target}, which it can act as"
    else:
        ending = f"{path.target} is admin-level"
    used = list(dict.fromkeys(e.technique for e in path.edges if e.technique))
    via = f" via {', '.join(used)}" if used else ""
    return (
        f"IAM {kind} {path.source} is not admin-level but can become admin{via} without MFA in {len(path.edges)} "
        f"step{'s' if len(path.edges) > 1 else ''}: {path.describe()} ({ending}). Scope the grant on the first step "
        f"to resources that are not admin-level, or require MFA on it (aws:MultiFactorAuthPresent)."
    )


@rule("PL103")
def user_escalates_to_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    graph = graph_of(inventory)
    members = {g for p in inventory.principals.values() if p.kind == "user" for g in p.groups}
    for path in iter_reported(graph):
        principal = inventory.principals.get(path.source)
        if principal is None or principal.kind not in ("user", "group"):
            continue
        if principal.kind == "group" and principal.address in members:
            continue  # its members are reported, with the group on their path
        yield Hit(resource=path.source, location=_location(path, inventory), message=_message(principal.kind, path))


@rule("PL104")
def assumable_role_escalates_to_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    graph = graph_of(inventory)
    for path in iter_reported(graph):
        principal = inventory.principals.get(path.source)
        if principal is None or principal.kind != "role" or not _people_assume_without_mfa(inventory, principal):
            continue
        yield Hit(resource=path.source, location=_location(path, inventory), message=_message("role", path))


def _people_assume_without_mfa(inventory: Inventory, role: Principal) -> bool:
    """The trust lets IAM users or whole accounts in without MFA (service and federated roles are left out)."""
    trust = inventory.documents.get(role.trust_document) if role.trust_document else None
    if trust is None:
        return False
    users = {a for a, p in inventory.principals.items() if p.kind == "user"}
    return any(assumable_without_mfa(stmt, users) for stmt in trust.statements)

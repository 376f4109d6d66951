"""Privilege-escalation paths to admin without MFA (PL103, PL104), found on the account graph.

The graph (privlint/analysis/) joins every unit of the scan into one account, so a path may cross root
modules and templates; each unit reports the paths that start at its own principals, with the path step by
step. For every principal that is not admin-level it holds a shortest path to admin rights; these rules
report the paths on which no step requires MFA. PL105: a live snapshot's stored policy version that is one
iam:SetDefaultPolicyVersion away from granting admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from privlint.analysis.account import account_graph
from privlint.analysis.graph_model import EscalationPath, PrincipalGraph
from privlint.analysis.paths import iter_reported
from privlint.knowledge.admin_level import document_admin_reason
from privlint.knowledge.iam import assumable_without_mfa
from privlint.model.findings import Severity
from privlint.model.inventory import Inventory, Location, Principal
from privlint.model.settings import Settings
from privlint.rules.base import Hit, linker, rule


@dataclass
class UnitView:
    """The account graph as one unit sees it: its principals' node ids and what to call each node."""

    graph: PrincipalGraph
    own: dict[str, str]  # node id -> the unit's address of that principal
    labels: dict[str, str]  # node id -> label (the address in its own unit)
    steps: dict[str, str]  # node id -> how a path shows it: another unit's principal with its file

    def reported(self) -> Iterator[tuple[str, EscalationPath]]:
        """(unit address, path) for each path without MFA that starts at one of the unit's principals."""
        for path in iter_reported(self.graph):
            address = self.own.get(path.source)
            if address is not None:
                yield address, path


_scan: list[Inventory] = []
_views: dict[int, tuple[Inventory, UnitView]] = {}


@linker
def join_account(inventories: list[Inventory]) -> None:
    """Remember the scan's units: their graph is built once, together, when a rule first asks."""
    global _scan
    _scan = list(inventories)
    _views.clear()


def _unit_of(inventory: Inventory) -> int | None:
    """Which unit of the scan ``inventory`` is, or stands for (a variant with switched-off blocks turned on)."""
    for index, unit in enumerate(_scan):
        if unit is inventory:
            return index

    def written(inv: Inventory) -> set[tuple[str, str, int | None]]:
        return {(a, p.location.file, p.location.line) for a, p in inv.principals.items()}

    mine = written(inventory)
    for index, unit in enumerate(_scan):
        if mine and mine <= written(unit):  # a variant holds the same principals, written in the same places
            return index
    return None


def view_of(inventory: Inventory) -> UnitView:
    """Both rules read the same graph: built once per scan (once more per variant of a unit)."""
    cached = _views.get(id(inventory))
    if cached is not None and cached[0] is inventory:
        return cached[1]
    index = _unit_of(inventory)
    units = [inventory] if index is None else [*_scan[:index], inventory, *_scan[index + 1 :]]
    account = account_graph(units)
    whole_scan = index is not None and _scan[index] is inventory
    for position, unit in enumerate(units):
        if whole_scan or unit is inventory:  # a variant's graph serves that variant only
            own = {node_id: address for address, node_id in account.ids[position].items()}
            labels = {n.id: n.label for n in account.graph.nodes}
            _views[id(unit)] = (unit, UnitView(account.graph, own, labels, _steps(account.graph, own)))
    return _views[id(inventory)][1]


def _steps(graph: PrincipalGraph, own: dict[str, str]) -> dict[str, str]:
    """How a unit's messages show each node on a path: another unit's principal says where it is written."""
    out = {}
    for node in graph.nodes:
        foreign = node.id not in own and node.kind != "service" and node.location is not None
        out[node.id] = f"{node.label} (in {node.location.file})" if foreign and node.location else node.label
    return out


def graph_of(inventory: Inventory) -> PrincipalGraph:
    """The account graph the rules use for this unit."""
    return view_of(inventory).graph


def _location(path: EscalationPath, address: str, inventory: Inventory) -> Location:
    grant = path.first_grant
    if grant is not None:
        return Location(file=grant.file, line=grant.line)
    return inventory.principals[address].location


def _message(kind: str, address: str, path: EscalationPath, view: UnitView) -> str:
    last = path.edges[-1]
    target = view.labels.get(path.target, path.target)
    if last.effect == "grant":
        ending = f"it can rewrite the permissions of {target}, which it can act as"
    else:
        ending = f"{target} is admin-level"
    used = list(dict.fromkeys(e.technique for e in path.edges if e.technique))
    via = f" via {', '.join(used)}" if used else ""
    return (
        f"IAM {kind} {address} is not admin-level but can become admin{via} without MFA in {len(path.edges)} "
        f"step{'s' if len(path.edges) > 1 else ''}: {path.describe(view.steps)} ({ending}). Scope the grant on the first step "
        f"to resources that are not admin-level, or require MFA on it (aws:MultiFactorAuthPresent)."
    )


@rule("PL103")
def user_escalates_to_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = view_of(inventory)
    members = {g for p in inventory.principals.values() if p.kind == "user" for g in p.groups}
    for address, path in view.reported():
        principal = inventory.principals.get(address)
        if principal is None or principal.kind not in ("user", "group"):
            continue
        if principal.kind == "group" and principal.address in members:
            continue  # its members are reported, with the group on their path
        yield Hit(resource=address, location=_location(path, address, inventory), message=_message(principal.kind, address, path, view))


@rule("PL104")
def assumable_role_escalates_to_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = view_of(inventory)
    for address, path in view.reported():
        principal = inventory.principals.get(address)
        if principal is None or principal.kind != "role" or not _people_assume_without_mfa(inventory, principal):
            continue
        yield Hit(resource=address, location=_location(path, address, inventory), message=_message("role", address, path, view))


def _people_assume_without_mfa(inventory: Inventory, role: Principal) -> bool:
    """The trust lets IAM users or whole accounts in without MFA (service and federated roles are left out)."""
    trust = inventory.documents.get(role.trust_document) if role.trust_document else None
    if trust is None:
        return False
    users = {a for a, p in inventory.principals.items() if p.kind == "user"}
    return any(assumable_without_mfa(stmt, users) for stmt in trust.statements)


@rule("PL105")
def non_default_policy_version_grants_admin(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    """A stored version of a managed policy that is not its default grants admin-level rights."""
    holders: dict[str, list[str]] = {}
    for address, principal in inventory.principals.items():
        for grant in principal.grants:
            holders.setdefault(grant.document, []).append(address)
    for version in inventory.policy_versions:
        reason = document_admin_reason(version.statements)
        if reason is None:
            continue
        default = inventory.documents.get(version.policy)
        if default is not None and document_admin_reason(default.statements) is not None:
            continue  # already admin-level as it is: PL101/PL102 report its holders
        held = sorted(holders.get(version.policy, []))
        who = f"its holders ({', '.join(held)})" if held else "whoever it is attached to next"
        yield Hit(
            resource=version.policy,
            location=version.location,
            severity=None if held else Severity.medium,
            message=(
                f"Managed policy {version.policy} keeps version {version.version}, not its default, which grants {reason}: "
                f"one iam:SetDefaultPolicyVersion makes {who} admin-level. Delete the version "
                f"(aws iam delete-policy-version --policy-arn {version.policy} --version-id {version.version})."
            ),
        )

"""One account graph per scan: the AWS principals, policies and workloads of every unit (root module,
template, IAM snapshot) joined into one inventory, so a path can cross units.

A user in one root module that may update a Lambda function made in another, or pass a role defined
elsewhere, only has a path when both are in the same graph. Units name each other's resources by ARN or by
name (references such as ``aws_iam_role.admin.arn`` stay inside their unit), and the scan is taken to be one
account: privlint does not read account ids from provider configuration.

An address that two units both use (``aws_iam_user.ci`` in two templates) is qualified with its file
(``app/main.tf::aws_iam_user.ci``) everywhere it occurs in its unit; the node keeps the unit's address as
its label, so messages and findings still name what the unit calls it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from privlint.analysis.graph_model import PrincipalGraph
from privlint.analysis.principal_graph import build_graph
from privlint.model.inventory import Inventory, PolicyDocument, Principal, Workload
from privlint.model.policy import Statement
from privlint.model.values import REFERENCE_PREFIX


@dataclass
class AccountGraph:
    """The joined inventory of several units, its graph, and each unit's addresses in it."""

    inventory: Inventory
    graph: PrincipalGraph
    ids: list[dict[str, str]] = field(default_factory=list)  # per unit: its principal address -> node id


def _addresses(inventory: Inventory) -> set[str]:
    aws = {a for a, p in inventory.principals.items() if p.provider == "aws"}
    return aws | set(inventory.documents) | {w.address for w in inventory.workloads}


def _files(inventory: Inventory) -> dict[str, str]:
    """address -> the file it is written in, for qualifying clashing addresses."""
    out = {d.address: d.location.file for d in inventory.documents.values()}
    out.update((w.address, w.location.file) for w in inventory.workloads)
    out.update((p.address, p.location.file) for p in inventory.principals.values())
    return out


def _renames(inventories: Sequence[Inventory]) -> list[dict[str, str]]:
    """Per unit: the addresses another unit also uses, and the qualified name each gets."""
    counts = Counter(a for inv in inventories for a in _addresses(inv))
    taken: set[str] = {a for a, n in counts.items() if n == 1}
    out: list[dict[str, str]] = []
    for index, inventory in enumerate(inventories):
        files = _files(inventory)
        rename: dict[str, str] = {}
        for address in sorted(a for a in _addresses(inventory) if counts[a] > 1):
            qualified = f"{files.get(address, '')}::{address}"
            if qualified in taken:  # the same module file read by two root modules
                qualified = f"{qualified}#{index + 1}"
            taken.add(qualified)
            rename[address] = qualified
        out.append(rename)
    return out


def _statement(stmt: Statement, new: Callable[[str], str]) -> Statement:
    def moved(values: list[str]) -> list[str]:
        return [REFERENCE_PREFIX + new(v[len(REFERENCE_PREFIX) :]) if v.startswith(REFERENCE_PREFIX) else v for v in values]

    resources = moved(stmt.resources)
    principals = {kind: moved(entries) for kind, entries in stmt.principals.items()}
    if resources == stmt.resources and principals == stmt.principals:
        return stmt
    return stmt.model_copy(update={"resources": resources, "principals": principals})


def _renamed(inventory: Inventory, rename: dict[str, str]) -> Inventory:
    """The unit's AWS principals, documents and workloads, with clashing addresses qualified."""

    def new(address: str) -> str:
        return rename.get(address, address)

    def principal(p: Principal) -> Principal:
        grants = [g.model_copy(update={"document": new(g.document)}) for g in p.grants]
        return p.model_copy(
            update={
                "address": new(p.address),
                "grants": grants,
                "groups": [new(g) for g in p.groups],
                "trust_document": new(p.trust_document) if p.trust_document else None,
                "boundary": new(p.boundary) if p.boundary else None,
            }
        )

    def document(d: PolicyDocument) -> PolicyDocument:
        statements = [_statement(s, new) for s in d.statements]
        return d.model_copy(update={"address": new(d.address), "statements": statements})

    def workload(w: Workload) -> Workload:
        return w.model_copy(update={"address": new(w.address), "role": new(w.role) if w.role else None})

    out = Inventory()
    for p in inventory.principals.values():
        if p.provider == "aws":
            moved = principal(p) if rename else p
            out.principals[moved.address] = moved
    for d in inventory.documents.values():
        moved_doc = document(d) if rename else d
        out.documents[moved_doc.address] = moved_doc
    out.workloads = [workload(w) for w in inventory.workloads] if rename else list(inventory.workloads)
    return out


def account_graph(inventories: Sequence[Inventory]) -> AccountGraph:
    """The graph of all the units of one scan together, with a shortest escalation path per principal."""
    renames = _renames(inventories)
    joined = Inventory()
    ids: list[dict[str, str]] = []
    for inventory, rename in zip(inventories, renames):
        part = _renamed(inventory, rename)
        joined.principals.update(part.principals)
        joined.documents.update(part.documents)
        joined.workloads.extend(part.workloads)
        ids.append({a: rename.get(a, a) for a, p in inventory.principals.items() if p.provider == "aws"})
    graph = build_graph(joined)
    labels = {node_id: address for unit in ids for address, node_id in unit.items() if node_id != address}
    for node in graph.nodes:
        if node.id in labels:
            node.label = labels[node.id]
    return AccountGraph(joined, graph, ids)

"""Building the principal graph's nodes and edges from one inventory: memberships, trusts, then every technique.

Pure: reads the inventory only, no parser. Admin-level marks come from ``privlint.knowledge.admin_level``, the one
definition every rule shares. Only what the code proves becomes an edge.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from privlint.analysis.graph_model import Edge, GrantRef, Node
from privlint.analysis.targets import Target, TargetIndex, named_principal
from privlint.analysis.techniques import (
    TRUST_IGNORED,
    Technique,
    Usable,
    granted,
    grants_action,
    techniques,
    usability,
    workload_types,
)
from privlint.knowledge.admin_level import AdminLevel, admin_level
from privlint.knowledge.iam import action_matches, is_account_principal, matches
from privlint.knowledge.mfa import denies_without_mfa
from privlint.model.inventory import Inventory, PolicyDocument, Principal, Workload
from privlint.model.policy import Statement
from privlint.model.values import REFERENCE_PREFIX


@dataclass
class _Holder:
    """A principal's effective statements (its own and, for users, its groups'), sorted by what they grant."""

    principal: Principal
    by_action: dict[str, list[tuple[Statement, PolicyDocument]]] = field(default_factory=dict)
    denies: list[tuple[Statement, PolicyDocument]] = field(default_factory=list)
    admin: AdminLevel = field(default_factory=AdminLevel)
    mfa_guard: bool = False
    boundary: _DocFacts | None = None  # its permissions boundary's allows, when it has one

    def granting(self, action: str) -> list[tuple[Statement, PolicyDocument]]:
        return self.by_action.get(action, [])


@dataclass
class _DocFacts:
    """What one policy document contributes, worked out once however many principals hold it."""

    by_action: dict[str, list[Statement]] = field(default_factory=dict)
    denies: list[Statement] = field(default_factory=list)
    guard: bool = False


def _doc_facts(doc: PolicyDocument) -> _DocFacts:
    facts = _DocFacts()
    for stmt in doc.statements:
        if stmt.effect == "Allow":
            for action in granted(stmt):
                facts.by_action.setdefault(action, []).append(stmt)
        elif stmt.effect == "Deny":
            if denies_without_mfa(stmt):
                facts.guard = True
            else:
                facts.denies.append(stmt)
    return facts


def _holder(inventory: Inventory, principal: Principal, facts: dict[str, _DocFacts]) -> _Holder:
    holder = _Holder(principal, admin=admin_level(inventory, principal))
    grants = inventory.effective_grants(principal) if principal.kind == "user" else [(g, None) for g in principal.grants]
    for grant, _group in grants:
        doc = inventory.documents.get(grant.document)
        if doc is None:
            continue
        if doc.address not in facts:
            facts[doc.address] = _doc_facts(doc)
        fact = facts[doc.address]
        for action, statements in fact.by_action.items():
            holder.by_action.setdefault(action, []).extend((stmt, doc) for stmt in statements)
        holder.denies.extend((stmt, doc) for stmt in fact.denies)
        holder.mfa_guard = holder.mfa_guard or fact.guard
    if principal.boundary_unknown or principal.boundary is not None:
        _bound(holder, inventory.documents.get(principal.boundary or ""), facts)
    return holder


def _bound(holder: _Holder, boundary: PolicyDocument | None, facts: dict[str, _DocFacts]) -> None:
    """A permissions boundary: only what it also allows is usable, and its denies apply (as in the admin
    definition). A boundary privlint cannot read proves nothing, so the principal keeps no edge of its own."""
    if boundary is None:
        holder.by_action = {}
        holder.boundary = _DocFacts()
        return
    if boundary.address not in facts:
        facts[boundary.address] = _doc_facts(boundary)
    allowed = facts[boundary.address]
    holder.boundary = allowed
    holder.by_action = {a: stmts for a, stmts in holder.by_action.items() if a in allowed.by_action}
    holder.denies.extend((stmt, boundary) for stmt in allowed.denies)
    holder.mfa_guard = holder.mfa_guard or allowed.guard


def _denied(holder: _Holder, action: str, resource: str | None) -> bool:
    """An explicit Deny (other than deny-unless-MFA) that may cover the action on the resource."""
    for stmt, _doc in holder.denies:
        if stmt.not_action or not any(action_matches(p, action) for p in stmt.actions):
            continue
        if stmt.not_resource or stmt.unknown_resources or "*" in stmt.resources or resource is None:
            return True
        if any(matches(p.split(":", 5)[-1], resource) for p in stmt.resources):
            return True
    return False


def _ref(doc: PolicyDocument, stmt: Statement, action: str | None) -> GrantRef:
    return GrantRef(document=doc.address, file=doc.location.file, line=stmt.line or doc.location.line, action=action)


def _admin_reason(holder: _Holder) -> tuple[str | None, bool]:
    """Why the principal is admin-level (None: it is not), and whether those rights need MFA."""
    return holder.admin.reason, holder.admin.requires_mfa


def _service_matches(pattern: str, service: str) -> bool:
    return action_matches(pattern, service)


_MANAGED_POLICY_TYPES = frozenset({"aws_iam_policy", "AWS::IAM::ManagedPolicy"})
_DOCUMENT_DATA_SOURCE = "aws_iam_policy_document"


class GraphBuilder:
    """Nodes for the inventory's principals, then edges: memberships, trusts, and each technique in turn."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        facts: dict[str, _DocFacts] = {}
        self.holders = {a: _holder(inventory, p, facts) for a, p in inventory.principals.items() if p.provider == "aws"}
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str, str | None], Edge] = {}
        self.index = TargetIndex()
        self._by_name: dict[tuple[str, str], str] = {}
        self._assume: dict[str, list[tuple[str, Statement, PolicyDocument, Usable]]] | None = None

    # -- nodes and targets
    def _principal_nodes(self) -> None:
        for address, holder in self.holders.items():
            p = holder.principal
            reason, needs_mfa = _admin_reason(holder)
            self.nodes[address] = Node(
                id=address, kind=p.kind, label=address, location=p.location, admin=reason is not None, admin_reason=reason, admin_requires_mfa=needs_mfa
            )
            resource = f"{p.kind}/{p.name}" if p.name else None
            self.index.add(p.kind, Target(address, resource, "iam"))
            if p.name:
                self._by_name[(p.kind, p.name.lower())] = address
        holders_of: dict[str, list[str]] = defaultdict(list)
        attached_documents: dict[str, list[str]] = defaultdict(list)
        for address, holder in self.holders.items():
            for grant in holder.principal.grants:
                holders_of[grant.document].append(address)
                if grant.attachment is not None:
                    attached_documents[grant.document].append(address)
        for doc in self.inventory.documents.values():
            if doc.resource_type in _MANAGED_POLICY_TYPES:
                for address in holders_of.get(doc.address, []):
                    self.index.add("policy", Target(address, f"policy/{doc.name}" if doc.name else None, "iam"))
            elif doc.resource_type == _DOCUMENT_DATA_SOURCE and not doc.aws_managed:
                # aws_iam_policy { policy = data.aws_iam_policy_document.x.json }: the attachment grants the
                # shared document, so the managed policy's name is not known here; only wildcards name it.
                for address in attached_documents.get(doc.address, []):
                    self.index.add("policy", Target(address, None, "iam"))
            # Inline and AWS-managed policies have no versions.
        types = workload_types()
        profiles = [w for w in self.inventory.workloads if w.kind == "instance-profile"]
        for workload in self.inventory.workloads:
            kind = types.get(workload.kind)
            if kind is None or kind.target is None:
                continue
            role = self._role_of_workload(workload, profiles)
            if role is not None:
                self.index.add(kind.target, Target(role, kind.resource_of(workload.name), kind.arn_service))

    def _already_admin(self, address: str) -> bool:
        node = self.nodes.get(address)
        return node is not None and node.admin and not node.admin_requires_mfa

    def _role_of(self, address: str | None, name: str | None) -> str | None:
        if address is not None:
            p = self.inventory.principals.get(address)
            return address if p is not None and p.kind == "role" else None
        if name:
            return self._by_name.get(("role", name.rsplit("/", 1)[-1].lower()))
        return None

    def _role_of_workload(self, workload: Workload, profiles: list[Workload]) -> str | None:
        if not workload.via_profile:
            return self._role_of(workload.role, workload.role_name)
        wanted = (workload.role_name or "").rsplit("/", 1)[-1].lower()
        for profile in profiles:
            if (workload.role is not None and profile.address == workload.role) or (wanted and (profile.name or "").lower() == wanted):
                return self._role_of(profile.role, profile.role_name)
        return None

    def _add(self, edge: Edge) -> None:
        holder = self.holders.get(edge.source)
        if holder is not None and holder.principal.kind == "user" and edge.kind != "member-of" and holder.boundary is None:
            own = {g.document for g in holder.principal.grants}
            if not any(g.document in own for g in edge.grants if g.action is not None) and any(g.action for g in edge.grants):
                return  # granted wholly by a group: the path goes user -> member-of -> group, which says why
        key = (edge.source, edge.target, edge.kind, edge.technique)
        known = self.edges.get(key)
        if known is None or (known.mfa and not edge.mfa):
            self.edges[key] = edge

    # -- edges
    def build(self) -> tuple[dict[str, Node], list[Edge]]:
        self._principal_nodes()
        self._memberships()
        self._trust()
        for holder in self.holders.values():
            if self._already_admin(holder.principal.address):
                continue  # an administrator can do all of this: its edges would only hide the others
            for technique in techniques():
                if technique.edge == "can-assume" or technique.action not in holder.by_action:
                    continue  # can-assume is handled with the trust policies
                if technique.sources and holder.principal.kind not in technique.sources:
                    continue
                self._technique(technique, holder)
        edges = sorted(self.edges.values(), key=lambda e: (e.source, e.kind, e.target, e.technique or ""))
        return self.nodes, edges

    def _memberships(self) -> None:
        for address, holder in self.holders.items():
            p = holder.principal
            if holder.boundary is not None:
                continue  # its boundary limits what its groups grant it: its own edges carry those grants
            for group in p.groups:
                if group in self.nodes:
                    grant = GrantRef(document=group, file=p.location.file, line=p.location.line)
                    self._add(Edge(source=address, target=group, kind="member-of", mfa=holder.mfa_guard, grants=[grant]))

    def _trust(self) -> None:
        """can-assume edges (and service nodes) from every role's trust policy."""
        assume = next(t for t in techniques() if t.edge == "can-assume")
        for role_address, role_holder in self.holders.items():
            role = role_holder.principal
            if role.kind != "role" or role.trust_document is None:
                continue
            trust = self.inventory.documents.get(role.trust_document)
            if trust is None:
                continue
            for stmt in trust.statements:
                if not grants_action(stmt, "sts:AssumeRole") or stmt.not_principal:
                    continue
                usable = usability(stmt, TRUST_IGNORED)
                if not usable.ok:
                    continue
                ref = _ref(trust, stmt, None)
                for service in stmt.principals.get("Service", []):
                    self._service_trust(service, role_address, ref)
                for entry in stmt.principals.get("AWS", []) + stmt.principals.get("*", []):
                    self._admit(entry, role_address, usable.mfa, ref, assume)

    def _service_trust(self, service: str, role: str, ref: GrantRef) -> None:
        node_id = f"service:{service}"
        if node_id not in self.nodes:
            self.nodes[node_id] = Node(id=node_id, kind="service", label=service)
        self._add(Edge(source=node_id, target=role, kind="can-assume", grants=[ref]))

    def _admit(self, entry: str, role: str, trust_mfa: bool, ref: GrantRef, assume: Technique) -> None:
        if entry == "*" or is_account_principal(entry):
            # The whole account (or anyone): a principal needs its own sts:AssumeRole on the role.
            for grantee, stmt, doc, usable in self._assume_grants().get(role, []):
                holder = self.holders[grantee]
                if grantee == role or _denied(holder, "sts:AssumeRole", self._resource(role)):
                    continue
                mfa = trust_mfa or usable.mfa or holder.mfa_guard
                grants = [_ref(doc, stmt, "sts:AssumeRole"), ref]
                self._add(Edge(source=grantee, target=role, kind="can-assume", technique=assume.id, mfa=mfa, grants=grants))
            if entry != "*":
                return
        if entry.startswith(REFERENCE_PREFIX):  # Principal AWS = aws_iam_user.ci.arn / !GetAtt Ci.Arn
            address: str | None = entry[len(REFERENCE_PREFIX) :]
            if address not in self.holders:
                return
        else:
            named = named_principal(entry)
            if named is None:
                return
            address = self._by_name.get(named)
        if address is None or address == role or self._already_admin(address):
            return
        holder = self.holders[address]
        if _denied(holder, "sts:AssumeRole", self._resource(role)):
            return
        # Named by ARN in the trust policy: in the same account no identity grant is needed.
        self._add(Edge(source=address, target=role, kind="can-assume", technique=assume.id, mfa=trust_mfa or holder.mfa_guard, grants=[ref]))

    def _assume_grants(self) -> dict[str, list[tuple[str, Statement, PolicyDocument, Usable]]]:
        """role -> the identity statements that allow sts:AssumeRole on it (computed once, for every trust)."""
        if self._assume is None:
            self._assume = defaultdict(list)
            for address, holder in self.holders.items():
                if self._already_admin(address):
                    continue
                for stmt, doc in holder.granting("sts:AssumeRole"):
                    usable = usability(stmt)
                    if usable.ok:
                        for target in self.index.covered("role", stmt):
                            if self._boundary_covers(holder, "sts:AssumeRole", "role", target):
                                self._assume[target.node].append((address, stmt, doc, usable))
        return self._assume

    def _resource(self, address: str) -> str | None:
        p = self.inventory.principals.get(address)
        return f"{p.kind}/{p.name}" if p is not None and p.name else None

    def _technique(self, technique: Technique, holder: _Holder) -> None:
        statements = holder.granting(technique.action)
        if not statements:
            return
        also: list[tuple[GrantRef, bool]] = []
        for group in technique.also:
            best = self._any_granted(holder, group)
            if best is None:
                return
            also.append(best)
        source = holder.principal.address
        for stmt, doc in statements:
            usable = usability(stmt)
            if not usable.ok:
                continue
            if technique.service and usable.passed_to is not None and not any(_service_matches(p, technique.service) for p in usable.passed_to):
                continue
            for target in self.index.covered(technique.target, stmt):
                if technique.edge == "can-pass-to-service" and not self._trusts_service(target.node, technique.service or ""):
                    continue
                if _denied(holder, technique.action, target.resource):
                    continue
                if not self._boundary_covers(holder, technique.action, technique.target, target):
                    continue
                if technique.effect == "act-as" and target.node == source:
                    continue  # acting as itself gains nothing
                mfa = usable.mfa or holder.mfa_guard or any(m for _r, m in also)
                grants = [_ref(doc, stmt, technique.action), *(r for r, _m in also)]
                self._add(
                    Edge(
                        source=source,
                        target=target.node,
                        kind=technique.edge,
                        technique=technique.id,
                        via=technique.via,
                        effect=technique.effect,
                        mfa=mfa,
                        grants=grants,
                    )
                )

    def _any_granted(self, holder: _Holder, actions: tuple[str, ...]) -> tuple[GrantRef, bool] | None:
        """The best statement granting one of the actions (one without MFA first), on a known resource."""
        best: tuple[GrantRef, bool] | None = None
        for action in actions:
            for stmt, doc in holder.granting(action):
                usable = usability(stmt)
                if not usable.ok or not (stmt.resources or stmt.not_resource) or _denied(holder, action, None if stmt.not_resource else "*"):
                    continue
                mfa = usable.mfa
                if best is None or (best[1] and not mfa):
                    best = (_ref(doc, stmt, action), mfa)
        return best

    def _boundary_covers(self, holder: _Holder, action: str, kind: str, target: Target) -> bool:
        """The principal's permissions boundary (if any) also allows the action on the target."""
        if holder.boundary is None:
            return True
        return any(usability(stmt).ok and any(t is target for t in self.index.covered(kind, stmt)) for stmt in holder.boundary.by_action.get(action, []))

    def _trusts_service(self, role: str, service: str) -> bool:
        node = f"service:{service}"
        return (node, role, "can-assume", None) in self.edges

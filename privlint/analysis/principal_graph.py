"""The principal graph: who can become whom, and who can reach an admin-level principal.

Built from a normalised ``Inventory`` only (pure: no parser imports). Nodes are principals (AWS users,
groups, roles; other providers can add theirs later) and the services their roles trust. Edges say how one
principal gets another's rights, each with the statements that grant it and whether MFA is needed on it:

- ``member-of``: a user gets its group's rights;
- ``can-assume``: the role's trust admits the principal (its ARN, ``*``, or its account together with the
  principal's own ``sts:AssumeRole`` on the role);
- ``can-pass-to-service``: the principal passes the role to a service that runs code it controls;
- ``can-modify-permissions``: the principal can act as another (access keys, login profile, trust policy,
  Lambda code) or rewrite its permissions (attach or put policies, new policy versions).

The techniques are data (``privlint/data/escalation_techniques.json``). Unknown values never create an edge:
a resource, principal or condition privlint cannot read is left out, so every edge is proven by the code.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from privlint.knowledge.admin_level import AdminLevel, admin_level
from privlint.model.datafiles import load_json
from privlint.knowledge.iam import action_matches, is_account_principal, matches
from privlint.knowledge.mfa import denies_without_mfa, requires_mfa
from privlint.model.policy import Statement
from privlint.model.inventory import (
    Inventory,
    Location,
    PolicyDocument,
    Principal,
    Workload,
)
from privlint.model.values import REFERENCE_PREFIX

EdgeKind = Literal["member-of", "can-assume", "can-pass-to-service", "can-modify-permissions"]
NodeKind = Literal["user", "group", "role", "service"]
Effect = Literal["act-as", "grant"]


class GrantRef(BaseModel):
    """A statement that grants (part of) an edge, and where it is written."""

    document: str
    file: str
    line: int | None = None
    action: str | None = None  # the action it grants, or None for a trust statement or a membership


class Node(BaseModel):
    id: str  # the Terraform address or CloudFormation logical id (qualified by file when two units clash)
    kind: NodeKind
    provider: str = "aws"
    label: str  # what people read: the address, or the service name
    location: Location | None = None
    admin: bool = False
    admin_reason: str | None = None  # why it is admin-level, e.g. "all actions on all resources via ..."
    admin_requires_mfa: bool = False  # its admin rights apply only with MFA (conditions or a deny-unless-MFA policy)


class Edge(BaseModel):
    source: str
    target: str
    kind: EdgeKind
    technique: str | None = None  # id in escalation_techniques.json; None for member-of and service trust
    via: str | None = None  # the service (ec2) or the action (iam:AttachUserPolicy) shown in the step
    effect: Effect = "act-as"  # act-as: the source gets the target's rights; grant: it can rewrite them
    mfa: bool = False  # MFA is required to use this edge
    grants: list[GrantRef] = Field(default_factory=list)

    @property
    def step(self) -> str:
        return f"{self.kind}({self.via})" if self.via else self.kind


class EscalationPath(BaseModel):
    """A shortest way from a principal that is not admin-level to admin rights."""

    source: str
    target: str  # the admin-level principal, or the principal whose permissions the last step rewrites
    edges: list[Edge]
    mfa_required: bool  # every path needs MFA somewhere (otherwise ``edges`` is a path that needs none)

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """``aws_iam_user.ci -> can-pass-to-service(ec2) -> aws_iam_role.admin``."""
        name = (lambda n: labels.get(n, n)) if labels else (lambda n: n)
        parts = [name(self.source)]
        for edge in self.edges:
            parts += [edge.step, name(edge.target)]
        return " -> ".join(parts)

    @property
    def first_grant(self) -> GrantRef | None:
        for edge in self.edges:
            if edge.grants:
                return edge.grants[0]
        return None


class PrincipalGraph(BaseModel):
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    paths: list[EscalationPath] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def path_from(self, node_id: str) -> EscalationPath | None:
        return next((p for p in self.paths if p.source == node_id), None)


# --------------------------------------------------------------------------- techniques (data)


@dataclass(frozen=True)
class Technique:
    id: str
    edge: EdgeKind
    effect: Effect
    action: str
    target: str  # role, user, group, policy, function
    also: tuple[tuple[str, ...], ...] = ()
    service: str | None = None
    sources: tuple[str, ...] = ()  # principal kinds that can use it (empty: any)
    reference: str = ""

    @property
    def via(self) -> str | None:
        if self.edge == "can-pass-to-service" and self.service:
            return self.service.removesuffix(".amazonaws.com")
        if self.edge == "can-modify-permissions":
            return self.action
        return None


@lru_cache(maxsize=1)
def techniques() -> tuple[Technique, ...]:
    raw = load_json("escalation_techniques.json")["techniques"]
    return tuple(
        Technique(
            id=t["id"], edge=t["edge"], effect=t["effect"], action=t["action"], target=t["target"],
            also=tuple(tuple(group) for group in t.get("also", [])), service=t.get("service"),
            sources=tuple(t.get("sources", [])), reference=t.get("reference", ""),
        )
        for t in raw
    )


@dataclass(frozen=True)
class WorkloadType:
    """How the graph names one kind of workload: the technique target kind and its ARN resource."""

    target: str | None
    arn_service: str
    resource: str | None  # e.g. ``function:{name}``; None when ARNs name it by an id the code does not show

    def resource_of(self, name: str | None) -> str | None:
        return self.resource.format(name=name) if self.resource and name else None


@lru_cache(maxsize=1)
def workload_types() -> dict[str, WorkloadType]:
    raw = load_json("escalation_techniques.json")["workload_types"]
    return {kind: WorkloadType(spec["target"], spec["arn_service"], spec["resource"]) for kind, spec in raw.items() if not kind.startswith("_")}


@lru_cache(maxsize=1)
def _ignored_condition_keys() -> frozenset[str]:
    return frozenset(k.lower() for k in load_json("escalation_techniques.json")["condition_keys_ignored"]["keys"])


_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_PASSED_TO_SERVICE = "iam:passedtoservice"
# In a trust policy, aws:SourceAccount only says "a resource of this account": a role passed by someone in the
# account still qualifies. aws:SourceArn pins one resource and is not ignored.
_TRUST_IGNORED = frozenset({"aws:sourceaccount"})


@dataclass(frozen=True)
class Usable:
    """How a statement's conditions bear on an edge: whether it counts at all, MFA, and PassedToService."""

    ok: bool
    mfa: bool = False
    passed_to: tuple[str, ...] | None = None  # iam:PassedToService values, None when unrestricted


_USABLE_CACHE: dict[tuple[int, frozenset[str]], tuple[Statement, Usable]] = {}


def _usable(statement: Statement, extra_ignored: frozenset[str] = frozenset()) -> Usable:
    key = (id(statement), extra_ignored)
    cached = _USABLE_CACHE.get(key)
    if cached is not None and cached[0] is statement:
        return cached[1]
    if len(_USABLE_CACHE) > 200_000:
        _USABLE_CACHE.clear()
    result = _usable_uncached(statement, extra_ignored)
    _USABLE_CACHE[key] = (statement, result)  # the statement is kept, so its id is not reused meanwhile
    return result


def _usable_uncached(statement: Statement, extra_ignored: frozenset[str]) -> Usable:
    passed_to: tuple[str, ...] | None = None
    for cond in statement.conditions:
        key = cond.key.lower()
        if key in _MFA_KEYS or key in _ignored_condition_keys() or key in extra_ignored:
            continue
        if key == _PASSED_TO_SERVICE and not cond.unknown_values and cond.operator.lower().startswith("string") and "not" not in cond.operator.lower():
            passed_to = tuple(cond.values)
            continue
        return Usable(False)  # a condition privlint does not evaluate: no edge by guesswork
    return Usable(True, requires_mfa(statement), passed_to)


# --------------------------------------------------------------------------- resources and targets


def _arn_resource(pattern: str, service: str) -> str | None:
    """The resource part of an ARN pattern for ``service`` (``role/admin`` of ``arn:aws:iam::1:role/admin``).

    The partition and account may be wildcards or values privlint cannot resolve (``${AWS::AccountId}``,
    ``data.aws_caller_identity``): they are taken to be the account the code deploys to. None when the
    pattern names another service.
    """
    parts = pattern.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    if not matches(parts[2], service):
        return None
    if parts[4] == "aws":
        return None  # AWS-managed policies (arn:aws:iam::aws:policy/...): nobody's code can rewrite them
    return parts[5]


@dataclass
class Target:
    node: str  # the node the edge points to
    resource: str | None  # ``role/admin``, ``function:build``...; None when the name is unknown
    service: str  # the ARN service of the resource (iam, lambda)


class TargetIndex:
    """Finds the targets an action's Resource patterns name, quickly (exact names by dictionary)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[Target]] = defaultdict(list)
        self.exact: dict[tuple[str, str], list[Target]] = defaultdict(list)
        self._cache: dict[tuple[str, str], list[Target]] = {}

    def add(self, kind: str, target: Target) -> None:
        self.by_kind[kind].append(target)
        if target.resource is not None:
            self.exact[(kind, target.resource.lower())].append(target)

    def matching(self, kind: str, pattern: str) -> list[Target]:
        key = (kind, pattern)
        if key not in self._cache:
            self._cache[key] = self._match(kind, pattern)
        return self._cache[key]

    def _match(self, kind: str, pattern: str) -> list[Target]:
        candidates = self.by_kind.get(kind, [])
        if not candidates:
            return []
        if pattern == "*":
            return list(candidates)
        if pattern.startswith(REFERENCE_PREFIX):  # Resource = aws_iam_role.admin.arn / !GetAtt Admin.Arn
            return [t for t in candidates if t.node == pattern[len(REFERENCE_PREFIX):]]
        resource = _arn_resource(pattern, candidates[0].service)
        if resource is None:
            return []
        if "*" not in resource and "?" not in resource:
            return list(self.exact.get((kind, resource.lower()), []))
        separator = "/" if "/" in resource else ":" if ":" in resource else ""
        prefix = resource.split(separator, 1)[0] + separator if separator else ""
        everything = resource.rstrip("*") in ("", prefix)  # role/*, function:*, instance/*: also names unknown
        return [t for t in candidates if (t.resource is None and everything) or (t.resource is not None and matches(resource, t.resource))]

    def covered(self, kind: str, statement: Statement) -> list[Target]:
        """Targets the statement's Resource (or NotResource) provably covers."""
        if statement.not_resource:
            if statement.unknown_resources:
                return []
            excluded = {id(t) for p in statement.resources for t in self.matching(kind, p)}
            # A target whose name is unknown might be one of the exceptions: left out.
            return [t for t in self.by_kind.get(kind, []) if id(t) not in excluded and t.resource is not None]
        out: list[Target] = []
        seen: set[int] = set()
        for pattern in statement.resources:
            for t in self.matching(kind, pattern):
                if id(t) not in seen:
                    seen.add(id(t))
                    out.append(t)
        return out


# --------------------------------------------------------------------------- building


@dataclass
class _Holder:
    """A principal's effective statements (its own and, for users, its groups'), sorted by what they grant."""

    principal: Principal
    by_action: dict[str, list[tuple[Statement, PolicyDocument]]] = field(default_factory=dict)
    denies: list[tuple[Statement, PolicyDocument]] = field(default_factory=list)
    admin: AdminLevel = field(default_factory=AdminLevel)
    mfa_guard: bool = False

    def granting(self, action: str) -> list[tuple[Statement, PolicyDocument]]:
        return self.by_action.get(action, [])


@dataclass
class _DocFacts:
    """What one policy document contributes, worked out once however many principals hold it."""

    by_action: dict[str, list[Statement]] = field(default_factory=dict)
    denies: list[Statement] = field(default_factory=list)
    guard: bool = False


@lru_cache(maxsize=1)
def _relevant_actions() -> tuple[str, ...]:
    """Every action a technique needs: the only ones the graph asks a statement about."""
    actions = {t.action for t in techniques()} | {a for t in techniques() for group in t.also for a in group}
    return tuple(sorted(actions | {"sts:AssumeRole"}))


@lru_cache(maxsize=65536)
def _granted_actions(actions: tuple[str, ...], not_action: bool, unknown: bool) -> tuple[str, ...]:
    """Which relevant actions an Allow with these Action (or NotAction) patterns grants; cached, since
    large inventories repeat the same action lists."""
    if not_action:
        if unknown:
            return ()
        return tuple(a for a in _relevant_actions() if not any(action_matches(p, a) for p in actions))
    return tuple(a for a in _relevant_actions() if any(action_matches(p, a) for p in actions))


def _granted(statement: Statement) -> tuple[str, ...]:
    if statement.effect != "Allow":
        return ()
    return _granted_actions(tuple(statement.actions), statement.not_action, statement.unknown_actions)


def _grants(statement: Statement, action: str) -> bool:
    return action in _granted(statement)


def _doc_facts(doc: PolicyDocument) -> _DocFacts:
    facts = _DocFacts()
    for stmt in doc.statements:
        if stmt.effect == "Allow":
            for action in _granted(stmt):
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
    return holder


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
            self.nodes[address] = Node(id=address, kind=p.kind, label=address, location=p.location, admin=reason is not None,
                                       admin_reason=reason, admin_requires_mfa=needs_mfa)
            resource = f"{p.kind}/{p.name}" if p.name else None
            self.index.add(p.kind, Target(address, resource, "iam"))
            if p.name:
                self._by_name[(p.kind, p.name.lower())] = address
        holders_of: dict[str, list[str]] = defaultdict(list)
        for address, holder in self.holders.items():
            for grant in holder.principal.grants:
                holders_of[grant.document].append(address)
        for doc in self.inventory.documents.values():
            if doc.resource_type not in _MANAGED_POLICY_TYPES:
                continue  # only customer-managed policies have versions (inline and AWS-managed ones do not)
            for address in holders_of.get(doc.address, []):
                self.index.add("policy", Target(address, f"policy/{doc.name}" if doc.name else None, "iam"))
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
        if holder is not None and holder.principal.kind == "user" and edge.kind != "member-of":
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
                if not _grants(stmt, "sts:AssumeRole") or stmt.not_principal:
                    continue
                usable = _usable(stmt, _TRUST_IGNORED)
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
            for address, stmt, doc, usable in self._assume_grants().get(role, []):
                holder = self.holders[address]
                if address == role or _denied(holder, "sts:AssumeRole", self._resource(role)):
                    continue
                mfa = trust_mfa or usable.mfa or holder.mfa_guard
                grants = [_ref(doc, stmt, "sts:AssumeRole"), ref]
                self._add(Edge(source=address, target=role, kind="can-assume", technique=assume.id, mfa=mfa, grants=grants))
            if entry != "*":
                return
        if entry.startswith(REFERENCE_PREFIX):  # Principal AWS = aws_iam_user.ci.arn / !GetAtt Ci.Arn
            address: str | None = entry[len(REFERENCE_PREFIX):]
            if address not in self.holders:
                return
        else:
            named = _named_principal(entry)
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
                    usable = _usable(stmt)
                    if usable.ok:
                        for target in self.index.covered("role", stmt):
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
            usable = _usable(stmt)
            if not usable.ok:
                continue
            if technique.service and usable.passed_to is not None and not any(_service_matches(p, technique.service) for p in usable.passed_to):
                continue
            for target in self.index.covered(technique.target, stmt):
                if technique.edge == "can-pass-to-service" and not self._trusts_service(target.node, technique.service or ""):
                    continue
                if _denied(holder, technique.action, target.resource):
                    continue
                if technique.effect == "act-as" and target.node == source:
                    continue  # acting as itself gains nothing
                mfa = usable.mfa or holder.mfa_guard or any(m for _r, m in also)
                grants = [_ref(doc, stmt, technique.action), *(r for r, _m in also)]
                self._add(Edge(source=source, target=target.node, kind=technique.edge, technique=technique.id,
                               via=technique.via, effect=technique.effect, mfa=mfa, grants=grants))

    def _any_granted(self, holder: _Holder, actions: tuple[str, ...]) -> tuple[GrantRef, bool] | None:
        """The best statement granting one of the actions (one without MFA first), on a known resource."""
        best: tuple[GrantRef, bool] | None = None
        for action in actions:
            for stmt, doc in holder.granting(action):
                usable = _usable(stmt)
                if not usable.ok or not (stmt.resources or stmt.not_resource) or _denied(holder, action, None if stmt.not_resource else "*"):
                    continue
                mfa = usable.mfa
                if best is None or (best[1] and not mfa):
                    best = (_ref(doc, stmt, action), mfa)
        return best

    def _trusts_service(self, role: str, service: str) -> bool:
        node = f"service:{service}"
        return (node, role, "can-assume", None) in self.edges


def _named_principal(entry: str) -> tuple[str, str] | None:
    """(kind, lower-cased name) for ``arn:aws:iam::1:user/frank`` or ``...:role/path/deployer``."""
    resource = _arn_resource(entry, "iam")
    if resource is None or "/" not in resource or "*" in resource or "?" in resource:
        return None  # a pattern or an unknown name names nobody in particular
    kind, _, rest = resource.partition("/")
    if kind not in ("user", "role"):
        return None
    return kind, rest.rsplit("/", 1)[-1].lower()


# --------------------------------------------------------------------------- paths


def shortest_paths(admins: Iterable[str], edges: list[Edge]) -> dict[str, tuple[list[Edge], str]]:
    """For every node that reaches admin rights over ``edges``: a shortest path and where it ends.

    One breadth-first search backwards from the admin-level nodes, so the cost is linear in the graph.
    A ``grant`` edge (the source can rewrite the target's permissions) ends a path when the source can
    also act as the target (it is the target, or reaches it over act-as edges): it is then one step from admin.
    """
    act_as = [e for e in edges if e.effect == "act-as"]
    forward: dict[str, list[str]] = defaultdict(list)
    backward: dict[str, list[Edge]] = defaultdict(list)
    for e in act_as:
        forward[e.source].append(e.target)
        backward[e.target].append(e)
    admin_set = set(admins)

    terminal: dict[str, Edge] = {}
    reach_cache: dict[str, set[str]] = {}
    for e in edges:
        if e.effect != "grant" or e.source in terminal:
            continue
        if e.source not in reach_cache:
            reach_cache[e.source] = _reachable(e.source, forward)
        if e.target in reach_cache[e.source]:
            terminal[e.source] = e

    step: dict[str, Edge] = {}
    done: set[str] = set(admin_set)
    frontier = sorted(admin_set)
    first_level = True
    while frontier or first_level:
        following: list[str] = []
        if first_level:
            for source in sorted(terminal):
                if source not in done:
                    done.add(source)
                    step[source] = terminal[source]
                    following.append(source)
            first_level = False
        for node in frontier:
            for e in backward.get(node, []):
                if e.source not in done:
                    done.add(e.source)
                    step[e.source] = e
                    following.append(e.source)
        frontier = following

    out: dict[str, tuple[list[Edge], str]] = {}
    for start in step:
        path: list[Edge] = []
        node = start
        while node not in admin_set:
            e = step[node]
            path.append(e)
            if terminal.get(node) is e:
                break
            node = e.target
        out[start] = (path, path[-1].target)
    return out


def _reachable(start: str, forward: dict[str, list[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in forward.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def escalation_paths(nodes: dict[str, Node], edges: list[Edge]) -> list[EscalationPath]:
    """A shortest path to admin for every principal that is not admin-level: one needing no MFA when there is one."""
    admins = [n for n, node in nodes.items() if node.admin]
    # Without MFA on the way, only admin rights that need no MFA are reached.
    without_mfa = shortest_paths([n for n in admins if not nodes[n].admin_requires_mfa], [e for e in edges if not e.mfa])
    with_mfa = shortest_paths(admins, edges)
    paths: list[EscalationPath] = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        if (node.admin and not node.admin_requires_mfa) or node.kind == "service":
            continue
        if node_id in without_mfa:
            found, target = without_mfa[node_id]
            paths.append(EscalationPath(source=node_id, target=target, edges=found, mfa_required=False))
        elif node_id in with_mfa and not node.admin:
            found, target = with_mfa[node_id]
            paths.append(EscalationPath(source=node_id, target=target, edges=found, mfa_required=True))
    return paths


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building allocates many small objects and frees none: the cyclic collector would only rescan the
    (large) inventory again and again, which cost more than the graph itself in the benchmark."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(inventory: Inventory) -> PrincipalGraph:
    """The principal graph of one inventory, with a shortest escalation path per principal."""
    with _gc_paused():
        nodes, edges = GraphBuilder(inventory).build()
        paths = escalation_paths(nodes, edges)
        return PrincipalGraph(nodes=sorted(nodes.values(), key=lambda n: n.id), edges=edges, paths=paths)


def combine(graphs: Iterable[PrincipalGraph]) -> PrincipalGraph:
    """Graphs of several units (templates, module directories) as one; ids that clash get their file."""
    graphs = list(graphs)
    counts: dict[str, int] = defaultdict(int)
    for g in graphs:
        for n in g.nodes:
            counts[n.id] += 1
    out = PrincipalGraph()
    for g in graphs:
        rename: dict[str, str] = {}
        for n in g.nodes:
            if counts[n.id] > 1 and n.kind != "service" and n.location is not None:
                rename[n.id] = f"{n.location.file}::{n.id}"
        if not rename:
            out.nodes.extend(g.nodes)
            out.edges.extend(g.edges)
            out.paths.extend(g.paths)
            continue
        new = lambda i: rename.get(i, i)
        out.nodes.extend(n.model_copy(update={"id": new(n.id)}) for n in g.nodes)
        edges = [e.model_copy(update={"source": new(e.source), "target": new(e.target)}) for e in g.edges]
        out.edges.extend(edges)
        for p in g.paths:
            moved = [e.model_copy(update={"source": new(e.source), "target": new(e.target)}) for e in p.edges]
            out.paths.append(p.model_copy(update={"source": new(p.source), "target": new(p.target), "edges": moved}))
    seen: set[str] = set()
    unique = []
    for n in sorted(out.nodes, key=lambda n: n.id):
        if n.id not in seen:  # service nodes are shared between units
            seen.add(n.id)
            unique.append(n)
    out.nodes = unique
    return out


# --------------------------------------------------------------------------- rendering


def _on_paths(graph: PrincipalGraph) -> tuple[set[str], set[tuple[str, str, str]]]:
    nodes: set[str] = set()
    edges: set[tuple[str, str, str]] = set()
    for path in graph.paths:
        if path.mfa_required:
            continue
        nodes.add(path.source)
        for e in path.edges:
            nodes.add(e.target)
            edges.add((e.source, e.target, e.kind))
    return nodes, edges


def to_mermaid(graph: PrincipalGraph) -> str:
    """A Mermaid flowchart: admin-level nodes red, escalation paths (no MFA) bold red, MFA edges dotted."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    on_nodes, on_edges = _on_paths(graph)
    lines = ["flowchart LR"]
    shapes = {"user": ('(["', '"])'), "group": ('[["', '"]]'), "role": ('["', '"]'), "service": ('(("', '"))')}
    for n in graph.nodes:
        left, right = shapes[n.kind]
        label = _mermaid_text(n.label + (" (admin)" if n.admin else ""))
        lines.append(f"  {ids[n.id]}{left}{label}{right}")
    link_styles: list[int] = []
    for index, e in enumerate(e for e in graph.edges if e.source in ids and e.target in ids):
        text = _mermaid_text(e.step + (" + MFA" if e.mfa else ""))
        arrow = "-.->" if e.mfa else ("==>" if (e.source, e.target, e.kind) in on_edges else "-->")
        lines.append(f'  {ids[e.source]} {arrow}|"{text}"| {ids[e.target]}')
        if (e.source, e.target, e.kind) in on_edges:
            link_styles.append(index)
    lines.append("  classDef admin fill:#fdd,stroke:#c00,stroke-width:2px")
    lines.append("  classDef escalates fill:#ffe8cc,stroke:#d60")
    admins = [ids[n.id] for n in graph.nodes if n.admin]
    climbers = [ids[n.id] for n in graph.nodes if n.id in on_nodes and not n.admin]
    if admins:
        lines.append(f"  class {','.join(admins)} admin")
    if climbers:
        lines.append(f"  class {','.join(climbers)} escalates")
    if link_styles:
        lines.append(f"  linkStyle {','.join(map(str, link_styles))} stroke:#c00,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Inside a quoted Mermaid label, '"' ends the label and a newline the statement; labels may be
    # rendered as HTML, so '<' and '>' are entity codes too (Mermaid's escape) and '#' starts one.
    from privlint.model.escape import printable

    return printable(text).replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_dot(graph: PrincipalGraph) -> str:
    """Graphviz: admin-level nodes filled red, escalation paths (no MFA) bold red, MFA edges dashed."""
    on_nodes, on_edges = _on_paths(graph)
    shapes = {"user": "ellipse", "group": "folder", "role": "box", "service": "hexagon"}
    lines = ["digraph privlint {", "  rankdir=LR;", '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    for n in graph.nodes:
        attrs = [f"label={_dot_text(n.label + (' (admin)' if n.admin else ''))}", f"shape={shapes[n.kind]}"]
        if n.admin:
            attrs.append('style=filled, fillcolor="#ffdddd", color="#cc0000"')
        elif n.id in on_nodes:
            attrs.append('style=filled, fillcolor="#ffe8cc", color="#dd6600"')
        lines.append(f"  {_dot_text(n.id)} [{', '.join(attrs)}];")
    for e in graph.edges:
        attrs = [f"label={_dot_text(e.step + (' + MFA' if e.mfa else ''))}"]
        if e.mfa:
            attrs.append("style=dashed")
        elif (e.source, e.target, e.kind) in on_edges:
            attrs.append('color="#cc0000", penwidth=2.5')
        lines.append(f"  {_dot_text(e.source)} -> {_dot_text(e.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    from privlint.model.escape import printable

    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_json(graph: PrincipalGraph) -> str:
    return graph.model_dump_json(indent=2) + "\n"


def render(graph: PrincipalGraph, fmt: str) -> str:
    return {"mermaid": to_mermaid, "dot": to_dot, "json": to_json}[fmt](graph)


def iter_reported(graph: PrincipalGraph) -> Iterator[EscalationPath]:
    """Paths that need no MFA anywhere: what the escalation rules report."""
    return (p for p in graph.paths if not p.mfa_required)


__all__ = [
    "Edge", "EscalationPath", "GrantRef", "Node", "PrincipalGraph", "Technique",
    "build_graph", "combine", "escalation_paths", "render", "shortest_paths", "techniques",
]

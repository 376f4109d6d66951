"""The escalation techniques and workload types (data in ``privlint/data/escalation_techniques.json``), and
which of a statement's actions and conditions count for an edge.

Unknown values never create an edge: a condition privlint does not evaluate makes the statement unusable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from privlint.analysis.graph_model import EdgeKind, Effect
from privlint.knowledge.admin_level import unsatisfiable
from privlint.knowledge.iam import action_matches
from privlint.knowledge.mfa import requires_mfa
from privlint.model.datafiles import load_json
from privlint.model.policy import Statement


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
            id=t["id"],
            edge=t["edge"],
            effect=t["effect"],
            action=t["action"],
            target=t["target"],
            also=tuple(tuple(group) for group in t.get("also", [])),
            service=t.get("service"),
            sources=tuple(t.get("sources", [])),
            reference=t.get("reference", ""),
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
TRUST_IGNORED = frozenset({"aws:sourceaccount"})


@dataclass(frozen=True)
class Usable:
    """How a statement's conditions bear on an edge: whether it counts at all, MFA, and PassedToService."""

    ok: bool
    mfa: bool = False
    passed_to: tuple[str, ...] | None = None  # iam:PassedToService values, None when unrestricted


_USABLE_CACHE: dict[tuple[int, frozenset[str]], tuple[Statement, Usable]] = {}


def usability(statement: Statement, extra_ignored: frozenset[str] = frozenset()) -> Usable:
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
    if unsatisfiable(statement):
        return Usable(False)  # e.g. only sessions issued before 2020: nobody can use it (the admin definition's test)
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


@lru_cache(maxsize=1)
def relevant_actions() -> tuple[str, ...]:
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
        return tuple(a for a in relevant_actions() if not any(action_matches(p, a) for p in actions))
    return tuple(a for a in relevant_actions() if any(action_matches(p, a) for p in actions))


def granted(statement: Statement) -> tuple[str, ...]:
    if statement.effect != "Allow":
        return ()
    return _granted_actions(tuple(statement.actions), statement.not_action, statement.unknown_actions)


def grants_action(statement: Statement, action: str) -> bool:
    return action in granted(statement)

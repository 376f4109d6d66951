"""Admin-level rights: the one definition that the rules, the principal graph and the linkers share.

A principal is admin-level when, after everything the code shows takes its share, it keeps full control:
all actions on all resources, or full IAM control (``iam:*``, which lets it grant itself anything), from its
own policies, its groups' (users) and the AWS managed admin policies. Taken away by:

- an explicit, unconditional Deny of those rights in any policy that applies (explicit deny always wins);
- a permissions boundary that does not grant them (or one privlint cannot read: not proven, so not admin);
- a condition that no request can satisfy (a grant that only works for sessions issued before a past date).

Holding a privilege-escalation action (``iam:PassRole``, ``iam:CreatePolicyVersion``...) is *not* admin-level:
such a principal can *become* admin, and the path rules say how (technique, target, steps).

Pure: reads the inventory only, no parser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from privlint.knowledge.iam import covers_all_resources, statement_denies_action, statement_grants_action
from privlint.knowledge.mfa import denies_without_mfa, requires_mfa, uses_weak_mfa_condition
from privlint.model.inventory import Inventory, PolicyDocument, Principal
from privlint.model.policy import Statement

ALL_ACTIONS = "all actions on all resources"
FULL_IAM = "full IAM control (iam:*)"

# A role session lasts at most 36 hours: a token issued before this margin has expired.
_LONGEST_SESSION = dt.timedelta(days=2)
_DATE_KEYS = frozenset({"aws:tokenissuetime", "aws:currenttime"})


@dataclass(frozen=True)
class AdminGrant:
    """One statement that gives a principal admin-level rights."""

    reason: str  # ALL_ACTIONS or FULL_IAM
    document: str
    via_group: str | None
    requires_mfa: bool  # the statement itself applies only with MFA
    weak_mfa: bool  # its MFA condition is BoolIfExists (matches access-key requests)
    line: int | None = None
    depends_on: str | None = None  # the statement exists only under this undecided input

    def describe(self) -> str:
        text = f"{self.reason} via {self.document}"
        text += f" (through group {self.via_group})" if self.via_group else ""
        return text + (f" (only when {self.depends_on})" if self.depends_on else "")


@dataclass(frozen=True)
class AdminLevel:
    """What the definition says about one principal."""

    grants: tuple[AdminGrant, ...] = ()
    mfa_guard: bool = False  # a deny-unless-MFA statement applies to it

    @property
    def admin(self) -> bool:
        return bool(self.grants)

    @property
    def without_mfa(self) -> tuple[AdminGrant, ...]:
        """Grants usable without MFA (none when a deny-unless-MFA guard applies)."""
        return () if self.mfa_guard else tuple(g for g in self.grants if not g.requires_mfa)

    @property
    def requires_mfa(self) -> bool:
        return self.admin and not self.without_mfa

    @property
    def reason(self) -> str | None:
        best = self.without_mfa or self.grants
        return best[0].describe() if best else None


def _parse_date(value: str) -> dt.datetime | None:
    text = value.strip().replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def unsatisfiable(statement: Statement, now: dt.datetime | None = None) -> bool:
    """True when no request made now can meet the statement's conditions.

    Only conditions that are provably never true count: ``DateLessThan`` on ``aws:CurrentTime`` or
    ``aws:TokenIssueTime`` with dates in the past (beyond the longest session), and a string or ARN
    operator given no values at all. Network, tag or principal conditions (``aws:SourceIp``...) can be met
    by someone, so they leave the grant usable.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    for cond in statement.conditions:
        if cond.unknown_values:
            continue
        op = cond.operator.lower()
        if op.endswith("ifexists"):
            continue  # true whenever the key is absent
        key = cond.key.lower()
        if key in _DATE_KEYS and op in ("datelessthan", "datelessthanequals", "dateequals"):
            dates = [_parse_date(v) for v in cond.values]
            if dates and all(d is not None and d < now - _LONGEST_SESSION for d in dates):
                return True
        if not cond.values and op.startswith(("string", "arn")) and "not" not in op:
            return True
    return False


def _full_control(statement: Statement) -> str | None:
    """ALL_ACTIONS or FULL_IAM when an Allow statement grants that on every resource."""
    if statement.effect != "Allow" or not covers_all_resources(statement) or statement.unknown_resources:
        return None
    if statement.not_action:
        if statement.unknown_actions:
            return None
        if statement_grants_action(statement, "iam:*") and not any(p.lower().startswith("iam:") for p in statement.actions):
            return FULL_IAM  # NotAction that leaves IAM in: "everything but s3" includes iam:*
        return None
    patterns = {p.lower() for p in statement.actions}
    if "*" in patterns:
        return ALL_ACTIONS
    if "iam:*" in patterns:
        return FULL_IAM
    return None


def _taken_away(reason: str, denies: Sequence[Statement]) -> bool:
    """An unconditional explicit Deny removes the rights ``reason`` stands for."""
    probes = ("*", "iam:*") if reason == ALL_ACTIONS else ("iam:*",)
    return any(statement_denies_action(d, probe) for d in denies for probe in probes)


def _boundary_allows(reason: str, boundary: PolicyDocument | None) -> bool:
    if boundary is None:
        return False  # a boundary privlint cannot read: the rights are not proven
    granted = {_full_control(s) for s in boundary.statements if not unsatisfiable(s)}
    return ALL_ACTIONS in granted or (reason == FULL_IAM and FULL_IAM in granted)


def documents_of(inventory: Inventory, principal: Principal) -> list[tuple[PolicyDocument, str | None]]:
    """The identity documents that apply to a principal (users: with their groups'), and the group."""
    grants = inventory.effective_grants(principal) if principal.kind == "user" else [(g, None) for g in principal.grants]
    out = []
    for grant, via in grants:
        doc = inventory.documents.get(grant.document)
        if doc is not None:
            out.append((doc, via))
    return out


def admin_level(inventory: Inventory, principal: Principal) -> AdminLevel:
    """The admin-level verdict for one principal: the definition every caller uses."""
    documents = documents_of(inventory, principal)
    boundary = inventory.documents.get(principal.boundary) if principal.boundary else None
    bounded = principal.boundary is not None or principal.boundary_unknown
    denies = [s for doc, _ in documents for s in doc.statements if s.effect == "Deny" and not denies_without_mfa(s)]
    if boundary is not None:
        denies += [s for s in boundary.statements if s.effect == "Deny" and not denies_without_mfa(s)]
    guard = any(denies_without_mfa(s) for doc, _ in documents for s in doc.statements)
    grants: list[AdminGrant] = []
    for doc, via in documents:
        for stmt in doc.statements:
            reason = _statement_reason(stmt)
            if reason is None or _taken_away(reason, denies) or (bounded and not _boundary_allows(reason, boundary)):
                continue
            grants.append(AdminGrant(reason, doc.address, via, requires_mfa(stmt), uses_weak_mfa_condition(stmt), stmt.line, stmt.depends_on))
    return AdminLevel(tuple(grants), guard)


def document_admin_reason(statements: Sequence[Statement]) -> str | None:
    """ALL_ACTIONS or FULL_IAM when one policy text on its own gives admin-level rights (its own denies
    taken into account), e.g. a stored policy version that is not the default."""
    denies = [s for s in statements if s.effect == "Deny" and not denies_without_mfa(s)]
    reasons = [r for r in map(_statement_reason, statements) if r is not None and not _taken_away(r, denies)]
    return ALL_ACTIONS if ALL_ACTIONS in reasons else (reasons[0] if reasons else None)


def _statement_reason(statement: Statement) -> str | None:
    if statement.effect != "Allow":
        return None
    reason = _cached_reason(
        statement.effect,
        tuple(statement.actions),
        statement.not_action,
        statement.unknown_actions,
        covers_all_resources(statement) and not statement.unknown_resources,
    )
    if reason is None or unsatisfiable(statement):
        return None
    return reason


@lru_cache(maxsize=65536)
def _cached_reason(effect: str, actions: tuple[str, ...], not_action: bool, unknown: bool, everywhere: bool) -> str | None:
    # Large inventories repeat the same statements: decide once per shape.
    if not everywhere:
        return None
    return _full_control(Statement(effect="Allow", actions=list(actions), not_action=not_action, unknown_actions=unknown, resources=["*"]))


def admin_users(inventory: Inventory) -> dict[str, str]:
    """IAM user name -> why the inventory makes it admin-level (MFA conditions aside), for the report joins."""
    out: dict[str, str] = {}
    for principal in inventory.principals.values():
        if principal.kind != "user" or principal.provider != "aws" or not principal.name:
            continue
        verdict = admin_level(inventory, principal)
        if verdict.grants:
            out.setdefault(principal.name, f"{verdict.grants[0].describe()} at {principal.address}")
    return out

"""admin-without-mfa: admin-level principals that can act without MFA (PUG-5, PAM-3, PAM-4)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from privlint.core.iam import (
    admin_reasons,
    assumable_without_mfa,
    aws_principals,
    denies_without_mfa,
    federated_principals,
    requires_mfa,
    uses_weak_mfa_condition,
)
from privlint.core.inventory import Inventory, Principal
from privlint.rules.base import Hit, rule
from privlint.core.settings import Settings
from privlint.core.values import REFERENCE_PREFIX


@dataclass
class AdminGrant:
    reason: str
    document: str
    via_group: str | None
    weak_mfa: bool


def admin_grants(inventory: Inventory, principal: Principal, include_groups: bool = True) -> list[AdminGrant]:
    """Statements that make the principal admin-level and do not themselves require MFA."""
    out: list[AdminGrant] = []
    grants = inventory.effective_grants(principal) if include_groups else [(g, None) for g in principal.grants]
    documents = [(inventory.documents.get(g.document), via) for g, via in grants]
    denies = [s for doc, _ in documents if doc is not None for s in doc.statements if s.effect == "Deny"]
    for doc, via in documents:
        if doc is None:
            continue
        for stmt in doc.statements:
            if requires_mfa(stmt):
                continue
            for reason in admin_reasons(stmt, denies):
                out.append(AdminGrant(reason, doc.address, via, uses_weak_mfa_condition(stmt)))
    return out


def has_mfa_guard(inventory: Inventory, principal: Principal, include_groups: bool = True) -> bool:
    """A deny-unless-MFA statement applies to the principal (directly or through a group)."""
    grants = inventory.effective_grants(principal) if include_groups else [(g, None) for g in principal.grants]
    for grant, _via in grants:
        doc = inventory.documents.get(grant.document)
        if doc is not None and any(denies_without_mfa(s) for s in doc.statements):
            return True
    return False


def _describe(grants: list[AdminGrant]) -> str:
    first = grants[0]
    text = f"{first.reason} via {first.document}"
    if first.via_group:
        text += f" (through group {first.via_group})"
    if len(grants) > 1:
        text += f", and {len(grants) - 1} more grant{'s' if len(grants) > 2 else ''}"
    return text


@rule("PL101")
def admin_user_or_group_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for principal in inventory.principals.values():
        if principal.kind not in ("user", "group"):
            continue
        include_groups = principal.kind == "user"
        grants = admin_grants(inventory, principal, include_groups)
        if not grants or has_mfa_guard(inventory, principal, include_groups):
            continue
        weak = " Its MFA condition uses BoolIfExists, which also matches access-key requests that carry no MFA." if any(g.weak_mfa for g in grants) else ""
        yield Hit(
            resource=principal.address,
            location=principal.location,
            message=(
                f"IAM {principal.kind} {principal.address} is admin-level ({_describe(grants)}) and nothing requires MFA: "
                f"attach a deny-unless-MFA policy or add an aws:MultiFactorAuthPresent condition to the grant.{weak}"
            ),
        )


@rule("PL102")
def admin_role_assumable_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    users = {a for a, p in inventory.principals.items() if p.kind == "user"}
    for principal in inventory.principals.values():
        if principal.kind != "role" or principal.trust_document is None:
            continue
        trust = inventory.documents.get(principal.trust_document)
        if trust is None or not admin_grants(inventory, principal) or has_mfa_guard(inventory, principal):
            continue
        admitted: list[str] = []
        for stmt in trust.statements:
            if federated_principals(stmt) and not aws_principals(stmt):
                continue  # SAML/OIDC federation: the identity provider enforces MFA
            admitted.extend(p.removeprefix(REFERENCE_PREFIX) for p in assumable_without_mfa(stmt, users))
        if not admitted:
            continue
        who = ", ".join(sorted(set(admitted))[:3])
        yield Hit(
            resource=principal.address,
            location=principal.location,
            message=(
                f"Admin-level role {principal.address} can be assumed by {who} without MFA: add "
                f'Condition {{"Bool": {{"aws:MultiFactorAuthPresent": "true"}}}} to its trust policy.'
            ),
        )

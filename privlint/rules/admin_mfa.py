"""admin-without-mfa: admin-level principals that can act without MFA (PUG-5, PAM-3, PAM-4)."""

from __future__ import annotations

from collections.abc import Iterator

from privlint.knowledge.admin_level import AdminGrant, admin_level
from privlint.knowledge.iam import assumable_without_mfa, aws_principals, federated_principals, is_deploying_principal
from privlint.model.inventory import Inventory
from privlint.model.settings import Settings
from privlint.model.values import REFERENCE_PREFIX, THIS_ACCOUNT_ID
from privlint.rules.base import Hit, rule


def _describe(grants: tuple[AdminGrant, ...]) -> str:
    text = grants[0].describe()
    if len(grants) > 1:
        text += f", and {len(grants) - 1} more grant{'s' if len(grants) > 2 else ''}"
    return text


def _who(entry: str) -> str:
    if is_deploying_principal(entry):
        return "the deploying principal (data.aws_caller_identity)"
    if entry == THIS_ACCOUNT_ID:
        return "this account"
    return entry.removeprefix(REFERENCE_PREFIX)


@rule("PL101")
def admin_user_or_group_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for principal in inventory.principals.values():
        if principal.kind not in ("user", "group"):
            continue
        grants = admin_level(inventory, principal).without_mfa
        if not grants:
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
        if trust is None or not admin_level(inventory, principal).without_mfa:
            continue
        admitted: list[str] = []
        for stmt in trust.statements:
            if federated_principals(stmt) and not aws_principals(stmt):
                continue  # SAML/OIDC federation: the identity provider enforces MFA
            admitted.extend(_who(p) for p in assumable_without_mfa(stmt, users))
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

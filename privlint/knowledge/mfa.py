"""Requires-MFA: the one definition of when an IAM statement applies only to MFA-authenticated requests."""

from __future__ import annotations

from privlint.model.policy import Statement

_MFA_PRESENT = "aws:multifactorauthpresent"
_MFA_AGE = "aws:multifactorauthage"


def requires_mfa(statement: Statement) -> bool:
    """An Allow (or trust) statement whose conditions make it apply only to MFA-authenticated requests.

    ``BoolIfExists: aws:MultiFactorAuthPresent true`` does not count: it also matches requests signed
    with long-term access keys, where the key is absent. A condition whose values are unknown counts as
    enforcing, so that an unknown never produces a finding.
    """
    for cond in statement.conditions:
        op = cond.operator.lower()
        key = cond.key.lower()
        if cond.unknown_values and key in (_MFA_PRESENT, _MFA_AGE):
            return True
        values = [v.lower() for v in cond.values]
        if key == _MFA_PRESENT and op == "bool" and values == ["true"]:
            return True
        if key == _MFA_AGE and op.startswith("numericlessthan"):
            return True
        if key == _MFA_AGE and op == "null" and values == ["false"]:
            return True
    return False


def denies_without_mfa(statement: Statement) -> bool:
    """A Deny statement that blocks requests made without MFA (the AWS 'force MFA' pattern)."""
    if statement.effect != "Deny":
        return False
    for cond in statement.conditions:
        op = cond.operator.lower()
        key = cond.key.lower()
        values = [v.lower() for v in cond.values]
        if key == _MFA_PRESENT and op in ("bool", "boolifexists") and (values == ["false"] or cond.unknown_values):
            return True
        if key == _MFA_AGE and op == "null" and (values == ["true"] or cond.unknown_values):
            return True
    return False


def uses_weak_mfa_condition(statement: Statement) -> bool:
    """``BoolIfExists aws:MultiFactorAuthPresent true`` on an Allow: looks like MFA, isn't for access keys."""
    return any(
        c.key.lower() == _MFA_PRESENT and c.operator.lower() == "boolifexists" and [v.lower() for v in c.values] == ["true"] for c in statement.conditions
    )

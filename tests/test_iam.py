"""The pure IAM analysis: wildcard matching, statements, MFA conditions (admin-level: test_admin_level.py)."""

from __future__ import annotations

import fnmatch
import re

from hypothesis import given
from hypothesis import strategies as st

from privlint.knowledge.iam import has_restricting_condition, is_public_principal, matches, parse_policy, parse_statement, statement_grants_action
from privlint.knowledge.mfa import denies_without_mfa, requires_mfa

# IAM patterns use only '*' and '?'; fnmatch also knows [...] classes, which IAM treats literally.
pattern_chars = st.sampled_from(list("abcAB:*?-/.0"))
value_chars = st.sampled_from(list("abcAB:-/.0"))


@given(st.text(pattern_chars, max_size=12), st.text(value_chars, max_size=12))
def test_matching_agrees_with_case_insensitive_fnmatch(pattern: str, value: str) -> None:
    expected = fnmatch.fnmatchcase(value.lower(), pattern.lower())
    assert matches(pattern, value) is expected


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_a_pattern_without_wildcards_matches_only_itself(text: str) -> None:
    literal = text.replace("*", "").replace("?", "")
    assert matches(literal, literal)
    assert matches(literal, literal + "x") is False


@given(st.text(value_chars, min_size=1, max_size=10))
def test_star_matches_every_action(action: str) -> None:
    assert matches("*", action)
    assert matches(f"{action}*", action + "Suffix")


def test_brackets_are_literal_in_iam() -> None:
    assert matches("s3:[ab]", "s3:[ab]")
    assert not matches("s3:[ab]", "s3:a")
    assert re.escape("x")  # keep the import honest


def _stmt(**raw):
    return parse_statement({"Effect": "Allow", **raw})


def test_not_action_grants_everything_not_listed() -> None:
    stmt = _stmt(NotAction=["iam:*", "organizations:*"], Resource="*")
    assert statement_grants_action(stmt, "s3:GetObject")
    assert not statement_grants_action(stmt, "iam:CreatePolicyVersion")


def test_mfa_conditions() -> None:
    assert requires_mfa(_stmt(Action="*", Resource="*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert requires_mfa(_stmt(Action="*", Resource="*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    # BoolIfExists also matches access-key requests, which carry no MFA key at all.
    assert not requires_mfa(_stmt(Action="*", Resource="*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))
    assert not requires_mfa(_stmt(Action="*", Resource="*"))
    deny = parse_statement(
        {"Effect": "Deny", "NotAction": ["iam:ListMFADevices"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    )
    assert denies_without_mfa(deny)


def test_public_principal_and_restricting_conditions() -> None:
    public = _stmt(Principal="*", Action="sqs:SendMessage", Resource="arn:aws:sqs:eu-west-2:123456789012:q")
    assert is_public_principal(public) and not has_restricting_condition(public)
    assert is_public_principal(_stmt(Principal={"AWS": "*"}, Action="s3:GetObject"))
    scoped = _stmt(Principal="*", Action="sqs:SendMessage", Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:sns:x"}})
    assert has_restricting_condition(scoped)
    https_only = _stmt(Principal="*", Action="s3:*", Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert not has_restricting_condition(https_only)
    assert not is_public_principal(parse_statement({"Effect": "Deny", "Principal": "*", "Action": "s3:*"}))
    assert not is_public_principal(_stmt(Principal={"Service": "lambda.amazonaws.com"}))


def test_policy_documents_in_every_shape() -> None:
    assert parse_policy('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}')[0].actions == ["s3:GetObject"]
    assert parse_policy({"statement": [{"effect": "allow", "action": ["a:b"]}]})[0].effect == "Allow"
    assert parse_policy(None) is None
    assert parse_policy("") == []


@given(st.lists(st.sampled_from(["s3:GetObject", "iam:PassRole", "*", "ec2:*", 7, None]), max_size=5))
def test_unknown_entries_never_become_matches(actions: list[object]) -> None:
    stmt = parse_statement({"Effect": "Allow", "Action": actions, "Resource": "*"})
    assert stmt is not None
    known = [a for a in actions if isinstance(a, str)]
    assert statement_grants_action(stmt, "iam:PassRole") == any(matches(a, "iam:PassRole") for a in known)


def test_conditional_deny_applies_only_sometimes() -> None:
    from privlint.knowledge.iam import statement_denies_action

    conditional = parse_statement({"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-2"}}})
    assert not statement_denies_action(conditional, "iam:PassRole")


def test_trust_in_this_account_or_the_deploying_principal_admits_people() -> None:
    from privlint.knowledge.iam import assumable_without_mfa
    from privlint.model.values import DEPLOYING_PRINCIPAL_ARN, DEPLOYING_PRINCIPAL_ID, REFERENCE_PREFIX, THIS_ACCOUNT_ID

    resolved = [DEPLOYING_PRINCIPAL_ARN, DEPLOYING_PRINCIPAL_ID, THIS_ACCOUNT_ID, f"arn:aws:iam::{THIS_ACCOUNT_ID}:root"]
    unresolved = [REFERENCE_PREFIX + "data.aws_caller_identity.current"]  # the evaluator's reference form
    for entry in resolved + unresolved:
        trust = _stmt(Principal={"AWS": entry}, Action="sts:AssumeRole")
        assert assumable_without_mfa(trust) == [entry]
        with_mfa = _stmt(Principal={"AWS": entry}, Action="sts:AssumeRole", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        assert assumable_without_mfa(with_mfa) == []
    assert assumable_without_mfa(_stmt(Principal={"AWS": REFERENCE_PREFIX + "aws_iam_role.other"}, Action="sts:AssumeRole")) == []

"""The one admin-level definition, and that PL101, PL102, PL103 and the graph all follow it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import privlint
from privlint.analysis.principal_graph import build_graph
from privlint.knowledge.admin_level import ALL_ACTIONS, FULL_IAM, admin_level, unsatisfiable
from privlint.knowledge.iam import parse_policy, parse_statement
from privlint.model.inventory import (
    Grant,
    Inventory,
    Location,
    PolicyDocument,
    Principal,
)
from privlint.rules.admin_mfa import (
    admin_role_assumable_without_mfa,
    admin_user_or_group_without_mfa,
)
from privlint.rules.escalation import user_escalates_to_admin

LOC = Location(file="t.tf", line=1)
ROOT_TRUST = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]
OLD_SESSIONS = {"DateLessThan": {"aws:TokenIssueTime": "2019-06-01T00:00:00Z"}}


def _doc(address: str, statements: list[dict], kind: str = "identity") -> PolicyDocument:
    return PolicyDocument(
        address=address,
        resource=address,
        resource_type="aws_iam_policy",
        location=LOC,
        kind=kind,  # type: ignore[arg-type]
        statements=parse_policy({"Statement": statements}) or [],
    )


def _account(statements: list[dict], boundary: list[dict] | None = None, role: bool = False) -> tuple[Inventory, Principal]:
    """One principal holding ``statements`` (a user, or a role people of the account may assume)."""
    inv = Inventory()
    kind = "role" if role else "user"
    address = f"aws_iam_{kind}.p"
    inv.documents["p.policy"] = _doc("p.policy", statements)
    principal = Principal(address=address, kind=kind, name="p", location=LOC, grants=[Grant(document="p.policy")])  # type: ignore[arg-type]
    if role:
        inv.documents["p.trust"] = _doc("p.trust", ROOT_TRUST, "trust")
        principal.trust_document = "p.trust"
    if boundary is not None:
        inv.documents["p.boundary"] = _doc("p.boundary", boundary)
        principal.boundary = "p.boundary"
    inv.principals[address] = principal
    return inv, principal


def _reason(statements: list[dict], **kw: object) -> str | None:
    inv, principal = _account(statements, **kw)  # type: ignore[arg-type]
    verdict = admin_level(inv, principal)
    return verdict.grants[0].reason if verdict.grants else None


def test_full_control_is_admin_and_escalation_actions_are_not() -> None:
    assert _reason([{"Effect": "Allow", "Action": "*", "Resource": "*"}]) == ALL_ACTIONS
    assert _reason([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]) == FULL_IAM
    assert _reason([{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]) == FULL_IAM
    assert _reason([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]) is None  # PowerUser
    assert _reason([{"Effect": "Allow", "Action": ["iam:PassRole", "s3:ListBucket"], "Resource": "*"}]) is None
    assert _reason([{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]) is None
    assert _reason([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}]) is None


def test_explicit_deny_and_boundaries_take_admin_away() -> None:
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert _reason([admin, {"Effect": "Deny", "Action": "*", "Resource": "*"}]) is None
    assert _reason([admin, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]) is None
    assert _reason([admin, {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}]) is None
    assert _reason([admin, {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]) == ALL_ACTIONS
    conditional = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    assert _reason([admin, conditional]) == ALL_ACTIONS  # denied only sometimes
    assert _reason([admin], boundary=[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]) is None
    assert _reason([admin], boundary=[{"Effect": "Allow", "Action": "*", "Resource": "*"}]) == ALL_ACTIONS
    inv, principal = _account([admin])
    principal.boundary_unknown = True
    assert not admin_level(inv, principal).admin  # a boundary privlint cannot read: not proven


def test_only_provably_unsatisfiable_conditions_make_a_grant_unusable() -> None:
    def stmt(condition: dict) -> object:
        return parse_statement({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})

    assert unsatisfiable(stmt(OLD_SESSIONS))  # type: ignore[arg-type]
    assert unsatisfiable(stmt({"DateLessThan": {"aws:CurrentTime": "2019-01-01"}}))  # type: ignore[arg-type]
    assert not unsatisfiable(stmt({"DateLessThanIfExists": {"aws:TokenIssueTime": "2019-01-01"}}))  # type: ignore[arg-type]
    assert not unsatisfiable(stmt({"DateGreaterThan": {"aws:TokenIssueTime": "2019-01-01"}}))  # type: ignore[arg-type]
    assert not unsatisfiable(stmt({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))  # type: ignore[arg-type]
    assert not unsatisfiable(stmt({"DateLessThan": {"aws:TokenIssueTime": "2999-01-01"}}))  # type: ignore[arg-type]
    assert _reason([{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": OLD_SESSIONS}]) is None
    assert _reason([{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]) == ALL_ACTIONS


def test_messages_say_is_admin_or_can_become_admin() -> None:
    inv, _ = _account([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    (hit,) = admin_user_or_group_without_mfa(inv, privlint.Settings())
    assert "is admin-level" in hit.message
    inv, _ = _account([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}])
    assert list(admin_user_or_group_without_mfa(inv, privlint.Settings())) == []
    (hit,) = user_escalates_to_admin(inv, privlint.Settings())
    assert "can become admin via attach-user-policy" in hit.message


# --------------------------------------------------------------------------- the graph follows the definition

_ACTIONS = st.sampled_from(["*", "iam:*", "s3:*", "iam:PassRole", "iam:Put*", "ec2:RunInstances"])
_RESOURCES = st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:iam::123456789012:role/*"])
_CONDITIONS = st.sampled_from([None, OLD_SESSIONS, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}])


@st.composite
def _statements(draw: st.DrawFn) -> dict:
    stmt: dict = {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
        ("NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"): draw(st.lists(_ACTIONS, min_size=1, max_size=2)),
        "Resource": draw(_RESOURCES),
    }
    condition = draw(_CONDITIONS)
    if condition:
        stmt["Condition"] = condition
    return stmt


@settings(max_examples=150, deadline=None)
@given(st.lists(_statements(), min_size=1, max_size=4), st.booleans())
def test_graph_admin_marks_equal_the_definition(statements: list[dict], role: bool) -> None:
    inv, principal = _account(statements, role=role)
    verdict = admin_level(inv, principal)
    node = build_graph(inv).node(principal.address)
    assert node is not None
    assert node.admin == verdict.admin
    assert node.admin_requires_mfa == verdict.requires_mfa
    assert node.admin_reason == verdict.reason


@settings(max_examples=100, deadline=None)
@given(st.lists(_statements(), min_size=1, max_size=3))
def test_pl101_pl102_and_the_graph_agree(statements: list[dict]) -> None:
    """A user is reported as admin by PL101 exactly when its node is admin without MFA; likewise PL102 for a
    role the account may assume; and an admin-level principal never gets an escalation path (PL103)."""
    for role in (False, True):
        inv, principal = _account(statements, role=role)
        node = build_graph(inv).node(principal.address)
        assert node is not None
        admin_without_mfa = node.admin and not node.admin_requires_mfa
        rule = admin_role_assumable_without_mfa if role else admin_user_or_group_without_mfa
        assert bool(list(rule(inv, privlint.Settings()))) == admin_without_mfa
        if admin_without_mfa:
            assert list(user_escalates_to_admin(inv, privlint.Settings())) == []


def test_deny_and_condition_cases_agree_across_rules() -> None:
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    for extra in ({"Effect": "Deny", "Action": "*", "Resource": "*"}, None):
        statements = [admin] + ([extra] if extra else [])
        for role in (False, True):
            inv, principal = _account(statements, role=role)
            graph_admin = build_graph(inv).node(principal.address).admin  # type: ignore[union-attr]
            rule = admin_role_assumable_without_mfa if role else admin_user_or_group_without_mfa
            assert graph_admin == bool(list(rule(inv, privlint.Settings()))) == (extra is None)
    inv, principal = _account([{**admin, "Condition": OLD_SESSIONS}], role=True)
    assert not build_graph(inv).node(principal.address).admin  # type: ignore[union-attr]
    assert list(admin_role_assumable_without_mfa(inv, privlint.Settings())) == []


def test_a_grant_no_request_can_use_gives_no_escalation_edge() -> None:
    """``aws:TokenIssueTime > 2020`` holds for every session today: the grant escalates; ``< 2020`` holds for
    none: no edge, as the admin definition says (iam-vulnerable's fn3 and fp5)."""
    rewrite = {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}
    for cond, escalates in (
        ({"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}, True),
        ({"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}, False),
    ):
        inv, principal = _account([{**rewrite, "Condition": cond}])
        inv.documents["p.policy"] = inv.documents["p.policy"].model_copy(update={"resource_type": "aws_iam_policy", "name": "p"})
        assert (build_graph(inv).path_from(principal.address) is not None) == escalates
        assert bool(list(user_escalates_to_admin(inv, privlint.Settings()))) == escalates

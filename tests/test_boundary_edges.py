"""Escalation edges honour permissions boundaries, as the admin definition does."""

from __future__ import annotations

import privlint
from conftest import FIXTURES

BOUNDARY = FIXTURES / "escalation" / "boundary"
BAD = (BOUNDARY / "bad" / "main.tf").read_text()


def _escalations(text: str) -> list[tuple[str, str]]:
    return [(f.rule_id, f.resource) for f in privlint.scan_text(text).findings if f.rule_id in ("PL103", "PL104")]


def _boundary(statements: str) -> str:
    """The bad fixture with another boundary document."""
    start = BAD.index('resource "aws_iam_policy" "ci_boundary"')
    return (
        BAD[:start]
        + f"""resource "aws_iam_policy" "ci_boundary" {{
  name   = "ci-boundary"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statements}] }})
}}
"""
    )


def test_boundary_fixtures() -> None:
    [finding] = [f for f in privlint.scan([str(BOUNDARY / "bad")]).findings if f.rule_id == "PL103"]
    assert "aws_iam_user.ci -> can-pass-to-service(ec2) -> aws_iam_role.admin" in finding.message
    assert privlint.scan([str(BOUNDARY / "good")]).findings == []


def test_a_boundary_that_leaves_out_an_action_or_denies_it_removes_the_edge() -> None:
    assert _escalations(_boundary('{ Effect = "Allow", Action = ["*"], Resource = ["*"] }')) == [("PL103", "aws_iam_user.ci")]
    assert _escalations(_boundary('{ Effect = "Allow", Action = ["ec2:RunInstances"], Resource = ["*"] }')) == []
    allow_all_but_pass = '{ Effect = "Allow", Action = ["*"], Resource = ["*"] }, { Effect = "Deny", Action = ["iam:PassRole"], Resource = ["*"] }'
    assert _escalations(_boundary(allow_all_but_pass)) == []


def test_a_boundary_privlint_cannot_read_proves_no_edge() -> None:
    unread = BAD.replace("permissions_boundary = aws_iam_policy.ci_boundary.arn", "permissions_boundary = var.boundary_arn")
    assert _escalations(unread + '\nvariable "boundary_arn" {\n  type = string\n}\n') == []


def test_a_bounded_user_does_not_escalate_through_its_groups_grants() -> None:
    # The user's grants move to a group it belongs to; the boundary still applies to the user.
    grouped = BAD.replace(
        'resource "aws_iam_user_policy" "ci" {\n  name   = "ci-deploy"\n  user   = aws_iam_user.ci.name',
        'resource "aws_iam_group" "deployers" {\n  name = "deployers"\n}\n\n'
        'resource "aws_iam_user_group_membership" "ci" {\n  user   = aws_iam_user.ci.name\n  groups = [aws_iam_group.deployers.name]\n}\n\n'
        'resource "aws_iam_group_policy" "ci" {\n  name   = "ci-deploy"\n  group  = aws_iam_group.deployers.name',
    )
    assert "aws_iam_group_policy" in grouped
    assert _escalations(grouped) == [("PL103", "aws_iam_user.ci")]  # the boundary allows PassRole on role/*
    narrow = grouped.replace('Resource = ["arn:aws:iam::123456789012:role/*"]', 'Resource = ["arn:aws:iam::123456789012:role/app"]')
    assert _escalations(narrow) == []
    unbounded = narrow.replace("  permissions_boundary = aws_iam_policy.ci_boundary.arn\n", "")
    assert _escalations(unbounded) == [("PL103", "aws_iam_user.ci")]

"""Escalation paths to admin (PL103, PL104; privlint/rules/escalation.py): each fixture case gives the findings its
expected.json records. The graph itself and one fixture per technique: tests/test_graph.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import (
    RULE_FIXTURES,
    assert_case_matches,
    case_params,
    family_fixture_dirs,
)

import privlint

CHAIN = RULE_FIXTURES / "PL104-assumable-role-escalation-path" / "terraform" / "bad"


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("escalation")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)


def test_chain_fixture_names_every_step_and_skips_the_mfa_user() -> None:
    findings = [f for f in privlint.scan([str(CHAIN)]).findings if f.rule_id in ("PL103", "PL104")]
    assert [(f.rule_id, f.resource) for f in findings] == [
        ("PL103", "aws_iam_user.dev"),
        ("PL104", "aws_iam_role.deployer"),
    ]
    assert (
        "aws_iam_user.dev -> member-of -> aws_iam_group.developers -> can-assume -> aws_iam_role.deployer"
        " -> can-pass-to-service(cloudformation) -> aws_iam_role.cfn_exec"
    ) in findings[0].message
    path = privlint.graph(CHAIN).path_from("aws_iam_user.alice")
    assert path is not None and path.mfa_required

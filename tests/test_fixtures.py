"""Checks across every rule's fixtures; each rule's own cases run in tests/rules/test_<family>.py.

Here: the Terraform evaluator's construct fixtures (fixtures/constructs/, no single rule's), the agreement
of a rule's Terraform and CloudFormation cases, and one scan of the whole fixture tree. Rewrite every
expected.json with ``PRIVLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/rules tests/test_fixtures.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rules.fixture_cases import (
    CASE_CONFIG,
    CONSTRUCT_FIXTURES,
    RULE_FIXTURES,
    assert_case_matches,
    assert_expected_has_no_stale_entry,
    case_params,
    cases_in,
    findings_of,
    fixture_dirs,
)

import privlint
from conftest import FIXTURES

CONSTRUCT_DIRS = sorted(p.parent for p in CONSTRUCT_FIXTURES.rglob("expected.json"))


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(CONSTRUCT_DIRS))
def test_construct_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)


@pytest.mark.parametrize("fixture_dir", fixture_dirs(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_expected_json_names_only_existing_cases(fixture_dir: Path) -> None:
    assert_expected_has_no_stale_entry(fixture_dir)


def _rules_in(path: Path) -> set[str]:
    return {f.rule_id for f in privlint.scan([str(path)]).findings}


def _paired_cases() -> list[object]:
    """(Terraform case, CloudFormation template) of one rule and one case name (``user`` ~ ``user.template``)."""
    pairs: list[object] = []
    for rule_dir in sorted(RULE_FIXTURES.iterdir()):
        tf_bad, cfn_bad = (
            rule_dir / "terraform" / "bad",
            rule_dir / "cloudformation" / "bad",
        )
        if not (tf_bad.is_dir() and cfn_bad.is_dir()):
            continue
        for case in [c for c in cases_in(rule_dir) if c.is_relative_to(tf_bad)]:
            template = cfn_bad / ("main.template" if case == tf_bad else f"{case.name}.template")
            if not template.exists():
                continue  # e.g. PL000: a Terraform syntax error has no CloudFormation twin
            pairs.append(pytest.param(case, template, id=str(case.relative_to(RULE_FIXTURES))))
    return pairs


@pytest.mark.parametrize(("terraform_case", "template"), _paired_cases())
def test_terraform_and_cloudformation_agree(terraform_case: Path, template: Path) -> None:
    """The same rules fire on the Terraform and the CloudFormation version of each case."""
    tf, cfn = _rules_in(terraform_case), _rules_in(template)
    assert tf == cfn and tf, (tf, cfn)
    json_variant = template.with_suffix(".json")
    if json_variant.exists():
        # Lines differ between the spellings; rules and resources must not.
        assert [f[:2] for f in findings_of(json_variant)] == [f[:2] for f in findings_of(template)]


def test_whole_fixture_tree_reports_every_bad_and_no_good() -> None:
    """One scan of fixtures/ (as `privlint check fixtures/` does) sees every bad case and no good one."""
    report = privlint.scan([str(FIXTURES)])
    files = {f.file for f in report.findings if not f.suppressed}
    # One scan is one account: a good fixture's user may reach another fixture's admin (PL103/PL104).
    # Each good case alone is clean: tests/rules/ scan every case on its own.
    alone = {f.file for f in report.findings if not f.suppressed and f.rule_id not in ("PL103", "PL104")}
    assert not [f for f in alone if "/good" in f], "a good fixture has findings"
    for fixture_dir in fixture_dirs():
        for case in cases_in(fixture_dir):
            # A case with its own settings (.privlint.yaml) needs them: one scan of the tree has none.
            if "bad" in case.relative_to(fixture_dir).parts and not (case / CASE_CONFIG).is_file():
                assert any(f.startswith(str(case)) for f in files), f"{case} reported nothing in a whole-tree scan"

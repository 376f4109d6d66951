"""Wildcard privilege and public principals (PL201-PL205; privlint/rules/wildcard.py): each fixture case gives the findings its expected.json records."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("wildcard")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)

"""Files privlint cannot read (PL000; produced by privlint/pipeline/engine.py): each fixture case gives the
findings its expected.json records, and an unreadable file hides no finding of a readable one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("engine")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)

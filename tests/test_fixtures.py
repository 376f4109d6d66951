"""Every fixture gives exactly the findings recorded in tests/snapshots/fixtures.json.

The snapshot is the reviewed expectation: (rule id, resource, line) per fixture. Regenerate it
with ``PRIVLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_fixtures.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

import privlint

SNAPSHOT = ROOT / "tests" / "snapshots" / "fixtures.json"

# Bad fixtures whose finding flows through a built-in function the current library lacks. Their snapshot
# entry is the reviewed expectation, written by hand and kept when snapshots are regenerated.
def fixture_units() -> list[Path]:
    """Each Terraform fixture directory (bad/ or good/) and each CloudFormation template."""
    units = sorted(p for p in (FIXTURES / "terraform").glob("*/*") if p.is_dir())
    units += sorted((FIXTURES / "cloudformation").glob("*/*.*"))
    return units


def findings_of(path: Path) -> list[list[object]]:
    report = privlint.scan([str(path)])
    return sorted([f.rule_id, f.resource, f.line] for f in report.findings)


def _load_snapshot() -> dict[str, list[list[object]]]:
    return json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}


def _key(unit: Path) -> str:
    return str(unit.relative_to(ROOT))


if os.environ.get("PRIVLINT_UPDATE_SNAPSHOTS"):
    SNAPSHOT.write_text(json.dumps({_key(u): findings_of(u) for u in fixture_units()}, indent=1) + "\n")


def _marked(units: list[Path]) -> list[object]:
    return [pytest.param(u, id=str(u.relative_to(FIXTURES))) for u in units]


@pytest.mark.parametrize("unit", _marked(fixture_units()))
def test_fixture_findings_match_snapshot(unit: Path) -> None:
    expected = _load_snapshot()[str(unit.relative_to(ROOT))]
    assert findings_of(unit) == expected


@pytest.mark.parametrize("unit", [u for u in fixture_units() if "good" in u.name or u.name == "good"], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_good_fixtures_are_clean(unit: Path) -> None:
    assert findings_of(unit) == []


@pytest.mark.parametrize("unit", _marked([u for u in fixture_units() if u.name.startswith("bad")]))
def test_bad_fixtures_find_something(unit: Path) -> None:
    assert findings_of(unit), f"{unit} is a bad fixture but nothing was found"


def _rules_in(path: Path) -> set[str]:
    return {f.rule_id for f in privlint.scan([str(path)]).findings}


@pytest.mark.parametrize(
    "rule_dir",
    sorted(d.name for d in (FIXTURES / "cloudformation").iterdir() if (FIXTURES / "terraform" / d.name).is_dir()),
)
def test_terraform_and_cloudformation_agree(rule_dir: str) -> None:
    """The same rules fire on the Terraform and the CloudFormation version of each fixture."""
    tf = _rules_in(FIXTURES / "terraform" / rule_dir / "bad")
    cfn = _rules_in(FIXTURES / "cloudformation" / rule_dir / "bad.template")
    assert tf == cfn and tf, (tf, cfn)
    json_variant = FIXTURES / "cloudformation" / rule_dir / "bad.json"
    if json_variant.exists():
        # Lines differ between the spellings; rules and resources must not.
        assert [f[:2] for f in findings_of(json_variant)] == [f[:2] for f in findings_of(json_variant.with_suffix(".template"))]


def test_whole_fixture_tree_reports_every_bad_and_no_good() -> None:
    """One scan of fixtures/ (as `privlint check fixtures/` does) sees every bad fixture and no good one."""
    report = privlint.scan([str(FIXTURES)])
    files = {f.file for f in report.findings}
    # One scan is one account: a good fixture's user may reach another fixture's admin (PL103/PL104).
    # Each good fixture alone is clean (test_good_fixtures_are_clean).
    alone = {f.file for f in report.findings if f.rule_id not in ("PL103", "PL104")}
    assert not [f for f in alone if "/good" in f], "a good fixture has findings"
    for unit in fixture_units():
        if unit.name.startswith("bad"):
            assert any(f.startswith(str(unit)) for f in files), f"{unit} reported nothing in a whole-tree scan"

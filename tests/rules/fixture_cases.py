"""A rule's fixture cases and the findings its ``expected.json`` records for them.

Layout (docs/architecture.md, "A rule's files"): ``fixtures/rules/<ID>-<name>/<format>/{bad,good}/...`` with
``expected.json`` beside the formats, and ``fixtures/constructs/terraform/<construct>/`` for evaluator
constructs that are no single rule's. ``expected.json`` maps each case, relative to its own directory, to
its sorted ``[rule id, resource, line, severity]`` findings. Rewrite every one with
``PRIVLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/rules tests/test_fixtures.py`` and review the diff.
(A plain module, not a conftest.py: tests/conftest.py already holds that name on sys.path.)
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest
import yaml

from privlint.model.catalog import PARSE_ERROR_ID

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
CONSTRUCT_FIXTURES = FIXTURES / "constructs"
RULE_METADATA = ROOT / "privlint" / "rules"
# Formats whose every file is a case of its own; in the others a directory is one case (a Terraform module).
FILE_FORMATS = frozenset({"cloudformation", "credential-report", "github-snapshot"})
CASE_KINDS = ("bad", "good")
UPDATE = bool(os.environ.get("PRIVLINT_UPDATE_SNAPSHOTS"))
CASE_CONFIG = ".privlint.yaml"
# The trees holding Terraform and CloudFormation cases, relative to fixtures/ (what checkov reads too).
IAC_FIXTURE_TREES = ("rules", "constructs")
IAC_FORMATS = frozenset({"terraform", "cloudformation"})

Finding = list[object]


@cache
def family_entries(family: str) -> dict[str, dict[str, object]]:
    """The rule entries of ``privlint/rules/<family>.yaml`` (``detected_in`` left out)."""
    data = yaml.safe_load((RULE_METADATA / f"{family}.yaml").read_text(encoding="utf-8")) or {}
    return {key: value for key, value in data.items() if key.startswith("PL")}


def families() -> list[str]:
    return sorted(path.stem for path in RULE_METADATA.glob("*.yaml"))


def rule_dir(rule_id: str) -> Path | None:
    found = sorted(RULE_FIXTURES.glob(f"{rule_id}-*"))
    return found[0] if len(found) == 1 else None


def cases_in(fixture_dir: Path) -> list[Path]:
    """Every case under one expected.json's directory, found from the layout (not from expected.json)."""
    if not fixture_dir.is_relative_to(RULE_FIXTURES):
        # A construct's or a whole format's fixtures (fixtures/credential-report, fixtures/github/snapshot):
        # each sub-directory is a case.
        return sorted(p for p in fixture_dir.iterdir() if p.is_dir())
    cases: list[Path] = []
    for format_dir in sorted(p for p in fixture_dir.iterdir() if p.is_dir()):
        for kind in CASE_KINDS:
            kind_dir = format_dir / kind
            if not kind_dir.is_dir():
                continue
            children = sorted(kind_dir.iterdir())
            if format_dir.name in FILE_FORMATS:
                cases += [p for p in children if p.is_file()]
            elif any(p.is_file() for p in children):
                cases.append(kind_dir)  # one module, perhaps with modules/ below it
            else:
                cases += [p for p in children if p.is_dir()]
    return cases


def findings_of(path: Path) -> list[Finding]:
    import privlint

    # A case that needs settings (approved_admins, say) carries its own configuration file.
    config = path / CASE_CONFIG
    report = privlint.scan([str(path)], config if config.is_file() else None)
    # A parse error's resource is its file, as scanned: recorded relative to the checkout.
    root = f"{ROOT}/"
    # A suppressed finding is not reported (the suppression rules' good cases suppress one): not recorded.
    active = [f for f in report.findings if not f.suppressed]
    return sorted([f.rule_id, f.resource.removeprefix(root), f.line, f.severity.value] for f in active)


def dump_expected(expected: dict[str, list[Finding]]) -> str:
    """One finding a line, so a review diff shows which finding changed."""
    lines = []
    for key, found in sorted(expected.items()):
        body = ",\n".join(f"  {json.dumps(f)}" for f in found)
        lines.append(f" {json.dumps(key)}: [\n{body}\n ]" if found else f" {json.dumps(key)}: []")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def load_expected(fixture_dir: Path) -> dict[str, list[Finding]]:
    path = fixture_dir / "expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _key(fixture_dir: Path, case: Path) -> str:
    return case.relative_to(fixture_dir).as_posix()


def update_expected(fixture_dir: Path) -> None:
    expected = {_key(fixture_dir, case): findings_of(case) for case in cases_in(fixture_dir)}
    (fixture_dir / "expected.json").write_text(dump_expected(expected), encoding="utf-8")


def family_fixture_dirs(family: str) -> list[Path]:
    return [d for d in (rule_dir(rule_id) for rule_id in family_entries(family)) if d is not None]


def case_params(fixture_dirs: list[Path]) -> list[object]:
    """pytest params (fixture dir, case), one per case; in update mode expected.json is rewritten first."""
    params: list[object] = []
    for fixture_dir in fixture_dirs:
        if UPDATE:
            update_expected(fixture_dir)
        for case in cases_in(fixture_dir):
            params.append(pytest.param(fixture_dir, case, id=case.relative_to(FIXTURES).as_posix()))
    return params


def assert_case_matches(fixture_dir: Path, case: Path) -> None:
    """The case gives exactly its recorded findings; a good case gives none, a bad case at least one."""
    expected = load_expected(fixture_dir)
    key = _key(fixture_dir, case)
    assert key in expected, f"{fixture_dir.name}/expected.json has no entry for {key}"
    found = findings_of(case)
    assert found == expected[key]
    if "good" in case.relative_to(fixture_dir).parts:
        assert found == [], f"{key} is a good case but has findings"
    elif "bad" in case.relative_to(fixture_dir).parts:
        assert found, f"{key} is a bad case but nothing was found"


def assert_expected_has_no_stale_entry(fixture_dir: Path) -> None:
    keys = {_key(fixture_dir, case) for case in cases_in(fixture_dir)}
    stale = sorted(set(load_expected(fixture_dir)) - keys)
    assert not stale, f"{fixture_dir.name}/expected.json names cases that do not exist: {stale}"


def fixture_dirs() -> list[Path]:
    """Every directory with an expected.json: rules, constructs and whole formats."""
    return sorted(p.parent for p in FIXTURES.rglob("expected.json"))


def parseable_iac_cases() -> list[Path]:
    """Every Terraform and CloudFormation case that parses, rule fixtures and construct fixtures alike.

    PL000's cases are broken on purpose: checkov reports its own parse errors, and a YAML error there
    would be an error in its log.
    """
    dirs = [d for d in fixture_dirs() if d.relative_to(FIXTURES).parts[0] in IAC_FIXTURE_TREES and d != rule_dir(PARSE_ERROR_ID)]
    return [case for fixture_dir in dirs for case in cases_in(fixture_dir) if case_format(fixture_dir, case) in IAC_FORMATS]


def case_format(fixture_dir: Path, case: Path) -> str:
    """``rules/<ID>-<name>/<format>/...`` or ``constructs/<format>/<construct>/...``."""
    if fixture_dir.is_relative_to(CONSTRUCT_FIXTURES):
        return fixture_dir.relative_to(CONSTRUCT_FIXTURES).parts[0]
    return case.relative_to(fixture_dir).parts[0]


def copy_iac_fixtures(root: Path) -> None:
    """A copy of the Terraform and CloudFormation cases under ``root``, at their paths relative to fixtures/."""
    import shutil

    for case in parseable_iac_cases():
        target = root / case.relative_to(FIXTURES)
        if case.is_dir():
            shutil.copytree(case, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(case, target)

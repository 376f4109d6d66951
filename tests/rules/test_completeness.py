"""Every rule's files are found from its id: its entry in ``privlint/rules/<family>.yaml``, its code
(``privlint/rules/<family>.py``, or the ``detected_in`` its family file names), its fixture directory
``fixtures/rules/<ID>-<name>/`` with bad and good cases for each format its entry lists under ``fixtures:``,
that directory's ``expected.json`` and ``README.md``, and the family's test ``tests/rules/test_<family>.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fixture_cases import (
    CASE_KINDS,
    ROOT,
    RULE_FIXTURES,
    RULE_METADATA,
    cases_in,
    families,
    family_entries,
    load_expected,
    rule_dir,
)

# `privlint drift` compares two states (a plan or drift output against the change register), not one
# case: the drift rules' inputs are fixtures/drift/ (README.md there), and their expectations are in the
# tests named here (the audit log's own in test_audit.py).
COMPARED_NOT_CASES = {
    "drift": (
        ROOT / "fixtures" / "drift",
        [ROOT / "tests" / "rules" / "test_drift.py", ROOT / "tests" / "test_audit.py"],
    )
}

RULES = [(family, rule_id) for family in families() for rule_id in family_entries(family)]


def _ids(params: list[tuple[str, str]]) -> list[str]:
    return [rule_id for _, rule_id in params]


def detected_in(family: str) -> list[Path]:
    data = yaml.safe_load((RULE_METADATA / f"{family}.yaml").read_text(encoding="utf-8")) or {}
    return [ROOT / path for path in data.get("detected_in", [])]


def code_of(family: str) -> str:
    """The text of a family's detection code: its module, or every module ``detected_in`` names."""
    named = detected_in(family) or [RULE_METADATA / f"{family}.py"]
    files = [p for path in named for p in (sorted(path.rglob("*.py")) if path.is_dir() else [path])]
    assert files and all(p.is_file() for p in files), f"{family}: no code at {named}"
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_rule_module_has_its_metadata_file_and_test() -> None:
    modules = {p.stem for p in RULE_METADATA.glob("*.py") if p.stem not in ("base", "registry")}
    assert modules <= set(families()), f"rule modules without a <family>.yaml: {sorted(modules - set(families()))}"
    for family in families():
        assert (ROOT / "tests" / "rules" / f"test_{family}.py").is_file(), f"tests/rules/test_{family}.py is missing"
        assert (RULE_METADATA / f"{family}.py").is_file() != bool(detected_in(family)), (
            f"{family}: either privlint/rules/{family}.py or a detected_in, not both nor neither"
        )


@pytest.mark.parametrize(("family", "rule_id"), RULES, ids=_ids(RULES))
def test_rule_code_names_the_rule(family: str, rule_id: str) -> None:
    code = code_of(family)
    if not detected_in(family):
        assert f'@rule("{rule_id}")' in code, f"{rule_id}: no @rule in privlint/rules/{family}.py"
        return
    # The engine names its own rule by a constant of the rule framework (PARSE_ERROR_ID = "PL000").
    base = (RULE_METADATA / "base.py").read_text(encoding="utf-8")
    names = [rule_id, *re.findall(rf'^(\w+) = "{rule_id}"$', base, re.MULTILINE)]
    assert any(re.search(rf"\b{name}\b", code) for name in names), f"{rule_id}: not found in {detected_in(family)}"


@pytest.mark.parametrize(("family", "rule_id"), RULES, ids=_ids(RULES))
def test_rule_has_its_fixtures_and_expected_findings(family: str, rule_id: str) -> None:
    entry = family_entries(family)[rule_id]
    if family in COMPARED_NOT_CASES:
        inputs, tests = COMPARED_NOT_CASES[family]
        assert inputs.is_dir() and "fixtures" not in entry
        assert any(rule_id in test.read_text(encoding="utf-8") for test in tests), f"{rule_id}: no test names it"
        return
    formats = entry.get("fixtures")
    assert formats, f"{rule_id}: its entry lists no fixture formats (fixtures: [...])"
    directory = rule_dir(rule_id)
    assert directory is not None, f"{rule_id}: no single fixtures/rules/{rule_id}-* directory"
    assert directory.name == f"{rule_id}-{entry['name']}", f"{directory.name}: the entry's name is {entry['name']}"
    assert (directory / "README.md").is_file(), f"{directory.name}/README.md is missing"
    assert sorted(p.name for p in directory.iterdir() if p.is_dir()) == sorted(formats)
    expected = load_expected(directory)
    assert set(expected) == {c.relative_to(directory).as_posix() for c in cases_in(directory)}
    for fmt in formats:
        for kind in CASE_KINDS:
            keys = [key for key in expected if key.startswith(f"{fmt}/{kind}/") or key == f"{fmt}/{kind}"]
            assert keys, f"{directory.name}: no {kind} case for {fmt}"
        bad_rules = {f[0] for key, found in expected.items() if key.startswith(f"{fmt}/bad") for f in found}
        assert rule_id in bad_rules, f"{directory.name}: no {fmt} bad case gives {rule_id}"


def test_every_rule_fixture_directory_belongs_to_a_rule() -> None:
    known = {f"{rule_id}-{family_entries(family)[rule_id]['name']}" for family, rule_id in RULES}
    dirs = {p.name for p in RULE_FIXTURES.iterdir() if p.is_dir()}
    assert dirs <= known, f"fixture directories of no rule: {sorted(dirs - known)}"


@pytest.mark.parametrize("family", [f for f in families() if f not in COMPARED_NOT_CASES])
def test_family_test_runs_its_fixture_cases(family: str) -> None:
    text = (ROOT / "tests" / "rules" / f"test_{family}.py").read_text(encoding="utf-8")
    assert f'family_fixture_dirs("{family}")' in text, f"tests/rules/test_{family}.py does not run its fixtures"

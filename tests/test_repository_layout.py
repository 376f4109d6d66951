"""The repository stays safe to load with checkov's ``--external-checks-git``.

checkov clones the whole repository and, for every directory in it (checkov 3.3,
``BaseCheckRegistry._walk_external_check_files`` and ``checks_infra.registry.Registry._load_checks_from_dir``):

- puts the directory on ``sys.path`` ahead of the standard library;
- executes every ``.py`` file not starting with ``__`` if the directory has an ``__init__.py``;
- reads every ``.json``/``.yaml``/``.yml`` file with ``json.load``/``yaml.safe_load`` as a possible graph
  policy, and round-trips it through ``json.dumps``: an exception there ends the whole checkov run.

These tests keep the repository within those rules without running checkov; tests/test_checkov_bundle.py
loads the repository with the real checkov.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from conftest import ROOT

# The one file checkov should execute, and the packages whose __init__.py it never executes (dunder name).
CHECK_LOADERS = {PurePosixPath("policies/privlint_checks.py")}
# pre-commit requires this file at the root, as a list; checkov logs it as "not Dict" and skips it.
NOT_A_MAPPING = {PurePosixPath(".pre-commit-hooks.yaml")}


def tracked_files() -> list[PurePosixPath]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return sorted(PurePosixPath(name) for name in listed.split("\0") if name and (ROOT / name).is_file())


def test_checkov_would_execute_only_the_check_loader() -> None:
    files = tracked_files()
    packages = {f.parent for f in files if f.name == "__init__.py"}
    executed = {f for f in files if f.parent in packages and f.suffix == ".py" and not f.name.startswith("__")}
    assert executed == CHECK_LOADERS, (
        "checkov --external-checks-git would execute these as checks; keep modules in sub-packages without "
        f"__init__.py (PEP 420 namespace packages): {sorted(map(str, executed - CHECK_LOADERS))}"
    )


@pytest.mark.parametrize("name", [str(f) for f in tracked_files() if f.suffix in (".json", ".yaml", ".yml")])
def test_data_files_load_as_checkov_reads_them(name: str) -> None:
    """Invalid JSON/YAML, YAML tags (``!Ref``: use ``.template``) and unquoted YAML dates would stop checkov."""
    with open(ROOT / name, encoding="utf-8") as handle:
        data = json.load(handle) if name.endswith(".json") else yaml.safe_load(handle)
    json.dumps(data)
    assert isinstance(data, dict) or PurePosixPath(name) in NOT_A_MAPPING, f"{name}: checkov logs an error for a non-mapping"


def test_no_module_or_directory_shadows_the_standard_library() -> None:
    """checkov puts each directory of the repository on sys.path before the standard library."""
    names = {f.stem for f in tracked_files() if f.suffix == ".py"}
    names |= {part for f in tracked_files() for part in f.parent.parts}
    assert not names & set(sys.stdlib_module_names)


def test_this_test_reads_the_checkout() -> None:
    files = set(tracked_files())
    assert PurePosixPath("policies/privlint_checks.py") in files and PurePosixPath("privlint/__init__.py") in files
    assert Path(ROOT / "fixtures").is_dir()

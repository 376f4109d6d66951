"""ruff (lint and format) keeps the code honest: it runs as a test, so CI runs it with the rest (mypy: test_typing.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

CHECKED = ["privlint", "tests", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module", autouse=True)
def _tools_installed() -> None:
    for tool in ("ruff",):
        if _run(tool, "--version").returncode != 0:
            pytest.fail(f"{tool} is not installed: pip install -e '.[dev]'")


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", *CHECKED)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_code_is_formatted() -> None:
    result = _run("ruff", "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout[-4000:]

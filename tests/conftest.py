from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# The suite leaves no cache in the checkout: tool environments, hypothesis' examples and bytecode go to temp.
TEST_CACHE = Path(os.environ.get("PRIVLINT_TEST_CACHE") or Path(tempfile.gettempdir()) / "privlint-tests")
_BYTECODE_CACHE = str(TEST_CACHE / "pycache")
sys.pycache_prefix = _BYTECODE_CACHE
os.environ.setdefault("PYTHONPYCACHEPREFIX", _BYTECODE_CACHE)  # the CLI runs in subprocesses
set_hypothesis_home_dir(str(TEST_CACHE / "hypothesis-home"))  # e.g. its constants cache, beside the examples
hypothesis_settings.register_profile("privlint", database=DirectoryBasedExampleDatabase(str(TEST_CACHE / "hypothesis")))
hypothesis_settings.load_profile("privlint")


def privlint_command() -> list[str]:
    """The real installed console script (falls back to the module when run from a bare checkout)."""
    exe = shutil.which("privlint")
    return [exe] if exe else [sys.executable, "-m", "privlint.frontend.cli"]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    return subprocess.run([*privlint_command(), *args], check=False, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The audit key is created under XDG_STATE_HOME: keep the tests' keys out of the real home directory."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    os.environ.pop("PRIVLINT_AUDIT_KEY", None)

"""action.yml: a composite GitHub Action that installs privlint from the action's path, scans, and uploads SARIF.

The structure is checked against what GitHub's runner requires; the scan step's script is run here with bash,
as the runner would, on a bundled example.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_action_metadata_has_what_github_requires() -> None:
    assert {"name", "description", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for entry in STEPS:
        assert ("uses" in entry) != ("run" in entry), entry
        if "run" in entry:
            assert entry.get("shell") == "bash", entry  # composite run steps must name their shell
    for name, spec in ACTION["inputs"].items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name) and spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), name  # input values are strings


def test_action_installs_from_its_own_path_scans_and_uploads() -> None:
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "always()" in upload["if"]  # the report is uploaded when findings fail the scan
    install = step("Install privlint")
    assert install["env"]["PRIVLINT_ACTION_PATH"] == "${{ github.action_path }}" and "pip install" in install["run"]
    scan = step("Scan")
    assert "privlint check" in scan["run"] and "--format sarif" in scan["run"]


def test_every_input_is_used_and_none_is_spliced_into_a_script() -> None:
    used = set()
    for entry in STEPS:
        text = json.dumps(entry)
        used |= set(re.findall(r"inputs\.([a-z0-9-]+)", text))
        if "run" in entry:
            assert not EXPRESSION.search(entry["run"]), f"an expression inside run: is a script injection: {entry['name']}"
    assert used == set(ACTION["inputs"])


def run_scan_step(tmp_path: Path, paths: str, fail_on: str) -> tuple[int, dict[str, str], Path]:
    scan = step("Scan")
    workspace = tmp_path / "workspace"
    admin_user = FIXTURES / "rules/PL101-admin-without-mfa/terraform"
    for kind in ("bad", "good"):
        shutil.copytree(admin_user / kind / "user", workspace / kind)
    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "NO_COLOR": "1",
        "PRIVLINT_PATHS": paths,
        "PRIVLINT_CONFIG": "",
        "PRIVLINT_FAIL_ON": fail_on,
        "PRIVLINT_SARIF": "privlint.sarif",
    }
    if not shutil.which("privlint"):
        pytest.fail("the privlint command is not installed (pip install -e .)")
    done = subprocess.run(["bash", "-e", "-c", scan["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=300, check=False)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return done.returncode, values, workspace / "privlint.sarif"


def test_scan_step_writes_sarif_and_reports_the_exit_code(tmp_path: Path) -> None:
    status, outputs, sarif = run_scan_step(tmp_path, "bad good", "low")
    assert status == 0, "findings do not fail the scan step itself: the upload runs first"
    assert outputs == {"sarif-file": "privlint.sarif", "exit-code": "1"}
    report = json.loads(sarif.read_text())
    jsonschema.validate(report, json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text()))
    assert report["runs"][0]["results"], "the bad example has a finding"


def test_scan_step_passes_when_below_the_threshold_and_fails_on_a_usage_error(tmp_path: Path) -> None:
    status, outputs, _ = run_scan_step(tmp_path / "a", "good", "low")
    assert status == 0 and outputs["exit-code"] == "0"
    status, outputs, _ = run_scan_step(tmp_path / "b", "no-such-dir", "low")
    assert status == 2 and outputs["exit-code"] == "2"

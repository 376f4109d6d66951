"""The shipped JSON Schemas: the report schema accepts every output privlint writes, the config schema
accepts the documented examples, and both are inside the built wheel."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

import privlint
from conftest import FIXTURES, ROOT, run_cli
from privlint.model.findings import REPORT_SCHEMA_FILE, report_schema
from privlint.pipeline.config import CONFIG_SCHEMA_ID, config_schema

FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


# The suppression rules' fixtures hold suppressions too; this one carries every detail (owner, until, source).
SUPPRESSED_TF = """\
# privlint:ignore PL201 reason="break-glass policy, reviewed in RISK-42" owner=secops until=2099-01-31
resource "aws_iam_policy" "breakglass" {
  name   = "breakglass"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""


@pytest.fixture
def suppressed_dir(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(SUPPRESSED_TF, encoding="utf-8")
    return tmp_path


def test_cli_output_of_all_fixtures_matches_the_report_schema(suppressed_dir: Path) -> None:
    done = run_cli("check", "fixtures", str(suppressed_dir), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    validator(report_schema()).validate(report)
    findings = report["findings"]
    assert any(f["suppressed"] for f in findings), "no suppressed finding: the test would prove little"
    assert any(f["rule_id"] == "PL000" for f in findings), "no parse-error finding: the test would prove little"


@pytest.mark.parametrize("fixture_dir", FIXTURE_DIRS, ids=lambda p: p.name)
def test_each_fixture_report_matches_the_report_schema(fixture_dir: Path) -> None:
    report = json.loads(privlint.scan([fixture_dir]).to_json())
    validator(report_schema()).validate(report)


def test_report_schema_lists_every_field_of_the_models() -> None:
    """A field added to Finding, Suppression or Summary must be added to the schema too."""
    from privlint.model.findings import Finding, Summary, Suppression

    schema = report_schema()
    finding = schema["properties"]["findings"]["items"]
    assert set(finding["properties"]) == set(Finding.model_fields)
    assert set(finding["properties"]["suppression"]["properties"]) == set(Suppression.model_fields)
    assert set(schema["properties"]["summary"]["properties"]) == set(Summary.model_fields)


def test_report_schema_rejects_a_suppressed_finding_without_its_suppression(suppressed_dir: Path) -> None:
    report = json.loads(privlint.scan([suppressed_dir]).to_json())
    suppressed = next(f for f in report["findings"] if f["suppressed"])
    del suppressed["suppression"]
    with pytest.raises(jsonschema.ValidationError):
        validator(report_schema()).validate(report)


def test_schema_commands_print_the_shipped_schemas() -> None:
    done = run_cli("schema", "report")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == report_schema()
    done = run_cli("schema", "config")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == config_schema() and printed["$id"] == CONFIG_SCHEMA_ID
    validator(printed)


def documented_config_examples() -> list[tuple[str, str]]:
    """Every YAML block of README.md and docs/ that is a ``.privlint.yaml`` (its first line says so)."""
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL):
            if block.lstrip().startswith("# .privlint.yaml"):
                found.append((doc.name, block))
    return found


def test_documented_config_examples_match_the_config_schema() -> None:
    examples = documented_config_examples()
    assert examples, "no .privlint.yaml example found in the docs"
    check = validator(json.loads(json.dumps(config_schema())))
    for doc, block in examples:
        data = json.loads(json.dumps(yaml.safe_load(block), default=str))  # YAML dates become strings, as in JSON
        errors = [e.message for e in check.iter_errors(data)]
        assert not errors, (doc, errors)


def test_config_schema_rejects_an_unknown_key() -> None:
    assert list(validator(config_schema()).iter_errors({"fail_onn": "high"}))


def test_wheel_ships_the_schemas_license_and_type_marker(tmp_path: Path) -> None:
    """Built from a copy of the tracked files: setuptools writes build/ and *.egg-info beside the sources."""
    from test_repository_layout import tracked_files

    source = tmp_path / "source"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(source)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = tmp_path.glob("privlint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert f"privlint/data/{REPORT_SCHEMA_FILE}" in names
    assert "privlint/data/schemas/github-org-snapshot.schema.json" in names
    assert "privlint/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(n for n in names if "dist-info" in n)
    assert "License-Expression: MIT" in metadata

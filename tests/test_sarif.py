"""SARIF 2.1.0 output validates against the official schema and carries what code scanning needs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from conftest import FIXTURES, ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def test_sarif_of_the_fixtures_validates(cli) -> None:
    result = cli("check", "fixtures/", "--format", "sarif")
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "PUG-5" in rules["PL101"]["properties"]["tags"] and rules["PL101"]["help"]["text"]
    result0 = run["results"][0]
    assert result0["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("fixtures/")
    assert result0["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert all(r["partialFingerprints"]["privlint/v2"] for r in run["results"])
    fingerprints = [r["partialFingerprints"]["privlint/v2"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_fingerprints_are_stable_when_lines_move(cli, tmp_path: Path) -> None:
    src = FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user"
    shutil.copytree(src, tmp_path / "m")
    before = json.loads(cli("check", str(tmp_path / "m"), "--format", "sarif").stdout)["runs"][0]["results"]
    main = tmp_path / "m" / "main.tf"
    main.write_text("\n\n# a comment moves everything down\n" + main.read_text())
    after = json.loads(cli("check", str(tmp_path / "m"), "--format", "sarif").stdout)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert before[0]["locations"][0]["physicalLocation"]["region"]["startLine"] + 3 == after[0]["locations"][0]["physicalLocation"]["region"]["startLine"]


def test_suppressions_become_sarif_suppressions(cli, tmp_path: Path) -> None:
    src = (FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user/main.tf").read_text()
    src = src.replace(
        'resource "aws_iam_user" "alice"', '# privlint:ignore PL101 reason="break-glass" owner=secops until=2099-01-01\nresource "aws_iam_user" "alice"'
    )
    (tmp_path / "main.tf").write_text(src)
    assert json.loads(cli("check", str(tmp_path), "--format", "sarif").stdout)["runs"][0]["results"] == []
    sarif = json.loads(cli("check", str(tmp_path), "--format", "sarif", "--include-suppressed").stdout)
    jsonschema.validate(sarif, SCHEMA)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"][0]["kind"] == "inSource" and result["suppressions"][0]["justification"] == "break-glass"

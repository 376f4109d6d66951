"""SARIF as GitHub code scanning wants it ("SARIF support for code scanning"), checked rule by rule.

Each test names the requirement it checks. The SARIF is produced by the real ``privlint`` command
in a git repository built by the test, and must also validate against the SARIF 2.1.0 schema.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub's bands for security-severity: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
BANDS = {
    "critical": (9.0, 10.0),
    "high": (7.0, 8.9),
    "medium": (4.0, 6.9),
    "low": (0.1, 3.9),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding two fixtures in a sub-directory (GitHub resolves URIs from the repository root)."""
    root = tmp_path / "repo"
    for name, case in (("admin-user-without-mfa", "user"), ("admin-group-without-mfa", "group")):
        shutil.copytree(FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad" / case, root / "infra" / name)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def sarif_of(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "sarif", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    log = json.loads(result.stdout)
    jsonschema.validate(log, SCHEMA)  # code scanning accepts only valid SARIF 2.1.0
    return log


def test_log_version_schema_and_one_run(repo: Path) -> None:
    log = sarif_of("infra", cwd=repo)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    assert 1 <= len(log["runs"]) <= 20  # GitHub: at most 20 runs per file
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "privlint" and driver["version"]


def test_artifact_uris_are_relative_to_the_repository_root_with_srcroot(
    repo: Path,
) -> None:
    run = sarif_of("infra/admin-user-without-mfa", cwd=repo)["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == repo.resolve().as_uri() + "/"  # an absolute URI ending in '/'
    assert run["results"]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("infra/admin-user-without-mfa/"), artifact
        assert not artifact["uri"].startswith(("/", "../", "file:"))
        assert location["region"]["startLine"] >= 1


def test_paths_and_fingerprints_do_not_depend_on_how_the_path_was_typed(
    repo: Path,
) -> None:
    def identity(log: dict) -> list[tuple[str, str, str]]:
        return sorted(
            (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["partialFingerprints"]["privlint/v2"],
            )
            for r in log["runs"][0]["results"]
        )

    typed = identity(sarif_of("infra/admin-user-without-mfa", cwd=repo))
    assert typed
    assert identity(sarif_of("./infra/admin-user-without-mfa/", cwd=repo)) == typed
    assert identity(sarif_of(str(repo / "infra" / "admin-user-without-mfa"), cwd=ROOT)) == typed
    assert (
        identity(
            sarif_of(
                "../admin-user-without-mfa",
                cwd=repo / "infra" / "admin-group-without-mfa",
            )
        )
        == typed
    )


def test_fingerprints_are_unique_within_a_run(repo: Path) -> None:
    results = sarif_of("infra", cwd=repo)["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["privlint/v2"] for r in results]
    assert len(fingerprints) == len(set(fingerprints)) > 1


def test_rules_carry_what_github_shows(repo: Path) -> None:
    run = sarif_of("infra", cwd=repo)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    docs = (ROOT / "docs" / "rules.md").read_text()
    anchors = {"#" + m.lower() for m in re.findall(r"^## (PL\d+)$", docs, flags=re.MULTILINE)}
    help_uris = set()
    for rule in rules:
        assert rule["id"] and rule["name"] and rule["shortDescription"]["text"]
        assert 0 < len(rule["fullDescription"]["text"]) <= 1000
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        tags = rule["properties"]["tags"]
        assert all(isinstance(t, str) for t in tags) and len(tags) <= 10  # GitHub shows at most 10
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
        # A real page per rule: a docs/rules.md anchor that exists, not one placeholder for all.
        assert rule["helpUri"].endswith("/docs/rules.md#" + rule["id"].lower())
        assert "#" + rule["id"].lower() in anchors
        help_uris.add(rule["helpUri"])
    assert len(help_uris) == len(rules)


def test_results_point_at_their_rule_with_the_level_of_their_severity(
    repo: Path,
) -> None:
    run = sarif_of("infra", cwd=repo)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) <= 25_000  # GitHub's limit per run
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == LEVELS[result["properties"]["severity"]]
        assert result["message"]["text"]
        assert 1 <= len(result["locations"]) <= 10


def test_security_severity_follows_the_effective_severity(repo: Path) -> None:
    (repo / ".privlint.yaml").write_text("severity:\n  PL101: critical\n")
    run = sarif_of("infra", cwd=repo)["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "PL101")
    low, high = BANDS["critical"]
    assert low <= float(rule["properties"]["security-severity"]) <= high
    for result in run["results"]:
        band = BANDS[result["properties"]["severity"]]
        assert band[0] <= float(result["properties"]["security-severity"]) <= band[1]
        rule_score = float(run["tool"]["driver"]["rules"][result["ruleIndex"]]["properties"]["security-severity"])
        assert rule_score >= band[0], "GitHub ranks by the rule's score: it must not be below a result's"


def test_automation_details_and_invocations_name_the_configuration(repo: Path) -> None:
    (repo / ".privlint.yaml").write_text("ignore: [PL304]\n")
    run = sarif_of("infra", cwd=repo)["runs"][0]
    category, _, _run_id = run["automationDetails"]["id"].rpartition("/")
    assert category == "privlint"
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (config,) = invocation["properties"]["config"]
    assert config["file"] == ".privlint.yaml" and any("PL304" in change for change in config["changes"])


def test_suppressed_findings_are_left_out_unless_asked_for(repo: Path) -> None:
    main = repo / "infra" / "admin-user-without-mfa" / "main.tf"
    text = main.read_text().replace(
        'resource "aws_iam_user" "alice"',
        '# privlint:ignore PL101 reason="break-glass" owner=secops until=2099-01-01\nresource "aws_iam_user" "alice"',
    )
    main.write_text(text)
    default = sarif_of("infra/admin-user-without-mfa", cwd=repo)["runs"][0]["results"]
    assert all("suppressions" not in r for r in default)
    included = sarif_of("infra/admin-user-without-mfa", "--include-suppressed", cwd=repo)["runs"][0]["results"]
    suppressed = [r for r in included if r.get("suppressions")]
    assert len(included) == len(default) + len(suppressed) and suppressed
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert suppressed[0]["suppressions"][0]["location"]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    # Leaving suppressed results out must not change the others' fingerprints.
    assert {r["partialFingerprints"]["privlint/v2"] for r in default} <= {r["partialFingerprints"]["privlint/v2"] for r in included}

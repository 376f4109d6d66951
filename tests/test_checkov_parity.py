"""The checkov bundle and `privlint check` give the same per-resource verdicts on real code.

Always on the bundled fixtures; also on the directory named by ``$PRIVLINT_PARITY_CORPUS`` (e.g. real public
modules exported under /tmp; third-party code is never committed). Verdicts are compared per file, resource
and rule, so any tree works as a corpus. Uses the real checkov from tests/test_checkov_bundle.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from rules.fixture_cases import copy_iac_fixtures
from test_checkov_bundle import (
    COVERED_IDS,
    KNOWN_GAPS,
    CheckovRun,
    _resource_key,
    assert_clean_load,
    checkov_executable,
    run_checkov,
)

from conftest import run_cli
from privlint.integrations.checkov_rules import applies, covered_rule

POLICIES = Path(__file__).resolve().parent.parent / "policies"
Verdict = tuple[str, str, str]  # (unit relative to the corpus, resource without data./instance keys, rule id)


def unit(path: str) -> str:
    """A Terraform module directory, or a template file: privlint may place a finding on the variable's default
    (``variables.tf``) where checkov names the resource's file."""
    path = os.path.normpath(path)
    return os.path.dirname(path) if path.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")) else path


def checkov_failures(run: CheckovRun, root: Path) -> set[Verdict]:
    out = set()
    for check in run.checks("FAILED"):
        resource = check["resource"]
        if "::" in resource:  # CloudFormation: "AWS::IAM::Role.LogicalId"
            resource = resource.rsplit(".", 1)[1]
        rule_id = "PL" + check["check_id"].removeprefix("CKV_PRIVLINT_")
        out.add((unit(os.path.relpath(check["file_abs_path"], root)), _resource_key(resource), rule_id))
    return out


def privlint_failures(root: Path) -> set[Verdict]:
    done = run_cli("check", "--format", "json", ".", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return {
        (unit(f["file"]), _resource_key(f["resource"]), f["rule_id"])
        for f in json.loads(done.stdout)["findings"]
        if f["rule_id"] in COVERED_IDS and not f["suppressed"]
    }


def conditionally_created(root: Path, verdict: Verdict) -> bool:
    """The block has a conditional ``count``/``for_each``: checkov 3.3 mis-evaluates some (``var.a && var.b ? 1 : 0``
    is 1 with both false), where privlint evaluates the variables' defaults and creates nothing."""
    directory, resource, _rule = verdict
    kind, _, name = resource.rpartition(".")
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted((root / directory).glob("*.tf")))
    header = re.search(r'^(?:resource|data)\s+"' + re.escape(kind.split(".")[-1]) + r'"\s+"' + re.escape(name) + r'"\s*\{', text, re.MULTILINE)
    if not header:
        return False
    head = text[header.end() : header.end() + 400]
    return bool(re.search(r"^\s*(?:count|for_each)\s*=.*\?", head, re.MULTILINE))


def compare(checkov_run: CheckovRun, root: Path) -> tuple[set[Verdict], set[Verdict], set[Verdict]]:
    got, expected = checkov_failures(checkov_run, root), privlint_failures(root)
    return got & expected, got - expected, expected - got


@pytest.fixture(scope="module")
def checkov() -> Path:
    return checkov_executable()


@pytest.fixture(scope="module")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parity-fixtures")
    copy_iac_fixtures(root)
    return root


def test_fixture_verdicts_agree_and_checks_run_only_where_they_apply(checkov: Path, fixture_corpus: Path) -> None:
    run = run_checkov(checkov, fixture_corpus, "--external-checks-dir", str(POLICIES), cwd=fixture_corpus)
    assert_clean_load(run)
    agree, only_checkov, only_privlint = compare(run, fixture_corpus)
    gaps = {(unit, resource, rule) for (unit, resource, rule) in KNOWN_GAPS}
    # A gap is recorded per fixture unit; a verdict names the directory of its file (a module of the unit).
    stale = {v for v in only_privlint if not any((v[0] == u or v[0].startswith(u + "/")) and v[1:] == (r, rule) for u, r, rule in gaps)}
    assert not only_checkov and not stale, (sorted(only_checkov), sorted(stale))
    passed, failed = len(run.checks("PASSED")), len(run.checks("FAILED"))
    print(f"fixtures: {len(agree)} verdicts agree; checkov passed {passed}, failed {failed}")
    # Every check declares where it applies: a secrets check has no verdict on a resource without a credential.
    assert passed < 20 * failed, (passed, failed)


def test_a_secrets_check_applies_only_where_a_credential_attribute_is() -> None:
    secret, username = covered_rule("PL301"), covered_rule("PL303")
    assert secret and username
    assert applies(secret, {"password": ["x"]}, "aws_db_instance")
    assert applies(secret, {"Properties": {"MasterUserPassword": "x"}}, "AWS::RDS::DBCluster")
    assert not applies(secret, {"name": ["bucket"]}, "aws_s3_bucket")
    assert applies(username, {"master_username": ["admin"]}, "aws_rds_cluster")
    assert not applies(username, {"username": ["admin"]}, "aws_iam_user")  # an IAM user name is no service admin


def test_password_policy_with_one_unresolved_setting_is_still_judged_on_the_other() -> None:
    """checkov leaves ``var.x`` with a null default unevaluated; the known minimum length still fails."""
    from privlint.integrations.checkov_rules import hits

    rule = covered_rule("PL402")
    assert rule
    conf = {
        "__address__": "aws_iam_account_password_policy.this",
        "minimum_password_length": [8],
        "password_reuse_prevention": ["var.reuse"],
    }
    (hit,) = hits(rule, "terraform", conf, "aws_iam_account_password_policy")
    assert "minimum length 8 < 14" in hit.message and "reuse" not in hit.message.split(":")[0].split("(")[1]


@pytest.mark.skipif(not os.environ.get("PRIVLINT_PARITY_CORPUS"), reason="set PRIVLINT_PARITY_CORPUS to a directory of real code")
def test_corpus_verdicts_agree(checkov: Path, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(os.environ["PRIVLINT_PARITY_CORPUS"], root)
    run = run_checkov(checkov, root, "--external-checks-dir", str(POLICIES), cwd=root)
    assert_clean_load(run)
    agree, only_checkov, only_privlint = compare(run, root)
    explained = {v for v in only_checkov if conditionally_created(root, v)}
    files = sum(1 for _ in root.rglob("*.tf")) + sum(1 for _ in root.rglob("*.yaml"))
    print(
        f"corpus {os.environ['PRIVLINT_PARITY_CORPUS']}: {files} files, {len(agree)} failed verdicts agree, "
        f"{len(only_checkov)} only in checkov ({len(explained)} on conditionally created blocks), {len(only_privlint)} only in privlint; "
        f"checkov passed {len(run.checks('PASSED'))}, failed {len(run.checks('FAILED'))}"
    )
    assert not only_privlint, sorted(only_privlint)
    assert only_checkov == explained, sorted(only_checkov - explained)

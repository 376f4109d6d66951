"""The checkov bundle, run by the real checkov: same verdicts as `privlint check` on every fixture.

checkov is installed into its own virtual environment (it cannot share one with privlint: both
install the import name ``hcl2``), cached under ``$PRIVLINT_TEST_CACHE`` (default: privlint-tests in the temp dir)
and keyed by the pinned version. If it cannot be installed the tests fail, never skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from rules.fixture_cases import IAC_FIXTURE_TREES, copy_iac_fixtures, parseable_iac_cases
from test_repository_layout import tracked_files

import privlint
from conftest import FIXTURES, ROOT, TEST_CACHE, run_cli
from privlint.integrations.checkov_bundle import LIBRARY_ARCHIVE, LOADER_NAME, write_bundle
from privlint.integrations.checkov_rules import COVERED, NOT_COVERED, check_id
from privlint.model.catalog import load_catalog

CHECKOV_VERSION = "3.3.30"
CACHE = TEST_CACHE
COVERED_IDS = {rule.rule_id for rule in COVERED}

# Where checkov's parsed model lacks what privlint reads, so the bundle cannot see a finding.
# Each entry must really differ (the test fails when checkov starts agreeing).
KNOWN_GAPS: dict[tuple[str, str, str], str] = {
    ("constructs/terraform/policy-spellings/bad", "aws_iam_policy.from_file", "PL201"): "checkov leaves file() unevaluated",
    ("constructs/terraform/policy-spellings/bad", "aws_iam_policy.from_file_module_path", "PL201"): "checkov leaves file() unevaluated",
    **{
        ("rules/PL201-wildcard-action/cloudformation/bad/foreach.template", resource, "PL201"): "checkov does not expand Fn::ForEach"
        for resource in ("s3Policy", "dynamodbPolicy", "Readerapplogs", "Readerappreports")
    },
    # checkov evaluates Terraform with its own HCL evaluator, which leaves these constructs unresolved.
    ("constructs/terraform/concat-partial/bad", "aws_iam_policy.launcher", "PL203"): "checkov drops a concat() with an unknown list",
    ("constructs/terraform/dynamic-statement/bad", "aws_iam_policy_document.shared_queue", "PL205"): "checkov does not expand nested dynamic principals",
    ("constructs/terraform/for-expression/bad", "aws_iam_policy.pipeline", "PL201"): "checkov leaves a for expression in jsonencode unevaluated",
    (
        "constructs/terraform/optional-null-arguments/bad",
        "module.typed.aws_iam_policy_document.permissions",
        "PL201",
    ): "checkov does not apply optional() type defaults",
    ("constructs/terraform/optional-null-arguments/bad", "module.app.aws_iam_policy_document.this", "PL201"): "checkov does not apply optional() type defaults",
    ("constructs/terraform/template-directives/bad", "aws_iam_policy.queue_worker", "PL201"): "checkov leaves %{ for } template directives unevaluated",
    ("rules/PL201-wildcard-action/cloudformation/bad/condition.template", "DeployPolicy", "PL201"): (
        "checkov hands a check one resource, without the template's Conditions"
    ),
    ("rules/PL201-wildcard-action/cloudformation/bad/mapping.template", "TierPolicy", "PL201"): (
        "checkov hands a check one resource, without the template's Mappings and Parameters"
    ),
    ("rules/PL203-wildcard-resource-write/cloudformation/bad/sam-connector.template", "ProducerToQueues", "PL203"): (
        "checkov hands a check one resource: the connector's source function is another"
    ),
}


# --------------------------------------------------------------------------- checkov's environment


def checkov_executable() -> Path:
    """checkov in a cached virtual environment of its own (created on first use)."""
    venv = CACHE / f"checkov-{CHECKOV_VERSION}"
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    installed = venv / ".installed"
    if installed.exists():
        return bindir / "checkov"
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"checkov=={CHECKOV_VERSION}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            pytest.fail(
                f"could not install checkov {CHECKOV_VERSION} into {venv} (the checkov parity tests need it and "
                f"never skip): {' '.join(step)} exited {done.returncode}\n{done.stderr[-3000:]}"
            )
    installed.write_text(CHECKOV_VERSION + "\n")
    return bindir / "checkov"


@pytest.fixture(scope="module")
def checkov() -> Path:
    return checkov_executable()


def checkov_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["BC_SKIP_MAPPING"] = "TRUE"  # no download of Prisma Cloud check metadata (no network in CI)
    env["LOG_LEVEL"] = "WARNING"
    return env


@dataclass
class CheckovRun:
    results: list[dict]  # one report per framework
    stderr: str

    def checks(self, result: str) -> list[dict]:
        key = {"FAILED": "failed_checks", "SKIPPED": "skipped_checks", "PASSED": "passed_checks"}[result]
        return [c for report in self.results for c in report.get("results", {}).get(key, [])]


def run_checkov(checkov: Path, target: Path, *external: str, cwd: Path = ROOT, **env_overrides: str) -> CheckovRun:
    cmd = [
        str(checkov),
        "-d",
        str(target),
        *external,
        "--check",
        "CKV_PRIVLINT_*",
        "-o",
        "json",
        "--framework",
        "terraform",
        "cloudformation",
        "--skip-download",
    ]
    env = {**checkov_env(), **env_overrides}
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode in (0, 1), f"checkov failed ({done.returncode}): {done.stderr[-3000:]}"
    parsed = json.loads(done.stdout)
    return CheckovRun(parsed if isinstance(parsed, list) else [parsed], done.stderr)


def assert_clean_load(run: CheckovRun) -> None:
    """No load error, no traceback, no data file mistaken for a policy."""
    for marker in ("[ERROR]", "Traceback", "Cannot load external check", "Custom policy", "Failed to run check"):
        assert marker not in run.stderr, run.stderr[-3000:]


# --------------------------------------------------------------------------- fixtures as units


def fixture_units() -> list[str]:
    """Each Terraform and CloudFormation fixture case that parses (rules/ and constructs/), relative to fixtures/."""
    return [str(case.relative_to(FIXTURES)) for case in parseable_iac_cases()]


def unit_of(path: str, root: Path) -> str | None:
    relative = os.path.relpath(os.path.abspath(os.path.join(root, path) if not os.path.isabs(path) else path), root)
    for unit in sorted(fixture_units(), key=len, reverse=True):
        if relative == unit or relative.startswith(unit + os.sep):
            return unit
    return None


def _resource_key(resource: str) -> str:
    """privlint's ``data.aws_x.y`` is checkov's ``aws_x.y``, and privlint names each ``count``/``for_each``
    instance (``aws_x.y["a"]``) where checkov names the block: compare without either."""
    return re.sub(r"\[[^\]]*\]", "", re.sub(r"(^|\.)data\.", r"\1", resource))


def checkov_verdicts(run: CheckovRun, scanned: Path) -> dict[str, set[tuple[str, str]]]:
    """(resource, privlint rule id) per fixture unit, from checkov's failed checks."""
    out: dict[str, set[tuple[str, str]]] = {u: set() for u in fixture_units()}
    for check in run.checks("FAILED"):
        unit = unit_of(check["file_abs_path"], scanned)
        assert unit is not None, check["file_abs_path"]
        resource = check["resource"]
        if "::" in resource:  # CloudFormation: "AWS::IAM::Role.LogicalId"
            resource = resource.rsplit(".", 1)[1]
        out[unit].add((_resource_key(resource), "PL" + check["check_id"].removeprefix("CKV_PRIVLINT_")))
    return out


def privlint_verdicts(scanned: Path) -> dict[str, set[tuple[str, str]]]:
    """(resource, rule id) per fixture unit from `privlint check --format json`, for the rules the bundle covers."""
    done = run_cli("check", "--format", "json", *IAC_FIXTURE_TREES, cwd=scanned)
    assert done.returncode in (0, 1), done.stderr
    out: dict[str, set[tuple[str, str]]] = {u: set() for u in fixture_units()}
    for finding in json.loads(done.stdout)["findings"]:
        if finding["rule_id"] in COVERED_IDS and not finding["suppressed"]:
            unit = unit_of(finding["file"], scanned)
            assert unit is not None, finding["file"]
            out[unit].add((_resource_key(finding["resource"]), finding["rule_id"]))
    return out


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Terraform and CloudFormation fixtures (checkov and privlint read the same files)."""
    root = tmp_path_factory.mktemp("scan")
    copy_iac_fixtures(root)
    return root


@pytest.fixture(scope="module")
def expected(scanned: Path) -> dict[str, set[tuple[str, str]]]:
    return privlint_verdicts(scanned)


@pytest.fixture(scope="module")
def repo_run(checkov: Path, scanned: Path) -> CheckovRun:
    return run_checkov(checkov, scanned, "--external-checks-dir", str(ROOT / "policies"), cwd=scanned)


@pytest.fixture(scope="module")
def repo_verdicts(repo_run: CheckovRun, scanned: Path) -> dict[str, set[tuple[str, str]]]:
    return checkov_verdicts(repo_run, scanned)


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle as a pip user exports it: through the real `privlint checkov-bundle` command."""
    out = tmp_path_factory.mktemp("bundle") / "privlint-checkov"
    done = run_cli("checkov-bundle", "--output", str(out))
    assert done.returncode == 0, done.stderr
    return out


# --------------------------------------------------------------------------- parity


def _gaps(unit: str) -> set[tuple[str, str]]:
    return {(resource, rule) for (u, resource, rule) in KNOWN_GAPS if u == unit}


@pytest.mark.parametrize("unit", fixture_units())
def test_checkov_reports_what_privlint_reports(unit: str, repo_verdicts: dict[str, set[tuple[str, str]]], expected: dict[str, set[tuple[str, str]]]) -> None:
    got = repo_verdicts[unit]
    gaps = _gaps(unit)
    assert gaps <= expected[unit] and not gaps & got, f"KNOWN_GAPS entry for {unit} is stale"
    assert got == expected[unit] - gaps


def test_bad_fixtures_fail_in_checkov(repo_run: CheckovRun, repo_verdicts: dict[str, set[tuple[str, str]]]) -> None:
    """The parity above is not vacuous: every covered rule fails somewhere, and the load was clean."""
    assert {rule for found in repo_verdicts.values() for _, rule in found} == COVERED_IDS
    assert_clean_load(repo_run)


def test_checks_carry_privlint_metadata(repo_run: CheckovRun) -> None:
    catalog = load_catalog()
    for check in repo_run.checks("FAILED"):
        rule_id = "PL" + check["check_id"].removeprefix("CKV_PRIVLINT_")
        assert check["severity"] == catalog[rule_id].severity.value.upper()
        assert f"privlint explain {rule_id}" in check["guideline"]
        assert catalog[rule_id].name in check["check_name"]


def test_exported_bundle_gives_the_same_verdicts(checkov: Path, bundle_dir: Path, repo_verdicts: dict[str, set[tuple[str, str]]], scanned: Path) -> None:
    assert sorted(p.name for p in bundle_dir.iterdir()) == sorted(["__init__.py", LOADER_NAME, LIBRARY_ARCHIVE])
    run = run_checkov(checkov, scanned, "--external-checks-dir", str(bundle_dir), cwd=scanned)
    assert_clean_load(run)
    assert checkov_verdicts(run, scanned) == repo_verdicts


def test_bundle_through_external_checks_git(
    checkov: Path, bundle_dir: Path, repo_verdicts: dict[str, set[tuple[str, str]]], scanned: Path, tmp_path: Path
) -> None:
    """--external-checks-git clones a repository and loads every directory in it: a repository holding the bundle."""
    repo = tmp_path / "privlint-checkov.git"
    shutil.copytree(bundle_dir, repo)
    git = ["git", "-c", "user.name=privlint tests", "-c", "user.email=tests@privlint.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "privlint checkov bundle"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    run = run_checkov(checkov, scanned, "--external-checks-git", repo.as_uri(), cwd=scanned)
    assert_clean_load(run)
    assert checkov_verdicts(run, scanned) == repo_verdicts


def _commit_working_tree(repo: Path) -> None:
    """A git repository holding this checkout's files as they are now (committed or not, minus ignored ones)."""
    listed = (
        subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # deleted but not yet committed files are listed too
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git = ["git", "-c", "user.name=privlint tests", "-c", "user.email=tests@privlint.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "privlint"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)


# checkov reads every YAML/JSON file of a loaded repository as a possible graph policy: it warns about each
# data file, and logs an error (once per framework) for .pre-commit-hooks.yaml, which pre-commit needs at the
# root and needs to be a list.
PRE_COMMIT_MANIFEST_ERROR = "[ERROR]  Loaded data from JSON is not Dict. Skipping. Data: [{'id': 'privlint'"
# checkov's own warning on templates with Fn::ForEach (wildcard-action/*-foreach.template), which it does not expand.
CHECKOV_FOREACH_WARNING = "Failed to create a new template with enriched resources"
DATA_FILE_WARNING = re.compile(r"\[WARNI\]  Custom policy \S+_checks/(?:clone|result)/(\S+) is missing required fields")


def test_this_repository_through_external_checks_git(checkov: Path, repo_verdicts: dict[str, set[tuple[str, str]]], scanned: Path, tmp_path: Path) -> None:
    """checkov clones the whole repository and walks all of it: only the bundle's loader may run.

    checkov clones into the working directory, which here is the scanned directory, as with ``checkov -d .``;
    ``--skip-path _checks/`` keeps it from scanning the clone's own fixtures (README, "checkov").
    """
    repo = tmp_path / "privlint.git"
    _commit_working_tree(repo)
    run = run_checkov(
        checkov,
        scanned,
        "--external-checks-git",
        repo.as_uri(),
        "--skip-path",
        "_checks/",
        cwd=scanned,
        LOG_LEVEL="DEBUG",
        CHECKOV_PARALLELIZATION_TYPE="none",  # forked workers can deadlock on DEBUG logging
    )
    executed = set(re.findall(r"Importing external check '([^']+)'", run.stderr))
    assert executed == {LOADER_NAME.removesuffix(".py")}, f"checkov executed privlint modules as checks: {sorted(executed)}"
    for marker in ("Traceback", "Cannot load external check", "Failed to run check", "Failed to invoke function"):
        assert marker not in run.stderr, run.stderr[-3000:]
    errors = [line for line in run.stderr.splitlines() if "[ERROR]" in line]
    assert errors and all(PRE_COMMIT_MANIFEST_ERROR in line for line in errors), errors
    for line in run.stderr.splitlines():
        if "[WARNI]" in line and CHECKOV_FOREACH_WARNING not in line:
            data_file = DATA_FILE_WARNING.search(line)
            assert data_file and (repo / data_file.group(1)).is_file(), line
    assert checkov_verdicts(run, scanned) == repo_verdicts


def test_no_module_or_directory_shadows_what_checkov_imports(checkov: Path) -> None:
    """checkov puts each directory of a loaded repository on sys.path, ahead of its own environment."""
    listed = subprocess.run(
        [str(checkov.parent / "python"), "-I", "-c", "import pkgutil; print(*sorted({m.name for m in pkgutil.iter_modules()}))"],
        capture_output=True,
        text=True,
        check=True,
        env=checkov_env(),
    ).stdout.split()
    assert len(listed) > 100  # checkov, its dependencies and the standard library
    ours = {f.stem for f in tracked_files() if f.suffix == ".py"} | {part for f in tracked_files() for part in f.parent.parts}
    assert not ours & set(listed)


def readme_checkov_commands() -> list[str]:
    """The shell lines of docs/checkov.md, in order."""
    section = (ROOT / "docs" / "checkov.md").read_text(encoding="utf-8")
    return [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines() if line.strip()]


def test_readme_checkov_snippets_run_as_written(checkov: Path, tmp_path: Path) -> None:
    """Each command of docs/checkov.md, from a privlint checkout with the user's code in infra/."""
    commands = readme_checkov_commands()
    assert len(commands) == 7 and sum("bin/checkov -d infra/" in c for c in commands) == 3, commands
    assert sum(c.endswith("privlint_checks.py --self-test") for c in commands) == 2, commands
    checkout = tmp_path / "privlint"
    _commit_working_tree(checkout)  # also the repository that --external-checks-git clones
    shutil.copytree(FIXTURES / "rules/PL201-wildcard-action/terraform/bad", checkout / "infra" / "terraform")
    shutil.copy(FIXTURES / "rules/PL201-wildcard-action/cloudformation/bad/main.template", checkout / "infra" / "template.yaml")
    (checkout / ".venv-checkov").symlink_to(checkov.parent.parent, target_is_directory=True)
    env = {**checkov_env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    found = json.loads(run_cli("check", "--format", "json", "infra", cwd=checkout).stdout)["findings"]
    expected = {(_resource_key(f["resource"]), f["rule_id"]) for f in found if f["rule_id"] in COVERED_IDS}
    assert {rule for _, rule in expected} == {"PL201"} and len(expected) >= 3, expected
    for command in commands:
        if command.startswith("python3 -m venv"):  # the checkov fixture built this environment, same version
            assert re.search(r"'checkov==([\d.]+)\.\*'", command).group(1) == CHECKOV_VERSION.rsplit(".", 1)[0]
            continue
        command = command.replace("https://github.com/OWNER/privlint", checkout.as_uri())
        done = subprocess.run(command, shell=True, cwd=checkout, env=env, capture_output=True, text=True, timeout=900)
        if "bin/checkov" not in command:
            assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
            assert "--self-test" not in command or "privlint checkov bundle OK" in done.stdout, (command, done.stdout)
            continue
        assert done.returncode == 1, (command, done.stdout[-2000:], done.stderr[-2000:])
        failed = {
            (_resource_key(resource.rsplit(".", 1)[1] if "::" in resource else resource), "PL" + number)
            for number, resource in re.findall(r"Check: CKV_PRIVLINT_(\d+)\b.*?\n\tFAILED for resource: (\S+)", done.stdout)
        }
        assert failed == expected, (command, done.stdout[-3000:])


# --------------------------------------------------------------------------- self-test


def self_test(checkov: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    """What docs/checkov.md says to run: checkov's Python on the bundle's loader, with --self-test."""
    return subprocess.run(
        [str(checkov.parent / "python"), str(bundle / LOADER_NAME), "--self-test"],
        capture_output=True,
        text=True,
        env=checkov_env(),
        timeout=900,
    )


def test_self_test_passes_for_the_checkout_and_the_exported_bundle(checkov: Path, bundle_dir: Path) -> None:
    for bundle in (ROOT / "policies", bundle_dir):
        done = self_test(checkov, bundle)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"OK: {len(COVERED)} checks loaded from {bundle}" in done.stdout


def test_self_test_fails_when_checks_do_not_load(checkov: Path, bundle_dir: Path, tmp_path: Path) -> None:
    """A bundle whose wildcard rules are missing: checkov only logs it, the self-test names each dead check."""
    broken = tmp_path / "broken-bundle"
    shutil.copytree(bundle_dir, broken)
    with zipfile.ZipFile(bundle_dir / LIBRARY_ARCHIVE) as source, zipfile.ZipFile(broken / LIBRARY_ARCHIVE, "w") as target:
        for item in source.infolist():
            if item.filename != "privlint/rules/wildcard.py":
                target.writestr(item, source.read(item))
    done = self_test(checkov, broken)
    assert done.returncode == 1, done.stdout + done.stderr
    dead = set(re.findall(r"(CKV_PRIVLINT_\d+) did not fail on the (\w+) sample", done.stdout))
    assert dead == {(check_id("PL" + str(n)), framework) for n in range(201, 206) for framework in ("terraform", "cloudformation")}


def test_self_test_samples_break_each_rule_once_in_privlint_too() -> None:
    from privlint.integrations.checkov_selftest import CLOUDFORMATION_SAMPLE, TERRAFORM_SAMPLE, expected_failures

    terraform = privlint.scan_text(TERRAFORM_SAMPLE, format="terraform")
    cloudformation = privlint.scan_text(CLOUDFORMATION_SAMPLE, format="cloudformation")
    assert sorted(f.rule_id for f in terraform.findings) == sorted(r.rule_id for r in COVERED)
    assert sorted(f.rule_id for f in cloudformation.findings) == sorted(r.rule_id for r in COVERED if r.cloudformation)
    assert len(expected_failures()) == len(terraform.findings) + len(cloudformation.findings)


# --------------------------------------------------------------------------- skip comments

SKIPPED_TF = """\
resource "aws_iam_policy" "accepted" {
  #checkov:skip=CKV_PRIVLINT_201:break-glass policy, reviewed in RISK-42
  name   = "accepted"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::example-bucket/*" }] })
}

resource "aws_iam_policy" "not_accepted" {
  name   = "not-accepted"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::example-bucket/*" }] })
}
"""

SKIPPED_CFN = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AcceptedPolicy:
    Type: AWS::IAM::ManagedPolicy
    Metadata:
      checkov:
        skip:
          - id: CKV_PRIVLINT_201
            comment: break-glass policy, reviewed in RISK-42
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: '*'
            Resource: arn:aws:s3:::example-bucket/*
  NotAcceptedPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: '*'
            Resource: arn:aws:s3:::example-bucket/*
"""


def test_checkov_skip_comments_apply_to_privlint_checks(checkov: Path, tmp_path: Path) -> None:
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(SKIPPED_TF)
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "template.yaml").write_text(SKIPPED_CFN)
    run = run_checkov(checkov, tmp_path, "--external-checks-dir", str(ROOT / "policies"), cwd=tmp_path)
    skipped = {(c["resource"], c["check_id"]) for c in run.checks("SKIPPED")}
    failed = {(c["resource"], c["check_id"]) for c in run.checks("FAILED")}
    assert skipped == {("aws_iam_policy.accepted", "CKV_PRIVLINT_201"), ("AWS::IAM::ManagedPolicy.AcceptedPolicy", "CKV_PRIVLINT_201")}
    assert {("aws_iam_policy.not_accepted", "CKV_PRIVLINT_201"), ("AWS::IAM::ManagedPolicy.NotAcceptedPolicy", "CKV_PRIVLINT_201")} <= failed
    reasons = {c["check_result"].get("suppress_comment") for c in run.checks("SKIPPED")}
    assert reasons == {"break-glass policy, reviewed in RISK-42"}


# --------------------------------------------------------------------------- the bundle's own shape (no checkov needed)


def test_policies_dir_is_the_exported_loader(tmp_path: Path) -> None:
    """policies/ is `write_bundle(..., with_library=False)`: regenerate it after changing the loader."""
    write_bundle(tmp_path, with_library=False)
    for name in ("__init__.py", LOADER_NAME):
        assert (ROOT / "policies" / name).read_bytes() == (tmp_path / name).read_bytes(), f"policies/{name} is stale"
    assert sorted(p.name for p in (ROOT / "policies").iterdir() if p.name != "__pycache__") == ["__init__.py", LOADER_NAME]


def test_every_core_rule_is_a_check_or_says_why_not() -> None:
    """A new AWS Terraform/CloudFormation rule must join the bundle or be listed with a reason."""
    import yaml

    aws_families = ("engine", "admin_mfa", "wildcard", "credentials", "hygiene")
    core = {
        k: v for family in aws_families for k, v in yaml.safe_load((ROOT / "privlint" / "rules" / f"{family}.yaml").read_text()).items() if k.startswith("PL")
    }
    for rule_id, entry in core.items():
        if {"terraform", "cloudformation"} & set(entry.get("formats", [])):
            assert rule_id in COVERED_IDS or rule_id in NOT_COVERED, rule_id
    assert not COVERED_IDS & set(NOT_COVERED)


def test_check_ids_follow_rule_ids() -> None:
    assert [rule.check_id for rule in COVERED] == [check_id(rule.rule_id) for rule in COVERED]
    assert check_id("PL201") == "CKV_PRIVLINT_201"


# --------------------------------------------------------------------------- the adapter on checkov-shaped input


def test_rendered_terraform_strings_become_privlint_markers() -> None:
    from privlint.model.values import PartialString, Reference, Unknown
    from privlint.normalize.checkov_adapter import terraform_string

    ref = terraform_string("data.aws_iam_policy_document.admin.json")
    assert isinstance(ref, Reference) and (ref.address, ref.attribute) == ("data.aws_iam_policy_document.admin", "json")
    assert isinstance(terraform_string("module.db.aws_db_instance.main[0].password"), Reference)
    for unevaluated in ("var.db_password", "local.name", 'file("policy.json")', '${file("${path.module}/p.json")}'):
        assert isinstance(terraform_string(unevaluated), Unknown), unevaluated
    partial = terraform_string("arn:aws:s3:::${var.bucket}/*")
    assert isinstance(partial, PartialString) and partial.parts == ("arn:aws:s3:::", None, "/*")
    assert terraform_string("Xk9#mPq2vL7!wR4t") == "Xk9#mPq2vL7!wR4t"


@pytest.mark.parametrize(
    ("meta", "creates_nothing"),
    [
        ({"count": [0]}, True),
        ({"count": ["0"]}, True),
        ({"count": [0.0]}, True),
        ({"for_each": ["[set()]"]}, True),
        ({"for_each": [[]]}, True),
        ({"for_each": [{}]}, True),
        ({"for_each": ["toset([])"]}, True),
        ({}, False),
        ({"count": [1]}, False),
        ({"count": [False]}, False),
        ({"count": ["${var.enabled ? 1 : 0}"]}, False),
        ({"for_each": [{"a"}]}, False),
        ({"for_each": ["var.names"]}, False),
        ({"for_each": [{"a": 1}]}, False),
    ],
)
def test_blocks_terraform_does_not_create_get_no_verdict(meta: dict[str, list[object]], creates_nothing: bool) -> None:
    """count = 0 or an empty for_each: no resource, so the check gives no verdict; an unevaluated value counts as one."""
    from privlint.normalize.checkov_adapter import terraform_creates_nothing

    assert terraform_creates_nothing({"__address__": "aws_iam_policy.p", **meta}) is creates_nothing


def test_one_checkov_resource_normalises_like_privlint() -> None:
    """checkov's conf of a security group and of a policy document give the findings privlint's own parse gives."""
    from privlint.integrations.checkov_rules import covered_rule, hits

    group = {
        "__start_line__": 1,
        "__end_line__": 9,
        "__address__": "aws_security_group.bastion",
        "name": ["bastion"],
        "ingress": [{"cidr_blocks": [["0.0.0.0/0"]], "from_port": [22], "protocol": ["tcp"], "to_port": [22]}],
    }
    found = hits(covered_rule("PL401"), "terraform", group, "aws_security_group")  # type: ignore[arg-type]
    assert [h.resource for h in found] == ["aws_security_group.bastion"]
    document = {
        "__address__": "aws_iam_policy_document.editor",
        "statement": [{"actions": [["iam:*Policy*"]], "resources": [["arn:aws:iam::123456789012:role/app-*"]]}],
    }
    found = hits(covered_rule("PL204"), "terraform", document, "aws_iam_policy_document", "data")  # type: ignore[arg-type]
    assert [h.resource for h in found] == ["data.aws_iam_policy_document.editor"]
    secret_from_store = {"__address__": "aws_db_instance.x", "password": ["random_password.db.result"], "username": ["app"]}
    assert hits(covered_rule("PL301"), "terraform", secret_from_store, "aws_db_instance") == []  # type: ignore[arg-type]


def test_readme_table_of_checks_is_current() -> None:
    """Regenerate with `python -m privlint.integrations.checkov_rules` after changing COVERED or NOT_COVERED."""
    from privlint.integrations.checkov_rules import TABLE_END, TABLE_START, readme_table

    assert f"{TABLE_START}\n{readme_table()}\n{TABLE_END}" in (ROOT / "docs" / "checkov.md").read_text(encoding="utf-8")

"""The pre-commit hook, run by the real pre-commit in a throwaway repository that uses this one.

The project repository's ``.pre-commit-config.yaml`` points at a local clone of this checkout's
HEAD (pre-commit installs hooks from a git revision, so the hook must be committed). pre-commit
builds the hook's environment with pip; it is cached under ``$PRIVLINT_TEST_CACHE`` (default:
privlint-tests in the temp dir).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TEST_CACHE

CACHE = TEST_CACHE
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "privlint tests",
    "GIT_AUTHOR_EMAIL": "tests@privlint.invalid",
    "GIT_COMMITTER_NAME": "privlint tests",
    "GIT_COMMITTER_EMAIL": "tests@privlint.invalid",
}

SECURITY_GROUP_BAD = """\
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = local.anywhere
}
"""
SECURITY_GROUP_FIXED = SECURITY_GROUP_BAD.replace("local.anywhere", "local.vpn")
LOCALS = """\
locals {
  anywhere = ["0.0.0.0/0"]
  vpn      = ["10.20.0.0/16"]
}
"""
GOOD_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Reports:
    Type: AWS::S3::Bucket
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(GIT_IDENTITY, PRE_COMMIT_HOME=str(CACHE / "pre-commit"), NO_COLOR="1")
    return env


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=_env(), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def privlint_clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone of this checkout's HEAD, as a user's config would name the privlint repository."""
    if subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode != 0:
        pytest.fail("pre-commit is not installed in this environment: pip install -e '.[dev]' installs it")
    clone = tmp_path_factory.mktemp("privlint") / "privlint"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True, env=_env())
    assert (clone / ".pre-commit-hooks.yaml").is_file(), "HEAD has no .pre-commit-hooks.yaml: commit it first"
    return clone, _git("rev-parse", "HEAD", cwd=clone)


def test_hook_definition() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["privlint"]
    assert (hook["language"], hook["entry"], hook["pass_filenames"]) == ("python", "privlint check", True)
    import re

    files = re.compile(hook["files"])
    for name in ("main.tf", "main.tf.json", "prod.auto.tfvars", "stack.yaml", "stack.yml", "stack.json", "stack.template"):
        assert files.search(name), name
    for name in ("main.py", "README.md", "main.tf.bak"):
        assert not files.search(name), name


def test_hook_fails_on_a_bad_file_then_passes_once_fixed(privlint_clone: tuple[Path, str], tmp_path: Path) -> None:
    clone, rev = privlint_clone
    project = tmp_path / "project"
    (project / "network").mkdir(parents=True)
    _git("init", "-q", cwd=project)
    config = {"repos": [{"repo": str(clone), "rev": rev, "hooks": [{"id": "privlint"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    # locals.tf is committed before: the staged file refers to it, and the hook must still resolve it.
    (project / "network" / "locals.tf").write_text(LOCALS)
    _git("add", ".", cwd=project)
    _git("commit", "-q", "-m", "base", cwd=project)

    (project / "network" / "ssh.tf").write_text(SECURITY_GROUP_BAD)
    (project / "reports.yaml").write_text(GOOD_TEMPLATE)
    _git("add", "network/ssh.tf", "reports.yaml", cwd=project)
    failed = _pre_commit("run", cwd=project)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "PL401" in failed.stdout and "aws_security_group_rule.ssh" in failed.stdout, failed.stdout
    assert "network/ssh.tf" in failed.stdout and "locals.tf" not in failed.stdout

    (project / "network" / "ssh.tf").write_text(SECURITY_GROUP_FIXED)
    _git("add", "network/ssh.tf", cwd=project)
    passed = _pre_commit("run", cwd=project)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "privlint" in passed.stdout and "Passed" in passed.stdout


def test_drift_hook_fails_on_unapproved_changes_then_passes(privlint_clone: tuple[Path, str], tmp_path: Path) -> None:
    drift = ROOT / "fixtures" / "drift"
    clone, rev = privlint_clone
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    hook = {"id": "privlint-drift", "args": ["--plan", "plan.json", "--register", "changes.yaml"]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": str(clone), "rev": rev, "hooks": [hook]}]}))
    (project / "changes.yaml").write_text((drift / "changes.yaml").read_text())
    (project / "plan.json").write_text((drift / "plan-drift.json").read_text())
    _git("add", ".", cwd=project)
    failed = _pre_commit("run", cwd=project)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "PL501" in failed.stdout, failed.stdout

    (project / "plan.json").write_text((drift / "plan-noop.json").read_text())
    _git("add", "plan.json", cwd=project)
    passed = _pre_commit("run", cwd=project)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def readme_pre_commit_snippets() -> tuple[dict, str]:
    """The README's pre-commit section: the .pre-commit-config.yaml example and the try-repo command."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n### pre-commit\n") :]
    section = section[: section.index("\n### ", 1)]
    config = next(yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if b.lstrip().startswith("repos:"))
    (command,) = [line for b in re.findall(r"```sh\n(.*?)```", section, re.S) for line in b.splitlines() if line.strip()]
    return config, command


def test_readme_pre_commit_snippets_run_as_written(privlint_clone: tuple[Path, str], tmp_path: Path) -> None:
    """The README's config (repo URL pointed at the clone, its rev tagged there) and its try-repo command."""
    import shlex

    clone, _ = privlint_clone
    config, command = readme_pre_commit_snippets()
    repo = config["repos"][0]
    assert repo["repo"] == "https://github.com/OWNER/privlint" and [h["id"] for h in repo["hooks"]] == ["privlint"]
    if subprocess.run(["git", "rev-parse", "-q", "--verify", f"refs/tags/{repo['rev']}"], cwd=clone, capture_output=True).returncode:
        _git("tag", repo["rev"], cwd=clone)
    repo["repo"] = str(clone)

    workspace = tmp_path / "workspace"
    project = workspace / "project"
    (project / "infra").mkdir(parents=True)
    (workspace / "privlint").symlink_to(clone, target_is_directory=True)  # the try-repo command's ../privlint
    _git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (project / "infra" / "main.tf").write_text(SECURITY_GROUP_BAD + LOCALS)
    _git("add", ".", cwd=project)

    for run in (_pre_commit("run", cwd=project), _pre_commit(*shlex.split(command)[1:], cwd=project)):
        assert run.returncode == 1, run.stdout + run.stderr
        assert "PL401" in run.stdout and "infra/main.tf" in run.stdout, run.stdout

"""The result cache: a warm run reports exactly what a cold one does, notices every change, trusts nothing it did not write."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from privlint.model.findings import Report
from privlint.pipeline.cache import ResultCache
from privlint.pipeline.engine import Scanner

ROOT_MODULE = """
module "admins" {
  source = "./modules/admins"
  names  = ["alice"]
}
"""
ADMINS_MODULE = """
variable "names" { type = list(string) }

resource "aws_iam_user" "u" {
  for_each = toset(var.names)
  name     = each.value
}

resource "aws_iam_user_policy" "p" {
  for_each = aws_iam_user.u
  user     = each.value.name
  policy   = file("${path.module}/policy.json")
}
"""
ADMIN_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
READ_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "infra"
    (root / "modules" / "admins").mkdir(parents=True)
    (root / "main.tf").write_text(ROOT_MODULE)
    (root / "modules" / "admins" / "main.tf").write_text(ADMINS_MODULE)
    (root / "modules" / "admins" / "policy.json").write_text(ADMIN_POLICY)
    return root


def scan(path: Path, cache_dir: Path | None) -> tuple[Report, ResultCache | None]:
    scanner = Scanner()
    if cache_dir is not None:
        scanner.cache = ResultCache(cache_dir)
    return scanner.scan_paths([str(path)]), scanner.cache


def rules(report: Report) -> list[tuple[str, str]]:
    return sorted((f.rule_id, f.resource) for f in report.findings)


def test_a_warm_run_reports_exactly_what_a_cold_run_and_no_cache_do(tmp_path: Path) -> None:
    corpus = FIXTURES / "rules"
    uncached, _ = scan(corpus, None)
    cold, cold_cache = scan(corpus, tmp_path / "cache")
    warm, warm_cache = scan(corpus, tmp_path / "cache")
    assert cold_cache is not None and warm_cache is not None
    # Only modules holding a credential value are evaluated again: they are never stored.
    assert warm_cache.hits > 10 * warm_cache.misses
    assert uncached.model_dump_json() == cold.model_dump_json() == warm.model_dump_json()


def test_a_changed_module_file_is_evaluated_again(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first, _ = scan(tree, cache_dir)
    assert ("PL101", 'module.admins.aws_iam_user.u["alice"]') in rules(first)
    (tree / "main.tf").write_text(ROOT_MODULE.replace('["alice"]', '["alice", "bob"]'))
    second, _ = scan(tree, cache_dir)
    assert ("PL101", 'module.admins.aws_iam_user.u["bob"]') in rules(second)


def test_a_changed_file_read_by_file_is_evaluated_again(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    scan(tree, cache_dir)
    (tree / "modules" / "admins" / "policy.json").write_text(READ_POLICY)
    after, cache = scan(tree, cache_dir)
    assert cache is not None and cache.misses > 0
    assert not [r for r in rules(after) if r[0] == "PL101"]


def test_a_new_file_in_a_called_module_is_read(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    scan(tree, cache_dir)
    (tree / "modules" / "admins" / "extra.tf").write_text(
        'resource "aws_iam_user" "carol" { name = "carol" }\n'
        'resource "aws_iam_user_policy_attachment" "a" {\n'
        "  user = aws_iam_user.carol.name\n"
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    after, _ = scan(tree, cache_dir)
    assert ("PL101", "module.admins.aws_iam_user.carol") in rules(after)


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.glob("*.json"))


def test_entries_are_authenticated_data_not_pickles(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    expected = rules(scan(tree, cache_dir)[0])
    entries = _entries(cache_dir)
    assert entries
    for entry in entries:
        mac, _, body = entry.read_bytes().partition(b"\n")
        assert len(mac) == 64 and body.startswith(b"{")
        # Someone else's entry: the same shape with the findings taken out, and no valid MAC.
        entry.write_bytes(b"0" * 64 + b"\n" + body.replace(b"AdministratorAccess", b"ReadOnlyAccess").replace(b'"*"', b'"s3:GetObject"'))
    report, cache = scan(tree, cache_dir)
    assert cache is not None and cache.hits == 0
    assert rules(report) == expected


def test_an_entry_signed_with_another_key_is_not_trusted(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    expected = rules(scan(tree, cache_dir)[0])
    (cache_dir / "key").write_bytes(os.urandom(32))  # a cache restored from another machine's run
    report, cache = scan(tree, cache_dir)
    assert cache is not None and cache.hits == 0 and rules(report) == expected


def test_no_secret_is_written(tmp_path: Path) -> None:
    module = tmp_path / "db"
    module.mkdir()
    (module / "main.tf").write_text('resource "aws_db_instance" "d" {\n  username = "dbadmin"\n  password = "Sup3r-S3cret-Value"\n}\n')
    cache_dir = tmp_path / "cache"
    first, _ = scan(module, cache_dir)
    second, _ = scan(module, cache_dir)
    assert rules(first) == rules(second) and any(r[0] == "PL301" for r in rules(first))
    for path in cache_dir.rglob("*"):
        if path.is_file():
            assert b"Sup3r-S3cret-Value" not in path.read_bytes()


def test_a_directory_others_may_write_is_not_used(tree: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    _, cache = scan(tree, shared)
    assert cache is not None and not cache.usable
    assert list(shared.iterdir()) == []
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    _, cache = scan(tree, link)
    assert cache is not None and not cache.usable and list(target.iterdir()) == []


def test_the_command_line_cache_is_opt_in(tree: Path, tmp_path: Path) -> None:
    privlint = shutil.which("privlint") or str(Path(sys.executable).parent / "privlint")
    env = {**os.environ, "PRIVLINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PRIVLINT_CACHE", None)
    plain = subprocess.run([privlint, "check", str(tree), "-f", "json"], capture_output=True, text=True, env=env)
    assert not (tmp_path / "cache").exists()
    cold = subprocess.run([privlint, "check", "--cache", str(tree), "-f", "json"], capture_output=True, text=True, env=env)
    warm = subprocess.run([privlint, "check", str(tree), "-f", "json"], capture_output=True, text=True, env={**env, "PRIVLINT_CACHE": "1"})
    assert _entries(tmp_path / "cache")
    assert plain.returncode == cold.returncode == warm.returncode == 1
    assert plain.stdout == cold.stdout == warm.stdout


def test_a_new_file_that_fileset_lists_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "policies"
    (module / "documents").mkdir(parents=True)
    (module / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n'
        '  for_each = fileset("${path.module}/documents", "*.json")\n'
        "  name     = each.value\n"
        '  policy   = file("${path.module}/documents/${each.value}")\n}\n'
    )
    (module / "documents" / "read.json").write_text(READ_POLICY)
    cache_dir = tmp_path / "cache"
    assert not [r for r in rules(scan(module, cache_dir)[0]) if r[0] == "PL201"]
    (module / "documents" / "admin.json").write_text(ADMIN_POLICY)
    assert ("PL201", 'aws_iam_policy.p["admin.json"]') in rules(scan(module, cache_dir)[0])

"""Hostile input that used to hide findings or exhaust the machine: each ends quickly as a PL000 naming the
file and line, or is read; the other files' findings are kept. Every hostile input is built here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import privlint
from tests.conftest import run_cli
from tests.test_fuzz import bounded

ADMIN_TEMPLATE = (
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  U:\n    Type: AWS::IAM::User\n"
    "    Properties:\n      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess']\n"
)


def rules(report: privlint.Report, root: Path) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    for f in report.findings:
        out.setdefault(os.path.relpath(f.file, root), []).append((f.rule_id, f.line, f.message))
    return out


# --------------------------------------------------------------------------- YAML alias bombs


def billion_laughs(
    header: str = "AWSTemplateFormatVersion: '2010-09-09'\n", levels: int = 9, tail: str = "Resources: {X: {Type: 'AWS::IAM::User', Properties: {Tags: *a8}}}\n"
) -> str:
    lines = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"] + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return header + "\n".join(lines) + "\n" + tail


def merge_bomb(header: str = "AWSTemplateFormatVersion: '2010-09-09'\n", tail: str = "Resources: {X: {Type: 'AWS::IAM::User', Properties: *m11}}\n") -> str:
    lines = ["m0: &m0 {k: x}"] + [
        f"m{i}: &m{i} {{<<: [*m{i - 1}], n{i}: {{<<: *m{i - 1}}}, o{i}: {{<<: *m{i - 1}}}, p{i}: {{<<: *m{i - 1}}}}}" for i in range(1, 12)
    ]
    return header + "\n".join(lines) + "\n" + tail


@pytest.mark.parametrize("bomb, line", [(billion_laughs(), 7), (merge_bomb(), 9)], ids=["billion-laughs", "merge-keys"])
def test_yaml_alias_bombs_in_a_template_are_one_pl000_with_a_line(tmp_path: Path, bomb: str, line: int) -> None:
    assert len(bomb.encode()) < 900  # small files: the cost is in the expansion
    (tmp_path / "bomb.yaml").write_text(bomb)
    (tmp_path / "admin.yaml").write_text(ADMIN_TEMPLATE)
    with bounded("alias bomb"):
        found = rules(privlint.scan([str(tmp_path)]), tmp_path)
    assert [(r, n) for r, n, _ in found["bomb.yaml"]] == [("PL000", line)]
    assert "alias bomb" in found["bomb.yaml"][0][2]
    assert "PL101" in {r for r, _, _ in found["admin.yaml"]}  # the other file's findings are kept


def test_a_yaml_alias_that_contains_itself_is_a_pl000(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: &r {X: {Type: 'AWS::IAM::User', Properties: {Tags: [*r]}}}\n")
    with bounded("recursive alias"):
        found = rules(privlint.scan([str(tmp_path)]), tmp_path)
    assert [(r, n) for r, n, _ in found["loop.yaml"]] == [("PL000", 2)]


def test_a_yaml_file_with_many_shared_anchors_is_still_read(tmp_path: Path) -> None:
    # Aliases within budget are ordinary YAML: a template that reuses a tag list is read as written.
    (tmp_path / "t.yaml").write_text(ADMIN_TEMPLATE + "      Tags: &tags [{Key: a, Value: b}]\n  V:\n    Type: AWS::IAM::User\n    Properties: {Tags: *tags}\n")
    assert {r for r, _, _ in rules(privlint.scan([str(tmp_path)]), tmp_path)["t.yaml"]} == {"PL101"}


def test_yaml_bombs_in_drift_inputs_end_as_pl000(tmp_path: Path) -> None:
    (tmp_path / "drift.yaml").write_text(billion_laughs(header="", tail="StackResourceDrifts: *a8\n"))
    (tmp_path / "register.yaml").write_text(merge_bomb(header="", tail="changes: [*m11]\n"))
    for side in ("baseline", "current"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "t.yaml").write_text(billion_laughs())
    with bounded("drift bombs"):
        report = privlint.drift(cfn_drift=tmp_path / "drift.yaml", register=tmp_path / "register.yaml")
        snapshots = privlint.drift(baseline=tmp_path / "baseline", current=tmp_path / "current")
    problems = {(os.path.basename(f.file), f.rule_id) for f in [*report.findings, *snapshots.findings]}
    assert {("drift.yaml", "PL000"), ("register.yaml", "PL000"), ("t.yaml", "PL000")} <= problems
    assert all("alias bomb" in f.message for f in [*report.findings, *snapshots.findings] if f.rule_id == "PL000")


def test_a_yaml_bomb_in_the_configuration_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".privlint.yaml").write_text(merge_bomb(header="", tail="ignore: [*m11]\n"))
    (tmp_path / "t.yaml").write_text(ADMIN_TEMPLATE)
    result = run_cli("check", str(tmp_path), "--config", str(tmp_path / ".privlint.yaml"))
    assert result.returncode == 2 and "alias bomb" in result.stderr and "Traceback" not in result.stderr
    assert ".privlint.yaml:" in result.stderr

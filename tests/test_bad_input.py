"""Bad input: a clear parse-error finding naming the file and line, never a traceback, nothing lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import privlint

GOOD_SSH = 'resource "aws_security_group_rule" "ssh" {\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n'


def rules_by_file(path: Path) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for f in privlint.scan([str(path)]).findings:
        out.setdefault(os.path.relpath(f.file, path), []).append((f.rule_id, f.line))
    return out


def test_one_broken_file_hides_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.tf").write_text('resource "aws_iam_user" "u" {\n  name = \n}\n')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "sg.tf").write_text(GOOD_SSH)
    (tmp_path / "c.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: [unclosed\n")
    found = rules_by_file(tmp_path)
    assert found["b/sg.tf"] == [("PL401", 1)]
    assert found["a/broken.tf"][0][0] == "PL000" and found["a/broken.tf"][0][1] == 2
    assert found["c.yaml"][0][0] == "PL000" and found["c.yaml"][0][1] >= 3


def test_a_broken_file_in_a_module_keeps_the_module_other_files(tmp_path: Path) -> None:
    (tmp_path / "sg.tf").write_text(GOOD_SSH)
    (tmp_path / "bad.tf").write_text("resource {{{\n")
    found = rules_by_file(tmp_path)
    assert found["sg.tf"] == [("PL401", 1)] and found["bad.tf"][0][0] == "PL000"


def test_empty_binary_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "empty.tf").write_text("")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "blob.tf").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "blob.json").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.tf").write_bytes(b"# caf\xe9\n" + GOOD_SSH.encode())
    found = rules_by_file(tmp_path)
    assert "empty.tf" not in found and "empty.yaml" not in found and "blob.json" not in found
    assert found["blob.tf"] == [("PL000", 1)]
    assert sorted(found["latin1.tf"]) == [("PL000", 1), ("PL401", 2)]


def test_directory_with_no_iac(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello")
    (tmp_path / "data.json").write_text('{"a": 1}')
    (tmp_path / "ci.yaml").write_text("jobs: {build: {}}\n")
    report = privlint.scan([str(tmp_path)])
    assert report.findings == [] and report.summary.files == 0


def test_symlinks_never_leave_the_scanned_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sg.tf").write_text(GOOD_SSH)
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.tf").symlink_to(outside / "sg.tf")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    assert privlint.scan([str(root)]).findings == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.tf"
    path.write_text(GOOD_SSH)
    path.chmod(0)
    try:
        found = rules_by_file(tmp_path)
    finally:
        path.chmod(0o600)
    assert found["secret.tf"][0][0] == "PL000"


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("Resources: {X: {Type: 'AWS::IAM::User', Properties: {Policies: *a29}}}")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    found = rules_by_file(tmp_path)
    assert found["bomb.yaml"][0][0] == "PL000"


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: !!python/object/apply:os.system ['touch pwned']\n")
    found = rules_by_file(tmp_path)
    assert found["evil.yaml"][0][0] == "PL000"
    assert not (tmp_path / "pwned").exists()


def test_deeply_nested_documents(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + "[" * 5000 + "]" * 5000 + "}")
    (tmp_path / "deep.tf").write_text("locals { x = " + "[" * 3000 + "]" * 3000 + " }\n")
    found = rules_by_file(tmp_path)
    assert found["deep.json"][0][0] == "PL000"
    assert set(found) <= {"deep.json", "deep.tf"}


def test_file_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.tf").write_text("# " + "x" * 2000 + "\n")
    report = privlint.scan([str(tmp_path)], {"max_file_size": 1000})
    assert [(f.rule_id, "limit" in f.message) for f in report.findings] == [("PL000", True)]


def test_missing_path_raises_for_the_api() -> None:
    with pytest.raises(FileNotFoundError):
        privlint.scan(["/nonexistent/privlint"])

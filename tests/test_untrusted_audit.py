"""The audit log is only ever a regular file: devices, FIFOs, directories and symlinks are clear errors, never
a hang or a write through a link; a log that lost only its final newline still verifies after the next run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from privlint.config_drift.audit import AuditLogError, append, verify
from tests.conftest import FIXTURES, run_cli
from tests.test_fuzz import bounded

PLAN = str(FIXTURES / "drift" / "plan-drift.json")


def hostile_logs(tmp_path: Path) -> dict[str, str]:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "target").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    return {
        "device": "/dev/zero",
        "fifo": str(tmp_path / "fifo"),
        "directory": str(tmp_path / "dir"),
        "symlink": str(tmp_path / "link"),
        "dangling": str(tmp_path / "dangling"),
    }


@pytest.mark.parametrize("kind", ["device", "fifo", "directory", "symlink", "dangling"])
def test_appending_to_anything_but_a_regular_file_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    path = hostile_logs(tmp_path)[kind]
    with bounded(f"append to {kind}"), pytest.raises(AuditLogError, match="audit log"):
        append(path, [{"event": "x"}])
    assert (tmp_path / "target").read_text() == "" and not (tmp_path / "nowhere").exists()  # nothing written through a link


@pytest.mark.parametrize("kind", ["device", "fifo", "directory", "symlink"])
def test_verifying_anything_but_a_regular_file_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    path = hostile_logs(tmp_path)[kind]
    with bounded(f"verify {kind}"), pytest.raises(AuditLogError):
        verify(path)


def test_the_cli_refuses_dev_zero_and_a_fifo_quickly(tmp_path: Path) -> None:
    logs = hostile_logs(tmp_path)
    for kind in ("device", "fifo"):
        drift = run_cli("drift", "--plan", PLAN, "--audit-log", logs[kind])
        checked = run_cli("audit", "verify", logs[kind])
        for result in (drift, checked):
            assert result.returncode == 2 and "not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_a_log_that_lost_only_its_final_newline_still_verifies_after_the_next_append(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append(str(log), [{"event": "first"}, {"event": "second"}])
    log.write_bytes(log.read_bytes().rstrip(b"\n"))  # e.g. an editor or a copy that dropped the last newline
    assert verify(str(log)).ok
    result = append(str(log), [{"event": "third"}])
    assert result.torn is None and result.first_line == 3
    checked = verify(str(log))
    assert checked.ok and checked.entries == 3, checked.errors
    assert log.read_bytes().endswith(b"\n") and log.read_bytes().count(b"\n") == 3


def test_a_really_torn_line_is_still_recorded_and_verifies(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append(str(log), [{"event": "first"}, {"event": "second"}])
    log.write_bytes(log.read_bytes()[:-20])  # a write interrupted mid-line
    result = append(str(log), [{"event": "third"}])
    assert result.torn is not None and result.torn.line == 2
    assert verify(str(log)).ok

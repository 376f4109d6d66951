"""The audit log: concurrent writers (real processes), tamper detection, torn lines after a crash."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, privlint_command
from privlint.config_drift.audit import GENESIS, append, verify

WRITERS = 6
BATCHES = 15
PER_BATCH = 4

# A writer process: waits for the start signal so that all of them append at the same moment,
# then appends BATCHES batches; each entry carries a payload long enough that a torn or
# interleaved write could not go unnoticed.
WRITER = """
import os, sys, time
from privlint.config_drift.audit import append
log, start, who, batches, per_batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
while not os.path.exists(start):
    time.sleep(0.001)
for b in range(batches):
    append(log, [{"writer": who, "batch": b, "item": i, "payload": who * 2000} for i in range(per_batch)])
"""


def _start_writers(tmp_path: Path, log: Path, start: Path) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return [subprocess.Popen([sys.executable, "-c", WRITER, str(log), str(start), f"w{n}", str(BATCHES), str(PER_BATCH)], env=env) for n in range(WRITERS)]


def test_concurrent_writers_lose_nothing_and_never_interleave(tmp_path: Path) -> None:
    log, start = tmp_path / "audit.jsonl", tmp_path / "go"
    writers = _start_writers(tmp_path, log, start)
    time.sleep(0.5)  # let every process reach the barrier
    start.touch()
    assert all(w.wait(timeout=120) == 0 for w in writers)

    lines = log.read_bytes().split(b"\n")
    assert lines.pop() == b""  # ends with a newline: no torn last line
    entries = [json.loads(line) for line in lines]  # every line is one whole JSON entry
    assert len(entries) == WRITERS * BATCHES * PER_BATCH
    seen = {(e["writer"], e["batch"], e["item"]) for e in entries}
    assert seen == {(f"w{n}", b, i) for n in range(WRITERS) for b in range(BATCHES) for i in range(PER_BATCH)}
    assert all(e["payload"] == e["writer"] * 2000 for e in entries)
    # A batch is written in one piece: its entries are consecutive.
    for n, entry in enumerate(entries):
        if entry["item"] > 0:
            assert (entries[n - 1]["writer"], entries[n - 1]["batch"], entries[n - 1]["item"]) == (entry["writer"], entry["batch"], entry["item"] - 1)
    result = verify(str(log))
    assert result.ok, result.errors
    assert result.entries == len(entries)


def test_concurrent_privlint_drift_runs_share_one_log(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    args = ["drift", "--plan", "fixtures/drift/plan-drift.json", "--register", "fixtures/drift/changes.yaml", "--audit-log", str(log), "--format", "json"]
    runs = [subprocess.Popen([*privlint_command(), *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    assert all(r.wait(timeout=300) == 1 for r in runs)  # findings: exit 1
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 4 * 7  # seven differences in plan-drift.json per run
    assert verify(str(log)).ok
    check = subprocess.run([*privlint_command(), "audit", "verify", str(log)], capture_output=True, text=True)
    assert check.returncode == 0 and "28 entries, hash chain intact" in check.stdout


def test_entries_record_every_difference_with_its_verdict(tmp_path: Path) -> None:
    import privlint

    log = tmp_path / "audit.jsonl"
    privlint.drift(plan=ROOT / "fixtures/drift/plan-drift.json", register=ROOT / "fixtures/drift/changes.yaml", audit_log=log)
    entries = {e["resource"]: e for e in map(json.loads, log.read_text().splitlines())}
    assert set(entries) == {
        "aws_iam_role.breakglass",
        "aws_security_group.bastion",
        "aws_s3_bucket.reports",
        "aws_lambda_function.exporter",
        "aws_iam_user.contractor",
        "aws_iam_user_policy_attachment.ops_admin",
        "aws_db_instance.orders",
    }
    approved = entries["aws_iam_role.breakglass"]
    assert (approved["change"], approved["verdict"], approved["attribute"]) == ("CHG-1042", "approved", "assume_role_policy")
    assert approved["time"].endswith("Z") and approved["prev"] == GENESIS
    lambda_entry = entries["aws_lambda_function.exporter"]
    assert lambda_entry["change"] == "UNAPPROVED" and lambda_entry["verdict"] == "unapproved"
    assert lambda_entry["reason"].startswith("too-few-approvers")
    # CCM-8: the security implications are stated even when there are none.
    assert (lambda_entry["security_relevant"], lambda_entry["security_implications"]) == (False, ["none identified"])
    assert (lambda_entry["before"], lambda_entry["after"]) == (256, 1024)
    assert entries["aws_iam_user.contractor"]["kind"] == "deleted"


# --------------------------------------------------------------------------- tampering


def _log_with(tmp_path: Path, count: int = 5) -> Path:
    log = tmp_path / "audit.jsonl"
    append(str(log), [{"resource": f"r{n}", "before": n, "after": n + 1} for n in range(count)])
    return log


def _verify_cli(log: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*privlint_command(), "audit", "verify", str(log)], capture_output=True, text=True)


def test_editing_a_past_line_is_detected_at_that_line(tmp_path: Path) -> None:
    log = _log_with(tmp_path)
    lines = log.read_text().splitlines()
    lines[2] = lines[2].replace('"after":3', '"after":30')  # still valid JSON
    log.write_text("\n".join(lines) + "\n")
    result = _verify_cli(log)
    assert result.returncode == 1
    assert f"{log}:3: error: entry was edited" in result.stdout


def test_recomputing_the_edited_lines_own_hash_breaks_the_chain_after_it(tmp_path: Path) -> None:
    from privlint.config_drift.audit import canonical_line, entry_hash

    log = _log_with(tmp_path)
    lines = log.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["after"] = 99
    forged["hash"] = entry_hash(forged)
    lines[1] = canonical_line(forged).decode().rstrip("\n")
    log.write_text("\n".join(lines) + "\n")
    result = _verify_cli(log)
    assert result.returncode == 1 and f"{log}:3: error: hash chain broken" in result.stdout


def test_deleting_or_reordering_lines_is_detected(tmp_path: Path) -> None:
    log = _log_with(tmp_path)
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:2] + lines[3:]) + "\n")  # line 3 removed
    result = _verify_cli(log)
    assert result.returncode == 1 and f"{log}:3: error: hash chain broken" in result.stdout

    log.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n")
    assert _verify_cli(log).returncode == 1

    log.write_text("\n".join(lines[1:]) + "\n")  # the first line removed
    result = _verify_cli(log)
    assert result.returncode == 1 and f"{log}:1: error: hash chain broken" in result.stdout


def test_garbage_in_the_middle_is_reported(tmp_path: Path) -> None:
    log = _log_with(tmp_path)
    lines = log.read_text().splitlines()
    lines[1] = "not json at all"
    log.write_text("\n".join(lines) + "\n")
    result = _verify_cli(log)
    assert result.returncode == 1
    assert f"{log}:2: error: not a valid JSON entry" in result.stdout


def test_an_intact_log_verifies_and_a_missing_one_is_a_usage_error(tmp_path: Path) -> None:
    log = _log_with(tmp_path)
    result = _verify_cli(log)
    assert result.returncode == 0 and "5 entries, hash chain intact" in result.stdout
    assert _verify_cli(tmp_path / "missing.jsonl").returncode == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert _verify_cli(empty).returncode == 0


# --------------------------------------------------------------------------- crash mid-write


def _crash_mid_write(log: Path) -> bytes:
    """What a process killed during its write leaves: the start of a line, no newline."""
    partial = b'{"time":"2026-11-20T10:00:00.000Z","source":"resource_drift","resource":"aws_iam_ro'
    with open(log, "ab") as handle:
        handle.write(partial)
    return partial


def test_a_torn_last_line_fails_verification_until_the_next_run_records_it(tmp_path: Path) -> None:
    log = _log_with(tmp_path, 3)
    partial = _crash_mid_write(log)
    result = _verify_cli(log)
    assert result.returncode == 1 and f"{log}:4: error: incomplete last line" in result.stdout

    import privlint

    report = privlint.drift(plan=ROOT / "fixtures/drift/plan-noop.json", audit_log=log)
    torn = [f for f in report.findings if f.rule_id == "PL515"]
    assert [(f.file, f.line) for f in torn] == [(str(log), 4)]
    assert "CCM-2" in torn[0].controls

    lines = log.read_bytes().split(b"\n")
    assert lines[3] == partial  # kept as it was: never dropped or overwritten
    marker = json.loads(lines[4])
    assert marker["event"] == "torn-line" and marker["torn_line"] == 4
    assert marker["torn_sha256"] == hashlib.sha256(partial).hexdigest()
    result = _verify_cli(log)
    assert result.returncode == 0, result.stdout
    assert f"{log}:4: note: torn line" in result.stdout

    # Reported once: the next run finds a clean log.
    again = privlint.drift(plan=ROOT / "fixtures/drift/plan-noop.json", audit_log=log)
    assert not [f for f in again.findings if f.rule_id == "PL515"]


def test_entries_after_a_torn_line_chain_to_the_last_good_entry(tmp_path: Path) -> None:
    log = _log_with(tmp_path, 2)
    _crash_mid_write(log)
    append(str(log), [{"resource": "after-crash"}])
    entries = [json.loads(line) for line in log.read_text().splitlines()[3:]]
    assert [e.get("event") for e in entries] == ["torn-line", None]
    assert entries[1]["resource"] == "after-crash"
    assert verify(str(log)).ok
    # Forging the torn-line record (to hide an edit) is itself detected.
    lines = log.read_text().splitlines()
    lines[2] = lines[2][:-3] + "xyz"
    log.write_text("\n".join(lines) + "\n")
    assert not verify(str(log)).ok


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX processes")
def test_a_writer_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    """flock is released by the kernel when a process dies, so a crash cannot wedge the log."""
    log = tmp_path / "audit.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)",
            str(log),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(timeout=10)
    append(str(log), [{"resource": "r"}])
    assert verify(str(log)).ok

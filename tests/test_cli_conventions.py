"""What users of checkov, trivy, tfsec and ruff expect of a linter's command line, run as the real command."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, privlint_command, run_cli

ADMIN_USER = "fixtures/rules/PL101-admin-without-mfa/terraform/bad/user"
MEDIUM_ONLY = "fixtures/rules/PL304-login-profile-without-reset/terraform/bad"  # PL304, medium


def test_version_option_module_and_subcommand() -> None:
    from privlint import __version__

    assert run_cli("--version").stdout.strip() == f"privlint {__version__}"
    module = subprocess.run(
        check=False,
        args=[sys.executable, "-m", "privlint", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert module.returncode == 0 and module.stdout.strip() == f"privlint {__version__}"
    assert run_cli("version").stdout.strip() == __version__


def test_output_file_for_check_drift_and_graph(tmp_path: Path) -> None:
    for args in (
        ("check", ADMIN_USER, "-f", "json"),
        ("drift", "--plan", "fixtures/drift/plan-drift.json", "-f", "json"),
        ("graph", "fixtures/escalation", "-f", "json"),
    ):
        out = tmp_path / f"{args[0]}.json"
        result = run_cli(*args, "-o", str(out))
        assert result.returncode in (0, 1), result.stderr
        assert result.stdout == "" and json.loads(out.read_text())
    assert run_cli("check", ADMIN_USER, "--output-file", str(tmp_path / "missing" / "x.txt")).returncode == 2


def test_quiet_prints_findings_only() -> None:
    loud = run_cli("check", ADMIN_USER).stdout
    quiet = run_cli("check", ADMIN_USER, "--quiet").stdout
    assert "scanned" in loud.splitlines()[-1] and "scanned" not in quiet
    assert [line for line in quiet.splitlines() if line] == [line for line in loud.splitlines() if line.startswith(ADMIN_USER)]


def test_exit_zero_and_soft_fail_and_fail_on_in_any_case() -> None:
    assert run_cli("check", ADMIN_USER).returncode == 1
    assert run_cli("check", ADMIN_USER, "--exit-zero").returncode == 0
    assert run_cli("check", ADMIN_USER, "--soft-fail").returncode == 0
    assert run_cli("check", MEDIUM_ONLY, "--fail-on", "HIGH").returncode == 0
    assert run_cli("check", MEDIUM_ONLY, "--fail-on", "Medium").returncode == 1
    assert run_cli("check", "no/such/dir", "--exit-zero").returncode == 2  # errors are never soft


def test_select_ignore_and_exclude_on_the_command_line(tmp_path: Path) -> None:
    def rules(*args: str) -> set[str]:
        return {f["rule_id"] for f in json.loads(run_cli("check", "fixtures/rules", "-f", "json", *args).stdout)["findings"]}

    everything = rules()
    assert rules("--select", "PL101") == {"PL101"}
    assert rules("--select", "PL101,PL304") == {"PL101", "PL304"} == rules("--select", "PL101", "--select", "PL304")
    assert "PL101" not in rules("--ignore", "admin-without-mfa") and rules("--ignore", "admin-without-mfa") < everything
    files = {f["file"] for f in json.loads(run_cli("check", "fixtures/rules", "-f", "json", "--exclude", "PL1*").stdout)["findings"]}
    assert files and not any("/PL1" in f for f in files)


def test_standard_input_with_and_without_a_format() -> None:
    tf = (ROOT / ADMIN_USER / "main.tf").read_text()
    cfn_text = (FIXTURES / "rules/PL101-admin-without-mfa/cloudformation/bad/user.template").read_text()

    def scan(text: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            check=False,
            args=[*privlint_command(), "check", "-", "-f", "json", *args],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=dict(os.environ, NO_COLOR="1"),
        )

    for text, args in (
        (tf, ()),
        (tf, ("--stdin-format", "terraform")),
        (cfn_text, ()),
        (cfn_text, ("--stdin-format", "cloudformation")),
    ):
        result = scan(text, *args)
        assert result.returncode == 1, result.stderr
        findings = json.loads(result.stdout)["findings"]
        assert {f["rule_id"] for f in findings} >= {"PL101"} and {f["file"] for f in findings} == {"<stdin>"}
    assert scan("", "--stdin-format", "nonsense").returncode == 2
    assert run_cli("check", ADMIN_USER, "--stdin-format", "terraform").returncode == 2  # no '-' to apply it to


def test_baseline_hides_known_findings_and_reports_new_ones(tmp_path: Path) -> None:
    module = tmp_path / "m"
    shutil.copytree(ROOT / ADMIN_USER, module)
    baseline = tmp_path / "baseline.json"
    created = run_cli("check", str(module), "--create-baseline", str(baseline))
    assert created.returncode == 0 and created.stdout == "" and json.loads(baseline.read_text())["findings"]
    known = run_cli("check", str(module), "--baseline", str(baseline))
    assert known.returncode == 0 and "No findings" in known.stdout and "baseline" in known.stderr
    main = module / "main.tf"
    extra = (
        'resource "aws_iam_user" "mallory" {\n  name = "mallory"\n}\n\nresource "aws_iam_user_policy_attachment" "m" {\n'
        '  user       = aws_iam_user.mallory.name\n  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    main.write_text("\n\n" + main.read_text() + extra)  # known lines move; one new admin user
    moved = json.loads(run_cli("check", str(module), "--baseline", str(baseline), "-f", "json").stdout)["findings"]
    assert moved and all("mallory" in f["resource"] for f in moved)
    (tmp_path / "bad.json").write_text("[1, 2")
    bad = run_cli("check", str(module), "--baseline", str(tmp_path / "bad.json"))
    assert bad.returncode == 2 and "bad.json" in bad.stderr and "Traceback" not in bad.stderr


def test_a_baseline_of_json_that_is_not_an_object_is_an_error_not_a_crash(tmp_path: Path) -> None:
    baseline = tmp_path / "list.json"
    baseline.write_text("[]")
    result = run_cli("check", str(ROOT / ADMIN_USER), "--baseline", str(baseline))
    assert result.returncode == 2 and "not a privlint baseline" in result.stderr and "Traceback" not in result.stderr


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in run_cli("--help").stdout
    # The protocol the installed script uses (--show-completion needs a detectable parent shell).
    env = dict(os.environ, _PRIVLINT_COMPLETE="source_bash")
    script = subprocess.run(check=False, args=privlint_command(), capture_output=True, text=True, env=env)
    assert script.returncode == 0 and "_privlint_completion" in script.stdout
    env = dict(
        os.environ,
        _PRIVLINT_COMPLETE="complete_bash",
        COMP_WORDS="privlint ch",
        COMP_CWORD="1",
    )
    words = subprocess.run(check=False, args=privlint_command(), capture_output=True, text=True, env=env).stdout.split()
    assert "check" in words and "checkov-bundle" in words


def test_rules_as_json() -> None:
    from privlint.model.catalog import load_catalog

    rules = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["id"] for r in rules] == list(load_catalog())
    assert all(r["help_uri"].endswith("#" + r["id"].lower()) and r["severity"] for r in rules)


def test_text_lines_are_clickable_and_never_wrapped() -> None:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="40")
    result = subprocess.run(
        check=False,
        args=[*privlint_command(), "check", ADMIN_USER],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    findings = [line for line in result.stdout.splitlines() if line and not line[0].isdigit()]
    assert findings and all(re.match(rf"{re.escape(ADMIN_USER)}/main\.tf:\d+: (critical|high|medium|low) ", line) for line in findings)
    assert all(line.endswith(")") for line in findings), "a finding was wrapped onto a second line"


def _with_terminal(args: list[str], *, stdout_tty: bool, stderr_tty: bool, env: dict[str, str]) -> tuple[str, str]:
    """Run privlint with stdout and/or stderr on a pseudo-terminal; returns (stdout, stderr)."""
    streams = {}
    masters = []
    for name, tty in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        if tty:
            master, slave = pty.openpty()
            masters.append((name, master, slave))
            streams[name] = slave
        else:
            streams[name] = subprocess.PIPE
    proc = subprocess.Popen(
        [*privlint_command(), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        **streams,
    )
    out: dict[str, bytes] = {"stdout": b"", "stderr": b""}
    for _name, _master, slave in masters:
        os.close(slave)
    piped = proc.communicate(timeout=120)
    for name, value in zip(("stdout", "stderr"), piped):
        if value is not None:
            out[name] = value
    for name, master, _slave in masters:
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        out[name] = b"".join(chunks)
    return out["stdout"].decode(errors="replace"), out["stderr"].decode(errors="replace")


def test_no_color_is_honoured_on_a_terminal() -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    coloured, _ = _with_terminal(
        ["check", ADMIN_USER],
        stdout_tty=True,
        stderr_tty=False,
        env=dict(base, TERM="xterm"),
    )
    plain, _ = _with_terminal(
        ["check", ADMIN_USER],
        stdout_tty=True,
        stderr_tty=False,
        env=dict(base, TERM="xterm", NO_COLOR="1"),
    )
    assert "\x1b[" in coloured and "PL101" in plain and "\x1b[" not in plain
    assert "\x1b[" not in run_cli("check", ADMIN_USER).stdout  # a pipe gets no colour


def test_progress_bar_only_on_a_terminal() -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    _, on_terminal = _with_terminal(
        ["check", "fixtures/rules"],
        stdout_tty=False,
        stderr_tty=True,
        env=dict(base, TERM="xterm"),
    )
    assert "scanning" in on_terminal
    piped = run_cli("check", "fixtures/rules")
    assert "scanning" not in piped.stderr and "\x1b" not in piped.stderr


def test_a_note_names_registry_modules_that_were_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n')
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0 and "note:" in result.stderr and "terraform-aws-modules/vpc/aws" in result.stderr
    assert "note:" not in run_cli("check", str(tmp_path), "--quiet").stderr


def test_graph_takes_config_exclude_and_stdin(tmp_path: Path) -> None:
    config = tmp_path / "privlint.yaml"
    config.write_text("exclude: ['*']\n")
    empty = json.loads(run_cli("graph", "fixtures/escalation", "-f", "json", "--config", str(config)).stdout)
    full = json.loads(run_cli("graph", "fixtures/escalation", "-f", "json").stdout)
    assert full["nodes"] and not empty["nodes"]
    assert json.loads(run_cli("graph", "fixtures/escalation", "-f", "json", "--exclude", "*").stdout)["nodes"] == []
    tf = (ROOT / ADMIN_USER / "main.tf").read_text()
    piped = subprocess.run(
        check=False,
        args=[*privlint_command(), "graph", "-", "-f", "json"],
        input=tf,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert piped.returncode == 0 and json.loads(piped.stdout)["nodes"]


def _commands() -> list[list[str]]:
    from typer.main import get_command

    from privlint.frontend.cli import app

    root = get_command(app)
    found: list[list[str]] = [[]]

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            found.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "privlint")
def test_help_of_every_command(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith("Usage: privlint") and "Show this message and exit" in result.stdout


def test_help_keeps_defaults_and_bracketed_text() -> None:
    text = " ".join(run_cli("check", "--help").stdout.split())
    assert "[tool.privlint]" in text and "[default: text]" in text and "--exit-zero, --soft-fail" in text


def test_typer_and_click_are_pinned_to_the_tested_versions() -> None:
    from importlib.metadata import version

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'"typer=={version("typer")}"' in pyproject and f'"click=={version("click")}"' in pyproject

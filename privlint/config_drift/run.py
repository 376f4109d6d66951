"""``privlint drift``: collect differences, judge each against the change register, report, log.

Findings use the same model and JSON contract as ``privlint check`` (category ``config-drift``);
``resource`` is the Terraform address or CloudFormation logical id, ``file``/``line`` the plan or
drift-file entry (or, for snapshots, the resource in the current snapshot).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from privlint.config_drift.approval import UNAPPROVED, Verdict, evaluate
from privlint.config_drift.differences import Difference, brief
from privlint.config_drift.register import (
    LoadedRegister,
    RegisterSyntaxError,
    load_register,
)
from privlint.config_drift.security import security_reasons
from privlint.config_drift.sensitive import hashing_with, key_id
from privlint.model.catalog import PARSE_ERROR_ID, load_catalog
from privlint.model.findings import Finding, Report, Severity
from privlint.model.settings import Settings
from privlint.pipeline.discover import BinaryFile, FileTooLarge, read_text

_PLANNED = {"resource_changes": "is about to be changed by this plan", "resource_drift": "was changed outside Terraform"}


@dataclass
class DriftInputs:
    plan: str | None = None
    cfn_drift: str | None = None
    baseline: str | None = None
    current: str | None = None
    register: str | None = None
    audit_log: str | None = None


@dataclass
class _Run:
    settings: Settings
    findings: list[Finding] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    differences: list[Difference] = field(default_factory=list)

    def finding(
        self, rule_id: str, file: str, line: int | None, resource: str, message: str, severity: Severity | None = None, extra: tuple[str, ...] = ()
    ) -> None:
        meta = load_catalog()[rule_id]
        self.findings.append(meta.finding(file=file, line=line, resource=resource, message=message, severity=severity, extra_controls=extra))

    def parse_error(self, file: str, line: int | None, message: str) -> None:
        self.finding(PARSE_ERROR_ID, file, line, file, message)

    def read(self, path: str) -> str | None:
        """The file's text; a problem reading it becomes a parse-error finding. Raises FileNotFoundError."""
        try:
            is_file = stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            is_file = False
        except OSError as exc:  # a path into a directory privlint may not enter
            self.files.add(path)
            self.parse_error(path, None, f"cannot read: {exc.strerror or type(exc).__name__}")
            return None
        if not is_file:
            raise FileNotFoundError(path)
        self.files.add(path)
        try:
            text, problem = read_text(Path(path), self.settings.max_file_size)
        except (FileTooLarge, BinaryFile) as exc:
            self.parse_error(path, None, str(exc))
            return None
        except OSError as exc:
            self.parse_error(path, None, f"cannot read file: {exc.strerror or exc}")
            return None
        if problem:
            self.parse_error(path, None, problem)
        return text


def run_drift(inputs: DriftInputs, settings: Settings | None = None, today: dt.date | None = None) -> Report:
    """Raises ValueError for a usage error, FileNotFoundError for a missing input, AuditLogError when the log cannot be written."""
    if not (inputs.plan or inputs.cfn_drift or inputs.baseline or inputs.current):
        raise ValueError("give --plan, --cfn-drift, or --baseline with --current")
    if bool(inputs.baseline) != bool(inputs.current):
        raise ValueError("--baseline and --current go together")
    run = _Run(settings or Settings())
    today = today or dt.datetime.now(dt.timezone.utc).date()
    register = _register(run, inputs.register)
    key = None
    if inputs.audit_log:
        from privlint.config_drift.audit_key import audit_key

        key = audit_key()  # before reading anything: a missing key must not cost a run's work
    with hashing_with(key):
        if inputs.plan:
            _plan(run, inputs.plan)
        if inputs.cfn_drift:
            _cfn(run, inputs.cfn_drift)
        if inputs.baseline and inputs.current:
            _snapshots(run, inputs.baseline, inputs.current)

    judged = []
    for difference in run.differences:
        reasons = security_reasons(difference)
        verdict = evaluate(difference, register, bool(reasons), today)
        judged.append((difference, reasons, verdict))
        if not verdict.approved:
            _unapproved(run, difference, reasons, verdict)
    if inputs.audit_log:
        _audit(run, inputs.audit_log, judged)
    return Report.build(run.findings, files=len(run.files))


def _register(run: _Run, path: str | None) -> LoadedRegister | None:
    if not path:
        return None
    text = run.read(path)
    if text is None:
        return LoadedRegister(file=path)  # unreadable: nothing is approved
    try:
        loaded = load_register(text, path)
    except RegisterSyntaxError as exc:
        run.parse_error(path, exc.line, f"change register: {exc}")
        return LoadedRegister(file=path)
    for problem in loaded.problems:
        run.finding(problem.rule, path, problem.line, problem.resource, problem.message)
    return loaded


def _plan(run: _Run, path: str) -> None:
    from privlint.config_drift.plan_changes import plan_differences
    from privlint.parsers.jsonpos import JsonError
    from privlint.parsers.plan import is_plan, load_plan

    text = run.read(path)
    if text is None:
        return
    try:
        plan = load_plan(text)
    except JsonError as exc:
        run.parse_error(path, exc.line, f"invalid JSON: {exc.reason}")
        return
    if not is_plan(plan):
        run.parse_error(path, 1, "not a Terraform plan: expected the output of `terraform show -json PLANFILE`")
        return
    run.differences.extend(plan_differences(plan, path))


def _cfn(run: _Run, path: str) -> None:
    from privlint.config_drift.cfn_drift import (
        DriftFileError,
        cfn_differences,
        load_drift_file,
    )

    text = run.read(path)
    if text is None:
        return
    try:
        doc = load_drift_file(text)
    except DriftFileError as exc:
        run.parse_error(path, exc.line, exc.args[0])
        return
    differences, problems = cfn_differences(doc, path)
    for line, message in problems:
        run.parse_error(path, line, message)
    run.differences.extend(differences)


def _snapshots(run: _Run, baseline: str, current: str) -> None:
    from privlint.config_drift.snapshots import read_snapshot, snapshot_differences

    sides = []
    for path in (baseline, current):
        try:
            os.lstat(path)
        except FileNotFoundError:
            raise
        except OSError:
            pass  # unreadable: read_snapshot reports it as a problem of this path
        records, problems, _count = read_snapshot(path, run.settings.max_file_size)
        run.files.update(r.file for r in records.values())
        run.files.update(p.file for p in problems)
        for problem in problems:
            run.parse_error(problem.file, problem.line, problem.message)
        sides.append(records)
    if any(f.rule_id == PARSE_ERROR_ID for f in run.findings):
        # A side that did not parse would look like every resource was deleted: compare nothing.
        return
    run.differences.extend(snapshot_differences(sides[0], sides[1]))


def describe(difference: Difference) -> str:
    """``aws_iam_role.x assume_role_policy was changed outside Terraform ("a" -> "b")``."""
    what = f"{difference.resource} {difference.attribute}" if difference.attribute else difference.resource
    if difference.kind in ("created", "deleted", "replaced"):
        when = {"resource_drift": " outside Terraform", "resource_changes": " by this plan", "cloudformation-drift": " outside CloudFormation"}.get(
            difference.source, " since the baseline"
        )
        verb = {"created": "was created", "deleted": "was deleted", "replaced": "is replaced"}[difference.kind]
        if difference.source == "resource_changes":
            verb = {"created": "will be created", "deleted": "will be deleted", "replaced": "will be replaced"}[difference.kind]
        return f"{what} {verb}{when}"
    if difference.source in _PLANNED:
        change = _PLANNED[difference.source]
    elif difference.source == "cloudformation-drift":
        change = "differs from the stack template (changed outside CloudFormation)"
    else:
        change = "differs from the approved baseline"
    values = "(sensitive value changed)" if difference.sensitive else f"({brief(difference.before)} -> {brief(difference.after)})"
    if isinstance(difference.before, list) and isinstance(difference.after, list) and difference.source == "snapshot" and not difference.sensitive:
        # Compared as sets: say what joined and what left.
        added = [brief(v) for v in difference.after if v not in difference.before]
        removed = [brief(v) for v in difference.before if v not in difference.after]
        values = "(" + "; ".join(p for p in (f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else "") if p) + ")"
    return f"{what} {change} {values}"


def _unapproved(run: _Run, difference: Difference, reasons: list[str], verdict: Verdict) -> None:
    assert verdict.rule is not None
    security = f"; security-relevant: {', '.join(reasons)}" if reasons else ""
    message = f"{describe(difference)}, unapproved: {verdict.explanation}{security}."
    meta = load_catalog()[verdict.rule]
    severity = Severity.high if reasons and meta.severity.rank < Severity.high.rank else None
    run.finding(verdict.rule, difference.file, difference.line, difference.resource, message, severity, ("CCM-5",) if reasons else ())


def _audit(run: _Run, path: str, judged: list[tuple[Difference, list[str], Verdict]]) -> None:
    from privlint.config_drift.audit import append, utc_now
    from privlint.config_drift.audit_key import audit_key

    now = utc_now()
    key = audit_key()
    entries = [
        {
            "time": now,
            "source": difference.source,
            "file": difference.file,
            "line": difference.line,
            "resource": difference.resource,
            "resource_type": difference.resource_type,
            "attribute": difference.attribute,
            "kind": difference.kind,
            "before": difference.before,
            "after": difference.after,
            "sensitive": difference.sensitive,
            # Withheld values: a keyed hash, so a change stays detectable without the value.
            **(
                {"before_hmac": difference.before_fingerprint, "after_hmac": difference.after_fingerprint, "hmac_key_id": key_id(key)}
                if difference.sensitive
                else {}
            ),
            "security_relevant": bool(reasons),
            "security_implications": reasons or ["none identified"],
            "change": verdict.change_id if verdict.approved else UNAPPROVED,
            "verdict": "approved" if verdict.approved else "unapproved",
            "reason": verdict.reason if verdict.approved else f"{verdict.reason}: {verdict.explanation}",
        }
        for difference, reasons, verdict in judged
    ]
    result = append(path, entries)
    if result.torn is not None:
        run.finding(
            "PL515",
            path,
            result.torn.line,
            path,
            f"the audit log's line {result.torn.line} is incomplete ({result.torn.size} bytes; a write was interrupted): it was kept, and recorded on line {result.torn.line + 1}; check that no run's entries are missing.",
        )

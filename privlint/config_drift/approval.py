"""Is a difference approved? The policy of the change register, applied record by record.

A difference is approved when a record covering its resource (and attribute) is approved or
implemented, unexpired, has a valid ticket, enough distinct approvers, and, when the change is
security-relevant, a security approver. Otherwise the verdict names the rule and says why, using
the covering record that came closest to approving it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from privlint.config_drift.differences import Difference, render_path
from privlint.config_drift.register import MAX_TICKET_LENGTH, ChangeRecord, LoadedRegister, Policy, only_requester_approving
from privlint.model.records import block_address
from privlint.model.regex_safety import MAX_STEPS, search_cost

UNAPPROVED = "UNAPPROVED"


@dataclass(frozen=True)
class Verdict:
    approved: bool
    change_id: str  # the approving (or closest) record, or UNAPPROVED
    rule: str | None  # catalog id of the finding; None when approved
    reason: str  # short code for the audit log: approved, no-record, not-approved, ...
    explanation: str  # what a person should do


def _attribute_form(attribute: str) -> str:
    """Accept CloudFormation's JSON pointers (/Policies/0/PolicyDocument) as well as dotted paths."""
    if not attribute.startswith("/"):
        return attribute
    steps: list[str | int] = []
    for raw in attribute.strip("/").split("/"):
        step = raw.replace("~1", "/").replace("~0", "~")
        steps.append(int(step) if step.isdigit() else step)
    return render_path(tuple(steps))


def covers(record: ChangeRecord, difference: Difference) -> bool:
    attribute = difference.attribute
    for cover in record.covers:
        if cover.resource not in (difference.resource, block_address(difference.resource)):
            continue
        if cover.attributes is None:
            return True
        if not attribute:
            continue  # a whole resource created or deleted needs a record for the whole resource
        for wanted in map(_attribute_form, cover.attributes):
            if attribute == wanted or attribute.startswith((wanted + ".", wanted + "[")):
                return True
    return False


def _failures(record: ChangeRecord, policy: Policy, security: bool, today: dt.date) -> list[tuple[str, str, str]]:
    """(rule, reason code, explanation) for each requirement the record does not meet, in order."""
    out: list[tuple[str, str, str]] = []
    if record.status not in ("approved", "implemented"):
        out.append(("PL502", "not-approved", f"change record {record.id} is {record.status}, not approved"))
    if not record.ticket or len(record.ticket) > MAX_TICKET_LENGTH or not _ticket_matches(policy.ticket_pattern, record.ticket):
        shown = repr(record.ticket) if record.ticket else "no ticket"
        out.append(("PL506", "bad-ticket", f"change record {record.id} has {shown}, not a ticket matching {policy.ticket_pattern}"))
    if record.expires is not None and record.expires < today:
        out.append(("PL503", "expired", f"change record {record.id} expired on {record.expires}"))
    counted = set(record.approvers) - ({only_requester_approving(record)} - {None})
    if len(counted) < policy.required_approvals:
        out.append(
            ("PL504", "too-few-approvers", f"change record {record.id} has {len(counted)} distinct approver(s) of the {policy.required_approvals} required")
        )
    if security:
        if not policy.security_approvers:
            out.append(("PL505", "no-security-approver", "the change is security-relevant and the register's policy names no security_approvers to approve it"))
        elif not counted & set(policy.security_approvers):
            out.append(
                (
                    "PL505",
                    "no-security-approver",
                    f"the change is security-relevant and change record {record.id} has no security approver ({', '.join(policy.security_approvers)})",
                )
            )
    return out


def evaluate(difference: Difference, register: LoadedRegister | None, security: bool, today: dt.date) -> Verdict:
    if register is None:
        return Verdict(False, UNAPPROVED, "PL501", "no-record", "no change register was given, so no change record covers it")
    candidates = [record for record, _line in register.changes if covers(record, difference)]
    if not candidates:
        return Verdict(False, UNAPPROVED, "PL501", "no-record", f"no change record in {register.file} covers it")
    best: tuple[ChangeRecord, list[tuple[str, str, str]]] | None = None
    for record in candidates:
        failures = _failures(record, register.policy, security, today)
        if not failures:
            return Verdict(True, record.id, None, "approved", f"approved by change record {record.id}")
        if best is None or len(failures) < len(best[1]):
            best = (record, failures)
    assert best is not None
    record, failures = best
    rule, reason, _ = failures[0]
    return Verdict(False, record.id, rule, reason, "; ".join(f[2] for f in failures))


def _ticket_matches(pattern: str, ticket: str) -> bool:
    """A search the pattern could make too costly on this ticket (``a*a*a*a*b``) counts as no match."""
    return search_cost(pattern, len(ticket)) <= MAX_STEPS and re.search(pattern, ticket) is not None

"""wildcard-privilege: wildcards and negations that grant more than was meant (PUG-2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from privlint.knowledge.iam import action_matches, escalation_actions, has_restricting_condition, is_public_principal, is_wildcard
from privlint.model.datafiles import load_json
from privlint.model.findings import Severity
from privlint.model.inventory import Inventory, Location, PolicyDocument
from privlint.model.policy import Statement
from privlint.model.settings import Settings
from privlint.rules.base import Hit, rule


def _authored_statements(inventory: Inventory) -> Iterator[tuple[PolicyDocument, Statement]]:
    """Statements written in the scanned code (AWS-managed policies are only referenced)."""
    for doc in inventory.documents.values():
        if doc.aws_managed:
            continue
        for stmt in doc.statements:
            yield doc, stmt


def _identity_statements(inventory: Inventory) -> Iterator[tuple[PolicyDocument, Statement]]:
    """Allow statements of identity policies: those that name no principal."""
    for doc, stmt in _authored_statements(inventory):
        if stmt.effect == "Allow" and not stmt.principals and not stmt.unknown_principals and not stmt.not_principal:
            yield doc, stmt


def _location(doc: PolicyDocument, stmt: Statement) -> Location:
    return Location(file=doc.location.file, line=stmt.line or doc.location.line)


def _when(stmt: Statement) -> str:
    """Names the undecided input a statement exists under (a template condition), so the author sees the toggle."""
    return f" (only when {stmt.depends_on})" if stmt.depends_on else ""


def _full_service_wildcard(pattern: str) -> bool:
    return pattern == "*" or bool(re.fullmatch(r"[A-Za-z0-9-]+:\*", pattern))


# A whole-service wildcard on these reaches identities, keys, secrets or audit trails.
_HIGH_RISK_SERVICES = {"iam", "sts", "kms", "secretsmanager", "organizations", "sso", "s3", "cloudtrail", "ssm", "lambda", "ec2"}


@rule("PL201")
def wildcard_action(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for doc, stmt in _identity_statements(inventory):
        if stmt.not_action:
            continue
        wild = sorted({a for a in stmt.actions if _full_service_wildcard(a)})
        if not wild:
            continue
        if "*" in wild:
            severity = Severity.critical if "*" in stmt.resources else Severity.high
        elif any(w.split(":")[0].lower() in _HIGH_RISK_SERVICES for w in wild):
            severity = Severity.high
        else:
            severity = None
        yield Hit(
            resource=doc.resource,
            location=_location(doc, stmt),
            depends_on=stmt.depends_on,
            message=f"{doc.resource}{_when(stmt)} allows {', '.join(repr(a) for a in wild)}: list the actions the workload needs instead of a wildcard.",
            severity=severity,
        )


@rule("PL202")
def not_action_allow(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for doc, stmt in _authored_statements(inventory):
        # A wholly unknown NotAction/NotResource may be null (unset) once evaluated: it proves nothing.
        not_action = stmt.not_action and bool(stmt.actions or not stmt.unknown_actions)
        not_resource = stmt.not_resource and bool(stmt.resources or not stmt.unknown_resources)
        if stmt.effect != "Allow" or not (not_action or not_resource):
            continue
        which = " and ".join(k for k, on in (("NotAction", not_action), ("NotResource", not_resource)) if on)
        yield Hit(
            resource=doc.resource,
            location=_location(doc, stmt),
            depends_on=stmt.depends_on,
            message=f"{doc.resource}{_when(stmt)} uses {which} with Allow, which grants everything not listed (including services added later): allow explicit actions and resources instead.",
        )


@lru_cache(maxsize=1)
def _exempt_actions() -> frozenset[str]:
    return frozenset(a.lower() for a in load_json("wildcard_exemptions.json")["actions"])


_READ_VERBS = (
    "get",
    "list",
    "describe",
    "head",
    "search",
    "batchcheck",
    "lookup",
    "view",
    "query",
    "scan",
    "batchget",
    "select",
    "check",
    "validate",
    "estimate",
    "preview",
    "simulate",
    "test",
    "download",
    "filter",
    "retrieve",
    "read",
    "evaluate",
    "detect",
    "discover",
    "verify",
    "receive",
    "export",
    "generatecredentialreport",
)
_PERMISSION_WORDS = ("policy", "permission", "grant", "acl", "passrole", "assumerole", "accesskey", "loginprofile", "trust")


def _is_read_only(action: str) -> bool:
    name = action.split(":", 1)[-1].lower()
    return name.startswith(_READ_VERBS)


@lru_cache(maxsize=1)
def _sensitive_scope() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("sensitive_write_scope.json")
    return frozenset(s.lower() for s in data["services"]), frozenset(a.lower() for a in data["actions"])


def _is_sensitive_write(action: str) -> bool:
    services, actions = _sensitive_scope()
    service = action.split(":", 1)[0].lower()
    return service in services or action.lower() in actions or _is_permissions_management(action)


def _is_permissions_management(action: str) -> bool:
    service, _, name = action.lower().partition(":")
    if _is_read_only(action):
        return False
    return service in ("iam", "organizations", "sso", "identitystore") or any(w in name for w in _PERMISSION_WORDS)


# Condition keys that say nothing about which resources a statement reaches.
_NON_SCOPING_KEYS = {"aws:securetransport", "aws:multifactorauthpresent", "aws:multifactorauthage", "aws:currenttime", "aws:epochtime", "aws:useragent"}


def _scoped_by_condition(statement: Statement) -> bool:
    """A condition (resource or request tags, calling service, source...) narrows Resource "*"."""
    return any(c.key.lower() not in _NON_SCOPING_KEYS for c in statement.conditions)


@rule("PL203")
def wildcard_resource_write(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for doc, stmt in _identity_statements(inventory):
        if stmt.not_action or "*" not in stmt.resources or _scoped_by_condition(stmt):
            continue
        risky = [
            a
            for a in stmt.actions
            if not _full_service_wildcard(a) and ":" in a and not _is_read_only(a) and a.lower() not in _exempt_actions() and _is_sensitive_write(a)
        ]
        if not risky:
            continue
        permissions = [a for a in risky if _is_permissions_management(a)]
        shown = ", ".join(sorted(risky)[:5]) + (f" and {len(risky) - 5} more" if len(risky) > 5 else "")
        yield Hit(
            resource=doc.resource,
            location=_location(doc, stmt),
            depends_on=stmt.depends_on,
            message=f'{doc.resource}{_when(stmt)} grants write actions ({shown}) on Resource "*": scope Resource to the ARNs the workload uses.',
            severity=Severity.high if permissions else None,
        )


@rule("PL204")
def privilege_escalation_wildcard(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    escalation = list(escalation_actions())
    for doc, stmt in _identity_statements(inventory):
        if stmt.not_action:
            continue
        patterns = [p for p in stmt.actions if is_wildcard(p) and not _full_service_wildcard(p)]
        reached = [a for a in escalation if any(action_matches(p, a) for p in patterns)]
        if not reached:
            continue
        shown = ", ".join(f"'{p}'" for p in patterns if any(action_matches(p, a) for a in reached))
        yield Hit(
            resource=doc.resource,
            location=_location(doc, stmt),
            depends_on=stmt.depends_on,
            message=(
                f"{doc.resource}{_when(stmt)} allows {shown}, which include{'s' if shown.count(',') == 0 else ''} the privilege-escalation "
                f"action{'s' if len(reached) > 1 else ''} {', '.join(reached)}: list the exact actions needed."
            ),
        )


@rule("PL205")
def public_principal(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for doc, stmt in _authored_statements(inventory):
        if not is_public_principal(stmt) or has_restricting_condition(stmt):
            continue
        trust = doc.kind == "trust"
        what = "role's trust policy lets any AWS principal assume it" if trust else "resource policy allows any principal"
        yield Hit(
            resource=doc.resource,
            location=_location(doc, stmt),
            depends_on=stmt.depends_on,
            message=(
                f'{doc.resource}{_when(stmt)}: the {what} (Principal "*") with no restricting condition: name the principals, '
                "or add a condition such as aws:PrincipalOrgID, aws:SourceArn or aws:SourceAccount."
            ),
            severity=Severity.critical if trust else None,
        )

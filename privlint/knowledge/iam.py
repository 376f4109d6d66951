"""IAM policy analysis: statements parsed from policy JSON, wildcard matching, principals, explicit denies.

Pure: it reads plain Python values (dicts, lists, strings, and the markers of
``privlint.model.values``) and imports no parser, so the checkov bundle can reuse it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from functools import lru_cache
from typing import Any

from privlint.knowledge.mfa import requires_mfa
from privlint.model.datafiles import load_json
from privlint.model.policy import Condition, Effect, Statement
from privlint.model.values import (
    DEPLOYING_PRINCIPAL_ARN,
    DEPLOYING_PRINCIPAL_ID,
    REFERENCE_PREFIX,
    THIS_ACCOUNT_ID,
    PartialString,
    Reference,
    Unknown,
    as_list,
    expand_alternatives,
    line_of,
)

# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    # IAM wildcards: '*' any run of characters, '?' one character; everything else literal.
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL)


def matches(pattern: str, value: str) -> bool:
    """True when an IAM pattern (with ``*`` and ``?``) matches a concrete value, case-insensitively."""
    return _pattern_regex(pattern).match(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Match an action pattern; the service prefix and the action name are case-insensitive in IAM."""
    return matches(pattern, action)


def is_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def statement_grants_action(statement: Statement, action: str) -> bool:
    """True only when the statement provably allows ``action`` (NotAction included)."""
    if statement.effect != "Allow":
        return False
    if statement.not_action:
        if statement.unknown_actions:
            return False
        return not any(action_matches(p, action) for p in statement.actions)
    return any(action_matches(p, action) for p in statement.actions)


def is_broad_resource(resource: str) -> bool:
    """``*``, or a pattern that ends in a bare wildcard after ``:`` or ``/`` (``role/*``, ``arn:aws:iam::*:*``)."""
    if resource == "*":
        return True
    return resource.endswith("*") and resource[:-1].endswith((":", "/"))


def covers_all_resources(statement: Statement) -> bool:
    """The statement applies to every resource (``Resource: "*"`` or any ``NotResource``)."""
    if statement.not_resource:
        return True
    return "*" in statement.resources


def covers_broad_resources(statement: Statement) -> bool:
    if statement.not_resource:
        return True
    return any(is_broad_resource(r) for r in statement.resources)


# --------------------------------------------------------------------------- conditions

# Condition keys that pin who may call, or from where: with one of them a public principal is not public.
_RESTRICTING_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:vpcsourceip",
    "kms:calleraccount",
    "kms:viaservice",
    "sts:externalid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "lambda:functionarn",
    "sns:endpoint",
    "cognito-identity.amazonaws.com:aud",
    "token.actions.githubusercontent.com:sub",
    "token.actions.githubusercontent.com:aud",
}


def has_restricting_condition(statement: Statement) -> bool:
    for cond in statement.conditions:
        key = cond.key.lower()
        if key in _RESTRICTING_KEYS or key.startswith("aws:principaltag/"):
            if cond.unknown_values or any(v != "*" for v in cond.values):
                return True
    return False


# --------------------------------------------------------------------------- principals


def is_public_principal(statement: Statement) -> bool:
    """``Principal: "*"`` or ``{"AWS": "*"}`` (or a NotPrincipal Allow) on an Allow statement."""
    if statement.effect != "Allow":
        return False
    if statement.not_principal and not statement.unknown_principals:
        return True
    return any(v == "*" for key in ("*", "AWS", "CanonicalUser") for v in statement.principals.get(key, []))


def is_account_principal(entry: str) -> bool:
    """A whole AWS account: ``123456789012``, ``arn:aws:iam::123456789012:root``, or this account by name."""
    if (entry.isdigit() and len(entry) == 12) or entry == THIS_ACCOUNT_ID:
        return True
    return entry.startswith("arn:") and entry.split(":", 5)[-1] == "root"


_CALLER_IDENTITY = "data.aws_caller_identity."


def is_deploying_principal(entry: str) -> bool:
    """Whoever runs the deployment: ``data.aws_caller_identity.current.arn`` (resolved or still a reference)."""
    if entry in (DEPLOYING_PRINCIPAL_ARN, DEPLOYING_PRINCIPAL_ID):
        return True
    return entry.startswith(REFERENCE_PREFIX + _CALLER_IDENTITY)  # .arn, .account_id or .user_id: all people


def is_user_or_account_principal(entry: str, user_addresses: Container[str] = ()) -> bool:
    """A principal entry that admits people: ``*``, an account (this one included), a user ARN, the deploying
    principal, or a reference to a user in the code."""
    if is_deploying_principal(entry):
        return True
    if entry.startswith(REFERENCE_PREFIX):  # aws_iam_user.alice.arn
        return entry[len(REFERENCE_PREFIX) :] in user_addresses
    if entry == "*" or is_account_principal(entry):
        return True
    return entry.startswith("arn:") and entry.split(":", 5)[-1].startswith("user/")


def assumable_without_mfa(statement: Statement, user_addresses: Container[str] = ()) -> list[str]:
    """Entries of a trust statement that let people (users, accounts, '*') assume the role without MFA."""
    if statement.effect != "Allow" or requires_mfa(statement) or not statement_grants_action(statement, "sts:AssumeRole"):
        return []
    entries = statement.principals.get("AWS", []) + statement.principals.get("*", [])
    return [e for e in entries if is_user_or_account_principal(e, user_addresses)]


def aws_principals(statement: Statement) -> list[str]:
    return statement.principals.get("AWS", [])


def federated_principals(statement: Statement) -> list[str]:
    return statement.principals.get("Federated", [])


# --------------------------------------------------------------------------- escalation actions and denies


@lru_cache(maxsize=1)
def escalation_actions() -> dict[str, str]:
    """Action -> why it lets a principal escalate to admin (from data/escalation_actions.json)."""
    return dict(load_json("escalation_actions.json")["actions"])


def statement_denies_action(statement: Statement, action: str) -> bool:
    """An unconditional Deny that provably applies to ``action`` on every resource."""
    if statement.effect != "Deny" or statement.conditions or not covers_all_resources(statement):
        return False
    if statement.not_action:
        return not statement.unknown_actions and not any(action_matches(p, action) for p in statement.actions)
    return any(action_matches(p, action) for p in statement.actions)


# --------------------------------------------------------------------------- parsing documents


def _strings(value: Any) -> tuple[list[str], bool]:
    """Split a scalar-or-list into its known strings and whether anything was unknown."""
    known: list[str] = []
    unknown = False
    for item in as_list(value):
        if isinstance(item, str):
            known.append(item)
        elif isinstance(item, Reference) and item.address:
            # e.g. Resource = aws_iam_role.admin.arn: which resource is known, its ARN is not.
            known.append(REFERENCE_PREFIX + item.address)
        elif isinstance(item, PartialString):
            # e.g. arn:aws:iam::${AWS::AccountId}:root: its shape is known, its holes are not.
            known.append(item.pattern())
        elif isinstance(item, (bool, int, float)):
            known.append(str(item).lower() if isinstance(item, bool) else str(item))
        else:
            unknown = True
    return known, unknown


def _get(mapping: dict[str, Any], key: str) -> Any:
    """IAM keys are case-sensitive in AWS, but people write ``action`` in jsonencode; accept both."""
    if key in mapping:
        return mapping[key]
    lower = key.lower()
    for k, v in mapping.items():
        if isinstance(k, str) and k.lower() == lower:
            return v
    return None


def _has(mapping: dict[str, Any], key: str) -> bool:
    lower = key.lower()
    return any(isinstance(k, str) and k.lower() == lower for k in mapping)


def _principals(value: Any) -> tuple[dict[str, list[str]], bool]:
    if value is None:
        return {}, False
    if isinstance(value, str):
        return ({"*": [value]} if value == "*" else {"AWS": [value]}), False
    if isinstance(value, dict):
        out: dict[str, list[str]] = {}
        unknown = False
        for kind, ids in value.items():
            if not isinstance(kind, str):
                unknown = True
                continue
            known, unk = _strings(ids)
            out[kind] = known
            unknown = unknown or unk
        return out, unknown
    return {}, True


def _conditions(value: Any) -> list[Condition]:
    conds: list[Condition] = []
    if not isinstance(value, dict):
        if value is not None:
            # An unknown Condition block: record it as restricting and MFA-unknown.
            conds.append(Condition(operator="Unknown", key="unknown", unknown_values=True))
        return conds
    for operator, body in value.items():
        if not isinstance(body, dict):
            conds.append(Condition(operator=str(operator), key="unknown", unknown_values=True))
            continue
        for key, vals in body.items():
            known, unknown = _strings(vals)
            conds.append(Condition(operator=str(operator), key=str(key), values=known, unknown_values=unknown))
    return conds


def parse_statement(raw: Any, line: int | None = None) -> Statement | None:
    """Normalise one statement mapping; None when it is not a mapping (unknown)."""
    if not isinstance(raw, dict):
        return None
    effect_raw = _get(raw, "Effect")
    effect: Effect | None = None
    if isinstance(effect_raw, str) and effect_raw.capitalize() in ("Allow", "Deny"):
        effect = "Allow" if effect_raw.capitalize() == "Allow" else "Deny"
    not_action = _has(raw, "NotAction")
    actions, unknown_actions = _strings(_get(raw, "NotAction") if not_action else _get(raw, "Action"))
    not_resource = _has(raw, "NotResource")
    resource_absent = not not_resource and not _has(raw, "Resource")
    resources, unknown_resources = _strings(_get(raw, "NotResource") if not_resource else _get(raw, "Resource"))
    not_principal = _has(raw, "NotPrincipal")
    principals, unknown_principals = _principals(_get(raw, "NotPrincipal") if not_principal else _get(raw, "Principal"))
    sid = _get(raw, "Sid")
    return Statement(
        sid=sid if isinstance(sid, str) else None,
        effect=effect,
        actions=actions,
        not_action=not_action,
        unknown_actions=unknown_actions,
        resources=resources,
        not_resource=not_resource,
        unknown_resources=unknown_resources,
        resource_absent=resource_absent,
        principals=principals,
        not_principal=not_principal,
        unknown_principals=unknown_principals,
        conditions=_conditions(_get(raw, "Condition")),
        line=line_of(raw) or line,
        depends_on=getattr(raw, "depends_on", None),
    )


def parse_policy(document: Any, line: int | None = None) -> list[Statement] | None:
    """Statements of a policy document given as a mapping or a JSON string.

    Returns None when the document is unknown (not yet resolvable), [] when it has no statements.
    Raises ValueError for a JSON string that is not valid JSON.
    """
    if isinstance(document, str):
        text = document.strip()
        if not text:
            return []
        document = json.loads(text)
    if isinstance(document, Unknown) or document is None:
        return None
    if not isinstance(document, dict):
        return None
    raw_statements = _get(document, "Statement")
    if raw_statements is None:
        return []
    if isinstance(raw_statements, Unknown):
        return None
    stmts: list[Statement] = []
    for raw in as_list(raw_statements):
        variants = expand_alternatives(raw)
        parsed = [(parse_statement(v, line=line_of(raw) or line_of(document) or line), cause) for v, cause in variants]
        if len(parsed) == 1:
            if parsed[0][0] is not None:
                stmts.append(parsed[0][0])
            continue
        readings = [stmt for stmt, _ in parsed]
        for position, (stmt, cause) in enumerate(parsed):
            if stmt is None or stmt in readings[:position]:
                continue  # an identical branch was already kept
            # A reading that every branch gives holds whatever the input: it depends on nothing.
            if readings.count(stmt) < len(readings):
                stmt.depends_on = f"{cause} selects this branch"
            stmts.append(stmt)
    return stmts

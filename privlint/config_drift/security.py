"""Security relevance of a change, decided by listed rules (privlint/data/drift_security_relevance.json).

CCM-5 asks that changes touching the security posture reach the security team before they are made;
CCM-8 that the audit log records the security implications of every change, even when there are none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privlint.config_drift.differences import Difference
from privlint.knowledge.credentials import credential_attribute_kind
from privlint.model.datafiles import load_json


@lru_cache(maxsize=1)
def _rules() -> tuple[list[tuple[re.Pattern[str], str]], list[tuple[re.Pattern[str], str]]]:
    table = load_json("drift_security_relevance.json")

    def compile_all(entries: list[dict[str, str]]) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(e["pattern"], re.IGNORECASE), e["reason"]) for e in entries]

    return compile_all(table["resource_types"]), compile_all(table["attributes"])


def security_reasons(difference: Difference) -> list[str]:
    """Why the change is security-relevant (empty list: no security implication identified)."""
    types, attributes = _rules()
    reasons: list[str] = []
    for pattern, reason in types:
        if difference.resource_type and pattern.search(difference.resource_type):
            reasons.append(f"{reason} ({difference.resource_type})")
            break
    names = [step for step in difference.path if isinstance(step, str)]
    for name in names:
        if credential_attribute_kind(name) is not None:
            reasons.append(f"credential ({name})")
            break
    for pattern, reason in attributes:
        hit = next((n for n in names if pattern.search(n)), None)
        if hit is not None and not any(r.startswith(reason) for r in reasons):
            reasons.append(f"{reason} ({hit})")
    if difference.sensitive and not reasons:
        reasons.append("sensitive value")
    return reasons

"""Every rule module, and the rules and linkers they define (importing a rule module registers its rules)."""

from __future__ import annotations

from collections.abc import Callable

from privlint.model.catalog import load_catalog
from privlint.model.inventory import Inventory
from privlint.rules import (  # noqa: F401  (imported for their @rule and @linker registrations)
    admin_mfa,
    azure,
    credential_report,
    credentials,
    critical_data,
    escalation,
    gcp,
    github,
    hygiene,
    wildcard,
)
from privlint.rules.base import CHECKS, LINKERS, Rule


def all_linkers() -> list[Callable[[list[Inventory]], None]]:
    return list(LINKERS)


def all_rules() -> list[Rule]:
    """Every rule with detection code, in id order."""
    catalog = load_catalog()
    missing = sorted(set(CHECKS) - set(catalog))
    if missing:
        raise RuntimeError(f"rules without metadata in a rules/<family>.yaml: {missing}")
    return [Rule(catalog[rid], CHECKS[rid]) for rid in sorted(CHECKS)]

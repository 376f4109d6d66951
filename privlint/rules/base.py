"""The rule framework: detection kept as code (``<family>.py``), metadata as data (``<family>.yaml``, read by ``privlint.model.catalog``).

A rule is a function that reads the ``Inventory`` and yields ``Hit``s; ``@rule("PL101")`` pairs it
with its metadata. The engine turns hits into findings, adding category, severity and controls.
``privlint.rules.registry`` lists the rule modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from privlint.model.catalog import RuleMeta
from privlint.model.findings import Severity
from privlint.model.inventory import Inventory, Location
from privlint.model.settings import Settings


@dataclass
class Hit:
    """One thing a rule found, before it becomes a Finding."""

    resource: str
    location: Location
    message: str
    severity: Severity | None = None  # overrides the rule's default severity when set
    extra_controls: tuple[str, ...] = ()
    depends_on: str | None = None  # holds only on the branch an unknown input selects (``var.admin``)


CheckFunction = Callable[[Inventory, Settings], Iterator[Hit]]


@dataclass
class Rule:
    meta: RuleMeta
    check: CheckFunction


# Filled by the @rule and @linker decorators as the rule modules (listed in privlint.rules.registry) load.
CHECKS: dict[str, CheckFunction] = {}
LINKERS: list[Callable[[list[Inventory]], None]] = []


def rule(rule_id: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(func: CheckFunction) -> CheckFunction:
        CHECKS[rule_id] = func
        return func

    return register


def linker(func: Callable[[list[Inventory]], None]) -> Callable[[list[Inventory]], None]:
    """Register a function that joins facts across the inventories of one scan before the rules run
    (e.g. a credential report learning which IAM users the Terraform next to it makes admin)."""
    LINKERS.append(func)
    return func

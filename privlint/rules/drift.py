"""config-drift rules (PL501-PL515): their detection lives in privlint/drift/, not here.

Drift rules compare two states against the change register (``privlint drift``); a single scanned
inventory has nothing to compare, so on ``privlint check`` they find nothing. They are registered
here only so that the rule framework knows their ids have detection code (privlint.drift.run).
"""

from __future__ import annotations

from collections.abc import Iterator

from privlint.inventory import Inventory
from privlint.rules.base import Hit, rule
from privlint.settings import Settings

DRIFT_RULE_IDS = ("PL501", "PL502", "PL503", "PL504", "PL505", "PL506", "PL510", "PL511", "PL512", "PL515")


def _detected_by_privlint_drift(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    return iter(())


for _rule_id in DRIFT_RULE_IDS:
    rule(_rule_id)(_detected_by_privlint_drift)

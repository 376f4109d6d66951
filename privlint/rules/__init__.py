"""Rules: one module per concern; metadata for every rule lives in ``catalog.yaml``."""

from privlint.rules.base import Hit, Rule, RuleMeta, all_rules, load_catalog, rule

__all__ = ["Hit", "Rule", "RuleMeta", "all_rules", "load_catalog", "rule"]

"""The rule framework: metadata kept as data (``<family>.yaml``), detection kept as code (``<family>.py``).

A rule is a function that reads the ``Inventory`` and yields ``Hit``s; ``@rule("PL101")`` pairs it
with its metadata. The engine turns hits into findings, adding category, severity and controls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from privlint.core.findings import Category, Severity
from privlint.core.inventory import Inventory, Location
from privlint.core.settings import Settings

RULES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RuleMeta:
    id: str
    name: str
    title: str
    category: Category
    severity: Severity
    controls: tuple[str, ...]
    formats: tuple[str, ...]
    summary: str
    rationale: str
    fix: str
    bad_example: str = ""
    good_example: str = ""


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


_REGISTRY: dict[str, CheckFunction] = {}
_LINKERS: list[Callable[[list[Inventory]], None]] = []


def rule(rule_id: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(func: CheckFunction) -> CheckFunction:
        _REGISTRY[rule_id] = func
        return func

    return register


def linker(func: Callable[[list[Inventory]], None]) -> Callable[[list[Inventory]], None]:
    """Register a function that joins facts across the inventories of one scan before the rules run
    (e.g. a credential report learning which IAM users the Terraform next to it makes admin)."""
    _LINKERS.append(func)
    return func


def all_linkers() -> list[Callable[[list[Inventory]], None]]:
    all_rules()  # importing the rule modules registers their linkers
    return list(_LINKERS)


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, RuleMeta]:
    """Rule metadata from the family files ``rules/<family>.yaml``, keyed by rule id."""
    import yaml

    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            # libyaml's safe loader when built in: the same data, parsed about 8x faster (start-up time).
            entries = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        # Families whose detection lives outside privlint/rules/ name it; not a rule.
        entries.pop("detected_in", None)
        clash = set(raw) & set(entries)
        if clash:
            raise RuntimeError(f"rule ids defined twice ({path.name}): {sorted(clash)}")
        raw.update(entries)
    out: dict[str, RuleMeta] = {}
    for rule_id, entry in sorted(raw.items()):
        out[rule_id] = RuleMeta(
            id=rule_id,
            name=entry["name"],
            title=entry["title"],
            category=Category(entry["category"]),
            severity=Severity(entry["severity"]),
            controls=tuple(entry["controls"]),
            formats=tuple(entry.get("formats", [])),
            summary=entry["summary"].strip(),
            rationale=entry["rationale"].strip(),
            fix=entry["fix"].strip(),
            bad_example=entry.get("bad_example", "").strip(),
            good_example=entry.get("good_example", "").strip(),
        )
    return out


def all_rules() -> list[Rule]:
    """Every rule with detection code, in id order. Importing the rule modules registers them."""
    import importlib
    import pkgutil

    import privlint.rules as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ("base",):
            importlib.import_module(f"privlint.rules.{module.name}")
    catalog = load_catalog()
    missing = sorted(set(_REGISTRY) - set(catalog))
    if missing:
        raise RuntimeError(f"rules without metadata in a rules/<family>.yaml: {missing}")
    return [Rule(catalog[rid], _REGISTRY[rid]) for rid in sorted(_REGISTRY)]


PARSE_ERROR_ID = "PL000"
# Rules the engine itself produces (parse errors, suppression problems): metadata only, no check function.
ENGINE_RULES = frozenset({"PL000", "PL001", "PL002", "PL003", "PL004"})


def has_detector(meta: RuleMeta) -> bool:
    """Whether a rule's findings come from a check function over an inventory (``all_rules``).

    Engine rules come from the pipeline itself, and config-drift rules from ``privlint drift``,
    which compares two states against the change register (privlint/change_control/).
    """
    return meta.id not in ENGINE_RULES and meta.category is not Category.config_drift

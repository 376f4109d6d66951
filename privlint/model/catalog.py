"""The rule catalog: every rule's metadata (id, severity, controls, summary, fix), read from the YAML next to the rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from privlint.model.findings import Category, Finding, Severity

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


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

    def finding(
        self,
        *,
        file: str,
        line: int | None,
        resource: str,
        message: str,
        severity: Severity | None = None,
        extra_controls: tuple[str, ...] = (),
        **fields: Any,
    ) -> Finding:
        """A finding of this rule: its category, severity (unless overridden) and controls come from here."""
        return Finding(
            rule_id=self.id,
            category=self.category,
            severity=severity or self.severity,
            file=file,
            line=line or 1,
            resource=resource,
            message=message,
            controls=sorted({*self.controls, *extra_controls}),
            **fields,
        )


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


PARSE_ERROR_ID = "PL000"
# Rules the engine itself produces (parse errors, suppression problems): metadata only, no check function.
ENGINE_RULES = frozenset({"PL000", "PL001", "PL002", "PL003", "PL004"})


def has_detector(meta: RuleMeta) -> bool:
    """Whether a rule's findings come from a check function over an inventory (``all_rules``).

    Engine rules come from the pipeline itself, and config-drift rules from ``privlint drift``,
    which compares two states against the change register (``privlint drift``).
    """
    return meta.id not in ENGINE_RULES and meta.category is not Category.config_drift

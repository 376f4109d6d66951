"""Terraform plan JSON (``terraform show -json PLANFILE``): the planned resources with their values.

Values in a plan are fully evaluated, so references are already resolved. A credential attribute
is kept only where the configuration wrote a constant: a planned password may equally come from
``random_password`` or a secret store, and privlint never guesses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from privlint.knowledge.credentials import credential_attribute_kind
from privlint.model.records import ResourceRecord, block_address
from privlint.model.values import LineDict, Unknown
from privlint.parsers import jsonpos

# The sections of `terraform show -json PLANFILE` that only a plan has (a state file has `values`).
PLAN_SECTIONS = ("planned_values", "resource_changes", "resource_drift")


def is_plan(data: Any) -> bool:
    """Whether decoded JSON is a Terraform plan: the one test the scan and `privlint drift` share."""
    return isinstance(data, dict) and "format_version" in data and any(k in data for k in PLAN_SECTIONS)


def load_plan(text: str) -> Any:
    return jsonpos.loads(text)


def _modules(module: Any) -> Iterator[Any]:
    if not isinstance(module, dict):
        return
    yield module
    for child in module.get("child_modules") or []:
        yield from _modules(child)


def _constant_attributes(plan: dict[str, Any]) -> dict[str, set[str]]:
    """Resource address (without instance keys) -> attributes the configuration set to a constant."""
    out: dict[str, set[str]] = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for res in module.get("resources") or []:
            if not isinstance(res, dict):
                continue
            exprs = res.get("expressions") or {}
            constants = {k for k, v in exprs.items() if isinstance(v, dict) and "constant_value" in v}
            out[f"{prefix}{res.get('address')}"] = constants
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    config = plan.get("configuration")
    if isinstance(config, dict):
        walk(config.get("root_module"), "")
    return out


def plan_records(plan: Any, display: str) -> list[ResourceRecord]:
    if not isinstance(plan, dict):
        return []
    planned = plan.get("planned_values")
    root = planned.get("root_module") if isinstance(planned, dict) else None
    constants = _constant_attributes(plan)
    records: list[ResourceRecord] = []
    for module in _modules(root):
        for res in module.get("resources") or []:
            if not isinstance(res, dict) or not isinstance(res.get("type"), str) or not isinstance(res.get("address"), str):
                continue
            values = res.get("values")
            values = values if isinstance(values, dict) else LineDict()
            literal = constants.get(block_address(res["address"]), set())
            cleaned = LineDict(line=getattr(values, "line", None))
            for key, value in values.items():
                if credential_attribute_kind(key) is not None and key not in literal:
                    value = Unknown("planned value")
                cleaned[key] = value
            records.append(
                ResourceRecord(
                    address=res["address"],
                    type=res["type"],
                    values=cleaned,
                    file=display,
                    line=getattr(res, "line", None),
                    mode=res.get("mode", "managed") if res.get("mode") == "data" else "resource",
                    sensitive=res.get("sensitive_values"),
                )
            )
    return records

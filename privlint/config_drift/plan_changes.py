"""The changes a Terraform plan holds (``resource_drift`` and ``resource_changes``), as drift differences."""

from __future__ import annotations

from typing import Any

from privlint.config_drift.differences import DifferenceSite, Kind, differences_between, whole_resource, with_unknowns

# Actions that change nothing: a plan with only these is clean.
_NO_CHANGE = ({"no-op"}, {"read"})


def plan_differences(plan: Any, display: str) -> list[Any]:
    """Every change in a plan as ``privlint.config_drift.differences.Difference``s.

    ``resource_drift`` entries were made outside Terraform; ``resource_changes`` are about to be made.
    Attribute values come from ``before``/``after``; values in ``after_unknown`` are "known after
    apply"; values under ``before_sensitive``/``after_sensitive`` are compared but never shown.
    """
    if not isinstance(plan, dict):
        return []
    out: list[Any] = []
    for source in ("resource_drift", "resource_changes"):
        entries = plan.get(source)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
                continue
            change = entry.get("change")
            if not isinstance(change, dict):
                continue
            actions = {a for a in change.get("actions") or [] if isinstance(a, str)}
            if not actions or actions in _NO_CHANGE or entry.get("mode") == "data":
                continue
            resource_type = entry.get("type")
            common: DifferenceSite = {
                "source": source,
                "file": display,
                "line": getattr(entry, "line", None) or 1,
                "resource": entry["address"],
                "resource_type": resource_type if isinstance(resource_type, str) else "",
            }
            before, after = change.get("before"), with_unknowns(change.get("after"), change.get("after_unknown"))
            before_sensitive, after_sensitive = change.get("before_sensitive"), change.get("after_sensitive")
            if actions == {"create"} or before is None:
                out.append(whole_resource("created", after, sensitive_marks=after_sensitive, **common))
            elif actions == {"delete"} or after is None:
                out.append(whole_resource("deleted", before, sensitive_marks=before_sensitive, before=True, **common))
            else:
                found = differences_between(before, after, before_sensitive=before_sensitive, after_sensitive=after_sensitive, **common)
                if not found:
                    # An update or replacement whose cause the values do not show: still a change.
                    kind: Kind = "replaced" if "delete" in actions else "changed"
                    found = [whole_resource(kind, None, **common)]
                out.extend(found)
    return out

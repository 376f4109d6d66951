"""CloudFormation drift detection output (``aws cloudformation describe-stack-resource-drifts``).

The output is ``{"StackResourceDrifts": [...]}`` (``detect-stack-resource-drift`` prints one
``{"StackResourceDrift": {...}}``), in JSON or, with ``--output yaml``, YAML. Each entry has a
``LogicalResourceId``, ``ResourceType``, ``StackResourceDriftStatus`` (IN_SYNC, MODIFIED, DELETED,
NOT_CHECKED, UNKNOWN) and, for MODIFIED, ``PropertyDifferences``: ``PropertyPath`` (a JSON pointer
such as ``/Policies/0/PolicyDocument``), ``ExpectedValue``, ``ActualValue`` (strings, JSON for
objects) and ``DifferenceType`` (ADD, REMOVE, NOT_EQUAL).

``privlint check`` does not read these files: they describe live state, not configuration, and
neither the template nor the plan sniffer accepts them. ``privlint drift --cfn-drift`` does.
"""

from __future__ import annotations

import json
from typing import Any

from privlint.config_drift.differences import Difference, DifferenceSite, Kind, difference, whole_resource
from privlint.model.problems import SourceError

_KINDS: dict[str, Kind] = {"ADD": "added", "REMOVE": "removed", "NOT_EQUAL": "changed"}


class DriftFileError(SourceError):
    pass


def load_drift_file(text: str) -> Any:
    from privlint.config_drift.yamlpos import YamlError, load_yaml_with_lines
    from privlint.parsers.jsonpos import JsonError, loads

    try:
        return loads(text) if text.lstrip().startswith(("{", "[")) else load_yaml_with_lines(text)
    except JsonError as exc:
        raise DriftFileError(f"invalid JSON: {exc.reason}", exc.line) from None
    except YamlError as exc:
        raise DriftFileError(str(exc), exc.line) from None


def drift_entries(doc: Any) -> list[Any] | None:
    """The StackResourceDrift entries, or None when this is not drift detection output."""
    drifts = doc.get("StackResourceDrifts") if isinstance(doc, dict) else None
    if isinstance(drifts, list):
        return drifts
    if isinstance(doc, dict) and isinstance(doc.get("StackResourceDrift"), dict):
        return [doc["StackResourceDrift"]]
    if isinstance(doc, list) and all(isinstance(e, dict) and "StackResourceDriftStatus" in e for e in doc):
        return doc  # a --query 'StackResourceDrifts' result
    return None


def pointer_path(pointer: str) -> tuple[str | int, ...]:
    """``/Policies/0/PolicyDocument`` -> ``("Policies", 0, "PolicyDocument")`` (RFC 6901 unescaping)."""
    steps: list[str | int] = []
    for raw in pointer.strip("/").split("/") if pointer.strip("/") else []:
        step = raw.replace("~1", "/").replace("~0", "~")
        # An index is a small number; a run of 5,000 digits is a name (and too long for int()).
        steps.append(int(step) if step.isdigit() and len(step) < 10 else step)
    return tuple(steps)


def _value(text: Any) -> Any:
    """Expected/actual values are strings; objects and arrays are JSON inside them."""
    if isinstance(text, str) and text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # not JSON, too deep, or a number too long to convert
            return text
    return text


def cfn_differences(doc: Any, display: str) -> tuple[list[Difference], list[tuple[int, str]]]:
    """Differences for MODIFIED and DELETED resources, and problems as (line, message)."""
    entries = drift_entries(doc)
    if entries is None:
        return [], [(1, "not CloudFormation drift detection output (no StackResourceDrifts)")]
    out: list[Difference] = []
    problems: list[tuple[int, str]] = []
    for entry in entries:
        line = getattr(entry, "line", None) or 1
        if not isinstance(entry, dict) or not isinstance(entry.get("LogicalResourceId"), str):
            problems.append((line, "drift entry without a LogicalResourceId"))
            continue
        status = entry.get("StackResourceDriftStatus")
        resource_type = entry.get("ResourceType")
        common: DifferenceSite = {
            "source": "cloudformation-drift",
            "file": display,
            "line": line,
            "resource": entry["LogicalResourceId"],
            "resource_type": resource_type if isinstance(resource_type, str) else "",
        }
        if status == "DELETED":
            out.append(whole_resource("deleted", _value(entry.get("ExpectedProperties")), before=True, **common))
            continue
        if status != "MODIFIED":
            continue  # IN_SYNC, NOT_CHECKED, UNKNOWN: nothing drifted that CloudFormation could see
        differences = entry.get("PropertyDifferences")
        if not isinstance(differences, list) or not differences:
            out.append(whole_resource("changed", None, **common))
            continue
        for item in differences:
            if not isinstance(item, dict) or not isinstance(item.get("PropertyPath"), str):
                problems.append((getattr(item, "line", None) or line, "property difference without a PropertyPath"))
                continue
            path = pointer_path(item["PropertyPath"])
            before, after = _value(item.get("ExpectedValue")), _value(item.get("ActualValue"))
            kind = _KINDS.get(str(item.get("DifferenceType")), "changed")
            if kind == "added":
                before = None
            elif kind == "removed":
                after = None
            out.append(difference(path, kind, before, after, **{**common, "line": getattr(item, "line", None) or line}))
    return out, problems

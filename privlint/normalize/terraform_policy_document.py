"""``aws_iam_policy_document`` statement blocks in IAM JSON shape, and normalised statements back to it."""

from __future__ import annotations

from typing import Any

from privlint.model.values import LineDict, PartialList, PartialString, Reference, Unknown, as_list, is_known, line_of


def _unknown_value(value: Any) -> bool:
    return isinstance(value, Unknown) and not isinstance(value, (Reference, PartialList, PartialString))


def statement_block(raw: Any) -> Any:
    """An ``aws_iam_policy_document`` statement block in IAM JSON shape."""
    if not isinstance(raw, dict):
        return raw if isinstance(raw, Unknown) else Unknown("statement")
    out = LineDict(line=line_of(raw))
    # A null argument is an unset one (``try(x.not_actions, null)``): Terraform omits it.
    effect = raw.get("effect")
    out["Effect"] = "Allow" if effect is None else effect
    if raw.get("sid") is not None:
        out["Sid"] = raw.get("sid")
    for src, dst in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
        if raw.get(src) is not None:
            out[dst] = raw[src]
    # A statement holds Action or NotAction, never both: an unknown one next to a known other is unset.
    for known, unsure in (("Action", "NotAction"), ("NotAction", "Action"), ("Resource", "NotResource"), ("NotResource", "Resource")):
        if known in out and unsure in out and is_known(out[known]) and _unknown_value(out[unsure]):
            del out[unsure]
    for src, dst in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if raw.get(src) is not None and raw.get(src) != []:
            principals: dict[str, Any] = {}
            for block in as_list(raw[src]):
                if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                    ptype = block.get("type") if isinstance(block, dict) else block
                    cause = ptype.source if isinstance(ptype, Unknown) and not isinstance(ptype, Reference) else ""
                    principals.setdefault("Unknown", []).append(Unknown(cause or "principal"))  # keep the cause: var.x
                    continue
                ptype = block["type"]
                ids = as_list(block.get("identifiers"))
                if ptype == "*":
                    principals.setdefault("*", []).extend(ids)
                else:
                    principals.setdefault(ptype, []).extend(ids)
            out[dst] = principals
    conditions: dict[str, Any] = {}
    for block in as_list(raw.get("condition")):
        if not isinstance(block, dict):
            conditions.setdefault("Unknown", {})["unknown"] = Unknown("condition")
            continue
        test, variable = block.get("test"), block.get("variable")
        if isinstance(test, str) and isinstance(variable, str):
            conditions.setdefault(test, {})[variable] = block.get("values")
        else:
            conditions.setdefault("Unknown", {})["unknown"] = Unknown("condition")
    if conditions:
        out["Condition"] = conditions
    return out


def statement_to_raw(statement: Any) -> dict[str, Any]:
    """A normalised Statement back to IAM JSON shape (to merge source_policy_documents)."""
    raw: dict[str, Any] = LineDict({"Effect": statement.effect or Unknown("effect")}, line=statement.line)
    key = "NotAction" if statement.not_action else "Action"
    raw[key] = list(statement.actions) + ([Unknown("action")] if statement.unknown_actions else [])
    if not statement.resource_absent:
        rkey = "NotResource" if statement.not_resource else "Resource"
        raw[rkey] = list(statement.resources) + ([Unknown("resource")] if statement.unknown_resources else [])
    if statement.principals or statement.unknown_principals:
        pkey = "NotPrincipal" if statement.not_principal else "Principal"
        raw[pkey] = {k: list(v) for k, v in statement.principals.items()}
        if statement.unknown_principals:
            raw[pkey]["Unknown"] = [Unknown("principal")]
    if statement.conditions:
        cond: dict[str, dict[str, Any]] = {}
        for c in statement.conditions:
            cond.setdefault(c.operator, {})[c.key] = list(c.values) + ([Unknown("value")] if c.unknown_values else [])
        raw["Condition"] = cond
    return raw

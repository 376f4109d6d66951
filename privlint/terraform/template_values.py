"""Templates and JSON text as Terraform writes them: ``"${...}"`` parts joined, ``jsonencode`` output."""

from __future__ import annotations

import json
from typing import Any

from privlint.model.values import PartialString, Reference, Unknown, is_known
from privlint.terraform.operations import EvaluationError, to_text


def join_template(parts: list[Any]) -> Any:
    """Template parts joined into a string; a ``PartialString`` that keeps its holes when some are unknown."""
    texts: list[str | None] = []
    holes: list[Any] = []
    for part in parts:
        text = part if isinstance(part, str) else _template_text(part)
        if isinstance(text, EvaluationError):
            return text
        if isinstance(text, Unknown):
            texts.append(None)
            holes.append(part)
        else:
            texts.append(text)
    if not holes:
        return "".join(t for t in texts if t is not None)
    merged: list[str | None] = []
    for piece in texts:
        last = merged[-1] if merged else None
        if piece is None:
            merged.append(None)
        elif piece and last is not None:
            merged[-1] = last + piece
        elif piece:
            merged.append(piece)
    references = tuple(h.address for h in holes if isinstance(h, Reference) and h.address)
    for hole in holes:
        if isinstance(hole, PartialString):
            references += hole.references
    return PartialString(source="template", parts=tuple(merged), references=references, holes=tuple(holes))


def _template_text(value: Any) -> str | Unknown:
    if isinstance(value, (dict, list)) and not isinstance(value, Unknown):
        # Only jsonencode() hands a collection to a template (it keeps its argument as a value).
        return render_json(value)
    return to_text(value)


def render_json(value: Any) -> str | Unknown:
    """``jsonencode`` text of a known value, as Terraform writes it: compact, keys sorted."""
    if not is_known(value):
        return Unknown("jsonencode()")
    try:
        text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return EvaluationError("jsonencode()")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value

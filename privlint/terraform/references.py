"""Questions about the syntax tree itself: which names an expression refers to."""

from __future__ import annotations

from typing import Any

from privlint.parsers import hcl_syntax_tree as st


def references_in(expr: Any) -> list[str]:
    """``var.NAME`` / ``local.NAME`` references anywhere inside an expression."""
    found: list[str] = []
    pending: list[Any] = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, st.GetAttr) and isinstance(node.obj, st.Variable) and node.obj.name in ("var", "local"):
            found.append(f"{node.obj.name}.{node.name}")
            continue
        if isinstance(node, (list, tuple)):
            pending.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            pending.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "line")
    return found


def simple_reference(expr: st.Expression) -> str | None:
    """``var.NAME`` or ``local.NAME`` when the expression is exactly that (also as ``"${var.NAME}"``)."""
    if isinstance(expr, st.Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], st.Interpolation):
        expr = expr.parts[0].expr
    if isinstance(expr, st.GetAttr) and isinstance(expr.obj, st.Variable) and expr.obj.name in ("var", "local"):
        return f"{expr.obj.name}.{expr.name}"
    return None

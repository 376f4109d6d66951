"""Drawing the principal graph: Mermaid (GitHub, Markdown), Graphviz dot, and JSON."""

from __future__ import annotations

from privlint.analysis.graph_model import PrincipalGraph


def _on_paths(graph: PrincipalGraph) -> tuple[set[str], set[tuple[str, str, str]]]:
    nodes: set[str] = set()
    edges: set[tuple[str, str, str]] = set()
    for path in graph.paths:
        if path.mfa_required:
            continue
        nodes.add(path.source)
        for e in path.edges:
            nodes.add(e.target)
            edges.add((e.source, e.target, e.kind))
    return nodes, edges


def to_mermaid(graph: PrincipalGraph) -> str:
    """A Mermaid flowchart: admin-level nodes red, escalation paths (no MFA) bold red, MFA edges dotted."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    on_nodes, on_edges = _on_paths(graph)
    lines = ["flowchart LR"]
    shapes = {"user": ('(["', '"])'), "group": ('[["', '"]]'), "role": ('["', '"]'), "service": ('(("', '"))')}
    for n in graph.nodes:
        left, right = shapes[n.kind]
        label = _mermaid_text(n.label + (" (admin)" if n.admin else ""))
        lines.append(f"  {ids[n.id]}{left}{label}{right}")
    link_styles: list[int] = []
    for index, e in enumerate(e for e in graph.edges if e.source in ids and e.target in ids):
        text = _mermaid_text(e.step + (" + MFA" if e.mfa else ""))
        arrow = "-.->" if e.mfa else ("==>" if (e.source, e.target, e.kind) in on_edges else "-->")
        lines.append(f'  {ids[e.source]} {arrow}|"{text}"| {ids[e.target]}')
        if (e.source, e.target, e.kind) in on_edges:
            link_styles.append(index)
    lines.append("  classDef admin fill:#fdd,stroke:#c00,stroke-width:2px")
    lines.append("  classDef escalates fill:#ffe8cc,stroke:#d60")
    admins = [ids[n.id] for n in graph.nodes if n.admin]
    climbers = [ids[n.id] for n in graph.nodes if n.id in on_nodes and not n.admin]
    if admins:
        lines.append(f"  class {','.join(admins)} admin")
    if climbers:
        lines.append(f"  class {','.join(climbers)} escalates")
    if link_styles:
        lines.append(f"  linkStyle {','.join(map(str, link_styles))} stroke:#c00,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Inside a quoted Mermaid label, '"' ends the label and a newline the statement; labels may be
    # rendered as HTML, so '<' and '>' are entity codes too (Mermaid's escape) and '#' starts one.
    from privlint.model.escape import printable

    return printable(text).replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_dot(graph: PrincipalGraph) -> str:
    """Graphviz: admin-level nodes filled red, escalation paths (no MFA) bold red, MFA edges dashed."""
    on_nodes, on_edges = _on_paths(graph)
    shapes = {"user": "ellipse", "group": "folder", "role": "box", "service": "hexagon"}
    lines = ["digraph privlint {", "  rankdir=LR;", '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    for n in graph.nodes:
        attrs = [f"label={_dot_text(n.label + (' (admin)' if n.admin else ''))}", f"shape={shapes[n.kind]}"]
        if n.admin:
            attrs.append('style=filled, fillcolor="#ffdddd", color="#cc0000"')
        elif n.id in on_nodes:
            attrs.append('style=filled, fillcolor="#ffe8cc", color="#dd6600"')
        lines.append(f"  {_dot_text(n.id)} [{', '.join(attrs)}];")
    for e in graph.edges:
        attrs = [f"label={_dot_text(e.step + (' + MFA' if e.mfa else ''))}"]
        if e.mfa:
            attrs.append("style=dashed")
        elif (e.source, e.target, e.kind) in on_edges:
            attrs.append('color="#cc0000", penwidth=2.5')
        lines.append(f"  {_dot_text(e.source)} -> {_dot_text(e.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    from privlint.model.escape import printable

    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_json(graph: PrincipalGraph) -> str:
    return graph.model_dump_json(indent=2) + "\n"


def render(graph: PrincipalGraph, fmt: str) -> str:
    return {"mermaid": to_mermaid, "dot": to_dot, "json": to_json}[fmt](graph)

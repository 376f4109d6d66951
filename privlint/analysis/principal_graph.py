"""The principal graph: who can become whom, and who can reach an admin-level principal.

Built from a normalised ``Inventory`` only (pure: no parser imports). Nodes are principals (AWS users,
groups, roles; other providers can add theirs later) and the services their roles trust. Edges say how one
principal gets another's rights, each with the statements that grant it and whether MFA is needed on it:

- ``member-of``: a user gets its group's rights;
- ``can-assume``: the role's trust admits the principal (its ARN, ``*``, or its account together with the
  principal's own ``sts:AssumeRole`` on the role);
- ``can-pass-to-service``: the principal passes the role to a service that runs code it controls;
- ``can-modify-permissions``: the principal can act as another (access keys, login profile, trust policy,
  Lambda code) or rewrite its permissions (attach or put policies, new policy versions).

This module builds the graph of one inventory and joins the graphs of several; the parts are
``graph_model`` (the data), ``techniques``, ``targets``, ``graph_builder`` (edges), ``paths`` (the search) and
``graph_render`` (Mermaid, Graphviz, JSON).

The techniques are data (``privlint/data/escalation_techniques.json``). Unknown values never create an edge:
a resource, principal or condition privlint cannot read is left out, so every edge is proven by the code.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from privlint.analysis.graph_builder import GraphBuilder
from privlint.analysis.graph_model import PrincipalGraph
from privlint.analysis.paths import escalation_paths
from privlint.model.inventory import Inventory


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building allocates many small objects and frees none: the cyclic collector would only rescan the
    (large) inventory again and again, which cost more than the graph itself in the benchmark."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(inventory: Inventory) -> PrincipalGraph:
    """The principal graph of one inventory, with a shortest escalation path per principal."""
    with _gc_paused():
        nodes, edges = GraphBuilder(inventory).build()
        paths = escalation_paths(nodes, edges)
        return PrincipalGraph(nodes=sorted(nodes.values(), key=lambda n: n.id), edges=edges, paths=paths)


def combine(graphs: Iterable[PrincipalGraph]) -> PrincipalGraph:
    """Graphs of several units (templates, module directories) as one; ids that clash get their file."""
    graphs = list(graphs)
    counts: dict[str, int] = defaultdict(int)
    for g in graphs:
        for n in g.nodes:
            counts[n.id] += 1
    out = PrincipalGraph()
    for g in graphs:
        rename: dict[str, str] = {}
        for n in g.nodes:
            if counts[n.id] > 1 and n.kind != "service" and n.location is not None:
                rename[n.id] = f"{n.location.file}::{n.id}"
        if not rename:
            out.nodes.extend(g.nodes)
            out.edges.extend(g.edges)
            out.paths.extend(g.paths)
            continue
        def new(node_id: str, names: dict[str, str] = rename) -> str:
            return names.get(node_id, node_id)

        out.nodes.extend(n.model_copy(update={"id": new(n.id)}) for n in g.nodes)
        edges = [e.model_copy(update={"source": new(e.source), "target": new(e.target)}) for e in g.edges]
        out.edges.extend(edges)
        for p in g.paths:
            moved = [e.model_copy(update={"source": new(e.source), "target": new(e.target)}) for e in p.edges]
            out.paths.append(p.model_copy(update={"source": new(p.source), "target": new(p.target), "edges": moved}))
    seen: set[str] = set()
    unique = []
    for n in sorted(out.nodes, key=lambda n: n.id):
        if n.id not in seen:  # service nodes are shared between units
            seen.add(n.id)
            unique.append(n)
    out.nodes = unique
    return out


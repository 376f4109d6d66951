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

This module builds the graph of one inventory (``account`` joins the units of a scan into one); the parts are
``graph_model`` (the data), ``techniques``, ``targets``, ``graph_builder`` (edges), ``paths`` (the search) and
``graph_render`` (Mermaid, Graphviz, JSON).

The techniques are data (``privlint/data/escalation_techniques.json``). Unknown values never create an edge:
a resource, principal or condition privlint cannot read is left out, so every edge is proven by the code.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
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

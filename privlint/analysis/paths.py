"""Escalation paths on the principal graph: a shortest way to admin rights for every principal that has one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from privlint.analysis.graph_model import Edge, EscalationPath, Node, PrincipalGraph


def shortest_paths(admins: Iterable[str], edges: list[Edge]) -> dict[str, tuple[list[Edge], str]]:
    """For every node that reaches admin rights over ``edges``: a shortest path and where it ends.

    One breadth-first search backwards from the admin-level nodes, so the cost is linear in the graph.
    A ``grant`` edge (the source can rewrite the target's permissions) ends a path when the source can
    also act as the target (it is the target, or reaches it over act-as edges): it is then one step from admin.
    """
    act_as = [e for e in edges if e.effect == "act-as"]
    forward: dict[str, list[str]] = defaultdict(list)
    backward: dict[str, list[Edge]] = defaultdict(list)
    for e in act_as:
        forward[e.source].append(e.target)
        backward[e.target].append(e)
    admin_set = set(admins)

    terminal: dict[str, Edge] = {}
    reach_cache: dict[str, set[str]] = {}
    for e in edges:
        if e.effect != "grant" or e.source in terminal:
            continue
        if e.source not in reach_cache:
            reach_cache[e.source] = _reachable(e.source, forward)
        if e.target in reach_cache[e.source]:
            terminal[e.source] = e

    step: dict[str, Edge] = {}
    done: set[str] = set(admin_set)
    frontier = sorted(admin_set)
    first_level = True
    while frontier or first_level:
        following: list[str] = []
        if first_level:
            for source in sorted(terminal):
                if source not in done:
                    done.add(source)
                    step[source] = terminal[source]
                    following.append(source)
            first_level = False
        for node in frontier:
            for e in backward.get(node, []):
                if e.source not in done:
                    done.add(e.source)
                    step[e.source] = e
                    following.append(e.source)
        frontier = following

    out: dict[str, tuple[list[Edge], str]] = {}
    for start in step:
        path: list[Edge] = []
        node = start
        while node not in admin_set:
            e = step[node]
            path.append(e)
            if terminal.get(node) is e:
                break
            node = e.target
        out[start] = (path, path[-1].target)
    return out


def _reachable(start: str, forward: dict[str, list[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in forward.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def escalation_paths(nodes: dict[str, Node], edges: list[Edge]) -> list[EscalationPath]:
    """A shortest path to admin for every principal that is not admin-level: one needing no MFA when there is one."""
    admins = [n for n, node in nodes.items() if node.admin]
    # Without MFA on the way, only admin rights that need no MFA are reached.
    without_mfa = shortest_paths([n for n in admins if not nodes[n].admin_requires_mfa], [e for e in edges if not e.mfa])
    with_mfa = shortest_paths(admins, edges)
    paths: list[EscalationPath] = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        if (node.admin and not node.admin_requires_mfa) or node.kind == "service":
            continue
        if node_id in without_mfa:
            found, target = without_mfa[node_id]
            paths.append(EscalationPath(source=node_id, target=target, edges=found, mfa_required=False))
        elif node_id in with_mfa and not node.admin:
            found, target = with_mfa[node_id]
            paths.append(EscalationPath(source=node_id, target=target, edges=found, mfa_required=True))
    return paths


def iter_reported(graph: PrincipalGraph) -> Iterator[EscalationPath]:
    """Paths that need no MFA anywhere: what the escalation rules report."""
    return (p for p in graph.paths if not p.mfa_required)

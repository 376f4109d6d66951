"""The principal graph's data: nodes (principals, services), edges (how one gets another's rights), paths.

Pydantic models, so ``privlint graph --format json`` and the Python API give the same fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from privlint.model.inventory import Location

EdgeKind = Literal["member-of", "can-assume", "can-pass-to-service", "can-modify-permissions"]
NodeKind = Literal["user", "group", "role", "service"]
Effect = Literal["act-as", "grant"]


class GrantRef(BaseModel):
    """A statement that grants (part of) an edge, and where it is written."""

    document: str
    file: str
    line: int | None = None
    action: str | None = None  # the action it grants, or None for a trust statement or a membership


class Node(BaseModel):
    id: str  # the Terraform address or CloudFormation logical id (qualified by file when two units clash)
    kind: NodeKind
    provider: str = "aws"
    label: str  # what people read: the address, or the service name
    location: Location | None = None
    admin: bool = False
    admin_reason: str | None = None  # why it is admin-level, e.g. "all actions on all resources via ..."
    admin_requires_mfa: bool = False  # its admin rights apply only with MFA (conditions or a deny-unless-MFA policy)


class Edge(BaseModel):
    source: str
    target: str
    kind: EdgeKind
    technique: str | None = None  # id in escalation_techniques.json; None for member-of and service trust
    via: str | None = None  # the service (ec2) or the action (iam:AttachUserPolicy) shown in the step
    effect: Effect = "act-as"  # act-as: the source gets the target's rights; grant: it can rewrite them
    mfa: bool = False  # MFA is required to use this edge
    grants: list[GrantRef] = Field(default_factory=list)

    @property
    def step(self) -> str:
        return f"{self.kind}({self.via})" if self.via else self.kind


class EscalationPath(BaseModel):
    """A shortest way from a principal that is not admin-level to admin rights."""

    source: str
    target: str  # the admin-level principal, or the principal whose permissions the last step rewrites
    edges: list[Edge]
    mfa_required: bool  # every path needs MFA somewhere (otherwise ``edges`` is a path that needs none)

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """``aws_iam_user.ci -> can-pass-to-service(ec2) -> aws_iam_role.admin``."""

        def name(node_id: str) -> str:
            return labels.get(node_id, node_id) if labels else node_id

        parts = [name(self.source)]
        for edge in self.edges:
            parts += [edge.step, name(edge.target)]
        return " -> ".join(parts)

    @property
    def first_grant(self) -> GrantRef | None:
        for edge in self.edges:
            if edge.grants:
                return edge.grants[0]
        return None


class PrincipalGraph(BaseModel):
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    paths: list[EscalationPath] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def path_from(self, node_id: str) -> EscalationPath | None:
        return next((p for p in self.paths if p.source == node_id), None)

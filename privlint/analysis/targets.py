"""The resources a statement names: IAM principals, customer-managed policies and workloads, found by ARN,
reference or pattern.

The partition and account of an ARN may be wildcards or values privlint cannot resolve: they are taken to be
the account the code deploys to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from privlint.knowledge.iam import matches
from privlint.model.policy import Statement
from privlint.model.values import REFERENCE_PREFIX


def arn_resource(pattern: str, service: str) -> str | None:
    """The resource part of an ARN pattern for ``service`` (``role/admin`` of ``arn:aws:iam::1:role/admin``).

    The partition and account may be wildcards or values privlint cannot resolve (``${AWS::AccountId}``,
    ``data.aws_caller_identity``): they are taken to be the account the code deploys to. None when the
    pattern names another service.
    """
    parts = pattern.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    if not matches(parts[2], service):
        return None
    if parts[4] == "aws":
        return None  # AWS-managed policies (arn:aws:iam::aws:policy/...): nobody's code can rewrite them
    return parts[5]


@dataclass
class Target:
    node: str  # the node the edge points to
    resource: str | None  # ``role/admin``, ``function:build``...; None when the name is unknown
    service: str  # the ARN service of the resource (iam, lambda)


class TargetIndex:
    """Finds the targets an action's Resource patterns name, quickly (exact names by dictionary)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[Target]] = defaultdict(list)
        self.exact: dict[tuple[str, str], list[Target]] = defaultdict(list)
        self._cache: dict[tuple[str, str], list[Target]] = {}

    def add(self, kind: str, target: Target) -> None:
        self.by_kind[kind].append(target)
        if target.resource is not None:
            self.exact[(kind, target.resource.lower())].append(target)

    def matching(self, kind: str, pattern: str) -> list[Target]:
        key = (kind, pattern)
        if key not in self._cache:
            self._cache[key] = self._match(kind, pattern)
        return self._cache[key]

    def _match(self, kind: str, pattern: str) -> list[Target]:
        candidates = self.by_kind.get(kind, [])
        if not candidates:
            return []
        if pattern == "*":
            return list(candidates)
        if pattern.startswith(REFERENCE_PREFIX):  # Resource = aws_iam_role.admin.arn / !GetAtt Admin.Arn
            return [t for t in candidates if t.node == pattern[len(REFERENCE_PREFIX) :]]
        resource = arn_resource(pattern, candidates[0].service)
        if resource is None:
            return []
        if "*" not in resource and "?" not in resource:
            return list(self.exact.get((kind, resource.lower()), []))
        separator = "/" if "/" in resource else ":" if ":" in resource else ""
        prefix = resource.split(separator, 1)[0] + separator if separator else ""
        everything = resource.rstrip("*") in ("", prefix)  # role/*, function:*, instance/*: also names unknown
        return [t for t in candidates if (t.resource is None and everything) or (t.resource is not None and matches(resource, t.resource))]

    def covered(self, kind: str, statement: Statement) -> list[Target]:
        """Targets the statement's Resource (or NotResource) provably covers."""
        if statement.not_resource:
            if statement.unknown_resources:
                return []
            excluded = {id(t) for p in statement.resources for t in self.matching(kind, p)}
            # A target whose name is unknown might be one of the exceptions: left out.
            return [t for t in self.by_kind.get(kind, []) if id(t) not in excluded and t.resource is not None]
        out: list[Target] = []
        seen: set[int] = set()
        for pattern in statement.resources:
            for t in self.matching(kind, pattern):
                if id(t) not in seen:
                    seen.add(id(t))
                    out.append(t)
        return out


def named_principal(entry: str) -> tuple[str, str] | None:
    """(kind, lower-cased name) for ``arn:aws:iam::1:user/frank`` or ``...:role/path/deployer``."""
    resource = arn_resource(entry, "iam")
    if resource is None or "/" not in resource or "*" in resource or "?" in resource:
        return None  # a pattern or an unknown name names nobody in particular
    kind, _, rest = resource.partition("/")
    if kind not in ("user", "role"):
        return None
    return kind, rest.rsplit("/", 1)[-1].lower()

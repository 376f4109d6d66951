"""Benchmark: build the principal graph and every escalation path for 10,000 principals and 50,000 statements.

    python benchmarks/graph_bench.py            # prints the time of each phase; target: under 2 s on one core

The inventory is synthetic but shaped like a large landing zone: users in groups, roles trusted by the
account, by named users or by services, statements mixing scoped sts:AssumeRole, iam:PassRole with
ec2:RunInstances, self-service IAM actions and ordinary data access, and a few admin roles.
"""

from __future__ import annotations

import random
import sys
import time

from privlint.analysis.principal_graph import build_graph
from privlint.knowledge.iam import parse_policy
from privlint.model.inventory import Grant, Inventory, Location, PolicyDocument, Principal

ACCOUNT = "123456789012"
USERS, GROUPS, ROLES = 6000, 400, 3600
STATEMENTS = 50_000


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def _statement(rng: random.Random, user: str | None) -> dict:
    roll = rng.random()
    role = f"role-{rng.randrange(ROLES)}"
    if roll < 0.25:
        return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": _arn("role", role)}
    if roll < 0.35:
        return {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": [_arn("role", role), "*"][: 1 + (rng.random() < 0.5)]}
    if roll < 0.40 and user:
        return {"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:ListAccessKeys"], "Resource": _arn("user", user)}
    if roll < 0.42:
        return {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": _arn("role", "app-*"),
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        }
    bucket = f"data-{rng.randrange(500)}"
    return {
        "Effect": "Allow",
        "Action": rng.choice([["s3:GetObject"], ["s3:GetObject", "s3:PutObject"], ["dynamodb:Query"], ["logs:PutLogEvents"]]),
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }


def synthetic_inventory(seed: int = 9) -> Inventory:
    rng = random.Random(seed)
    inv = Inventory()
    loc = Location(file="bench.tf", line=1)
    principals: list[Principal] = []
    for i in range(GROUPS):
        principals.append(Principal(address=f"aws_iam_group.g{i}", kind="group", name=f"group-{i}", location=loc))
    for i in range(USERS):
        groups = [f"aws_iam_group.g{rng.randrange(GROUPS)}" for _ in range(rng.randrange(3))]
        principals.append(Principal(address=f"aws_iam_user.u{i}", kind="user", name=f"user-{i}", location=loc, groups=groups))
    for i in range(ROLES):
        trust_roll = rng.random()
        if trust_roll < 0.5:
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        elif trust_roll < 0.7:
            principal = {"AWS": _arn("user", f"user-{rng.randrange(USERS)}")}
        else:
            principal = {"Service": rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])}
        trust = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if rng.random() < 0.3:
            trust["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        address = f"aws_iam_role.r{i}"
        inv.documents[f"{address}.trust"] = PolicyDocument(
            address=f"{address}.trust",
            resource=address,
            resource_type="aws_iam_role",
            location=loc,
            kind="trust",
            statements=parse_policy({"Statement": [trust]}) or [],
        )
        principals.append(Principal(address=address, kind="role", name=f"role-{i}", location=loc, trust_document=f"{address}.trust"))
    per_principal = STATEMENTS // len(principals)
    extra = STATEMENTS - per_principal * len(principals)
    for index, p in enumerate(principals):
        count = per_principal + (1 if index < extra else 0)
        raw = [_statement(rng, p.name if p.kind == "user" else None) for _ in range(count)]
        if p.kind == "role" and rng.random() < 0.01:
            raw[0] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        doc = f"{p.address}.policy"
        inv.documents[doc] = PolicyDocument(
            address=doc, resource=p.address, resource_type="aws_iam_policy", location=loc, kind="identity", statements=parse_policy({"Statement": raw}) or []
        )
        p.grants.append(Grant(document=doc))
        inv.principals[p.address] = p
    return inv


def main() -> int:
    start = time.perf_counter()
    inv = synthetic_inventory()
    made = time.perf_counter() - start
    statements = sum(len(d.statements) for d in inv.documents.values() if d.kind == "identity")
    # CPU time of this process is what "on one core" means; wall time is shown too (it grows on a busy machine).
    cpu, wall = time.process_time(), time.perf_counter()
    graph = build_graph(inv)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    reported = sum(not p.mfa_required for p in graph.paths)
    print(f"inventory: {len(inv.principals)} principals, {statements} identity statements (made in {made:.2f} s)")
    print(f"graph:     {len(graph.nodes)} nodes, {len(graph.edges)} edges, {len(graph.paths)} principals reach admin ({reported} without MFA)")
    print(f"time:      {cpu:.2f} s CPU, {wall:.2f} s wall (target: under 2 s on one core)")
    return 0 if cpu < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""MFA before destroying critical data (PAM-5): MFA delete on critical S3 buckets (PL130), and grants of
destructive actions on critical data without an MFA condition (PL131).

Which data is critical is not in the code: the configuration names it (``critical_data``: bucket names or
resource ARNs, globs) or a tag marks the bucket (``critical_data_tags``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from privlint.knowledge.iam import matches, statement_grants_action
from privlint.knowledge.mfa import denies_without_mfa, requires_mfa
from privlint.model.datafiles import load_json
from privlint.model.inventory import DataStore, Inventory, Location, PolicyDocument
from privlint.model.policy import Statement
from privlint.model.settings import Settings
from privlint.model.values import REFERENCE_PREFIX
from privlint.rules.base import Hit, rule


@lru_cache(maxsize=1)
def destructive_actions() -> tuple[str, ...]:
    return tuple(load_json("destructive_actions.json")["actions"])


@dataclass(frozen=True)
class CriticalData:
    """Something that holds critical data, the ARN patterns that name it, and why it is critical."""

    label: str  # the bucket's address, or the configured ARN
    arns: tuple[str, ...]
    why: str
    address: str | None = None  # the bucket resource, when the code defines it
    service: str = "s3"  # the ARN service, which the destructive actions must belong to

    def named_by(self, pattern: str) -> bool:
        """The Resource pattern covers (part of) this data."""
        if self.address is not None and pattern == REFERENCE_PREFIX + self.address:
            return True
        return any(matches(pattern, arn) or matches(arn, pattern) for arn in self.arns)


def _bucket_arns(name: str) -> tuple[str, ...]:
    return (f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*")


def _why(bucket: DataStore, settings: Settings) -> str | None:
    if bucket.name and any(matches(p, bucket.name) for p in settings.critical_data if not p.startswith("arn:")):
        return "named in critical_data"
    wanted = {k.lower(): v.lower() for k, v in settings.critical_data_tags.items()}
    for key, value in bucket.tags.items():
        if wanted.get(key.lower()) == value.lower():
            return f"tagged {key}={value}"
    return None


def critical_data(inventory: Inventory, settings: Settings) -> list[CriticalData]:
    out: list[CriticalData] = []
    for bucket in inventory.data_stores:
        if bucket.kind != "s3-bucket":
            continue
        why = _why(bucket, settings)
        if why is not None:
            out.append(CriticalData(bucket.address, _bucket_arns(bucket.name) if bucket.name else (), why, bucket.address))
    for pattern in settings.critical_data:
        if pattern.startswith("arn:"):
            parts = pattern.split(":")
            out.append(CriticalData(pattern, (pattern,), "named in critical_data", service=parts[2] if len(parts) > 2 else ""))
        else:
            out.append(CriticalData(pattern, _bucket_arns(pattern), "named in critical_data"))
    return out


@rule("PL130")
def critical_bucket_without_mfa_delete(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    versionings = [d for d in inventory.data_stores if d.kind == "s3-bucket-versioning"]
    for bucket in inventory.data_stores:
        why = _why(bucket, settings) if bucket.kind == "s3-bucket" else None
        if why is None or not bucket.mfa_delete_settable:
            continue  # CloudFormation cannot turn MFA delete on: PL131 still checks who may delete
        states = [bucket.mfa_delete] + [v.mfa_delete for v in versionings if v.bucket == bucket.address or (bucket.name and v.name == bucket.name)]
        if any(state is True for state in states) or any(state is None for state in states):
            continue  # on, or set to a value privlint cannot read
        yield Hit(
            resource=bucket.address,
            location=bucket.location,
            message=(
                f"S3 bucket {bucket.address} holds critical data ({why}) but MFA delete is not enabled on its versioning: "
                f"anyone with its credentials can delete every version without MFA. Add aws_s3_bucket_versioning with "
                f'versioning_configuration {{ status = "Enabled", mfa_delete = "Enabled" }} (applied with the root user\'s MFA).'
            ),
        )


def _guarded(data: CriticalData, action: str, inventory: Inventory) -> bool:
    """The bucket's own policy denies the action without MFA."""
    if data.address is None:
        return False
    return any(
        denies_without_mfa(s) and not s.not_action and any(matches(p.lower(), action.lower()) for p in s.actions)
        for doc in inventory.documents.values()
        if doc.kind == "resource" and doc.attached_to == data.address
        for s in doc.statements
    )


def _covered(statement: Statement, data: CriticalData) -> bool:
    if statement.unknown_resources:
        return False
    if statement.not_resource:
        return not any(data.named_by(p) for p in statement.resources)
    return any(data.named_by(p) for p in statement.resources)


def _finding(doc: PolicyDocument, statement: Statement, targets: list[CriticalData], inventory: Inventory) -> Hit | None:
    if statement.effect != "Allow" or requires_mfa(statement):
        return None
    hits: dict[str, list[str]] = {}
    for data in targets:
        if not _covered(statement, data):
            continue
        for action in destructive_actions():
            if action.split(":")[0] == data.service and statement_grants_action(statement, action) and not _guarded(data, action, inventory):
                hits.setdefault(data.label, []).append(action)
    if not hits:
        return None
    actions = sorted({a for found in hits.values() for a in found})
    what = ", ".join(f"{label} ({next(d.why for d in targets if d.label == label)})" for label in sorted(hits))
    return Hit(
        resource=doc.resource,
        location=Location(file=doc.location.file, line=statement.line or doc.location.line),
        message=(
            f"{doc.resource} grants {', '.join(actions)} on critical data {what} without an MFA condition. Require MFA "
            f'on the statement (Condition Bool aws:MultiFactorAuthPresent "true") or deny these actions without MFA '
            f"in the bucket policy."
        ),
    )


@rule("PL131")
def destructive_grant_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    targets = [t for t in critical_data(inventory, settings) if t.arns or t.address]
    if not targets:
        return
    for doc in inventory.documents.values():
        if doc.kind == "trust":
            continue
        for statement in doc.statements:
            hit = _finding(doc, statement, targets, inventory)
            if hit is not None:
                yield hit

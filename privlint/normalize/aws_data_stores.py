"""S3 buckets and their versioning, from Terraform and CloudFormation: what MFA delete (PAM-5) is judged on.

Pure: reads resource records only. Which buckets hold critical data is decided by the rule (configuration
names, tags); here each bucket is recorded with its name, tags and whether MFA delete is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlint.model.inventory import DataStore
from privlint.model.records import ResourceRecord
from privlint.model.values import Reference, as_list, truthy

Handler = Callable[[Any, ResourceRecord], None]


def _tags(value: Any) -> dict[str, str]:
    """Terraform's ``tags = {k = v}`` or CloudFormation's ``Tags: [{Key, Value}]``, known strings only."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    out: dict[str, str] = {}
    for tag in as_list(value):
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str) and isinstance(tag.get("Value"), str):
            out[tag["Key"]] = tag["Value"]
    return out


def _mfa_delete(blocks: Any, key: str) -> bool | None:
    """Whether a versioning block turns MFA delete on: True, False (off or absent), None (unknown)."""
    found: bool | None = False
    for block in as_list(blocks):
        if not isinstance(block, dict):
            return None
        value = block.get(key)
        if value is None:
            continue
        on = truthy(value) if not isinstance(value, str) or value.lower() in ("true", "false") else value.lower() == "enabled"
        if on is None:
            return None
        found = found or on
    return found


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def terraform_bucket(normaliser: Any, record: ResourceRecord) -> None:
    # The legacy inline ``versioning { mfa_delete = true }`` block of aws_s3_bucket (AWS provider < 4).
    normaliser.builder.inventory.data_stores.append(
        DataStore(
            address=record.address,
            kind="s3-bucket",
            location=record.location,
            name=_name(record.get("bucket")),
            tags=_tags(record.get("tags")),
            mfa_delete=_mfa_delete(record.get("versioning"), "mfa_delete"),
        )
    )


def terraform_versioning(normaliser: Any, record: ResourceRecord) -> None:
    bucket = record.get("bucket")
    normaliser.builder.inventory.data_stores.append(
        DataStore(
            address=record.address,
            kind="s3-bucket-versioning",
            location=record.location,
            name=_name(bucket),
            bucket=bucket.address if isinstance(bucket, Reference) else None,
            mfa_delete=_mfa_delete(record.get("versioning_configuration"), "mfa_delete"),
        )
    )


def cloudformation_bucket(normaliser: Any, record: ResourceRecord) -> None:
    normaliser.builder.inventory.data_stores.append(
        DataStore(
            address=record.address,
            kind="s3-bucket",
            location=record.location,
            name=_name(record.get("BucketName")),
            tags=_tags(record.get("Tags")),
            mfa_delete=False,
            mfa_delete_settable=False,
        )
    )


TERRAFORM_HANDLERS: dict[str, Handler] = {"aws_s3_bucket": terraform_bucket, "aws_s3_bucket_versioning": terraform_versioning}
CLOUDFORMATION_HANDLERS: dict[str, Handler] = {"AWS::S3::Bucket": cloudformation_bucket}

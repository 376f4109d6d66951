"""Settings that tune a scan: thresholds and lists the rules read.

Kept minimal and validated with pydantic; unknown keys are rejected so a typo never silently
changes what is checked.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from privlint.model.findings import Severity


class ConfigSuppression(BaseModel):
    """A suppression kept in the configuration file: a risk-register entry for a rule on some resources."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="Rule id (PL203) or name (wildcard-resource-write).")
    resource: str = Field(default="*", description="Glob on the finding's resource address, e.g. 'module.legacy.*'.")
    path: str = Field(default="*", description="Glob on the finding's file path.")
    reason: str | None = Field(default=None, description="Why the control cannot be met (required: without it the suppression does not apply).")
    owner: str | None = Field(default=None, description="Who accepted the risk.")
    until: dt.date | None = Field(default=None, description="Expiry date (YYYY-MM-DD); after it the finding is reported again.")


class ApprovedAdmin(BaseModel):
    """An approved privileged account (PUG-1): a login or user name, approved until a date."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="GitHub login or user name of the approved admin (matched case-insensitively).")
    until: dt.date | None = Field(default=None, description="Approval expiry (YYYY-MM-DD); after it the admin is reported again.")


class Settings(BaseModel):
    """privlint's configuration: the keys of ``.privlint.yaml`` / ``[tool.privlint]``, with their defaults.

    Unknown keys and bad values raise a pydantic ``ValidationError`` (a ValueError) naming the key;
    ``privlint schema config`` prints the JSON Schema."""

    model_config = ConfigDict(extra="forbid")

    fail_on: Severity = Field(default=Severity.low, description="Exit 1 when an unsuppressed finding has at least this severity.")
    min_password_length: int = Field(default=14, ge=1, description="Account password policies must require at least this length (PUG-4).")
    password_reuse_prevention: int = Field(default=24, ge=0, description="Account password policies must remember at least this many passwords (PUG-4).")
    extra_default_passwords: list[str] = Field(default_factory=list, description="More passwords to treat as vendor-default or weak.")
    include_disabled: bool = Field(
        default=False,
        description="Also lint Terraform blocks that an input variable's value switches off (count = 0, empty for_each); their findings say which variable turns them on.",
    )
    max_file_size: int = Field(default=10_000_000, ge=1, description="Files larger than this many bytes are reported, not parsed.")
    select: list[str] = Field(default_factory=list, description="Run only these rules: ids, names or categories (empty: all).")
    ignore: list[str] = Field(default_factory=list, description="Never run these rules: ids, names or categories.")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Severity overrides by rule id or name.")
    exclude: list[str] = Field(default_factory=list, description="Path globs not to scan (matched against each path as reported, and its parts).")
    suppressions: list[ConfigSuppression] = Field(default_factory=list, description="Suppressions by rule and resource glob.")
    change_register: str | None = Field(default=None, description="Path of the change register used by `privlint drift`.")
    dormancy_days: int = Field(default=90, ge=1, description="Credentials unused for longer than this many days are dormant (PUG-8).")
    max_admins: int = Field(default=3, ge=1, description="At most this many organisation owners / admins (PUG-3).")
    min_admins: int = Field(default=2, ge=1, description="At least this many owners where there is any, so no single point of failure (PAM-2).")
    approved_admins: list[ApprovedAdmin] = Field(default_factory=list, description="Approved admins [{name, until}] (PUG-1); empty: not checked.")
    critical_data: list[str] = Field(
        default_factory=list,
        description="S3 bucket names or resource ARNs (globs) that hold critical data: buckets need MFA delete, destructive grants on them need MFA (PAM-5).",
    )
    critical_data_tags: dict[str, str] = Field(
        default_factory=lambda: {"data-classification": "critical"},
        description="Tags (key: value, case-insensitive) that mark an S3 bucket as holding critical data (PAM-5).",
    )

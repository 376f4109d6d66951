"""Settings that tune a scan: thresholds and lists the rules read.

Kept minimal and validated with pydantic; unknown keys are rejected so a typo never silently
changes what is checked.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from privlint.findings import Severity


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_on: Severity = Field(Severity.low, description="Exit 1 when an unsuppressed finding has at least this severity.")
    min_password_length: int = Field(14, ge=1, description="Account password policies must require at least this length (PUG-4).")
    password_reuse_prevention: int = Field(24, ge=0, description="Account password policies must remember at least this many passwords (PUG-4).")
    extra_default_passwords: list[str] = Field(default_factory=list, description="More passwords to treat as vendor-default or weak.")
    max_file_size: int = Field(10_000_000, ge=1, description="Files larger than this many bytes are reported, not parsed.")

"""IAM policy statements as privlint reads them: the record every provider's policies become."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Effect = Literal["Allow", "Deny"]


class Condition(BaseModel):
    """One ``operator: {key: values}`` entry of a statement's Condition block."""

    model_config = ConfigDict(frozen=True)

    operator: str
    key: str
    values: list[str] = Field(default_factory=list)
    unknown_values: bool = False


class Statement(BaseModel):
    """A normalised IAM statement. Known strings only; unknown entries are counted, never guessed."""

    sid: str | None = None
    effect: Effect | None = None  # None: the effect is unknown
    actions: list[str] = Field(default_factory=list)
    not_action: bool = False
    unknown_actions: bool = False
    resources: list[str] = Field(default_factory=list)
    not_resource: bool = False
    unknown_resources: bool = False
    resource_absent: bool = False  # trust and resource policies may omit Resource
    principals: dict[str, list[str]] = Field(default_factory=dict)
    not_principal: bool = False
    unknown_principals: bool = False
    conditions: list[Condition] = Field(default_factory=list)
    line: int | None = None
    depends_on: str | None = None  # the undecided input this statement exists under (a template condition, var.x)

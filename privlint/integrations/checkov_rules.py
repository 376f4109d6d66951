"""Which privlint rules run as checkov checks, and one rule's verdict on one resource checkov parsed.

checkov calls a check with one resource at a time, so only rules whose verdict depends on that
resource alone can be checks; the others stay in ``privlint check`` (see ``NOT_COVERED``).
Check ids are ``CKV_PRIVLINT_<n>`` for rule ``PL<n>``. Pure: used inside checkov's environment.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from privlint.knowledge.credentials import credential_attribute_kind, is_admin_user_resource
from privlint.model.inventory import Inventory
from privlint.model.settings import Settings
from privlint.normalize.checkov_adapter import TerraformMode, cloudformation_inventory, terraform_inventory
from privlint.normalize.cloudformation_aws import RESOURCE_POLICIES
from privlint.normalize.terraform_aws import RESOURCE_POLICY_ATTRIBUTES
from privlint.rules.base import CheckFunction, Hit

CHECK_PREFIX = "CKV_PRIVLINT_"

# Resources that carry a policy document (identity, trust or resource policy) in the normalisers.
TERRAFORM_POLICY_TYPES = tuple(
    sorted(
        {
            "aws_iam_policy",
            "aws_iam_role",
            "aws_iam_user_policy",
            "aws_iam_group_policy",
            "aws_iam_role_policy",
            "aws_lambda_permission",
            *RESOURCE_POLICY_ATTRIBUTES,
        }
    )
)
CLOUDFORMATION_POLICY_TYPES = tuple(
    sorted(
        {
            "AWS::IAM::User",
            "AWS::IAM::Group",
            "AWS::IAM::Role",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::Policy",
            "AWS::IAM::UserPolicy",
            "AWS::IAM::GroupPolicy",
            "AWS::IAM::RolePolicy",
            "AWS::Lambda::Permission",
            "AWS::Serverless::Function",
            "AWS::Serverless::StateMachine",
            *RESOURCE_POLICIES,
        }
    )
)
_SECURITY_GROUPS_TF = ("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule")
_SECURITY_GROUPS_CFN = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress")
_EVERY = ("*",)  # credential attributes can be on any resource type: see ``applies``


@dataclass(frozen=True)
class CheckovRule:
    """A privlint rule as a checkov check: where it applies in each framework."""

    rule_id: str
    module: str  # privlint.rules.<module> defines the rule
    category: str  # a checkov CheckCategories member
    terraform: tuple[str, ...] = ()  # resource types
    terraform_data: tuple[str, ...] = ()  # data source types
    terraform_providers: tuple[str, ...] = ()  # provider names
    cloudformation: tuple[str, ...] = ()  # resource types

    @property
    def check_id(self) -> str:
        return check_id(self.rule_id)


def check_id(rule_id: str) -> str:
    """``PL201`` -> ``CKV_PRIVLINT_201``."""
    return CHECK_PREFIX + rule_id.removeprefix("PL")


_POLICY = {"terraform": TERRAFORM_POLICY_TYPES, "terraform_data": ("aws_iam_policy_document",), "cloudformation": CLOUDFORMATION_POLICY_TYPES}
_SECRET = {"terraform": _EVERY, "terraform_providers": _EVERY, "cloudformation": _EVERY}

COVERED: tuple[CheckovRule, ...] = (
    CheckovRule("PL201", "wildcard", "IAM", **_POLICY),
    CheckovRule("PL202", "wildcard", "IAM", **_POLICY),
    CheckovRule("PL203", "wildcard", "IAM", **_POLICY),
    CheckovRule("PL204", "wildcard", "IAM", **_POLICY),
    CheckovRule("PL205", "wildcard", "IAM", **_POLICY),
    CheckovRule("PL301", "credentials", "SECRETS", **_SECRET),
    CheckovRule("PL302", "credentials", "SECRETS", **_SECRET),
    CheckovRule("PL303", "credentials", "IAM", terraform=_EVERY, cloudformation=_EVERY),
    CheckovRule("PL304", "credentials", "IAM", terraform=("aws_iam_user_login_profile",), cloudformation=("AWS::IAM::User",)),
    CheckovRule("PL401", "hygiene", "NETWORKING", terraform=_SECURITY_GROUPS_TF, cloudformation=_SECURITY_GROUPS_CFN),
    CheckovRule("PL402", "hygiene", "IAM", terraform=("aws_iam_account_password_policy",)),
)

# Terraform and CloudFormation rules that are not checkov checks, and why (shown in docs/checkov.md).
NOT_COVERED: dict[str, str] = {
    "PL000": "a file checkov cannot parse is reported by checkov itself (parsing_errors)",
    "PL101": "needs several resources: a user's attachments, group memberships and deny-unless-MFA policies are separate resources",
    "PL102": "needs several resources: a role's admin rights and MFA guards can come from separate attachment resources",
    "PL305": "a CloudFormation parameter is not a resource, and checkov runs checks on resources only",
}


# Rules declared for every resource type, and the credential attribute kind a resource must carry for them
# (the normalisers' own table, privlint/data/credential_attributes.json): other resources get no verdict.
_CREDENTIAL_KIND = {"PL301": "secret", "PL302": "secret", "PL303": "username"}
_MAX_DEPTH = 6


def _has_attribute_of_kind(value: Any, kind: str, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return any(
            (isinstance(key, str) and credential_attribute_kind(key) == kind) or _has_attribute_of_kind(item, kind, depth + 1) for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_has_attribute_of_kind(item, kind, depth + 1) for item in value)
    return False


def applies(rule: CheckovRule, conf: dict[str, Any], entity_type: str) -> bool:
    """Whether the rule can judge this resource at all; checkov then reports a verdict (passed or failed).

    A rule declared for every type (``*``) applies only where a credential attribute of its kind is, and the
    administrator user-name rule only on the services whose user name is an administrator's, as in privlint.
    """
    kind = _CREDENTIAL_KIND.get(rule.rule_id)
    if kind is None:
        return True
    if kind == "username" and not is_admin_user_resource(entity_type):
        return False
    return _has_attribute_of_kind(conf, kind)


def covered_rule(rule_id: str) -> CheckovRule | None:
    return next((r for r in COVERED if r.rule_id == rule_id), None)


def rule_function(rule: CheckovRule) -> CheckFunction:
    """The rule's detection function, importing only its own module (not every rule module)."""
    from privlint.rules import base

    importlib.import_module(f"privlint.rules.{rule.module}")
    return base.CHECKS[rule.rule_id]


class InventoryCache:
    """checkov runs every check on the same ``conf`` object in turn: normalise it once, not per check."""

    def __init__(self) -> None:
        self._conf: dict[str, Any] | None = None
        self._key: tuple[str, str] | None = None
        self._inventory: Inventory | None = None

    def get(self, framework: str, conf: dict[str, Any], entity_type: str, mode: TerraformMode = "resource") -> Inventory:
        key = (framework, f"{mode}:{entity_type}")
        if self._conf is conf and self._key == key and self._inventory is not None:
            return self._inventory
        if framework == "terraform":
            inventory = terraform_inventory(conf, entity_type, mode)
        else:
            inventory = cloudformation_inventory(conf)
        self._conf, self._key, self._inventory = conf, key, inventory
        return inventory


_CACHE = InventoryCache()
_DEFAULT_SETTINGS = Settings()


def hits(rule: CheckovRule, framework: str, conf: dict[str, Any], entity_type: str, mode: TerraformMode = "resource") -> list[Hit]:
    """What the privlint rule finds in this one resource (default settings: checkov has no privlint config)."""
    inventory = _CACHE.get(framework, conf, entity_type, mode)
    return list(rule_function(rule)(inventory, _DEFAULT_SETTINGS))


# --------------------------------------------------------------------------- README table

TABLE_START, TABLE_END = "<!-- checkov-table:start -->", "<!-- checkov-table:end -->"


def readme_table() -> str:
    """docs/checkov.md's table of checkov check ids and privlint rules (``python -m privlint.integrations.checkov_rules``)."""
    from privlint.model.catalog import load_catalog

    catalog = load_catalog()
    rows = ["| checkov id | privlint rule | name | Terraform | CloudFormation |", "|---|---|---|---|---|"]
    for rule in COVERED:
        terraform = (
            "resources" + (", data sources" if rule.terraform_data else "") + (", providers" if rule.terraform_providers else "") if rule.terraform else "-"
        )
        rows.append(f"| {rule.check_id} | {rule.rule_id} | `{catalog[rule.rule_id].name}` | {terraform} | {'resources' if rule.cloudformation else '-'} |")
    for rule_id, why in NOT_COVERED.items():
        rows.append(f"| - | {rule_id} | `{catalog[rule_id].name}` | not a checkov check: {why} | |")
    return "\n".join(rows)


if __name__ == "__main__":
    import re
    import sys
    from pathlib import Path

    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/checkov.md")
    text = readme.read_text(encoding="utf-8")
    new = re.sub(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), lambda _m: f"{TABLE_START}\n{readme_table()}\n{TABLE_END}", text, flags=re.DOTALL)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    print("updated" if new != text else "up to date")

"""The checkov check classes: one check per privlint rule and framework, ids ``CKV_PRIVLINT_<n>``.

Imported only inside checkov's environment, by the loader checkov executes
(``policies/privlint_checks.py``, a copy of ``privlint/integrations/checkov_loader.py``). The checks do no
analysis of their own: they pass checkov's parsed resource to ``privlint.integrations.checkov_rules``.
"""

from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CloudFormationResourceCheck
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformResourceCheck

from privlint.integrations.checkov_rules import COVERED, CheckovRule, applies, hits
from privlint.model.catalog import load_catalog
from privlint.normalize.checkov_adapter import TerraformMode, terraform_creates_nothing

# Bad input must not abort checkov's run: the check then has no verdict (UNKNOWN), like privlint's guard.
_GUARDED = (RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError)


def _metadata(rule: CheckovRule) -> dict[str, Any]:
    meta = load_catalog()[rule.rule_id]
    return {
        "name": f"privlint {rule.rule_id} {meta.name}: {meta.title}",
        "id": rule.check_id,
        "categories": [CheckCategories[rule.category]],
        "guideline": f"Run `privlint explain {rule.rule_id}`; privlint docs/rules.md ({meta.name}).",
    }


class _PrivlintVerdict:
    """The shared body of every check: privlint's hits for this rule on this one resource."""

    rule: CheckovRule
    details: list[str]

    def _setup(self, rule: CheckovRule) -> None:
        self.rule = rule
        self.severity = Severities[load_catalog()[rule.rule_id].severity.value.upper()]

    def _verdict(self, framework: str, conf: dict[str, Any], entity_type: str, mode: TerraformMode = "resource") -> CheckResult:
        if framework == "terraform" and terraform_creates_nothing(conf):
            return CheckResult.UNKNOWN  # count = 0 or empty for_each: no such resource, so no verdict
        try:
            if not applies(self.rule, conf, entity_type):
                return CheckResult.UNKNOWN  # e.g. a secrets rule on a resource without a credential attribute
            found = hits(self.rule, framework, conf, entity_type, mode)
        except _GUARDED as exc:
            self.details.append(f"privlint could not analyse this resource ({type(exc).__name__})")
            return CheckResult.UNKNOWN
        self.details.extend(hit.message for hit in found)  # messages mask secrets
        return CheckResult.FAILED if found else CheckResult.PASSED


class PrivlintTerraformCheck(_PrivlintVerdict, TerraformResourceCheck):
    def __init__(self, rule: CheckovRule) -> None:
        super().__init__(supported_resources=list(rule.terraform), **_metadata(rule))
        self._setup(rule)  # after the base class, which resets severity

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._verdict("terraform", conf, self.entity_type)


class PrivlintTerraformDataCheck(_PrivlintVerdict, BaseDataCheck):
    def __init__(self, rule: CheckovRule) -> None:
        super().__init__(supported_data=list(rule.terraform_data), **_metadata(rule))
        self._setup(rule)  # after the base class, which resets severity

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._verdict("terraform", conf, self.entity_type, "data")


class PrivlintTerraformProviderCheck(_PrivlintVerdict, BaseProviderCheck):
    def __init__(self, rule: CheckovRule) -> None:
        super().__init__(supported_provider=list(rule.terraform_providers), **_metadata(rule))
        self._setup(rule)  # after the base class, which resets severity

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        return self._verdict("terraform", conf, entity_type, "provider")

    def scan_provider_conf(self, conf: dict[str, Any]) -> CheckResult:  # required by the base class
        return self._verdict("terraform", conf, self.entity_type, "provider")


class PrivlintCloudFormationCheck(_PrivlintVerdict, CloudFormationResourceCheck):
    def __init__(self, rule: CheckovRule) -> None:
        super().__init__(supported_resources=list(rule.cloudformation), **_metadata(rule))
        self._setup(rule)  # after the base class, which resets severity

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._verdict("cloudformation", conf, self.entity_type)


def register_checks() -> None:
    """Create every check; the base classes register them (checkov keeps one check per id and framework).

    checkov executes the loader once per framework runner, so this runs more than once: harmless.
    """
    for rule in COVERED:
        if rule.terraform:
            PrivlintTerraformCheck(rule)
        if rule.terraform_data:
            PrivlintTerraformDataCheck(rule)
        if rule.terraform_providers:
            PrivlintTerraformProviderCheck(rule)
        if rule.cloudformation:
            PrivlintCloudFormationCheck(rule)

"""default-credential: hard-coded, vendor-default and weak secrets; default admin names (PAM-6, PAM-8)."""

from __future__ import annotations

from collections.abc import Iterator

from privlint.model.datafiles import load_word_list
from privlint.model.findings import mask
from privlint.model.inventory import Credential, Inventory
from privlint.model.settings import Settings
from privlint.rules.base import Hit, rule

MIN_NON_WEAK_LENGTH = 8


def is_weak_password(value: str, settings: Settings) -> bool:
    """A vendor-default or trivially weak password (shipped list, configured extras, short or one repeated char)."""
    low = value.lower()
    if low in load_word_list("default_passwords.txt") or low in {p.lower() for p in settings.extra_default_passwords}:
        return True
    return len(value) < MIN_NON_WEAK_LENGTH or len(set(value)) == 1


def _source(cred: Credential) -> str:
    """Where the literal comes from, as the end of a sentence."""
    return {
        "literal": "written as a literal",
        "parameter default": f"from the Default of parameter {cred.via}",
        "tfvars": f"from var.{cred.via} in a tfvars file",
        "module argument": f"passed in as module argument {cred.via}",
        "variable default": f"from the default of var.{cred.via}",
    }[cred.origin]


_FIX = "take it from a secret store or generator (random_password, aws_secretsmanager_secret_version, azurerm_key_vault_secret, manage_master_user_password, or {{resolve:secretsmanager:...}} in CloudFormation)"


@rule("PL301")
def hardcoded_secret(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for cred in inventory.credentials:
        if cred.kind != "secret" or is_weak_password(cred.value, settings):
            continue
        yield Hit(
            resource=cred.address,
            location=cred.location,
            message=f"{cred.address}.{cred.attribute} is a hard-coded secret ({mask(cred.value)}), {_source(cred)}: {_FIX}.",
        )


@rule("PL302")
def default_password(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for cred in inventory.credentials:
        if cred.kind != "secret" or not is_weak_password(cred.value, settings):
            continue
        yield Hit(
            resource=cred.address,
            location=cred.location,
            message=f"{cred.address}.{cred.attribute} is a vendor-default or trivially weak password ({mask(cred.value)}), {_source(cred)}: {_FIX}.",
        )


@rule("PL303")
def default_admin_username(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    defaults = load_word_list("default_admin_usernames.txt")
    for cred in inventory.credentials:
        if cred.kind != "username" or cred.value.strip().lower() not in defaults:
            continue
        yield Hit(
            resource=cred.address,
            location=cred.location,
            message=f"{cred.address}.{cred.attribute} uses the default administrator name '{cred.value}', an attacker's first guess: choose a name specific to the system.",
        )


@rule("PL304")
def login_profile_without_reset(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for profile in inventory.login_profiles:
        if profile.password_reset_required is not False:
            continue
        yield Hit(
            resource=profile.address,
            location=profile.location,
            message=f"Console login profile {profile.address} does not force a password reset at first sign-in: set password_reset_required = true (CloudFormation: PasswordResetRequired: true).",
        )


@rule("PL305")
def noecho_parameter_default(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for param in inventory.secret_parameters:
        if not param.has_default:
            continue
        yield Hit(
            resource=param.name,
            location=param.location,
            message=f"NoEcho parameter {param.name} has a Default, so the secret is stored in the template: remove the Default, or use a {{{{resolve:secretsmanager:...}}}} dynamic reference.",
        )

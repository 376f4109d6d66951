"""AWS IAM credential reports: console users and root without MFA (PUG-5, PAM-7), root keys, dormancy (PUG-8).

Joining a report row with the IaC that makes that user admin is done by IAM user *name*. The rules look in
two places: IAM users in the same inventory, and ``CredentialReport.iac_admins``, which
``link_iac_admins`` fills from the other inventories of a scan. The engine runs rules once per unit (a
report is one unit, each Terraform module another), so the cross-unit join needs the engine to call
``link_iac_admins`` with every unit's inventory before running rules; until it does, a report scanned
with ``privlint check`` is judged on its own (high, not critical).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from privlint.knowledge.admin_level import admin_users
from privlint.model.findings import Severity
from privlint.model.inventory import CredentialReport, CredentialReportRow, Inventory
from privlint.model.settings import Settings
from privlint.rules.base import Hit, linker, rule


@linker
def link_iac_admins(inventories: Iterable[Inventory]) -> None:
    """Give every credential report the admin IAM users that the other inventories of the same scan define."""
    inventories = list(inventories)
    reports = [r for inv in inventories for r in inv.credential_reports]
    if not reports:
        return
    admins: dict[str, str] = {}
    for inventory in inventories:
        for name, why in admin_users(inventory).items():
            # Several inventories may define the same user: pick one reason whatever the scan order.
            admins[name] = min(why, admins.get(name, why))
    for report in reports:
        for name, why in admins.items():
            report.iac_admins.setdefault(name, why)


def _admins(inventory: Inventory, report: CredentialReport) -> dict[str, str]:
    return {**report.iac_admins, **admin_users(inventory)}


def _rows(inventory: Inventory) -> Iterator[tuple[CredentialReport, CredentialReportRow]]:
    for report in inventory.credential_reports:
        for row in report.rows:
            yield report, row


@rule("PL121")
def console_user_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for report in inventory.credential_reports:
        admins = _admins(inventory, report) if report.rows else {}
        for row in report.rows:
            if row.is_root or row.password_enabled is not True or row.mfa_active is not False:
                continue
            admin = admins.get(row.user)
            held = f" and is admin-level in the IaC ({admin})" if admin else ""
            yield Hit(
                resource=row.resource,
                location=row.location,
                message=(
                    f"IAM user {row.user} has a console password and no MFA device{held}: have the user register MFA, "
                    "or remove the password if console access is not needed."
                ),
                severity=Severity.critical if admin else None,
            )


@rule("PL122")
def root_without_mfa(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for _report, row in _rows(inventory):
        if row.is_root and row.mfa_active is False:
            yield Hit(
                resource=row.resource,
                location=row.location,
                message="The root user has no MFA device: assign one (a hardware key) and keep root unused.",
            )


@rule("PL420")
def root_access_key(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for _report, row in _rows(inventory):
        active = [k.number for k in row.access_keys if k.active]
        if row.is_root and active:
            keys = " and ".join(f"access key {n}" for n in active)
            yield Hit(
                resource=row.resource,
                location=row.location,
                message=f"The root user has an active {keys}: delete root access keys and use IAM roles for automation.",
            )


def last_activity(row: CredentialReportRow) -> tuple[dt.datetime | None, list[str]]:
    """The latest use (or, for a credential never used, when it was set) of the enabled credentials, and their names."""
    stamps: list[dt.datetime] = []
    enabled: list[str] = []
    if row.password_enabled:
        enabled.append("password")
        stamp = row.password_last_used or row.password_last_changed or row.created
        if stamp:
            stamps.append(stamp)
    for key in row.access_keys:
        if key.active:
            enabled.append(f"access key {key.number}")
            stamp = key.last_used or key.last_rotated or row.created
            if stamp:
                stamps.append(stamp)
    if len(stamps) < len(enabled):
        return None, enabled  # a credential with no date at all: not provably dormant
    return (max(stamps) if stamps else None), enabled


@rule("PL421")
def dormant_credentials(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for report in inventory.credential_reports:
        if report.as_of is None:
            continue
        admins = _admins(inventory, report) if report.rows else {}
        limit = dt.timedelta(days=settings.dormancy_days)
        for row in report.rows:
            if row.is_root:
                continue
            latest, enabled = last_activity(row)
            if latest is None or report.as_of - latest <= limit:
                continue
            days = (report.as_of - latest).days
            admin = admins.get(row.user)
            yield Hit(
                resource=row.resource,
                location=row.location,
                message=(
                    f"IAM user {row.user} has an enabled {' and '.join(enabled)} unused for {days} days before the report "
                    f"(over {settings.dormancy_days}){', and is admin-level in the IaC' if admin else ''}: disable the "
                    "password and deactivate the keys, or delete the user."
                ),
                severity=Severity.high if admin else None,
            )

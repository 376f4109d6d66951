"""Which guidance controls privlint enforces: every checkable control is covered by a rule, or listed here."""

from __future__ import annotations

import re

from conftest import ROOT

from privlint.rules.base import load_catalog

# Controls in CONTROLS.md that no rule enforces yet, and why. Shrink this list as rules land;
# the test fails when it is out of date in either direction.
NOT_ENFORCED = {
    "PUG-3": "admin counts per organisation (issue 3)",
    "PUG-8": "dormant accounts from credential reports (issue 3)",
    "PUG-10": "privilege changes in an audit log (issue 4)",
    "PAM-2": "minimum number of admins (issue 3)",
    "PAM-5": "MFA delete on critical buckets",
    "CCM-1": "change records for drift (issue 4)",
    "CCM-2": "drift audit log (issue 4)",
    "CCM-3": "ticket ids on change records (issue 4)",
    "CCM-4": "unapproved drift (issue 4)",
    "CCM-5": "security approval of security-relevant changes (issue 4)",
    "CCM-8": "security relevance in the audit log (issue 4)",
}


def guidance_controls() -> set[str]:
    text = (ROOT / "tests" / "data" / "CONTROLS.md").read_text()
    return set(re.findall(r"^\| ((?:PUG|PAM|CCM)-\d+) \|", text, re.MULTILINE))


def test_every_control_is_enforced_or_listed() -> None:
    enforced = {c for meta in load_catalog().values() for c in meta.controls}
    controls = guidance_controls()
    assert len(controls) >= 20
    assert enforced <= controls, f"rules name controls that are not in CONTROLS.md: {enforced - controls}"
    missing = controls - enforced
    assert missing == set(NOT_ENFORCED), (
        f"not enforced but not listed: {sorted(missing - set(NOT_ENFORCED))}; "
        f"listed but now enforced: {sorted(set(NOT_ENFORCED) - missing)}"
    )

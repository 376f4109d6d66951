"""Which guidance controls privlint enforces: every checkable control is covered by a rule, or listed here."""

from __future__ import annotations

import re

from conftest import ROOT
from privlint.model.catalog import load_catalog

# Controls in CONTROLS.md that no rule enforces yet, and why. Shrink this list as rules land;
# the test fails when it is out of date in either direction.
NOT_ENFORCED: dict[str, str] = {}


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
        f"not enforced but not listed: {sorted(missing - set(NOT_ENFORCED))}; listed but now enforced: {sorted(set(NOT_ENFORCED) - missing)}"
    )

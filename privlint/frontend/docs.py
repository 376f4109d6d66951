"""Documentation generated from rule metadata: the rule table of docs/rule-index.md and docs/rules.md.

``python -m privlint.frontend.docs`` rewrites the table between the markers in docs/rule-index.md and
docs/rules.md (one section per rule: SARIF ``helpUri`` links to its anchor); a test fails when
either is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from privlint.model.catalog import load_catalog

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_table() -> str:
    rows = ["| id | name | category | severity | controls | formats | what it finds |", "|---|---|---|---|---|---|---|"]
    for meta in load_catalog().values():
        summary = " ".join(meta.summary.split())
        rows.append(
            f"| {meta.id} | `{meta.name}` | {meta.category.value} | {meta.severity.value} | "
            f"{', '.join(meta.controls) or '-'} | {', '.join(meta.formats)} | {summary.replace('|', '&#124;')} |"
        )
    return "\n".join(rows)


def update_readme(path: Path) -> bool:
    """Rewrite the table in place; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), f"{START}\n{rule_table()}\n{END}", text, flags=re.DOTALL)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def rules_document() -> str:
    """docs/rules.md: a ``## PL101`` heading per rule, so its anchor is the id in lower case (``#pl101``)."""
    parts = ["# Rules", "", "Generated from the rule catalog by `python -m privlint.frontend.docs`; do not edit by hand.", ""]
    for meta in load_catalog().values():
        parts += [
            f"## {meta.id}",
            "",
            f"**{meta.name}**: {meta.title}",
            "",
            (
                f"Category `{meta.category.value}`, severity `{meta.severity.value}`, controls {', '.join(meta.controls) or '-'}, "
                f"formats {', '.join(meta.formats)}."
            ),
            "",
            f"**What it finds.** {' '.join(meta.summary.split())}",
            "",
            f"**Why it matters.** {' '.join(meta.rationale.split())}",
            "",
        ]
        for label, example in (("Bad", meta.bad_example), ("Good", meta.good_example)):
            if example:
                parts += [f"{label}:", "", "```", example.rstrip("\n"), "```", ""]
        parts += [f"**Fix.** {' '.join(meta.fix.split())}", ""]
    return "\n".join(parts)


def update_file(path: Path, text: str) -> bool:
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old != text:
        path.write_text(text, encoding="utf-8")
    return old != text


if __name__ == "__main__":
    docs = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    changed = update_readme(docs / "rule-index.md")
    changed = update_file(docs / "rules.md", rules_document()) or changed
    print("updated" if changed else "up to date")

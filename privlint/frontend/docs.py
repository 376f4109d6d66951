"""Documentation generated from rule metadata: the README's rule table.

``python -m privlint.frontend.docs`` rewrites the table between the markers in README.md;
a test fails when the README is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from privlint.rules.base import load_catalog

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


if __name__ == "__main__":
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("README.md")
    print("updated" if update_readme(readme) else "up to date")

from __future__ import annotations

from conftest import ROOT
from privlint.frontend.docs import END, START, rule_table
from privlint.model.catalog import has_detector, load_catalog
from privlint.rules.registry import all_rules


def test_rule_index_table_is_up_to_date() -> None:
    index = (ROOT / "docs" / "rule-index.md").read_text()
    assert f"{START}\n{rule_table()}\n{END}" in index, "run: python -m privlint.frontend.docs"


def test_readme_stays_short_and_links_every_document() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 15_000
    for doc in (ROOT / "docs").glob("*.md"):
        assert f"docs/{doc.name}" in readme, doc.name


def test_every_rule_has_metadata_and_detection_code() -> None:
    catalog = load_catalog()
    with_code = {r.meta.id for r in all_rules()}
    assert with_code == {rid for rid, meta in catalog.items() if has_detector(meta)}
    for meta in catalog.values():
        assert meta.summary and meta.rationale and meta.fix, meta.id
        assert meta.id == "PL000" or meta.controls, meta.id


def test_explain_works_for_every_rule() -> None:
    from typer.testing import CliRunner

    from privlint.frontend.cli import app

    runner = CliRunner()
    for meta in load_catalog().values():
        for key in (meta.id, meta.name):
            result = runner.invoke(app, ["explain", key])
            assert result.exit_code == 0, (key, result.output)
            assert meta.title in result.output and "Fix" in result.output and "Why it matters" in result.output


def test_escalation_coverage_doc_is_generated_from_the_data() -> None:
    from privlint.frontend.coverage_doc import coverage, render

    assert (ROOT / "docs" / "escalation-coverage.md").read_text() == render(), "run: python -m privlint.frontend.coverage_doc"
    for catalogue, rows in coverage().items():
        # Every entry of every catalogue has a decision (a technique, a combination, or a recorded reason).
        assert all(why != "not yet recorded" for _e, _n, _s, why in rows), catalogue
    assert "docs/escalation-coverage.md" in (ROOT / "README.md").read_text()


def test_rules_document_is_up_to_date() -> None:
    from privlint.frontend.docs import rules_document

    assert (ROOT / "docs" / "rules.md").read_text() == rules_document(), "run: python -m privlint.frontend.docs"

"""How much of real IAM code privlint understands: the share of policy statements it knows fully.

    python benchmarks/fidelity.py REPO [REPO ...]      # each a checkout of a public module repository
    python benchmarks/fidelity.py --json out.json REPO ...

Every Terraform module directory and CloudFormation template in each repository is scanned as
``privlint check`` scans it. Every policy statement handed to the inventory is counted (IAM identity,
trust and resource policies; ``aws_iam_policy_document`` statements, generated ``dynamic`` ones
included) and it is *fully known* when its effect, actions, resources and principals are all known;
a whole document that stays unknown counts as one unknown statement. Azure role assignments and GCP
IAM members count when their role and scope are known.

Unknown statements are split by cause: those that depend on a root module's input variable with no
value, or on a registry module, which no static tool (nor ``terraform plan`` without inputs) can know;
those that depend on an attribute the provider computes (an ``email``, an ``arn``, a data source's
result) that the configuration does not set, which ``terraform plan`` shows as known after apply;
and the rest, which privlint should know. The target is >= 95% of the knowable ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from privlint.knowledge.iam import parse_statement
from privlint.model.values import PartialList, PartialString, Reference, Unknown
from privlint.normalize import common

_INPUT_CAUSES = ("var.", "module.")
# TYPE.NAME.ATTRIBUTE of a resource or data source, as an unknown names what it depends on.
_RESOURCE_ATTRIBUTE = re.compile(r"^((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)")


def _unknowns(value: Any) -> list[Unknown]:
    if isinstance(value, PartialString):
        return [h for h in value.holes if isinstance(h, Unknown)] or [value]
    if isinstance(value, PartialList):
        return [value]
    if isinstance(value, Unknown) and not isinstance(value, Reference):
        return [value]
    if isinstance(value, dict):
        return [u for v in value.values() for u in _unknowns(v)]
    if isinstance(value, list):
        return [u for v in value for u in _unknowns(v)]
    return []


Configured = dict[tuple[str, str], list[Any]]  # (TYPE.NAME, attribute) -> the values resources set it to


def _cause(value: Any, configured: Configured) -> str:
    """``input``, ``provider`` (neither knowable without running Terraform) or ``other``."""
    return _kind_of({_source_kind(u.source, configured, set()) for u in _unknowns(value)})


def _kind_of(kinds: set[str]) -> str:
    if not kinds or "other" in kinds:
        return "other"
    return "input" if "input" in kinds else "provider"


def _source_kind(source: str, configured: Configured, seen: set[tuple[str, str]]) -> str:
    if source.startswith(_INPUT_CAUSES):
        return "input"
    match = _RESOURCE_ATTRIBUTE.match(source)
    if match is None:
        return "other"
    key = (match.group(1), match.group(2))
    if key not in configured:
        return "provider"  # computed by the provider: known after apply
    if key in seen:
        return "other"
    # Set in the configuration: as knowable as what it is set to (an input, a data source, a literal).
    kinds = set()
    for value in configured[key]:
        inner = {_source_kind(u.source, configured, seen | {key}) for u in _unknowns(value)}
        kinds.add(_kind_of(inner) if inner else "other")
    return "other" if "other" in kinds else _kind_of(kinds)


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: Counter[str] = Counter()
        self.where = ""  # the document or resource being counted, for --explain
        self.explained: list[str] = []
        self.configured: Configured = {}  # what the configuration sets resources' attributes to
        self.merged: dict[int, Any] = {}  # statements copied from another document, by id (kept alive: ids stay unique)

    def statement(self, raw: Any) -> None:
        if id(raw) in self.merged:
            return  # copied from another document (source_policy_documents): counted where it is written
        self.counts["statements"] += 1
        statement = parse_statement(raw) if isinstance(raw, dict) else None
        known = (
            statement is not None
            and statement.effect is not None
            and not (statement.unknown_actions or statement.unknown_resources or statement.unknown_principals)
        )
        if known:
            self.counts["known"] += 1
            return
        self._unknown(raw)

    def _unknown(self, raw: Any) -> None:
        cause = _cause(raw, self.configured)
        self.counts[f"unknown: {cause}"] += 1
        unknowns = _unknowns(raw) or [raw]
        if cause == "other":
            for u in unknowns[:1]:
                self.examples[getattr(u, "source", None) or type(u).__name__] += 1
        detail = ", ".join(sorted({f"{type(u).__name__}({getattr(u, 'source', '')!s:.60})" for u in unknowns}))
        self.explained.append(f"{cause}: {self.where}: {detail}")

    def assignment(self, known: bool, raw: Any) -> None:
        """An Azure role assignment or a GCP IAM binding: known when its role and members are."""
        self.counts["statements"] += 1
        if known:
            self.counts["known"] += 1
            return
        self._unknown(raw)

    def document(self, value: Any) -> None:
        if value is None or isinstance(value, Reference):
            return  # no policy here, or a link to a document counted where it is written
        if isinstance(value, PartialString):
            try:
                value = common.policy_value_from_partial(value)
            except ValueError:
                pass
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return
        statements = value.get("Statement", value.get("statement")) if isinstance(value, dict) else value
        if isinstance(statements, (Unknown, type(None))) or not isinstance(value, dict):
            self.counts["statements"] += 1
            self._unknown(value)
            return
        items = statements if isinstance(statements, list) else [statements]
        for raw in items:
            self.statement(raw)


def measure(repository: Path) -> Tally:
    from privlint.normalize import terraform_aws, terraform_azure, terraform_gcp
    from privlint.pipeline.engine import Scanner
    from privlint.terraform.loader import TerraformLoader

    tally = Tally()
    original = common.InventoryBuilder.add_document
    load_original = TerraformLoader.load
    merge_original = terraform_aws.TerraformNormaliser._statements_from_source
    azure_original = terraform_azure._role_assignment
    gcp_original = terraform_gcp._binding

    def azure_observed(record: Any, by_address: Any) -> Any:
        out = azure_original(record, by_address)
        tally.where = f"{record.address} ({record.file}:{record.line})"
        raw = {k: record.get(k) for k in ("role_definition_name", "role_definition_id", "scope", "principal_id")}
        tally.assignment((out.role_name or out.role_definition) is not None and out.principal is not None, raw)
        return out

    def gcp_observed(address: str, resource_type: str, level: str, block: Any, file: str, default_line: Any) -> Any:
        out = gcp_original(address, resource_type, level, block, file, default_line)
        tally.where = f"{address} ({file})"
        tally.assignment(out.role is not None and not out.unknown_members, block)
        return out

    def observed(self: Any, address: str, resource: str, resource_type: str, location: Any, value: Any, kind: Any, attached_to: Any = None) -> Any:
        tally.where = f"{address} ({location.file}:{location.line})"
        tally.document(value)
        return original(self, address, resource, resource_type, location, value, kind, attached_to)

    def copied(self: Any, source: Any, record: Any) -> Any:
        statements = merge_original(self, source, record)
        if isinstance(source, Reference):
            tally.merged.update((id(s), s) for s in statements)
        return statements

    def loaded(self: Any, directory: Any, files: Any) -> Any:
        result = load_original(self, directory, files)
        for resource in result.resources:
            key = f"{'data.' if resource.mode == 'data' else ''}{resource.type}.{resource.name}"
            for name, value in resource.values.items():
                tally.configured.setdefault((key, name), []).append(value)
        return result

    common.InventoryBuilder.add_document = observed  # type: ignore[method-assign]
    TerraformLoader.load = loaded  # type: ignore[method-assign]
    terraform_aws.TerraformNormaliser._statements_from_source = copied  # type: ignore[method-assign]
    terraform_azure._role_assignment = azure_observed
    terraform_gcp._binding = gcp_observed
    try:
        Scanner().scan_paths([str(repository)])
    finally:
        common.InventoryBuilder.add_document = original  # type: ignore[method-assign]
        TerraformLoader.load = load_original  # type: ignore[method-assign]
        terraform_aws.TerraformNormaliser._statements_from_source = merge_original  # type: ignore[method-assign]
        terraform_azure._role_assignment = azure_original
        terraform_gcp._binding = gcp_original
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repositories", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--explain", action="store_true", help="list every unknown statement with its cause (input, provider or other) and address")
    args = parser.parse_args(argv)
    rows = []
    explained: list[str] = []
    print("| repository | statements | fully known | unknown: root inputs / registry | unknown: provider-computed | unknown: other | known of knowable |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for repository in args.repositories:
        tally = measure(repository)
        c = tally.counts
        knowable = c["statements"] - c["unknown: input"] - c["unknown: provider"]
        share = 100.0 * c["known"] / knowable if knowable else 100.0
        rows.append({"repository": repository.name, **c, "known_of_knowable_percent": round(share, 1), "other_causes": dict(tally.examples.most_common(8))})
        if args.explain:
            explained.extend(f"{repository.name}: {line}" for line in tally.explained)
        print(
            f"| {repository.name} | {c['statements']} | {c['known']} | {c['unknown: input']} | {c['unknown: provider']} | {c['unknown: other']} | {share:.1f}% |"
        )
    for row in rows:
        if row["other_causes"]:
            print(f"\n{row['repository']}: unknown for other reasons, most common first: {row['other_causes']}")
    if explained:
        print("\n" + "\n".join(explained))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The tree-sitter front-end and python-hcl2 brought to one shape and compared.

Both sides become ``Shape``: a body is ``{"attributes": {name: value}, "blocks": {type: [(labels, body)]}}``
(blocks grouped by type, as python-hcl2 groups them); a value is a literal (str, int, float, bool, None,
list, dict) or ``EXPRESSION`` when it is not literal, which is compared by presence only.

python-hcl2's conventions, undone here: an expression is rendered as a ``"${...}"`` string; template
escapes (``$${``, ``%%{``) are kept as written; a heredoc loses its final newline.

Run as a script over a directory to print agreement figures: ``python tests/hcl_agreement.py DIR``.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from privlint.parsers.hcl_front_end import parse_hcl
from privlint.parsers.hcl_syntax_tree import (
    Block,
    Body,
    Expression,
    Literal,
    ObjectExpr,
    Template,
    TupleExpr,
    UnaryOp,
    Variable,
)


class _Expression:
    def __repr__(self) -> str:
        return "EXPRESSION"


EXPRESSION = _Expression()


@dataclass(frozen=True)
class Name:
    """A bare name (``string``, ``tags``): python-hcl2 writes it as the plain string, so it is told apart."""

    name: str


@dataclass(frozen=True)
class Rendered:
    """An expression as python-hcl2 renders it (``"${...}"``): its text tells its known differences."""

    text: str


Shape = str | int | float | bool | None | list["Shape"] | dict[str, "Shape"] | _Expression | Name | Rendered

DEBUG = False
# python-hcl2's differences from Terraform (and from the front-end), counted apart and never failed on
KNOWN_BARE_NAME = "python-hcl2 writes a bare name (string, tags) as a string"
KNOWN_PARENTHESES = "python-hcl2 keeps a parenthesised literal as an expression"
KNOWN_HEREDOC_NEWLINE = "python-hcl2 drops a heredoc's final newline (with its CR if any)"
KNOWN_FLUSH_HEREDOC_QUOTES = 'python-hcl2 also escapes the quotes of an indented heredoc (<<-) as \\" and \\ as \\\\'
ONLY_TREE_SITTER_READS = "read by tree-sitter, not by python-hcl2"
KNOWN_LENIENT = "python-hcl2 reads a file Terraform rejects (an argument defined twice, two on one line)"
TERRAFORM_REJECTS = {
    "HCL syntax error: attribute defined twice",
    "HCL syntax error: missing newline after an argument or block",
}
_FLUSH_HEREDOC_ESCAPE = re.compile(r'\\(["\\])')
_UNESCAPED_TEMPLATE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


# --------------------------------------------------------------------------- the tree-sitter side


def value_of(expr: Expression) -> Shape:
    """A literal expression as a plain value; anything else is ``EXPRESSION``."""
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Variable):
        return Name(expr.name)
    if isinstance(expr, UnaryOp) and expr.op == "-" and isinstance(expr.operand, Literal):
        number = expr.operand.value
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            return -number  # python-hcl2 folds a negative number into its literal
    if isinstance(expr, Template):
        return "".join(expr.parts) if all(isinstance(p, str) for p in expr.parts) else EXPRESSION  # type: ignore[arg-type]
    if isinstance(expr, TupleExpr):
        return [value_of(item) for item in expr.items]
    if isinstance(expr, ObjectExpr):
        result: dict[str, Shape] = {}
        for item in expr.items:
            key = value_of(item.key)
            if not isinstance(key, str):
                return EXPRESSION
            result[key] = value_of(item.value)
        return result
    return EXPRESSION


def body_shape(body: Body | Block) -> dict[str, Shape]:
    blocks: dict[str, list[Shape]] = {}
    for block in body.blocks:
        blocks.setdefault(block.type, []).append([list(block.labels), body_shape(block)])
    return {
        "attributes": {name: value_of(a.expr) for name, a in body.attributes.items()},
        "blocks": blocks,
    }  # type: ignore[dict-item]


# --------------------------------------------------------------------------- the python-hcl2 side


def hcl2_load(text: str) -> dict[str, object]:
    import hcl2
    from hcl2 import SerializationOptions

    options = SerializationOptions(
        strip_string_quotes=True,
        preserve_heredocs=False,
        with_comments=False,
        preserve_scientific_notation=False,
    )
    return hcl2.loads(text, serialization_options=options)


def hcl2_value(value: object) -> Shape:
    if isinstance(value, str):
        if _UNESCAPED_TEMPLATE.search(value):
            return Rendered(value)
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [hcl2_value(v) for v in value]
    if isinstance(value, dict):
        if any(isinstance(k, str) and _UNESCAPED_TEMPLATE.search(k) for k in value):
            return Rendered("${computed key}")
        return {str(k): hcl2_value(v) for k, v in value.items()}
    return value  # type: ignore[return-value]


def _is_block(value: object) -> bool:
    """A block as python-hcl2 writes it: nested one-key dicts (the labels) ending in ``__is_block__``."""
    while isinstance(value, dict):
        if value.get("__is_block__") is True:
            return True
        if len(value) != 1:
            return False
        value = next(iter(value.values()))
    return False


def hcl2_body_shape(data: dict[str, object]) -> dict[str, Shape]:
    attributes: dict[str, Shape] = {}
    blocks: dict[str, list[Shape]] = {}
    for name, value in data.items():
        if name == "__is_block__":
            continue
        if isinstance(value, list) and value and all(_is_block(v) for v in value):
            for item in value:
                labels: list[Shape] = []
                while "__is_block__" not in item:
                    label, item = next(iter(item.items()))
                    labels.append(label)
                blocks.setdefault(name, []).append([labels, hcl2_body_shape(item)])
        else:
            attributes[name] = hcl2_value(value)
    return {"attributes": attributes, "blocks": blocks}  # type: ignore[dict-item]


# --------------------------------------------------------------------------- comparison


@dataclass
class Agreement:
    files: int = 0
    unreadable_by_hcl2: list[str] = field(default_factory=list)
    problems_in_ours: list[str] = field(default_factory=list)
    attributes: int = 0
    literals: int = 0
    expressions: int = 0
    blocks: int = 0
    disagreements: list[str] = field(default_factory=list)
    causes: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)

    def disagree(self, where: str, cause: str) -> None:
        self.disagreements.append(f"{where}: {cause}")
        self.causes[cause] += 1

    def add(self, other: Agreement) -> None:
        self.files += other.files
        self.unreadable_by_hcl2 += other.unreadable_by_hcl2
        self.problems_in_ours += other.problems_in_ours
        self.attributes += other.attributes
        self.literals += other.literals
        self.expressions += other.expressions
        self.blocks += other.blocks
        self.disagreements += other.disagreements
        self.causes.update(other.causes)
        self.known.update(other.known)


def compare_file(path: Path, root: Path) -> Agreement:
    return compare_text(path.read_text(encoding="utf-8", errors="replace"), str(path.relative_to(root)))


def compare_text(text: str, name: str) -> Agreement:
    """Both parsers on one file's text; a file only one of them can read counts as a disagreement."""
    result = Agreement(files=1)
    ours = parse_hcl(text)
    try:
        theirs = hcl2_load(text)
    except Exception as exc:
        result.unreadable_by_hcl2.append(f"{name}: {type(exc).__name__}")
        if not ours.problems:
            result.disagree(name, ONLY_TREE_SITTER_READS)
        return result
    if ours.problems and all(p.message in TERRAFORM_REJECTS for p in ours.problems):
        result.known[KNOWN_LENIENT] += 1
        return result
    if ours.problems:
        result.problems_in_ours.append(f"{name}:{ours.problems[0].line}: {ours.problems[0].message}")
        result.disagree(name, "a problem in tree-sitter, read by python-hcl2")
        return result
    heredoc_file = "<<" in text
    for where, cause in _compare_bodies(body_shape(ours.body), hcl2_body_shape(theirs), name, result, heredoc_file):
        result.disagree(where, cause)
    return result


def _compare_bodies(ours: dict, theirs: dict, where: str, tally: Agreement, heredocs: bool) -> Iterator[tuple[str, str]]:  # type: ignore[type-arg]
    for name in sorted(set(ours["attributes"]) | set(theirs["attributes"])):
        if name not in ours["attributes"] or name not in theirs["attributes"]:
            yield f"{where}.{name}", "attribute present on one side only"
            continue
        tally.attributes += 1
        yield from _compare_values(
            ours["attributes"][name],
            theirs["attributes"][name],
            f"{where}.{name}",
            tally,
            heredocs,
        )
    for kind in sorted(set(ours["blocks"]) | set(theirs["blocks"])):
        mine, other = ours["blocks"].get(kind, []), theirs["blocks"].get(kind, [])
        if len(mine) != len(other):
            yield (
                f"{where}/{kind}",
                f"block count differs ({len(mine)} vs {len(other)})",
            )
            continue
        for (labels, body), (other_labels, other_body) in zip(mine, other):
            tally.blocks += 1
            inner = f"{where}/{kind}" + "".join(f"[{label}]" for label in labels)
            if labels != other_labels:
                yield inner, "block labels differ"
                continue
            yield from _compare_bodies(body, other_body, inner, tally, heredocs)


def _compare_values(ours: Shape, theirs: Shape, where: str, tally: Agreement, heredocs: bool) -> Iterator[tuple[str, str]]:
    ours_expression = ours is EXPRESSION or isinstance(ours, Name)
    if ours_expression or isinstance(theirs, Rendered):
        tally.expressions += 1
        if ours_expression and isinstance(theirs, Rendered):
            return
        if isinstance(ours, Name) and ours.name == theirs:
            tally.known[KNOWN_BARE_NAME] += 1
        elif isinstance(theirs, Rendered) and theirs.text.startswith("${(") and not ours_expression:
            tally.known[KNOWN_PARENTHESES] += 1
        else:
            yield where, "literal on one side, expression on the other"
        return
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            yield where, "list length differs"
            return
        for i, (a, b) in enumerate(zip(ours, theirs)):
            yield from _compare_values(a, b, f"{where}[{i}]", tally, heredocs)
        return
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if set(ours) != set(theirs):
            yield where, "object keys differ"
            return
        for key in ours:
            yield from _compare_values(ours[key], theirs[key], f"{where}.{key}", tally, heredocs)
        return
    tally.literals += 1
    if _same_literal(ours, theirs):
        return
    if heredocs and isinstance(ours, str) and isinstance(theirs, str) and ours.endswith("\n"):
        if ours[:-1] == theirs or (ours.endswith("\r\n") and ours[:-2] == theirs):
            tally.known[KNOWN_HEREDOC_NEWLINE] += 1
            return
        if ours[:-1] == _FLUSH_HEREDOC_ESCAPE.sub(r"\1", theirs):
            tally.known[KNOWN_FLUSH_HEREDOC_QUOTES] += 1
            return
    yield where, f"literal differs ({type(ours).__name__} vs {type(theirs).__name__})"
    if DEBUG:
        print(where, repr(ours)[:300], repr(theirs)[:300], sep="\n  ")


def _same_literal(ours: Shape, theirs: Shape) -> bool:
    if isinstance(ours, bool) or isinstance(theirs, bool) or ours is None or theirs is None:
        return ours is theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return ours == theirs
    return type(ours) is type(theirs) and ours == theirs


def tree_depth(node: object) -> int:
    """How deeply syntax-tree nodes nest (iterative: the point is that recursion could fail)."""
    deepest = 0
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, (tuple, list)):
            stack.extend((c, depth) for c in current)
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            deepest = max(deepest, depth + 1)
            stack.extend((getattr(current, f.name), depth + 1) for f in dataclasses.fields(current))
    return deepest


def hcl_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())


def compare_tree(root: Path) -> Agreement:
    total = Agreement()
    for path in hcl_files(root):
        total.add(compare_file(path, root))
    return total


def report(agreement: Agreement) -> str:
    a = agreement
    lines = [
        f"files {a.files}, unreadable by python-hcl2 {len(a.unreadable_by_hcl2)}, with tree-sitter problems {len(a.problems_in_ours)}",
        f"attributes compared {a.attributes} (literal values {a.literals}, expressions by presence {a.expressions}), blocks {a.blocks}",
        f"disagreements {len(a.disagreements)}",
    ]
    lines += [f"  {count:5d}  known: {cause}" for cause, count in a.known.most_common()]
    lines += [f"  {count:5d}  {cause}" for cause, count in a.causes.most_common()]
    lines += [f"  unreadable by python-hcl2: {x}" for x in a.unreadable_by_hcl2[:20]]
    lines += [f"  tree-sitter problem: {x}" for x in a.problems_in_ours[:20]]
    lines += [f"  {x}" for x in a.disagreements[:40]]
    return "\n".join(lines)


if __name__ == "__main__":
    DEBUG = "--debug" in sys.argv
    print(report(compare_tree(Path(sys.argv[1]))))

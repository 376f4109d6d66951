"""Terraform parsing speed: python-hcl2 against the tree-sitter front-end, on the same files.

    python benchmarks/parser_speed.py DIR [--repeat 3] [--json out.json]

Every ``.tf`` / ``.tfvars`` file under DIR is read into memory first, then parsed in this process by:

- python-hcl2 ``parses_to_tree``: the Lark tree privlint's current Terraform parser starts from;
- python-hcl2 ``loads``: the same, turned into python-hcl2's dictionaries;
- tree-sitter, tree only: the C parser's tree (``hcl_front_end.parse_tree``);
- tree-sitter front-end: ``parse_hcl``, the whole syntax tree with problems and comments.

Each parser is warmed up on a one-line file first (building the grammar is a one-time cost, shown apart).
Times are CPU seconds (``time.process_time``), the median of ``--repeat`` runs; the ratio is python-hcl2's
``parses_to_tree`` time over each parser's. A file a parser rejects still counts (the time is spent).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))  # run from a checkout without installing

WARM_UP = 'resource "a" "b" {\n  x = [1, "${var.y}"]\n}\n'


@dataclass
class Timing:
    parser: str
    setup_seconds: float
    seconds: float
    rejected: int
    ratio: float = 0.0


def read_corpus(root: Path) -> list[str]:
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def parsers() -> dict[str, Callable[[str], object]]:
    import hcl2

    from privlint.parsers.hcl_front_end import parse_hcl, parse_tree

    return {
        "python-hcl2 parses_to_tree": hcl2.parses_to_tree,
        "python-hcl2 loads": hcl2.loads,
        "tree-sitter tree only": lambda text: parse_tree(text.encode("utf-8", "replace")),
        "tree-sitter front-end (parse_hcl)": parse_hcl,
    }


def time_parser(name: str, parse: Callable[[str], object], texts: list[str], repeat: int) -> Timing:
    started = time.process_time()
    parse(WARM_UP)
    setup = time.process_time() - started
    runs = []
    rejected = 0
    for _ in range(repeat):
        rejected = 0
        started = time.process_time()
        for text in texts:
            try:
                parse(text)
            except Exception:
                rejected += 1
        runs.append(time.process_time() - started)
    return Timing(name, setup, statistics.median(runs), rejected)


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("directory", type=Path)
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--json", type=Path, help="also write the results here")
    options = arguments.parse_args(argv)
    texts = read_corpus(options.directory)
    if not texts:
        print(f"no .tf or .tfvars files under {options.directory}", file=sys.stderr)
        return 2
    size = sum(len(t.encode("utf-8", "replace")) for t in texts)
    timings = [time_parser(name, parse, texts, options.repeat) for name, parse in parsers().items()]
    reference = timings[0].seconds
    for timing in timings:
        timing.ratio = reference / timing.seconds if timing.seconds else float("inf")
    print(f"{len(texts)} files, {size:,} bytes, median of {options.repeat} runs (CPU seconds)\n")
    print("| parser | setup s | parse s | MB/s | rejected files | vs parses_to_tree |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in timings:
        speed = size / t.seconds / 1e6 if t.seconds else float("inf")
        print(f"| {t.parser} | {t.setup_seconds:.3f} | {t.seconds:.3f} | {speed:.2f} | {t.rejected} | {t.ratio:.1f}x |")
    if options.json:
        result = {
            "files": len(texts),
            "bytes": size,
            "repeat": options.repeat,
            "timings": [asdict(t) for t in timings],
        }
        options.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""privlint's benchmark: wall time, CPU time and peak memory against the parse-only floor and checkov.

    python benchmarks/run.py                          # corpora of 10, 100 and 1,000 Terraform files
    python benchmarks/run.py --sizes 10 100 --repeat 3
    python benchmarks/run.py --checkov /path/to/venv/bin/checkov   # checkov in its own venv
    python benchmarks/run.py --setup-checkov          # create benchmarks/.venv-checkov (pip install checkov)

For each corpus (see corpus.py: ten Terraform files per module plus one CloudFormation template per
ten files) it times, each in a fresh process:

- privlint cold: ``privlint check --cache CORPUS --format json`` with an empty cache directory;
- privlint warm: the same command again, nothing changed (evaluated modules come from the cache);
- privlint one file: one ``.tf`` file named on the command line, as the pre-commit hook runs it
  (cold, then warm);
- privlint graph: ``privlint graph CORPUS --format json`` (the same scan, then the graph drawn);
- floor: python-hcl2 parsing the same ``.tf`` files to Lark trees and nothing else
  (``hcl2.parses_to_tree``, the call privlint makes), in one process;
- checkov: ``checkov -d CORPUS --external-checks-dir policies --check 'CKV_PRIVLINT_*'`` when a
  checkov executable is given or found in ``benchmarks/.venv-checkov``; otherwise skipped with a note.
  checkov is never installed next to privlint: its bc-python-hcl2 and our python-hcl2 both own ``hcl2``.

Wall time is the median of ``--repeat`` runs; CPU time (user + system, child processes included)
and peak RSS come from ``os.wait4`` of the same run. Results are printed as a Markdown table with
the ratios the README's targets are stated in, and written as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402

CHECKOV_VENV = HERE / ".venv-checkov"
FLOOR = """
import sys, hcl2
for path in open(sys.argv[1]).read().split("\\n"):
    if path:
        hcl2.parses_to_tree(open(path, encoding="utf-8").read())
"""


@dataclass
class Measure:
    name: str
    wall: float  # seconds, median of the repeats
    cpu: float  # seconds, user + system (children included), of the median run
    rss_mb: float  # peak resident set size of the median run
    exit: int
    note: str = ""


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600) -> tuple[float, float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def measure(name: str, cmd: list[str], cwd: Path, repeat: int, prepare=None, env: dict[str, str] | None = None) -> Measure:
    runs = []
    for _ in range(repeat):
        if prepare:
            prepare()
        runs.append(run_once(cmd, cwd, env))
    runs.sort(key=lambda r: r[0])
    wall, cpu, rss, code = runs[len(runs) // 2]
    return Measure(name, round(wall, 3), round(cpu, 3), round(rss, 1), code)


def privlint_command() -> list[str]:
    exe = shutil.which("privlint", path=os.path.dirname(sys.executable)) or shutil.which("privlint")
    return [exe] if exe else [sys.executable, "-m", "privlint.frontend.cli"]


def supports_cache(privlint: list[str]) -> bool:
    out = subprocess.run([*privlint, "check", "--help"], capture_output=True, text=True, env=dict(os.environ, COLUMNS="200")).stdout
    return "--cache" in out


def find_checkov(given: str | None) -> str | None:
    if given:
        return given
    candidate = CHECKOV_VENV / "bin" / "checkov"
    return str(candidate) if candidate.exists() else None


def setup_checkov() -> None:
    """checkov in its own virtual environment (never the one privlint runs in)."""
    subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
    subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "--quiet", "checkov"], check=True)


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem, "os": platform.platform(), "python": platform.python_version()}


def real_corpus_stats(corpus: Path) -> dict[str, int]:
    tf = [p for p in corpus.rglob("*.tf") if p.is_file()]
    templates = [p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".template", ".json") and p.is_file()]
    return {
        "terraform_files": len(tf),
        "terraform_bytes": sum(p.stat().st_size for p in tf),
        "templates": len(templates),
        "template_bytes": sum(p.stat().st_size for p in templates),
    }


def bench_size(size: int, work: Path, repeat: int, checkov: str | None, checkov_max: int, real: Path | None = None) -> tuple[dict[str, int], list[Measure]]:
    corpus = real if real is not None else work / f"corpus-{size}"
    stats = real_corpus_stats(corpus) if real is not None else generate(corpus, size)
    tf_files = sorted(str(p) for p in (corpus if real is not None else corpus / "terraform").rglob("*.tf"))
    (work / f"files-{size}.txt").write_text("\n".join(tf_files))
    privlint = privlint_command()
    cache_dir = work / f"cache-{size}"
    cached = supports_cache(privlint)
    cache_args = ["--cache"] if cached else []

    cache_env = dict(os.environ, PRIVLINT_CACHE_DIR=str(cache_dir))

    def clear_cache() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    one_file = tf_files[0]
    results = [
        measure("privlint cold", [*privlint, "check", str(corpus), "--format", "json", *cache_args], work, repeat, clear_cache, env=cache_env),
        measure("privlint warm", [*privlint, "check", str(corpus), "--format", "json", *cache_args], work, repeat, env=cache_env),
        measure("privlint one file, cold", [*privlint, "check", one_file, "--format", "json", *cache_args], work, repeat, clear_cache, env=cache_env),
        measure("privlint one file, warm", [*privlint, "check", one_file, "--format", "json", *cache_args], work, repeat, env=cache_env),
        measure("privlint graph", [*privlint, "graph", str(corpus), "--format", "json"], work, repeat),
        measure("floor: python-hcl2 parse only", [sys.executable, "-c", FLOOR, str(work / f"files-{size}.txt")], work, repeat),
    ]
    if not cached:
        for m in results[:4]:  # the cold, warm and one-file runs
            m.note = "this privlint has no cache: warm = cold"
    if checkov and size <= checkov_max:
        env = dict(os.environ, LOG_LEVEL="WARNING")
        base = [checkov, "--external-checks-dir", str(REPO / "policies"), "--check", "CKV_PRIVLINT_*", "--quiet", "--compact", "-o", "json"]
        results.append(measure("checkov, privlint bundle", [*base, "-d", str(corpus)], work, 1, env=env))
        results.append(measure("checkov, one file", [*base, "-f", one_file], work, 1, env=env))
    return stats, results


def ratios(by: dict[str, Measure]) -> list[tuple[str, float | None, float | None]]:
    """(label, wall-time ratio, CPU-time ratio). On a busy machine the CPU ratio is the steadier one."""

    def r(a: str, b: str, what: str) -> float | None:
        if a in by and b in by and getattr(by[b], what) > 0:
            return round(getattr(by[a], what) / getattr(by[b], what), 2)
        return None

    pairs = [
        ("checkov / privlint cold (target >= 30)", "checkov, privlint bundle", "privlint cold"),
        ("checkov one file / privlint one file cold (target >= 10)", "checkov, one file", "privlint one file, cold"),
        ("privlint cold / parse-only floor (target <= 1.3)", "privlint cold", "floor: python-hcl2 parse only"),
        ("privlint cold / privlint warm (target >= 5)", "privlint cold", "privlint warm"),
        ("privlint check / privlint graph (target >= 1)", "privlint cold", "privlint graph"),
    ]
    return [(label, r(a, b, "wall"), r(a, b, "cpu")) for label, a, b in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000], help="Terraform files per corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per privlint measurement (median wall time)")
    parser.add_argument("--checkov", help="a checkov executable in its own environment")
    parser.add_argument("--checkov-max", type=int, default=1000, help="largest corpus to run checkov on (it is slow)")
    parser.add_argument("--setup-checkov", action="store_true", help=f"create {CHECKOV_VENV.name} with checkov first")
    parser.add_argument("--corpus", type=Path, action="append", help="a directory of real IaC to measure instead of a generated corpus (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", type=Path, help="generate corpora here and keep them (default: a temporary directory)")
    args = parser.parse_args()

    if args.setup_checkov:
        setup_checkov()
    checkov = find_checkov(args.checkov)
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, {info['os']}, Python {info['python']}")
    if not checkov:
        print("note: checkov skipped (no --checkov and no benchmarks/.venv-checkov; --setup-checkov creates it)")
    elif not (REPO / "policies").is_dir() or not any((REPO / "policies").glob("*.py")):
        print("note: checkov skipped (policies/ holds no privlint bundle yet)")
        checkov = None

    work = args.keep or Path(tempfile.mkdtemp(prefix="privlint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"machine": info, "corpora": []}
    try:
        plan: list[tuple[int, Path | None]] = [(0, c.resolve()) for c in args.corpus] if args.corpus else [(s, None) for s in args.sizes]
        for size, real in plan:
            stats, results = bench_size(size, work, args.repeat, checkov, args.checkov_max if real is None else 10**9, real)
            by = {m.name: m for m in results}
            kb = (stats["terraform_bytes"] + stats["template_bytes"]) / 1024
            title = f"{real.name}: {stats['terraform_files']} Terraform files" if real is not None else f"{size} Terraform files"
            print(f"\n### {title} + {stats['templates']} CloudFormation/JSON files ({kb:,.0f} KB)\n")
            print("| run | wall s | CPU s | peak RSS MB | exit |")
            print("|---|---:|---:|---:|---:|")
            for m in results:
                print(f"| {m.name}{' (' + m.note + ')' if m.note else ''} | {m.wall:.2f} | {m.cpu:.2f} | {m.rss_mb:.0f} | {m.exit} |")
            print()
            rows = ratios(by)
            for label, wall, cpu in rows:
                print(f"- {label}: wall {wall if wall is not None else 'n/a'}, CPU {cpu if cpu is not None else 'n/a'}")
            report["corpora"].append(
                {"size": size, **stats, "results": [asdict(m) for m in results], "ratios": {label: {"wall": w, "cpu": c} for label, w, c in rows}}
            )  # type: ignore[union-attr]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

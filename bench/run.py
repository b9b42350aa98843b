"""``make bench``: run every workload, then print one table and write it as markdown.

Each workload runs as ``python -m bench.<module>`` in a process of its own (which starts
one more process per contestant), writes its raw figures to ``bench/results/<name>.json``,
and this script assembles them into ``bench/results/README-table.md`` and prints it.

    python -m bench.run                   # everything (a few minutes on 2 cores)
    python -m bench.run --only a,c        # some workloads (letters or module names)
    python -m bench.run --table-only      # rebuild the table from the JSON files

The table also replaces whatever stands between ``<!-- bench:start -->`` and
``<!-- bench:end -->`` in README.md (if both markers are there).
    BENCH_QUICK=1 python -m bench.run     # fewer repetitions, smaller sizes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import RESULTS, ROOT, blas_summary, fmt_bytes, fmt_ratio, fmt_time

WORKLOADS = [  # (letter, module, result name)
    ("a", "micrograd_demo", "a_micrograd_demo"),
    ("b", "mlp_step", "b_mlp_step"),
    ("c", "tiny_ops", "c_tiny_ops"),
    ("d", "deep_chain", "d_deep_chain"),
    ("e", "digits", "e_digits"),
    ("f", "memory", "f_memory"),
    ("g", "graph_render", "g_graph_render"),
]
TIMEOUT_S = 900


def run_workloads(selected: list[tuple[str, str, str]]) -> dict[str, str]:
    failures = {}
    for letter, module, _ in selected:
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", f"bench.{module}"], cwd=ROOT,
                                  timeout=TIMEOUT_S)  # fmt: skip
            if proc.returncode != 0:
                failures[letter] = f"exit status {proc.returncode}"
        except subprocess.TimeoutExpired:
            failures[letter] = f"timed out after {TIMEOUT_S} s"
        print(f"  ({letter} took {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return failures


# --------------------------------------------------------------------------- the table
def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _baseline_label(baseline: str | None) -> str:
    if not baseline:
        return "ratio"
    if baseline.startswith("numpy"):
        return "× numpy"
    if baseline.startswith("scikit"):
        return "× scikit-learn"
    return f"× {baseline}"


def _timing_section(res: dict) -> list[str]:
    label = _baseline_label(res.get("baseline"))
    rows = []
    for r in res["rows"]:
        if r.get("error"):
            rows.append([r["case"], r["contestant"], "–", "–", "–", f"failed: {r['error']}"])
            continue
        spread = f"{fmt_time(r['min'])} – {fmt_time(r['max'])}"
        rows.append([r["case"], r["contestant"], fmt_time(r["median"]), spread,
                     fmt_ratio(r.get("ratio")), r.get("note") or ""])  # fmt: skip
    return _table(["case", "contestant", "median", "min – max", label, "note"], rows)


def _memory_section(res: dict) -> list[str]:
    rows = []
    for r in res["rows"]:
        if r.get("error"):
            rows.append([r["case"], r["contestant"], "–", "–", "–", "–"])
            continue
        peak = r.get("tracemalloc_peak")
        rows.append([r["case"], r["contestant"],
                     fmt_bytes(peak) if peak is not None else "n/a (own allocator)",
                     fmt_ratio(r.get("ratio")), fmt_bytes(r.get("maxrss_growth")),
                     fmt_ratio(r.get("ratio_rss"))])  # fmt: skip
    header = ["case", "contestant", "tracemalloc peak", "× numpy", "ru_maxrss growth", "× numpy"]
    return _table(header, rows)


def _graph_section(res: dict) -> list[str]:
    if res.get("skipped"):
        return [f"Skipped: {res['skipped']}."]
    rows = []
    for r in res["rows"]:
        if r.get("error"):
            rows.append([r["case"], r["contestant"], "–", "–", r["error"]])
            continue
        spread = f"{fmt_time(r['min'])} – {fmt_time(r['max'])}"
        rows.append([r["case"], r["contestant"], fmt_time(r["median"]), spread,
                     r.get("note") or ""])  # fmt: skip
    return _table(["case", "what", "median", "min – max", "note"], rows)


def _machine_lines(machine: dict) -> list[str]:
    peers = ", ".join(f"{k} {v}" for k, v in (machine.get("peers") or {}).items() if v)
    env = machine.get("env") or {}
    env_text = ", ".join(f"{k}={v}" for k, v in env.items()) or "none set"
    threads = f"PyTorch {machine.get('torch_threads')} intra-op threads; " if machine.get(
        "torch_threads") else ""  # fmt: skip
    load = machine.get("load_average")
    return [
        f"- Date: {machine.get('date')}; commit {machine.get('commit')}",
        f"- Machine: {machine.get('cpu')}, {machine.get('cores')} cores; "
        f"{machine.get('platform')}; Python {machine.get('python')}",
        f"- numpy {machine.get('numpy')}, BLAS: {blas_summary(machine)}",
        f"- Peers: {peers}",
        f"- Threads: {machine.get('bench_threads')} per contestant (BENCH_THREADS); {threads}"
        f"environment: {env_text}",
        f"- Load average (1, 5, 15 min) when this workload started: "
        f"{', '.join(f'{x:.2f}' for x in load) if load else 'unknown'}",
    ]


def build_table(names: list[str]) -> str:
    results = {}
    for name in names:
        path = RESULTS / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text())
    if not results:
        return "No results yet: run `make bench`.\n"
    first = results[next(iter(results))]
    lines = [
        "## Benchmarks",
        "",
        "Produced by `make bench` (a few minutes; its own environment `.bench-venv` holds the "
        "peers; raw figures in `bench/results/*.json`, harness in `bench/harness.py`). Each "
        "workload runs all its contestants in one run, interleaved (A B C, C B A, ...), each "
        "in a fresh process of its own (workloads a and b spread their rounds over three "
        "generations of fresh processes, so no ratio rests on one process's memory "
        "placement) with the same environment: one BLAS/OpenMP thread each "
        "(`BENCH_THREADS=2 make bench` for both cores on a quiet machine) and the same "
        "malloc thresholds. Times are per step: the median over the repetitions, with their "
        "min – max; ratios divide medians by the baseline's (hand-written numpy unless the "
        "column says otherwise). The targets of the engine and nn issues close the section.",
        "",
    ]
    lines += _machine_lines(first["machine"]) + [""]
    targets = []
    for name, res in results.items():
        lines += [f"### {res.get('title', name)}", ""]
        if name == "f_memory":
            lines += _memory_section(res)
        elif name == "g_graph_render":
            lines += _graph_section(res)
        else:
            lines += _timing_section(res)
        if name == "d_deep_chain" and res.get("growth_1e6_over_1e5"):
            growth = ", ".join(f"{k} {v:.1f}" for k, v in res["growth_1e6_over_1e5"].items())
            lines += ["", f"time(1e6) / time(1e5): {growth} (linear is 10)."]
        lines.append("")
        targets += res.get("targets", [])
    if targets:
        lines += ["### Targets", ""]
        rows = [[t["target"], f"{t['value']:.3g} {t['unit']}", f"{t['limit']:g}",
                 "met" if t["met"] else "**missed**"] for t in targets]  # fmt: skip
        lines += _table(["target", "measured", "limit", ""], rows) + [""]
    return "\n".join(lines)


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def update_readme(table: str) -> bool:
    """Put the table into README.md between the two markers; nothing else is touched."""
    path = ROOT / "README.md"
    if not path.exists():
        return False
    text = path.read_text()
    i, j = text.find(START), text.find(END)
    if i < 0 or j < i:
        return False
    path.write_text(text[: i + len(START)] + "\n" + table.rstrip() + "\n" + text[j:])
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated workload letters or module names")
    parser.add_argument("--table-only", action="store_true", help="no runs, just the table")
    args = parser.parse_args(argv)
    selected = WORKLOADS
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        selected = [w for w in WORKLOADS if w[0] in wanted or w[1] in wanted]
        if not selected:
            parser.error(f"--only: no workload named {args.only!r}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5 and not args.table_only:
        print(f"WARNING: load average {load:.2f}: other processes share the 2 cores, the "
              "figures will be noisy (each table records the load it started with)",
              file=sys.stderr)  # fmt: skip
    failures = {} if args.table_only else run_workloads(selected)
    table = build_table([w[2] for w in WORKLOADS])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "README-table.md").write_text(table)
    print(table)
    print(f"(written to {Path(RESULTS / 'README-table.md').relative_to(ROOT)})")
    if update_readme(table):
        print("(and into README.md, between the bench markers)")
    for letter, why in failures.items():
        print(f"workload {letter} FAILED: {why}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

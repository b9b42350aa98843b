"""Where a scalar step's time goes: the engine, and Python's cycle collector.

Run in the benchmark's environment (micrograd is a peer, never a dependency):

    .bench-venv/bin/python -m bench.collector

Workloads a (micrograd's demo step, scalar Values) and d (the deep chain) build graphs of one
Python object per number. CPython's cycle collector then runs during the step, because that
many container objects were made, not because there is garbage: our graphs hold no reference
cycles. This script counts its collections in each contestant's step and times them, with
``gc.callbacks``, beside the step's time with the collector on (as shipped) and off (the
engine alone).

Each case runs in a fresh process of its own (the collector's work depends on everything
alive in the process): ``STEPS`` steps with the collector on, the same number with it off,
medians. Full collections ("gen 2") walk every live object; young ones ("gen 0/1") walk
only the newest. CPython 3.11 starts a full collection after ten young gen-1 collections
(70,000 new objects) and only once the objects promoted since the last one exceed a quarter
of those that survived it, so their number per step grows with the graph.

Writes ``bench/results/i_collector.json``; not part of ``make bench`` (its figures are
explanations, not targets).
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

STEPS = 5
OUT = Path(__file__).resolve().parent / "results" / "i_collector.json"
CASES = {
    "a: ours, scalar mode": ("micrograd_demo", "ours_scalar_setup"),
    "a: micrograd 0.1.0": ("micrograd_demo", "micrograd_setup"),
    "d: ours, chain of 1e5": ("deep_chain", 10**5),
    "d: ours, chain of 1e6": ("deep_chain", 10**6),
}


def _step(case: str):
    module, arg = CASES[case]
    if module == "micrograd_demo":
        from bench import micrograd_demo as a

        X, y = a.moons()
        return getattr(a, arg)(X, y, a.micrograd_init())
    from bench import deep_chain as d

    return d.ours_setup(arg)


def run_case(case: str) -> dict:
    """In this process: the step with the collector on (counted) and off."""
    step = _step(case)
    step()  # warm up
    spans: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def clock(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spans[info["generation"]].append(time.perf_counter() - started[0])

    on, off = [], []
    for _ in range(STEPS):
        gc.collect()  # (before the clock and the counting: the previous step's garbage)
        gc.callbacks.append(clock)
        t0 = time.perf_counter()
        step()
        on.append(time.perf_counter() - t0)
        gc.callbacks.remove(clock)
    for _ in range(STEPS):
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        step()
        off.append(time.perf_counter() - t0)
        gc.enable()
    young = spans[0] + spans[1]
    return {
        "collector on": statistics.median(on),
        "collector off": statistics.median(off),
        "full collections a step": len(spans[2]) / STEPS,
        "in full collections": sum(spans[2]) / STEPS,
        "in young collections": sum(young) / STEPS,
        "longest full collection": max(spans[2], default=0.0),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
        return
    results = {}
    for case in CASES:
        print(f"  {case} ...", file=sys.stderr)
        proc = subprocess.run([sys.executable, "-m", "bench.collector", "--case", case],
                              capture_output=True, text=True)  # fmt: skip
        if proc.returncode:
            print(f"    skipped: {proc.stderr.strip().splitlines()[-1]}", file=sys.stderr)
            continue
        results[case] = json.loads(proc.stdout)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"python": sys.version.split()[0], "steps": STEPS,
                               "cases": results}, indent=1) + "\n")  # fmt: skip
    print("| case | step, collector on | collector off | full collections a step | "
          "time in them | in young ones |")
    print("|---|---|---|---|---|---|")
    for case, r in results.items():
        print(f"| {case} | {_s(r['collector on'])} | {_s(r['collector off'])} | "
              f"{r['full collections a step']:g} | {_s(r['in full collections'])} | "
              f"{_s(r['in young collections'])} |")


def _s(seconds: float) -> str:
    return f"{seconds * 1e3:,.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


if __name__ == "__main__":
    main()

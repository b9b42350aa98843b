"""Workload f: peak memory of a training loop (MLP 784-256-256-10, float32, SGD).

The training steps of workload b, ``STEPS`` of them, each contestant in a fresh process
of its own. Two figures per contestant, both *above* what the process held once the
model and the batch existed (so the interpreter, the libraries and the parameters are
not counted, only what training adds):

* ``tracemalloc`` peak: every allocation that goes through Python's allocator, numpy's
  arrays included (numpy reports its buffers to tracemalloc). PyTorch's tensors come from
  its own allocator and are invisible to it, so PyTorch has no such figure.
* ``ru_maxrss`` growth: the rise of the process's peak resident memory, seen by the
  kernel, for every contestant alike (coarser: pages freed by numpy may stay mapped).

The target compares the tracemalloc peaks: ours ≤ 1.5× the hand-written numpy's.
"""

from __future__ import annotations

import resource
import sys

from bench import harness, mlp_step
from bench.harness import fmt_bytes

STEPS = 20
NUMPY = mlp_step.NUMPY
SETUPS = {
    NUMPY: mlp_step.numpy_setup,
    "ours": mlp_step.ours_setup,
    "PyTorch": mlp_step.torch_setup,
    "HIPS autograd": mlp_step.hips_setup,
}


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _measure(name: str, batch: int, conn) -> None:
    import tracemalloc

    try:
        X, y, init = mlp_step.make_problem((784, 256, 256, 10), batch)
        made = SETUPS[name](X, y, init)
        step = made[0] if isinstance(made, tuple) else made
        rss0 = _maxrss_bytes()
        tracemalloc.start()
        for _ in range(STEPS):
            loss = step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        conn.send({"tracemalloc_peak": None if name == "PyTorch" else peak,
                   "maxrss_growth": _maxrss_bytes() - rss0, "last_loss": loss})  # fmt: skip
    except Exception as err:  # noqa: BLE001 - reported in the table
        conn.send({"error": f"{type(err).__name__}: {err}"})


def run_one(name: str, batch: int) -> dict:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    p = ctx.Process(target=_measure, args=(name, batch, child), daemon=True)
    p.start()
    out = parent.recv()
    p.join(timeout=30)
    return out


def main() -> None:
    rows, targets = [], []
    for batch in (128,) if harness.quick() else (128, 1024):
        case = f"784-256-256-10, batch {batch}, {STEPS} steps"
        print(f"f. peak memory {case}", file=sys.stderr)
        figures = {name: run_one(name, batch) for name in SETUPS}
        base = figures[NUMPY].get("tracemalloc_peak")
        base_rss = figures[NUMPY].get("maxrss_growth")
        for name, f in figures.items():
            peak, rss = f.get("tracemalloc_peak"), f.get("maxrss_growth")
            rows.append({
                "case": case, "contestant": name, "unit": "bytes",
                "tracemalloc_peak": peak, "maxrss_growth": rss,
                "ratio": peak / base if (peak and base) else None,
                "ratio_rss": rss / base_rss if (rss and base_rss) else None,
                "baseline": NUMPY, "error": f.get("error"),
            })  # fmt: skip
            print(f"    {name:<34} tracemalloc peak {fmt_bytes(peak):>10}  "
                  f"maxrss +{fmt_bytes(rss)}", file=sys.stderr)  # fmt: skip
        ours = figures["ours"].get("tracemalloc_peak")
        limit = 1.5 if batch == 128 else 2.0  # the engine issue's figures: no memory tricks
        if ours and base:
            targets.append(
                harness.target(
                    f"peak memory, batch {batch}: ours ≤ {limit}× numpy", ours / base, limit,
                    "× numpy",
                )  # fmt: skip
            )
    harness.write_result(
        "f_memory",
        {
            "title": f"f. Peak memory of the training loop (MLP 784-256-256-10 float32, "
            f"{STEPS} SGD steps), above the model and data",
            "baseline": NUMPY,
            "rows": rows,
            "targets": targets,
        },
    )


if __name__ == "__main__":
    main()

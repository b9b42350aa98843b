"""The timing harness shared by every workload: interleaved samples, statistics, JSON.

How a workload is measured (the rules that make the ratios fair):

* All contestants of a workload run in **one run, one after the other, interleaved**:
  a round times one sample of each contestant (A B C ...), the next round goes the other
  way (... C B A), and so on for ``reps`` rounds. A slow drift of the machine (another
  process, frequency scaling) then hits every contestant alike instead of the last one.
* Each contestant lives in a **process of its own** (see :func:`measure`): PyTorch's OpenMP
  threads and numpy's OpenBLAS threads, both busy-waiting on 2 cores, slowed each other
  down up to 50× when they shared one process; a user's program holds only one of them.
  A workload may spread its rounds over several generations of fresh processes
  (``processes=``), so that no ratio rests on one draw of memory placement.
* A sample is ``inner`` calls of the contestant's step function; ``inner`` is calibrated
  once after a warm-up so that a sample lasts at least ``min_sample_s``. The figure kept is
  seconds per step: the median of the sample's steps, each clocked alone, when a step
  takes 50 µs or more (robust to a burst of another process on a shared machine), else
  the sample's time / inner.
* Python's cycle collector stays **on** (as in a user's program: micrograd pays for its
  reference cycles there), but ``gc.collect()`` runs before every sample, outside the
  timer, so one contestant's garbage is never collected on another's clock.
* The same environment for everyone: the same environment variables, the same BLAS
  build for the numpy-based contestants, the same thread count (``THREADS``, below; all
  recorded by :func:`machine_info`).

Statistics: the median of the per-step times, with min and max; the ratio of medians to
the workload's baseline (hand-written numpy, unless the workload says otherwise).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Threads: every contestant gets the same number, BENCH_THREADS (default 1), through the
# variables that numpy's OpenBLAS, PyTorch's OpenMP and MKL read when they load (the
# contestants' processes start after this line) and threadpoolctl for this process. One
# thread, because this machine has 2 cores shared with other work: measured here, one busy
# neighbour process made a quarter of the 2-thread OpenBLAS steps 60x slower (its threads
# wait at a barrier for a descheduled partner), while 1-thread steps stayed within 5%.
# `BENCH_THREADS=2 make bench` on a quiet machine measures both cores.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)
try:
    from threadpoolctl import threadpool_limits

    _limits = threadpool_limits(THREADS)
except ImportError:  # pragma: no cover - only the bench environment has it
    _limits = None

# glibc's malloc, the same for everyone: by default it moves its mmap threshold and trims
# the heap as a process's history dictates, so one contestant's fresh process returned its
# ~1.4 MiB of per-step temporaries to the kernel after every step and took 356 page faults
# per step (40% slower) while the same code in an older process took none. Fixed
# thresholds (those glibc itself grows to: arrays under 32 MiB from the heap, trim above
# 64 MiB) give every contestant a warmed-up allocator, whatever ran before in its process.
os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(32 * 2**20))
os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", str(64 * 2**20))

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent

Step = Callable[[], Any]


@dataclass
class Contestant:
    """One implementation of a workload.

    ``setup(*args)`` (a module-level function, so another process can import it) builds
    everything (data, parameters) outside the timer and returns the step function to time,
    or ``(step, note)``. The step's return value (a loss, say) is kept from the warm-up
    call so the workload can check that the contestants compute the same thing.
    """

    name: str
    setup: Callable[..., Any]
    args: tuple = ()
    note: str = ""
    min_inner: int = 1
    max_inner: int = 1_000_000


@dataclass
class Timing:
    name: str
    per_step: list[float]
    inner: int
    note: str = ""
    first_result: Any = None
    error: str | None = None
    once: float = 0.0  # seconds per step at calibration (the first generation's)

    def fail(self, error: str) -> None:
        """Report the contestant as failed: an error and no samples, wherever it failed."""
        self.error = error
        self.per_step.clear()

    @property
    def median(self) -> float:
        return statistics.median(self.per_step) if self.per_step else math.nan

    @property
    def min(self) -> float:
        return min(self.per_step) if self.per_step else math.nan

    @property
    def max(self) -> float:
        return max(self.per_step) if self.per_step else math.nan


@dataclass
class Measured:
    """Timings of all contestants of one case, in the order given."""

    timings: list[Timing] = field(default_factory=list)

    def by_name(self, name: str) -> Timing:
        for t in self.timings:
            if t.name == name:
                return t
        raise KeyError(name)


def _ref(fn: Callable[..., Any]) -> str:
    """``module:qualname`` of a module-level function (``__main__`` named by its spec)."""
    module = fn.__module__
    if module == "__main__":
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        if spec is None:
            raise ValueError("run the workload as `python -m bench.NAME`")
        module = spec.name
    return f"{module}:{fn.__qualname__}"


def _resolve(ref: str) -> Callable[..., Any]:
    import importlib

    module, _, name = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _worker(conn: Any, ref: str, args: tuple) -> None:
    """A contestant's own process: set up once, then time samples when asked."""
    try:
        setup = _resolve(ref)
        conn.recv()  # wait for our turn: set-up and calibration run while the others idle
        made = setup(*args)
        step, note = made if isinstance(made, tuple) else (made, None)
        gc.collect()
        t0 = time.perf_counter()
        first = step()  # warm-up (first calls pay for lazy imports and caches)
        once = time.perf_counter() - t0
        if once < 0.5:  # calibration: time runs of 1, 2, 4, ... steps until one lasts 20 ms
            n = 1
            while True:
                t0 = time.perf_counter()
                for _ in range(n):
                    step()
                once = (time.perf_counter() - t0) / n
                if once * n >= 0.02:
                    break
                n *= 2
        conn.send(("ok", once, first, note))
    except Exception as err:  # noqa: BLE001 - reported in the table, never hidden
        conn.send(("error", f"{type(err).__name__}: {err}", None, None))
        return
    while True:
        asked = conn.recv()
        if asked is None:
            return
        inner, per_step = asked  # the first generation's calibration, for every generation
        conn.send(_time_sample(step, inner, per_step))


PER_STEP_CLOCK_S = 50e-6


def _time_sample(step: Step, inner: int, per_step: float = 0.0) -> float:
    """Seconds per step over ``inner`` steps: their median when a step takes long enough to
    be clocked alone (>= 50 µs; a burst of another process then spoils one step, not the
    sample), else the mean of the whole run (the clock would cost more than the step)."""
    gc.collect()
    clock = time.perf_counter
    between = getattr(step, "collect_between_steps", False)  # a gc_off step: see there
    if per_step >= PER_STEP_CLOCK_S and inner > 1:
        times = []
        for _ in range(inner):
            if between:
                gc.collect()
            t0 = clock()
            step()
            times.append(clock() - t0)
        return statistics.median(times)
    t0 = clock()
    for _ in range(inner):
        step()
    return (clock() - t0) / inner


# OpenBLAS's idle threads busy-wait about 2^28 cycles (~0.1 s here) before they sleep, and
# PyTorch's OpenMP threads spin too: a contestant timed while the previous one's threads
# still spin runs on a contended machine (seen: 1 ms steps taking 50 ms). So wait longer.
SETTLE_S = 0.25


def gc_off(step: Step) -> Step:
    """``step`` with Python's cycle collector off around each call (and back on after):
    the "gc off" rows, which show an engine's own time without the collector's.

    An engine whose graph holds reference cycles (micrograd's) leaves them as garbage for
    the collector once it is back on; ``_time_sample`` collects it between the steps,
    outside the clock, or a whole step's garbage would be collected inside a later timed
    step at random (micrograd's gc-off row spread over 88-228 ms before this).
    """

    def step_gc_off() -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return step()
        finally:
            if enabled:
                gc.enable()

    step_gc_off.collect_between_steps = True  # type: ignore[attr-defined]
    return step_gc_off


def measure(
    contestants: Sequence[Contestant],
    reps: int = 7,
    min_sample_s: float = 0.05,
    log: Callable[[str], None] | None = None,
    processes: int = 1,
) -> Measured:
    """Time every contestant ``reps`` times, interleaved; see the module docstring.

    Each contestant runs in a process of its own (started fresh, spawn), as a user's
    program would: thread pools of different libraries (OpenBLAS's pthreads, PyTorch's
    OpenMP) never share a process, where their busy-waiting threads slow each other down by
    up to 50×. Only one process computes at a time (set-up and calibration included: the
    interpreters start together, then each waits for its turn); before each sample the
    harness pauses ``SETTLE_S`` so the threads of the previous one go back to sleep. A
    contestant whose setup or warm-up raises is reported with its error and left out.

    ``processes > 1`` spreads the rounds over that many generations of fresh processes
    (``reps`` samples in all; the sample size ``inner`` is fixed by the first generation).
    A process is one draw of where its arrays land in memory and so of its cache conflicts:
    on the 784-256-256-10 MLP step here, three processes running the same code side by side
    kept medians 3-7% apart over 12 rounds, which with one process per contestant went
    straight into the ratio.
    """
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    results = Measured([Timing(c.name, [], 0, c.note) for c in contestants])
    generations = max(1, min(processes, reps))
    done = 0
    for gen in range(generations):
        rounds = reps // generations + (1 if gen < reps % generations else 0)
        _generation(contestants, results.timings, range(done, done + rounds), min_sample_s, log)
        done += rounds
    for timing in results.timings:
        if not timing.error:
            log(
                f"    {timing.name:<34} median {fmt_time(timing.median):>9}  "
                f"[{fmt_time(timing.min)} – {fmt_time(timing.max)}]  x{timing.inner}"
            )
    return results


def _generation(
    contestants: Sequence[Contestant],
    timings: list[Timing],
    rounds: range,
    min_sample_s: float,
    log: Callable[[str], None],
) -> None:
    """One process per contestant still running: set up in turn, then the rounds numbered
    ``rounds`` (even: in the given order, odd: reversed), their samples appended to
    ``timings``; the processes are stopped at the end. A contestant that fails, here or in
    an earlier generation, is reported with its error and no samples."""
    first = rounds.start == 0
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    procs = []
    for c, timing in zip(contestants, timings, strict=True):
        if timing.error:  # failed in an earlier generation: not started again
            continue
        # start all first: the interpreters and imports load in parallel
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(child, _ref(c.setup), c.args), daemon=True)
        p.start()
        child.close()  # the child's end lives in the child alone: its death reads as EOF
        procs.append((c, timing, p, parent))
    running: list[tuple[Timing, Any, Any]] = []
    try:
        for c, timing, proc, conn in procs:
            time.sleep(SETTLE_S)
            conn.send("setup")
            try:
                status, once, first_result, note = _receive(conn, proc)
            except ChildProcessError as err:
                status, once = "error", str(err)
            if status != "ok":
                timing.fail(once)
                log(f"    {c.name}: FAILED {timing.error}")
                continue
            if first:
                timing.first_result = first_result
                if note:
                    timing.note = note
                timing.once = once
                timing.inner = max(
                    c.min_inner, min(c.max_inner, math.ceil(min_sample_s / max(once, 1e-9)))
                )
            running.append((timing, proc, conn))
        for r in rounds:
            for timing, proc, conn in running if r % 2 == 0 else running[::-1]:
                if timing.error:
                    continue
                time.sleep(SETTLE_S)
                conn.send((timing.inner, timing.once))
                try:
                    timing.per_step.append(_receive(conn, proc))
                except ChildProcessError as err:
                    timing.fail(str(err))
                    log(f"    {timing.name}: FAILED {timing.error}")
    finally:
        for _c, _t, p, conn in procs:
            try:
                conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()


def _receive(conn: Any, proc: Any) -> Any:
    """The contestant process's next answer; ``ChildProcessError`` if it died instead (a
    crash in C code, an import that fails in the spawned interpreter), which would
    otherwise leave the harness waiting forever."""
    while not conn.poll(1.0):
        if not proc.is_alive():
            raise ChildProcessError(f"its process exited with code {proc.exitcode}")
    try:
        return conn.recv()
    except EOFError:  # it died between two polls
        proc.join(timeout=5)
        raise ChildProcessError(f"its process exited with code {proc.exitcode}") from None


# --------------------------------------------------------------------------- formatting
def fmt_time(seconds: float) -> str:
    if seconds is None or math.isnan(seconds):
        return "–"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def fmt_ratio(r: float | None) -> str:
    if r is None or math.isnan(r):
        return "–"
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2f}×"


def fmt_bytes(n: float | None) -> str:
    if n is None or math.isnan(n):
        return "–"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def timing_rows(
    case: str, measured: Measured, baseline: str | None, extra: dict[str, dict] | None = None
) -> list[dict[str, Any]]:
    """One JSON-ready row per contestant: raw samples, median, min, max, ratio to baseline."""
    base = None
    if baseline is not None:
        try:
            b = measured.by_name(baseline)
            base = b.median if not b.error else None
        except KeyError:
            base = None
    rows = []
    for t in measured.timings:
        row: dict[str, Any] = {
            "case": case,
            "contestant": t.name,
            "note": t.note,
            "unit": "s",
            "median": None if t.error else t.median,
            "min": None if t.error else t.min,
            "max": None if t.error else t.max,
            "samples": t.per_step,
            "inner": t.inner,
            "ratio": None if (t.error or not base) else t.median / base,
            "baseline": baseline,
            "error": t.error,
        }
        if extra and t.name in extra:
            row.update(extra[t.name])
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "autograd_core", "nn"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    """What the figures depend on: CPU, cores, library versions, BLAS, threads, date."""
    import numpy as np

    info: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "bench_threads": THREADS,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "commit": _git_commit(),
        "env": {
            k: os.environ[k]
            for k in sorted(os.environ)
            if k.startswith(("OPENBLAS_", "OMP_", "MKL_", "GOTO", "BLIS_", "VECLIB_", "MALLOC_"))
        },
    }
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {
                k: p.get(k)
                for k in ("user_api", "internal_api", "version", "num_threads", "architecture")
                if p.get(k) is not None
            }
            | {"lib": os.path.basename(p.get("filepath", "")), "owner": _owner(p)}
            for p in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = None
    versions = {}
    for mod in ("torch", "autograd", "micrograd", "sklearn", "graphviz"):
        try:
            m = __import__(mod)
            versions[mod] = getattr(m, "__version__", None) or _dist_version(mod)
        except ImportError:
            versions[mod] = None
    info["peers"] = versions
    if versions.get("torch"):
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["torch_interop_threads"] = torch.get_num_interop_threads()
        config = torch.__config__.show()
        blas = [part.split("=", 1)[1] for part in config.replace(",", " ").split()
                if part.startswith("BLAS_INFO=")]  # fmt: skip
        info["torch_blas"] = blas[0] if blas else None
    return info


def _owner(pool: dict[str, Any]) -> str:
    """Which package ships a thread pool's library (numpy's OpenBLAS, scipy's, torch's...)."""
    path = pool.get("filepath", "").replace("\\", "/")
    for part in reversed(path.split("/")):
        name = part.removesuffix(".libs").split("/")[0]
        if name in ("numpy", "scipy", "torch", "sklearn", "scikit_learn"):
            return name
    return "?"


def _dist_version(mod: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(mod)
    except metadata.PackageNotFoundError:
        return None


def blas_summary(info: dict[str, Any]) -> str:
    pools = info.get("threadpools") or []
    parts = []
    for p in pools:
        if p.get("user_api") == "blas" and p.get("owner") == "numpy":
            arch = f", {p['architecture']} kernels" if p.get("architecture") else ""
            parts.append(
                f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads{arch})"
            )
    torch_blas = info.get("torch_blas")
    if torch_blas:
        parts.append(f"PyTorch: {torch_blas} ({info.get('torch_threads')} threads, OpenMP)")
    return "; ".join(parts) or "unknown"


# --------------------------------------------------------------------------- results
def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write one workload's raw figures to ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"workload": name, "machine": machine_info(), **payload}
    path.write_text(json.dumps(payload, indent=1, default=_jsonable) + "\n")
    return path


def _jsonable(x: Any) -> Any:
    try:
        import numpy as np

        if isinstance(x, np.generic):
            return x.item()
        if isinstance(x, np.ndarray):
            return x.tolist()
    except ImportError:
        pass
    return str(x)


def quick() -> bool:
    """``BENCH_QUICK=1``: fewer repetitions and smaller sizes, for trying the harness."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def reps(full: int) -> int:
    return max(2, full // 3) if quick() else full


def target(text: str, value: float, limit: float, unit: str, higher_is_better: bool = False):
    """A target of the issues, with the measured value and whether it is met."""
    met = value >= limit if higher_is_better else value <= limit
    return {"target": text, "value": value, "limit": limit, "unit": unit, "met": bool(met)}

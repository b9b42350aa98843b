"""The benchmark harness (bench/harness.py): what it reports when a contestant misbehaves."""

from __future__ import annotations

import math
import os
import time

from bench import harness
from bench.harness import Contestant


def _sum_setup(n: int):
    def step() -> int:
        return sum(range(n))

    return step


def _dying_setup(code: int):
    os._exit(code)  # a crash that raises nothing: the process is simply gone


def test_measure_reports_a_contestant_whose_process_dies_and_times_the_others(monkeypatch):
    monkeypatch.setattr(harness, "SETTLE_S", 0.0)
    m = harness.measure(
        [Contestant("sum", _sum_setup, (100,)), Contestant("dies", _dying_setup, (3,))],
        reps=2,
        min_sample_s=0.001,
        log=lambda line: None,
    )
    ok, dead = m.by_name("sum"), m.by_name("dies")
    assert ok.error is None
    assert ok.first_result == 4950
    assert len(ok.per_step) == 2 and all(t > 0 for t in ok.per_step)
    assert dead.error == "its process exited with code 3"
    assert dead.per_step == []


def _logging_setup(path: str):
    with open(path, "a") as f:  # one line per process that sets this contestant up
        f.write(f"{os.getpid()}\n")
    return _sum_setup(100)


def test_measure_spreads_rounds_over_generations_of_fresh_processes(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "SETTLE_S", 0.0)
    log = tmp_path / "pids"
    m = harness.measure(
        [Contestant("logged", _logging_setup, (str(log),)), Contestant("dies", _dying_setup, (5,))],
        reps=5,
        min_sample_s=0.001,
        log=lambda line: None,
        processes=2,
    )
    pids = log.read_text().split()
    assert len(pids) == 2 and pids[0] != pids[1]  # two generations, two processes
    t = m.by_name("logged")
    assert t.error is None and t.first_result == 4950
    assert len(t.per_step) == 5  # 3 rounds in the first generation, 2 in the second
    assert t.inner >= 1
    dead = m.by_name("dies")
    assert dead.error == "its process exited with code 5" and dead.per_step == []


def _dies_while_timed_setup(calls: int):
    count = [0]

    def step() -> int:
        count[0] += 1
        if count[0] > calls:  # warm-up and calibration (32 calls) pass, a sample does not
            os._exit(4)
        time.sleep(0.001)
        return 1

    return step


def _fails_after_first_process_setup(path: str):
    with open(path, "a") as f:
        f.write("x")
    if os.path.getsize(path) > 1:
        raise MemoryError("no memory in this process")
    return _sum_setup(10)


def test_a_contestant_that_dies_first_in_the_list_or_while_timed_is_reported(monkeypatch):
    monkeypatch.setattr(harness, "SETTLE_S", 0.0)
    m = harness.measure(
        [
            Contestant("dies", _dying_setup, (3,)),
            Contestant("dies timed", _dies_while_timed_setup, (40,)),
            Contestant("sum", _sum_setup, (100,)),
        ],
        reps=3,
        min_sample_s=0.05,
        log=lambda line: None,
    )
    assert m.by_name("dies").error == "its process exited with code 3"
    timed = m.by_name("dies timed")
    assert timed.error == "its process exited with code 4" and timed.per_step == []
    ok = m.by_name("sum")
    assert ok.error is None and len(ok.per_step) == 3


def test_a_contestant_failing_in_a_later_generation_keeps_no_samples(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "SETTLE_S", 0.0)
    m = harness.measure(
        [
            Contestant("flaky", _fails_after_first_process_setup, (str(tmp_path / "n"),)),
            Contestant("sum", _sum_setup, (100,)),
        ],
        reps=4,
        min_sample_s=0.001,
        log=lambda line: None,
        processes=2,
    )
    flaky = m.by_name("flaky")
    assert flaky.error == "MemoryError: no memory in this process"
    assert flaky.per_step == [] and math.isnan(flaky.median)  # no ratio rests on part of it
    rows = harness.timing_rows("case", m, "flaky")
    assert [r["ratio"] for r in rows] == [None, None]
    assert len(m.by_name("sum").per_step) == 4

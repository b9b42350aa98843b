"""The benchmark harness (bench/harness.py): what it reports when a contestant misbehaves."""

from __future__ import annotations

import os

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

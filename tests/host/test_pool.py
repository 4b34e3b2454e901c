# SPDX-License-Identifier: GPL-2.0
"""conftest.Pool, the --jobs scheduling of the QEMU boots, without QEMU:
_run_boot is replaced by a function that sleeps and records. The pool must
run each boot once, never more than JOBS at a time, longest first, and hand
each test its own boot whatever the order they finish in."""

import json
import threading
import time
import types

import conftest
import scenarios


def items(pairs, parity=()):
    out = [types.SimpleNamespace(callspec=types.SimpleNamespace(params={"boot_of": p})) for p in pairs]
    out += [types.SimpleNamespace(callspec=types.SimpleNamespace(params={"parity_of": sc})) for sc in parity]
    out.append(types.SimpleNamespace())  # an item without parameters
    return out


def fake_runner(secs):
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "started": []}

    def run(sc, drv, build, out):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["started"].append((sc.name, drv))
        time.sleep(secs[(sc.name, drv)])
        with lock:
            state["now"] -= 1
        return (sc.name, drv)

    return run, state


def test_two_at_a_time_longest_first_each_its_own(tmp_path, monkeypatch):
    a = scenarios.Scenario("a", tmp_path / "a.sh", drivers=("c", "rust"), timeout=100)
    b = scenarios.Scenario("b", tmp_path / "b.sh", timeout=300)
    c = scenarios.Scenario("c", tmp_path / "c.sh", timeout=50)
    secs = {("a", "c"): 0.05, ("a", "rust"): 0.2, ("b", None): 0.1, ("c", None): 0.01}
    run, state = fake_runner(secs)
    monkeypatch.setattr(conftest, "_run_boot", run)
    # Last run's times for two of them; the others by their timeout.
    (tmp_path / conftest.TIMES).write_text(json.dumps({"a-rust": 400, "c": 1}))
    build = conftest.Build([], [])
    pool = conftest.Pool(2, build, tmp_path, items([(a, "c"), (a, "rust"), (b, None), (c, None)], parity=[a]))
    try:
        # Asked for in collection order, handed back each its own boot.
        for sc, drv in ((a, "c"), (a, "rust"), (b, None), (c, None)):
            assert pool.result(sc, drv) == (sc.name, drv)
    finally:
        pool.close()
    assert state["max"] == 2
    # Submitted (and so started, the executor's queue is FIFO) longest
    # first: a-rust (400 s last time), b (timeout 300), a-c (timeout 100),
    # c (1 s last time). The parity item's two boots are the scenario
    # items' boots: each runs once.
    assert list(pool.futures) == [("a", "rust"), ("b", None), ("a", "c"), ("c", None)]
    assert sorted(state["started"], key=str) == sorted(secs, key=str)


def test_unknown_boot_is_none(tmp_path, monkeypatch):
    run, _ = fake_runner({})
    monkeypatch.setattr(conftest, "_run_boot", run)
    pool = conftest.Pool(2, conftest.Build([], []), tmp_path, [])
    try:
        assert pool.result(scenarios.Scenario("x", tmp_path / "x.sh"), None) is None
    finally:
        pool.close()

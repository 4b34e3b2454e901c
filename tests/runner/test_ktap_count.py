# SPDX-License-Identifier: GPL-2.0
"""The runner's counting (scripts/ktap_count.py, scripts/parity.py) over
recorded scenario outputs in fixtures/: each case is a directory with the
scenario's results copy (results), its QEMU console (console.log) and the
status of scripts/run-qemu.sh (rc).

A skip must count as skipped, and a scenario that stops short of its plan,
has no plan, oopses, WARNs or hangs must fail; none of them may pass.
Runs with unittest (tests/runner/run.py) or pytest.
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import ktap_count  # noqa: E402

FIX = os.path.join(HERE, "fixtures")


def run(case, expected=()):
    d = os.path.join(FIX, case)
    with open(os.path.join(d, "results"), encoding="utf-8") as f:
        res = f.readlines()
    with open(os.path.join(d, "console.log"), encoding="utf-8") as f:
        log = f.readlines()
    with open(os.path.join(d, "rc"), encoding="utf-8") as f:
        rc = int(f.read())
    return ktap_count.count(case, res, log, rc, expected)


def verdict(c):
    return "failed" if c["failed"] or c["errors"] else "passed"


class Counting(unittest.TestCase):
    def test_good_scenario_passes(self):
        c, out = run("good")
        self.assertEqual(c, {"passed": 4, "failed": 0, "skipped": 0, "errors": 0}, out)
        # kmemleak's boot line ("detector initialized") is not a report.
        self.assertFalse([x for x in out if x.startswith("error")])

    def test_skip_is_skipped_not_passed(self):
        c, out = run("skip")
        self.assertEqual((c["passed"], c["skipped"], c["failed"], c["errors"]), (2, 1, 0, 0))
        skips = [x for x in out if x.startswith("skip ")]
        self.assertEqual(len(skips), 1)
        self.assertIn("# C imx_rproc: the next stop dereferences", skips[0])

    def test_not_ok_skip_is_skipped(self):
        c, _ = ktap_count.count("x", ["1..1\n", "not ok 1 a # SKIP no firmware\n"], [], 0)
        self.assertEqual((c["passed"], c["failed"], c["skipped"], c["errors"]), (0, 0, 1, 0))

    def test_failing_test_fails(self):
        c, out = run("fail")
        self.assertEqual((c["passed"], c["failed"], c["errors"]), (1, 1, 0))
        self.assertIn("fail fail: state running", out)

    def test_short_plan_fails(self):
        for case in ("short-plan", "short-plan-exit0"):
            c, out = run(case)
            self.assertEqual(verdict(c), "failed", case)
            self.assertIn(f"error {case}: plan 1..6 but 3 results (stopped after test 3)", out)
            self.assertEqual(c["errors"], 1, out)
            # The last lines of the console come with the error.
            self.assertTrue([x for x in out if x.startswith(f"log {case}: ")])

    def test_results_past_the_plan_fail(self):
        c, out = ktap_count.count("x", ["1..1\n", "ok 1 a\n", "ok 2 b\n"], [], 0)
        self.assertEqual(verdict(c), "failed")
        self.assertIn("error x: plan 1..1 but 2 results (stopped after test 2)", out)

    def test_no_plan_fails(self):
        c, out = run("no-plan")
        self.assertEqual(verdict(c), "failed")
        self.assertTrue([x for x in out if x.startswith("error no-plan: no plan line")])

    def test_empty_plan_and_no_results_fail(self):
        c, _ = ktap_count.count("x", [], [], 0)
        self.assertEqual(verdict(c), "failed")
        c, _ = ktap_count.count("x", ["1..0\n"], [], 0)
        self.assertEqual(verdict(c), "failed")

    def test_oops_fails_naming_the_scenario(self):
        c, out = run("oops")
        self.assertEqual(verdict(c), "failed")
        errs = [x for x in out if x.startswith("error oops: kernel splat: ")]
        self.assertEqual(len(errs), 2, out)
        self.assertIn("Unable to handle kernel", errs[0])
        self.assertTrue([x for x in out if x.startswith("log oops: runner: FAIL: kernel splat")])

    def test_warning_fails(self):
        c, out = run("warning")
        self.assertEqual(verdict(c), "failed")
        self.assertTrue(
            [
                x
                for x in out
                if "WARNING: CPU: 1 PID: 212 at lib/refcount.c" in x and x.startswith("error warning: kernel splat")
            ]
        )

    def test_lockdep_and_kmemleak_reports_fail(self):
        for line in (
            "[   3.1] WARNING: possible circular locking dependency detected",
            "[   3.1] INFO: possible recursive locking detected",
            "[   9.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
            "[   9.0] BUG: KASAN: slab-use-after-free in foo+0x1/0x2",
            "[   9.0] Kernel panic - not syncing: Fatal exception",
        ):
            c, _ = ktap_count.count("x", ["1..1\n", "ok 1 a\n"], [line + "\n"], 0)
            self.assertEqual(verdict(c), "failed", line)

    def test_splat_lines_in_results_copy_and_test_names_are_not_splats(self):
        # A guest script's own words ("no oops, BUG or WARNING") and the
        # reprinted results are not kernel reports.
        res = ["1..1\n", "ok 1 probe: no oops, BUG or WARNING\n"]
        log = [
            "IMXRPROCRS-RESULTS-BEGIN\n",
            "[  1.0] BUG: echoed by dmesg in the script\n",
            "IMXRPROCRS-RESULTS-END\n",
            "ok 1 probe: no oops, BUG or WARNING\n",
        ]
        c, out = ktap_count.count("x", res, log, 0)
        self.assertEqual(verdict(c), "passed", out)

    def test_hang_fails(self):
        c, out = run("hang")
        self.assertEqual(verdict(c), "failed")
        self.assertEqual(c["passed"], 0)
        self.assertTrue([x for x in out if x.startswith("error hang: timeout")])

    def test_expected_splat_is_listed_not_failed_not_passed(self):
        c, out = run("warning", ["refcount_warn_saturate | kernel: rproc_add() double put (C driver)"])
        self.assertEqual((c["passed"], c["failed"], c["errors"]), (4, 0, 0), out)
        self.assertTrue([x for x in out if x.startswith("expected-splat warning: ") and "double put" in x])

    def test_unexpected_splat_besides_an_expected_one_fails(self):
        c, _ = run("oops", ["refcount_warn_saturate | not this one"])
        self.assertEqual(verdict(c), "failed")

    def test_nonzero_guest_status_without_failing_test_fails(self):
        c, out = ktap_count.count("x", ["1..1\n", "ok 1 a\n"], ["runner: guest script exit status 3\n"], 3)
        self.assertEqual(verdict(c), "failed")
        self.assertIn("error x: runner exit status 3 with no failing test", out)

    def test_cli_exit_status(self):
        d = os.path.join(FIX, "skip")
        r = subprocess.run(
            [
                sys.executable,
                os.path.join(ROOT, "scripts", "ktap_count.py"),
                "--name",
                "skip",
                "--log",
                os.path.join(d, "console.log"),
                "--rc",
                "0",
                os.path.join(d, "results"),
            ],
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.splitlines()[:4], ["passed 2", "failed 0", "skipped 1", "errors 0"])
        d = os.path.join(FIX, "short-plan-exit0")
        r = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "ktap_count.py"), "--rc", "0", os.path.join(d, "results")],
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)


class Parity(unittest.TestCase):
    def parity(self, c_lines, r_lines, missing=False):
        with tempfile.TemporaryDirectory() as t:
            pc, pr = os.path.join(t, "qemu-x-c.log.results"), os.path.join(t, "qemu-x-rust.log.results")
            if c_lines is not None:
                with open(pc, "w", encoding="utf-8") as f:
                    f.write("".join(c_lines))
            if r_lines is not None:
                with open(pr, "w", encoding="utf-8") as f:
                    f.write("".join(r_lines))
            r = subprocess.run(
                [sys.executable, os.path.join(ROOT, "scripts", "parity.py"), os.path.join(t, "p.md"), pc, pr],
                capture_output=True,
                text=True,
            )
            return r.returncode, r.stdout

    def test_skip_is_not_compared_as_pass(self):
        rc, out = self.parity(["1..2\n", "ok 1 a\n", "ok 2 b # SKIP C oopses\n"], ["1..2\n", "ok 1 a\n", "ok 2 b\n"])
        self.assertEqual(rc, 0, out)
        self.assertIn("parity skip x: b: C skip, Rust pass", out)
        self.assertIn("1 rows identical, 1 not compared (skipped)", out)

    def test_missing_results_fail(self):
        rc, out = self.parity(None, None)
        self.assertEqual(rc, 1, out)
        self.assertIn("parity FAIL x: no results file", out)

    def test_empty_results_fail(self):
        rc, out = self.parity(["KTAP version 1\n"], ["KTAP version 1\n", "1..0\n"])
        self.assertEqual(rc, 1, out)

    def test_difference_fails(self):
        rc, out = self.parity(["1..1\n", "ok 1 a\n"], ["1..1\n", "not ok 1 a\n"])
        self.assertEqual(rc, 1, out)
        self.assertIn("parity FAIL x: a: C pass, Rust fail", out)


if __name__ == "__main__":
    unittest.main()

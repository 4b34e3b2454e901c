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


# The suite and cases of rust/selftests.rs (#[kunit_tests(imx_rproc_rs_fw)])
# as scripts/kunit_suites.py reads them from the built module.
SUITES = {
    "imx_rproc_rs_fw": [
        "att_translates_itcm",
        "att_accepts_range_ending_at_region_end",
        "att_rejects_range_one_byte_past_region_end",
        "att_rejects_wrapping_range",
        "elf_rejects_truncated_header",
        "rsc_accepts_zephyr_table",
        "rsc_rejects_num_past_table",
        "rsc_rejects_vring_num_not_power_of_two",
    ]
}


def run_kunit(case, suites=SUITES):
    d = os.path.join(FIX, case)
    with open(os.path.join(d, "results"), encoding="utf-8") as f:
        res = f.readlines()
    with open(os.path.join(d, "console.log"), encoding="utf-8") as f:
        log = f.readlines()
    with open(os.path.join(d, "rc"), encoding="utf-8") as f:
        rc = int(f.read())
    return ktap_count.count(case, res, log, rc, (), suites, "imx_rproc_rs.ko")


class Nested(unittest.TestCase):
    """KUnit's nested KTAP (recorded from the kunit scenario, fixtures/kunit-*)."""

    def test_good_counts_every_case(self):
        c, out = run_kunit("kunit-good")
        self.assertEqual(c, {"passed": 8, "failed": 0, "skipped": 0, "errors": 0}, out)
        results, errs = ktap_count.results_of(open(os.path.join(FIX, "kunit-good", "results")).readlines())
        self.assertEqual(errs, [])
        self.assertEqual(results[0].desc, "imx_rproc_rs_fw: att_translates_itcm")
        self.assertEqual([r.num for r in results], list(range(1, 9)))

    def test_skipped_case_is_skipped(self):
        c, out = run_kunit("kunit-skip")
        self.assertEqual((c["passed"], c["skipped"], c["failed"], c["errors"]), (7, 1, 0, 0), out)
        self.assertIn(
            "skip kunit-skip: imx_rproc_rs_fw: att_rejects_range_one_byte_past_region_end # Test not run: cfg'd out",
            out,
        )

    def test_failed_case_fails_with_its_assertion(self):
        c, out = run_kunit("kunit-fail")
        self.assertEqual((c["passed"], c["failed"], c["errors"]), (7, 1, 0), out)
        results, _ = ktap_count.results_of(open(os.path.join(FIX, "kunit-fail", "results")).readlines())
        (bad,) = [r for r in results if r.status == "fail"]
        self.assertEqual(bad.desc, "imx_rproc_rs_fw: rsc_accepts_zephyr_table")
        self.assertTrue(any("ASSERTION FAILED" in d for d in bad.diag), bad.diag)

    def test_short_suite_fails_and_names_the_cases_not_run(self):
        c, out = run_kunit("kunit-short")
        self.assertEqual((c["passed"], c["failed"]), (5, 3), out)
        self.assertIn("error kunit-short: imx_rproc_rs_fw: plan 1..8 but 5 results (stopped after test 5)", out)
        self.assertIn("fail kunit-short: imx_rproc_rs_fw: rsc_accepts_zephyr_table", out)
        # Without the compiled list the plan still catches it.
        c, out = run_kunit("kunit-short", None)
        self.assertEqual(verdict(c), "failed")

    def test_crash_fails_every_case(self):
        c, out = run_kunit("kunit-crashed")
        self.assertEqual((c["passed"], c["failed"]), (0, 8), out)
        self.assertTrue([x for x in out if x.startswith("error kunit-crashed: kernel splat: ")])

    def test_ok_suite_with_failing_case_is_an_error(self):
        lines = ["1..1\n", "    # Subtest: s\n", "    1..2\n", "    ok 1 a\n", "    not ok 2 b\n", "ok 1 s\n"]
        c, out = ktap_count.count("x", lines, [], 0)
        self.assertEqual((c["passed"], c["failed"], c["errors"]), (1, 1, 1), out)
        self.assertIn("error x: s: ok, but a subtest failed", out)

    def test_failing_suite_without_failing_case_is_an_error(self):
        lines = ["1..1\n", "    # Subtest: s\n", "    1..1\n", "    ok 1 a\n", "not ok 1 s\n"]
        c, out = ktap_count.count("x", lines, [], 0)
        self.assertIn("error x: s: not ok, but no subtest failed", out)

    def test_suite_failing_before_its_cases_is_one_failure(self):
        # KUnit's suite_init failing: no subtest results, the suite's own result.
        c, out = ktap_count.count("x", ["1..1\n", "not ok 1 s # suite_init failed\n"], [], 1)
        self.assertEqual((c["passed"], c["failed"]), (0, 1), out)

    def test_three_levels_and_numbering(self):
        lines = [
            "KTAP version 1\n",
            "1..2\n",
            "    # Subtest: s\n",
            "    1..2\n",
            "        # Subtest: p\n",
            "        1..2\n",
            "        ok 1 one\n",
            "        ok 2 two # SKIP no\n",
            "    ok 1 p\n",
            "    ok 2 q\n",
            "ok 1 s\n",
            "ok 2 flat\n",
        ]
        results, errs = ktap_count.results_of(lines)
        self.assertEqual(errs, [])
        self.assertEqual(
            [(r.num, r.desc, r.status) for r in results],
            [
                (1, "s: p: one", "pass"),
                (2, "s: p: two", "skip"),
                (3, "s: q", "pass"),
                (4, "flat", "pass"),
            ],
        )

    def test_nested_numbers_out_of_order_are_an_error(self):
        lines = ["1..1\n", "    1..2\n", "    ok 2 a\n", "    ok 1 b\n", "ok 1 s\n"]
        _, errs = ktap_count.results_of(lines)
        self.assertIn("s: test numbers are not 1, 2, 3, ... in order", errs)

    def test_compiled_suite_not_run_and_cases_not_compiled(self):
        lines = ["1..1\n", "    # Subtest: other\n", "    1..1\n", "    ok 1 z\n", "ok 1 other\n"]
        c, out = ktap_count.count("x", lines, [], 0, (), {"s": ["a"]}, "m.ko")
        self.assertIn("fail x: s: a", out)
        self.assertIn("error x: suite other ran, but m.ko has no such suite compiled in", out)
        lines = ["1..1\n", "    1..2\n", "    ok 1 a\n", "    ok 2 extra\n", "ok 1 s\n"]
        c, out = ktap_count.count("x", lines, [], 0, (), {"s": ["a"]}, "m.ko")
        self.assertEqual(c["passed"], 2)
        self.assertIn("error x: s: case extra ran, but m.ko has no such case compiled in", out)

    def test_cli_reads_the_module(self):
        # --kunit-module with a file that is no ELF: an error, not a pass.
        with tempfile.TemporaryDirectory() as t:
            ko = os.path.join(t, "x.ko")
            open(ko, "w").write("not elf")
            r = subprocess.run(
                [
                    sys.executable,
                    os.path.join(ROOT, "scripts", "ktap_count.py"),
                    "--kunit-module",
                    ko,
                    os.path.join(FIX, "kunit-good", "results"),
                ],
                capture_output=True,
                text=True,
            )
            self.assertEqual(r.returncode, 1)
            self.assertIn("error scenario: cannot read the KUnit suites of", r.stdout)


if __name__ == "__main__":
    unittest.main()

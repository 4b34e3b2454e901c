#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs the runner's self-tests (tests/runner/test_*.py) with unittest and
ends with "N passed, M failed, K skipped" for scripts/check.sh's
run_counted. pytest collects the same files (pytest tests/runner) where it
is installed; the bootstrap does not install it, so this uses unittest.
"""

import os
import sys
import unittest


class Result(unittest.TextTestResult):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        self.stream.write(f"ok {test.id()}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    r = unittest.TextTestRunner(stream=sys.stdout, verbosity=0, resultclass=Result).run(suite)
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    for t, _ in r.failures + r.errors:
        print(f"FAIL {t.id()}")
    for t, why in r.skipped:
        print(f"SKIP {t.id()}: {why}")
    print(f"{r.passed} passed, {failed} failed, {len(r.skipped)} skipped")
    return 1 if failed or r.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the results of one guest scenario: passed, failed, skipped, errors.

Usage: ktap_count.py [--name NAME] [--log QEMU_LOG] [--rc RUNNER_STATUS]
                     [--expect-splat 'REGEX | reason' ...] RESULTS

RESULTS is the scenario's KTAP as the runner reprinted it (the lines
between IMXRPROCRS-RESULTS-BEGIN and -END of the console, see
scripts/run-qemu.sh); QEMU_LOG is the whole console log of that boot;
RUNNER_STATUS the exit status of scripts/run-qemu.sh.

Prints, one per line:
  passed N / failed N / skipped N / errors N
  fail NAME: DESC                   each "not ok" result
  skip NAME: DESC # REASON          each "ok N DESC # SKIP REASON"
  error NAME: WHY                   no plan, a plan that does not match the
                                    results, a kernel splat, a timeout, a
                                    crash, a failing guest status with no
                                    failing test, no result at all
  expected-splat NAME: LINE (REASON)  a splat the scenario declares with a
                                    in tests/guest/scenarios.toml
                                    (expected_splats; listed, neither a
                                    pass nor a failure)
  log NAME: LINE                    the last lines of the console, after an
                                    error that needs them
Exit status: 0 if failed and errors are both 0, else 1.

A skip is never a pass: "ok 3 desc # SKIP why" (and "not ok 3 desc # SKIP")
counts as skipped. Only top-level (unindented) KTAP lines count; the
guest scenarios are flat KTAP.

Why not the kernel's tools/testing/kunit/kunit_parser.py: its
parse_run_tests() accepts a missing plan without an error (expected_count
None, it reads results to the end) and stops at the planned number of
results, ignoring any further ones without an error; both are exactly the
cases this runner must flag, and it would tie the host self-test
(tests/runner/) to a bootstrapped kernel tree. KUnit's own nested output is
turned into flat KTAP inside the guest (tests/guest/scenarios/kunit.sh).
"""

import argparse
import re
import sys

RESULT = re.compile(r"^(not ok|ok) (\d+)\b ?(?:- )?(.*?)\s*$")
DIRECTIVE = re.compile(r"^(.*?)\s*#\s*(SKIP|TODO)\b\s*(.*)$", re.IGNORECASE)
PLAN = re.compile(r"^1\.\.(\d+)\s*$")

# Kernel reports that make a boot a failure, on printk lines
# ("[   12.345678] ..."), anywhere after the timestamp. kmemleak's own boot
# message ("kmemleak: Kernel memory leak detector initialized") is not a
# report: only its "suspected memory leak" / "unreferenced object" lines are.
SPLAT = re.compile(
    r"\[ *\d+\.\d+\] .*("
    r"BUG:|kernel BUG at|Oops|WARNING:.* at |WARNING: CPU:|Unable to handle kernel|"
    r"Kernel panic|possible circular locking|possible recursive locking|INFO: possible|"
    r"kmemleak: .*(suspected memory leak|unreferenced object)|"
    r"suspected memory leak|unreferenced object 0x|"
    r"sleeping function called from invalid context|UBSAN:|"
    r"trying to register non-static key|detected stall|"
    r"blocked for more than \d+ seconds)"
)
TAIL = 15


def parse_results(lines):
    """(plan or None, [(status, num, desc, reason)]) of flat KTAP lines."""
    plan = None
    results = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        desc, reason, status = m.group(3), "", "pass" if m.group(1) == "ok" else "fail"
        d = DIRECTIVE.match(desc)
        if d and d.group(2).upper() == "SKIP":
            desc, reason, status = d.group(1), d.group(3).strip(), "skip"
        results.append((status, int(m.group(2)), desc, reason))
    return plan, results


def splats(log_lines):
    """The splat lines of a console log, outside the results copy."""
    found = []
    in_results = False
    for raw in log_lines:
        line = raw.rstrip("\r\n").replace("\r", "")
        if line.startswith("IMXRPROCRS-RESULTS-BEGIN"):
            in_results = True
        elif line.startswith("IMXRPROCRS-RESULTS-END"):
            in_results = False
        elif not in_results and not line.startswith("runner:") and SPLAT.search(line):
            s = line[line.index("[") :]
            if s not in found:
                found.append(s)
    return found


def parse_expected(specs):
    out = []
    for spec in specs:
        pat, _, reason = spec.partition("|")
        out.append((re.compile(pat.strip()), reason.strip() or "declared by the scenario"))
    return out


def count(name, results_lines, log_lines=None, rc=None, expected=()):
    """Returns (counts dict, report lines)."""
    plan, results = parse_results(results_lines)
    c = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    out = []
    need_tail = False
    for status, _num, desc, reason in results:
        if status == "pass":
            c["passed"] += 1
        elif status == "skip":
            c["skipped"] += 1
            out.append(f"skip {name}: {desc} # {reason or '(no reason given)'}")
        else:
            c["failed"] += 1
            out.append(f"fail {name}: {desc}")

    def error(why, tail=False):
        nonlocal need_tail
        c["errors"] += 1
        out.append(f"error {name}: {why}")
        need_tail = need_tail or tail

    if plan is None:
        error(f"no plan line (1..N) in the results ({len(results)} results)", tail=True)
    elif plan != len(results):
        last = results[-1][1] if results else 0
        error(f"plan 1..{plan} but {len(results)} results (stopped after test {last})", tail=True)
    elif not results:
        error("ran no test", tail=True)
    nums = [r[1] for r in results]
    if nums != list(range(1, len(nums) + 1)):
        error("test numbers are not 1, 2, 3, ... in order")

    log_lines = list(log_lines or [])
    exp = parse_expected(expected)
    unexpected = []
    for s in splats(log_lines):
        why = next((r for p, r in exp if p.search(s)), None)
        if why is None:
            unexpected.append(s)
        else:
            out.append(f"expected-splat {name}: {s} ({why})")
    for s in unexpected:
        error(f"kernel splat: {s}", tail=True)

    if rc is not None and rc != 0:
        text = "\n".join(log_lines)
        if rc == 124:
            error("timeout: the guest did not finish, QEMU killed", tail=True)
        elif rc == 2:
            # run-qemu.sh's status for any splat; the guest's own status is
            # on its verdict line.
            m = re.search(r"kernel splat \(guest status (\w+)\)", text)
            guest = m.group(1) if m else "none"
            if not splats(log_lines):
                error("runner reported a kernel splat (exit 2) not found in the log", tail=True)
            if guest == "none":
                error("the guest ended without a status", tail=True)
            elif guest != "0" and c["failed"] == 0 and c["errors"] == 0:
                error(f"guest script exit status {guest} with no failing test", tail=True)
        elif rc == 125:
            error("the guest ended without reporting a status (crash, panic or runner error)", tail=True)
        elif c["failed"] == 0 and c["errors"] == 0:
            error(f"runner exit status {rc} with no failing test", tail=True)
    if need_tail and log_lines:
        for line in [x.rstrip("\r\n") for x in log_lines][-TAIL:]:
            out.append(f"log {name}: {line}")
    return c, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--name", default="scenario")
    ap.add_argument("--log")
    ap.add_argument("--rc", type=int)
    ap.add_argument("--expect-splat", action="append", default=[])
    a = ap.parse_args(argv)
    try:
        with open(a.results, encoding="utf-8", errors="replace") as f:
            res = f.readlines()
    except FileNotFoundError:
        res = []
    log = []
    if a.log:
        try:
            with open(a.log, encoding="utf-8", errors="replace") as f:
                log = f.readlines()
        except FileNotFoundError:
            log = []
    c, out = count(a.name, res, log, a.rc, a.expect_splat)
    for k in ("passed", "failed", "skipped", "errors"):
        print(f"{k} {c[k]}")
    for line in out:
        print(line)
    return 1 if c["failed"] or c["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

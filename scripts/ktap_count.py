#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the results of one guest scenario: passed, failed, skipped, errors.

Usage: ktap_count.py [--name NAME] [--log QEMU_LOG] [--rc RUNNER_STATUS]
                     [--expect-splat 'REGEX | reason' ...]
                     [--kunit-module KO ...] RESULTS

RESULTS is the scenario's KTAP as the runner reprinted it (the lines
between IMXRPROCRS-RESULTS-BEGIN and -END of the console, see
scripts/run-qemu.sh); QEMU_LOG is the whole console log of that boot;
RUNNER_STATUS the exit status of scripts/run-qemu.sh; KO a module whose
compiled KUnit suites the results must hold (scripts/kunit_suites.py).

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
counts as skipped. Nested KTAP (KUnit's: a subtest indented by four spaces,
"# Subtest: SUITE", its own plan and results, then the suite's result at the
level above) counts its innermost results, each named "SUITE: CASE"; every
level's plan must be met and numbered 1, 2, 3, ..., and a parent's result
must agree with its subtests' (an "ok" suite with a failing case, or a
failing suite with none, is an error). With the KUnit suites a module was
compiled with (--kunit-module), a compiled case that did not run fails and
a case or suite that ran but is not compiled is an error.

Why not the kernel's tools/testing/kunit/kunit_parser.py: its
parse_run_tests() accepts a missing plan without an error (expected_count
None, it reads results to the end) and stops at the planned number of
results, ignoring any further ones without an error; both are exactly the
cases this runner must flag, and it would tie the host self-test
(tests/runner/) to a bootstrapped kernel tree.
"""

import argparse
import dataclasses
import re
import sys

RESULT = re.compile(r"^(not ok|ok) (\d+)\b ?(?:- )?(.*?)\s*$")
# KTAP's subtest indentation (Documentation/dev-tools/ktap.rst in the kernel
# tree: "indented 4 spaces"; lib/kunit/test.c's KUNIT_SUBTEST_INDENT).
INDENT = 4
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


@dataclasses.dataclass
class Result:
    status: str  # pass, fail or skip
    num: int
    desc: str
    reason: str = ""  # a skip's reason
    diag: list = dataclasses.field(default_factory=list)  # its "# ..." lines
    sub: "Node | None" = None  # its subtest
    unended: bool = False  # a subtest with no result line of its own (made up here)


@dataclasses.dataclass
class Node:
    plan: int | None = None
    results: list = dataclasses.field(default_factory=list)
    name: str = ""  # "# Subtest: NAME"


def _level(line):
    text = line.expandtabs(INDENT)
    return (len(text) - len(text.lstrip(" "))) // INDENT, text.strip()


def parse_tree(lines):
    """The KTAP tree of LINES: the top-level Node, its results, their
    subtests. Lines that are not KTAP (kernel messages among KUnit's) are
    ignored. A result's diagnostics are the "# " lines that follow it at its
    level in flat KTAP (tests/guest/lib.sh's ktap_fail) and the ones that
    precede it inside a subtest (KUnit prints a failed assertion before the
    case's result, lib/kunit/test.c)."""
    items = [_level(raw.rstrip("\r\n")) for raw in lines]

    def node(i, level):
        n = Node()
        pending = None  # a parsed subtest waiting for its result line
        before = []

        def unended():
            # A subtest the output stopped in: its results still count.
            desc = pending.name or "(unnamed subtest)"
            n.results.append(Result("fail", len(n.results) + 1, desc, sub=pending, unended=True))

        while i < len(items):
            lv, text = items[i]
            if not text:
                i += 1
                continue
            if lv > level and pending is not None:
                unended()
                pending = None
            if lv > level and (
                RESULT.match(text) or PLAN.match(text) or text.startswith(("KTAP version", "TAP version", "# Subtest:"))
            ):
                pending, i = node(i, lv)
                continue
            if lv < level and (RESULT.match(text) or PLAN.match(text) or text.startswith("KTAP version")):
                break
            if lv != level:
                i += 1
                continue
            i += 1
            m = PLAN.match(text)
            if m and n.plan is None and not n.results:
                n.plan = int(m.group(1))
                before = []
                continue
            if text.startswith("# Subtest:") and not n.results and not n.name:
                n.name = text.split(":", 1)[1].strip()
                continue
            m = RESULT.match(text)
            if m:
                desc, reason, status = m.group(3), "", "pass" if m.group(1) == "ok" else "fail"
                d = DIRECTIVE.match(desc)
                if d and d.group(2).upper() == "SKIP":
                    desc, reason, status = d.group(1), d.group(3).strip(), "skip"
                diag = before if level > 0 else []
                n.results.append(Result(status, int(m.group(2)), desc, reason, diag, pending))
                pending, before = None, []
                continue
            if text.startswith("#"):
                if level == 0 and n.results:
                    n.results[-1].diag.append(text)
                elif n.plan is not None:
                    before.append(text)
        if pending is not None:
            unended()
        return n, i

    return node(0, 0)[0]


def leaves(tree):
    """[Result] of the innermost results, numbered 1, 2, 3, ... in order;
    a subtest's results are named "PARENT: DESC"."""
    out = []

    def walk(n, prefix):
        for r in n.results:
            if r.sub is not None and r.sub.results:
                walk(r.sub, f"{prefix}{r.desc}: ")
            else:
                out.append(dataclasses.replace(r, desc=prefix + r.desc, sub=None))

    walk(tree, "")
    for k, r in enumerate(out, 1):
        r.num = k
    return out


def tree_errors(tree):
    """What is wrong with the tree's structure: a plan missing or not met,
    numbers out of order, a parent whose result contradicts its subtests."""
    errs = []

    def check(n, where, top):
        last = n.results[-1].num if n.results else 0
        if n.plan is None:
            errs.append(f"{where}no plan line (1..N) in the results ({len(n.results)} results)")
        elif n.plan != len(n.results):
            errs.append(f"{where}plan 1..{n.plan} but {len(n.results)} results (stopped after test {last})")
        elif not n.results and top:
            errs.append("ran no test")
        if [r.num for r in n.results] != list(range(1, len(n.results) + 1)):
            errs.append(f"{where}test numbers are not 1, 2, 3, ... in order")
        for r in n.results:
            if r.sub is None:
                continue
            name = f"{where}{r.desc}: "
            if r.unended:
                errs.append(f"{where}{r.desc}: the subtest has no result line (output stopped in it)")
            check(r.sub, name, False)
            kids = leaves(r.sub)
            if r.status == "pass" and any(k.status == "fail" for k in kids):
                errs.append(f"{where}{r.desc}: ok, but a subtest failed")
            if r.status == "fail" and not r.unended and kids and not any(k.status == "fail" for k in kids):
                errs.append(f"{where}{r.desc}: not ok, but no subtest failed")

    check(tree, "", True)
    return errs


def expected_cases(tree, suites, module="the module"):
    """(extra failing Results, errors) of the KUnit suites a module was
    compiled with, SUITES {suite: [case]}, against the tree's top level: a
    compiled case that did not run fails; a suite or case that ran and is
    not compiled is an error."""
    ran = {r.desc: r for r in tree.results}
    missing, errs = [], []
    for suite, cases in suites.items():
        r = ran.get(suite)
        done = {c.desc for c in r.sub.results} if r is not None and r.sub is not None else set()
        for case in cases:
            if case not in done:
                why = f"compiled into {module}, did not run" + (
                    "" if r is not None else f" (no suite {suite} in the results)"
                )
                missing.append(Result("fail", 0, f"{suite}: {case}", diag=[f"# {why}"]))
        for extra in sorted(done - set(cases)):
            errs.append(f"{suite}: case {extra} ran, but {module} has no such case compiled in")
    for name in ran:
        if name not in suites:
            errs.append(f"suite {name} ran, but {module} has no such suite compiled in")
    return missing, errs


def results_of(lines, suites=None, module="the module"):
    """([Result] to count, errors): the tree's leaves, then the compiled
    cases that did not run (with SUITES, see expected_cases)."""
    tree = parse_tree(lines)
    out = leaves(tree)
    errs = tree_errors(tree)
    if suites is not None:
        missing, more = expected_cases(tree, suites, module)
        errs += more
        for k, r in enumerate(missing, len(out) + 1):
            r.num = k
        out += missing
    return out, errs


def parse_results(lines):
    """(top-level plan or None, [(status, num, desc, reason)]) of KTAP
    lines, the innermost results of nested KTAP numbered in order."""
    tree = parse_tree(lines)
    return tree.plan, [(r.status, r.num, r.desc, r.reason) for r in leaves(tree)]


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


def count(name, results_lines, log_lines=None, rc=None, expected=(), suites=None, module="the module"):
    """Returns (counts dict, report lines). SUITES: {suite: [case]} the
    results must hold (see expected_cases), or None."""
    results, errs = results_of(results_lines, suites, module)
    c = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    out = []
    need_tail = False
    for r in results:
        if r.status == "pass":
            c["passed"] += 1
        elif r.status == "skip":
            c["skipped"] += 1
            out.append(f"skip {name}: {r.desc} # {r.reason or '(no reason given)'}")
        else:
            c["failed"] += 1
            out.append(f"fail {name}: {r.desc}")

    def error(why, tail=False):
        nonlocal need_tail
        c["errors"] += 1
        out.append(f"error {name}: {why}")
        need_tail = need_tail or tail

    for e in errs:
        error(e, tail="plan" in e or e == "ran no test")
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
    ap.add_argument("--kunit-module", action="append", default=[])
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
    suites, module = None, "the module"
    if a.kunit_module:
        import kunit_suites

        suites = {}
        for ko in a.kunit_module:
            try:
                suites.update(kunit_suites.read(ko))
            except (OSError, kunit_suites.ElfError) as e:
                print(f"error {a.name}: cannot read the KUnit suites of {ko}: {e}")
                return 1
        module = ", ".join(a.kunit_module)
    c, out = count(a.name, res, log, a.rc, a.expect_splat, suites, module)
    for k in ("passed", "failed", "skipped", "errors"):
        print(f"{k} {c[k]}")
    for line in out:
        print(line)
    return 1 if c["failed"] or c["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

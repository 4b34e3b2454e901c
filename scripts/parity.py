#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compares the outcomes of a scenario run against the C and the Rust driver.

Usage: parity.py OUT_MD LOG_C LOG_RUST [LOG_C LOG_RUST ...]

Each log is the console of one QEMU run of a scenario (KTAP lines
"ok N desc" / "not ok N desc"; "ok N desc # outcome: WHAT" when the test
asserts a per-driver outcome, and WHAT is compared as well). Rows are matched by description. A row whose
outcome differs between the drivers is a parity failure unless
tests/parity-exceptions.txt lists it (a line "SCENARIO: DESCRIPTION-GLOB |
reason"), in which case it is a deliberate difference and its reason is
shown. Writes a Markdown table to OUT_MD, prints one line per row as
"parity ok|FAIL ..." and exits 1 on any unlisted difference. A skipped test
("# SKIP") compares as "skip", never as "pass"; a missing results file or
one without any KTAP result is a failure (there is nothing to compare). A
row skipped with either driver is listed as "parity skip" and not compared.
"""

import fnmatch
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap_count  # noqa: E402


def outcomes(path):
    """(order, rows) of a results file; None if it is missing."""
    rows = {}
    order = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except FileNotFoundError:
        return None, None
    # The runner's one KTAP parser: "ok N desc # SKIP why" is a skip.
    _plan, results = ktap_count.parse_results(lines)
    for status, _num, desc, _reason in results:
        # The scenario names the driver it runs against ("the c
        # driver attaches"): compare the rows regardless.
        desc = re.sub(r"\b(c|rust) driver\b", "<driver> driver", desc)
        # "desc # outcome: WHAT": a test whose expected outcome
        # differs between the drivers; WHAT is compared too.
        desc, _, what = desc.partition(" # outcome: ")
        if desc not in rows:
            order.append(desc)
        rows[desc] = status + (f" ({what.strip()})" if what else "")
    return order, rows


def exceptions(path):
    ex = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                spec, _, reason = line.partition("|")
                scen, _, pat = spec.partition(":")
                ex.append((scen.strip(), pat.strip(), reason.strip()))
    except FileNotFoundError:
        pass
    return ex


def main():
    out_md = sys.argv[1]
    logs = sys.argv[2:]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ex = exceptions(os.path.join(here, "tests", "parity-exceptions.txt"))
    md = ["| scenario | test | C | Rust | note |", "|---|---|---|---|---|"]
    bad = 0
    same = 0
    unrun = 0
    for i in range(0, len(logs) - 1, 2):
        log_c, log_r = logs[i], logs[i + 1]
        scen = re.sub(r"^qemu-|-c\.log(\.results)?$", "", os.path.basename(log_c))
        order_c, c = outcomes(log_c)
        order_r, r = outcomes(log_r)
        # No results to compare is no parity: a failure, not "ok".
        empty = False
        for path, rows in ((log_c, c), (log_r, r)):
            if rows is None:
                print(f"parity FAIL {scen}: no results file {path}")
                empty = True
            elif not rows:
                print(f"parity FAIL {scen}: no KTAP result in {path}")
                empty = True
        if empty:
            bad += 1
            md.append(f"| {scen} | (results missing or empty) | | | **no comparison** |")
            continue
        order = order_c + [d for d in order_r if d not in c]
        for desc in order:
            oc, orr = c.get(desc, "missing"), r.get(desc, "missing")
            note = ""
            if oc.startswith("skip") or orr.startswith("skip"):
                # A test that did not run with one driver compares nothing.
                unrun += 1
                note = "not compared (skipped)"
                print(f"parity skip {scen}: {desc}: C {oc}, Rust {orr}")
            elif oc != orr:
                reason = next(
                    (why for s, pat, why in ex if s == scen and fnmatch.fnmatchcase(desc, pat)),
                    None,
                )
                if reason is None:
                    bad += 1
                    note = "**unlisted difference**"
                    print(f"parity FAIL {scen}: {desc}: C {oc}, Rust {orr}")
                else:
                    note = f"deliberate: {reason}"
                    print(f"parity ok   {scen}: {desc}: C {oc}, Rust {orr} ({reason})")
            else:
                same += 1
            md.append(f"| {scen} | {desc} | {oc} | {orr} | {note} |")
    with open(out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    if not logs:
        print("parity FAIL: no results files given")
        bad += 1
    print(f"parity: {same} rows identical, {unrun} not compared (skipped), {bad} unlisted differences")
    return 1 if bad or not same else 0


if __name__ == "__main__":
    sys.exit(main())

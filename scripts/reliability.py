#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarises the reliability runs found in out/check/ per driver.

Usage: reliability.py [--out FILE] [--format md|rst] [DIR]

Reads, in DIR (default out/check), whatever is there of:

- qemu-stress-<drv>.log(.results) and qemu-soak-<drv>.log(.results): the
  stress scenario (tests/guest/scenarios/stress.sh), whose "# STRESS ..."
  lines give per case the cycles planned and held, the seconds taken, the
  crashes injected, the kmemleak and lockdep verdicts;
- every other qemu-<scenario>[-<drv>].log(.results): KTAP tests passed,
  failed and skipped; scenarios named *fault* or *hostile* count their
  passed tests as faults survived;
- corpus.log: the malformed-image corpus through the Rust driver
  ("N passed, M failed": N images refused or booted as they must);

and, from every console log, the kernel reports the QEMU runner flagged
("runner: kernel reported: ..."): kmemleak reports count as leaks, the
rest (oops, BUG, WARNING, lockdep, RCU stall) as splats. A source that is
absent is left out. Writes a table per driver to FILE (default
DIR/reliability.md) and prints it.
"""

import argparse
import datetime
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap_count  # noqa: E402

DRIVERS = {"c": "C imx_rproc", "rust": "Rust imx_rproc_rs"}


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().replace("\r", "")
    except FileNotFoundError:
        return None


def ktap_counts(text):
    """(passed, failed, skipped) of KTAP TEXT, by scripts/ktap_count.py
    (nested KTAP: its innermost results)."""
    _plan, results = ktap_count.parse_results(text.splitlines())
    st = [r[0] for r in results]
    return st.count("pass"), st.count("fail"), st.count("skip")


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def runner_reports(console):
    """(leaks, splats, verdict) from the runner's lines of a console log."""
    leaks = 0
    splats = []
    verdict = ""
    for line in (console or "").splitlines():
        if line.startswith("runner: kernel reported:"):
            m = re.search(r"(\d+) new suspected memory leak", line)
            if m:
                leaks += int(m.group(1))
            elif "suspected memory leak" in line:
                leaks += 1
            else:
                splats.append(line.split(":", 2)[2].strip())
        elif line.startswith("runner: "):
            verdict = line[len("runner: ") :]
    return leaks, splats, verdict


def stress_run(results):
    """Per case rows and totals from the "# STRESS" lines of a stress run."""
    cases = []
    info = {}
    for line in results.splitlines():
        if not line.startswith("# STRESS "):
            continue
        d = kv(line)
        if "case" in d:
            skipped = re.search(r"skipped=(.*)$", line)
            d["skipped"] = skipped.group(1) if skipped else ""
            cases.append(d)
        else:
            info.update(d)
    return cases, info


def scenario_of(base):
    """("stress", "rust") from "qemu-stress-rust"; (name, None) without a driver."""
    name = base[len("qemu-") :]
    for drv in DRIVERS:
        if name.endswith("-" + drv):
            return name[: -len(drv) - 1], drv
    return name, None


def collect(d):
    rows = {drv: [] for drv in DRIVERS}
    rows[None] = []
    cases = {}
    for res in sorted(glob.glob(os.path.join(d, "qemu-*.log.results"))):
        base = os.path.basename(res)[: -len(".log.results")]
        scen, drv = scenario_of(base)
        results = read(res) or ""
        console = read(res[: -len(".results")])
        p, f, s = ktap_counts(results)
        leaks, splats, verdict = runner_reports(console)
        row = {
            "source": scen,
            "tests": (p, f, s),
            "planned": None,
            "held": None,
            "faults": None,
            "leaks": leaks,
            "splats": splats,
            "lockdep": "",
            "verdict": verdict,
        }
        if scen in ("stress", "soak"):
            cs, info = stress_run(results)
            cases[(scen, drv)] = (cs, info)
            run = [c for c in cs if not c.get("skipped")]
            row["planned"] = sum(int(c.get("planned", 0)) for c in run)
            row["held"] = sum(int(c.get("held", 0)) for c in run)
            crashes = [c for c in run if c["case"].startswith("crash")]
            if crashes:
                row["faults"] = sum(int(c.get("held", 0)) for c in crashes)
            if "leaks" in info:
                row["leaks"] = max(leaks, int(info["leaks"]))
            if "lockdep" in info:
                row["lockdep"] = "on" if info["lockdep"] == "1" else "OFF (reported)"
            if info.get("mode"):
                row["source"] = f"{scen} ({info['mode']} counts)"
        elif re.search(r"fault|hostile", scen):
            row["faults"] = p
        rows[drv].append(row)
    corpus = read(os.path.join(d, "corpus.log"))
    if corpus:
        m = re.findall(r"^(\d+) passed, (\d+) failed", corpus, re.M)
        if m:
            p, f = (int(x) for x in m[-1])
            leaks, splats, _ = runner_reports(corpus)
            rows["rust"].append(
                {
                    "source": "corpus (malformed images)",
                    "tests": (p, f, 0),
                    "planned": None,
                    "held": None,
                    "faults": p,
                    "leaks": leaks,
                    "splats": splats,
                    "lockdep": "",
                    "verdict": "",
                }
            )
    return rows, cases


def fmt_num(v):
    return "-" if v is None else str(v)


def table(headers, body, form):
    if form == "md":
        out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        out += ["| " + " | ".join(r) + " |" for r in body]
        return out
    # RST simple table.
    cols = list(zip(*([headers] + body), strict=False)) if body else [[h] for h in headers]
    widths = [max(len(c) for c in col) for col in cols]
    rule = "  ".join("=" * w for w in widths)

    def line(r):
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()

    return [rule, line(headers), rule] + [line(r) for r in body] + [rule]


def render(rows, cases, form, stamp):
    out = []

    def head(t, ch):
        out.extend([t, ch * len(t), ""] if form == "rst" else [f"## {t}", ""])

    if form == "md":
        out += ["# Reliability", ""]
    out += [f"Generated by scripts/reliability.py: {stamp}.", ""]
    for drv, name in list(DRIVERS.items()) + [(None, "Scenarios of one fixed driver")]:
        rs = rows.get(drv) or []
        if not rs:
            continue
        head(name, "-")
        body = []
        for r in rs:
            p, f, s = r["tests"]
            cyc = "-" if r["planned"] is None else f"{r['held']}/{r['planned']}"
            splats = str(len(r["splats"]))
            if r["splats"]:
                splats += " (" + "; ".join(r["splats"][:2]) + ")"
            body.append(
                [
                    r["source"],
                    f"{p}/{f}/{s}",
                    cyc,
                    fmt_num(r["faults"]),
                    str(r["leaks"]),
                    splats,
                    r["lockdep"] or "-",
                ]
            )
        out += table(
            ["run", "tests ok/failed/skipped", "cycles held", "faults survived", "leaks", "splats", "lockdep"],
            body,
            form,
        )
        out.append("")
        for (scen, d), (cs, info) in sorted(cases.items(), key=lambda k: (k[0][0], k[0][1] or "")):
            if d != drv:
                continue
            t = f"{name}: {scen} cases ({info.get('mode', '?')} counts)"
            if form == "rst":
                out += [t, "~" * len(t), ""]
            else:
                out += [f"### {t}", ""]
            body = []
            for c in cs:
                if c.get("skipped"):
                    body.append([c["case"], "-", "-", "-", "skipped: " + c["skipped"]])
                else:
                    note = "" if c.get("held") == c.get("planned") else "**stopped early**"
                    if c.get("writes"):
                        note = (note + " writes " + c["writes"]).strip()
                    body.append(
                        [
                            c["case"],
                            f"{c.get('held')}/{c.get('planned')}",
                            c.get("secs", "-"),
                            c.get("bound", "-"),
                            note,
                        ]
                    )
            out += table(["case", "cycles held", "seconds", "bound (s)", "note"], body, form)
            out.append("")
    if not any(rows.values()):
        out += ["No result log found.", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default="out/check")
    ap.add_argument("--out")
    ap.add_argument("--format", choices=("md", "rst"), default="md")
    a = ap.parse_args()
    rows, cases = collect(a.dir)
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        ).stdout.strip()
    except OSError:
        rev = ""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    stamp += f", commit {rev}" if rev else ""
    text = render(rows, cases, a.format, stamp)
    out = a.out or os.path.join(a.dir, "reliability." + a.format)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of scripts/bench-vm7.sh: C and Rust side by side from OUT's samples.

OUT holds machine.txt (key=value lines), samples.txt ("metric driver ns"),
runs.txt ("n driver kind run") and console.log.vm7 (vm7's "run ends" lines).
Writes OUT/bench.md and prints it.
"""

import os
import re
import sys
from collections import defaultdict

out = sys.argv[1]
meta = dict(kv.rstrip("\n").split("=", 1) for kv in open(os.path.join(out, "machine.txt")) if "=" in kv)
S = defaultdict(list)
for line in open(os.path.join(out, "samples.txt")):
    m, d, v = line.split()
    S[(m, d)].append(int(v) / 1e6)  # ms
# vm7's runs, numbered in start order: "vm7: run ends: ... (X M instr/s executing, ...)".
ends = []
for line in open(os.path.join(out, "console.log.vm7"), errors="replace"):
    m = re.search(r"run ends: (\d+) instructions.*\(([\d.]+) M instr/s executing", line)
    if m:
        ends.append((int(m.group(1)), float(m.group(2))))
for line in open(os.path.join(out, "runs.txt")):
    _, drv, kind, n = line.split()
    n = int(n)
    if 1 <= n <= len(ends) and ends[n - 1][0] > 0:
        S[(f"M instr/s ({kind} runs)", drv)].append(ends[n - 1][1])


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


rows = [
    ("fw_start", "ms, start to the firmware's first endpoint"),
    ("ttyecho", "ms, rpmsg-tty round trip"),
    ("M instr/s (fwstart runs)", "vm7 executing, boot to first endpoint"),
    ("M instr/s (echo runs)", "vm7 executing, boot and tty echoes"),
]
lines = [
    f"# vm7 board mode: Zephyr openamp_rsc_table, C vs Rust ({meta.get('date', '?')})",
    "",
    f"`{meta.get('cmd')}`, commit {meta.get('commit')}, {meta.get('nproc')} CPUs, "
    f"load {meta.get('load')}, {meta.get('elapsed')} s, exit status {meta.get('rc')}",
    "",
    "| metric | unit | C median (min-max, n) | Rust median (min-max, n) | Rust/C |",
    "|---|---|---|---|---|",
]
for key, unit in rows:
    cells = []
    meds = {}
    for d in ("c", "rust"):
        v = S.get((key, d), [])
        if v:
            meds[d] = median(v)
            cells.append(f"{meds[d]:.2f} ({min(v):.2f}-{max(v):.2f}, {len(v)})")
        else:
            cells.append("-")
    ratio = f"{meds['rust'] / meds['c']:.2f}" if len(meds) == 2 and meds["c"] else "-"
    lines.append(f"| {key} | {unit} | {cells[0]} | {cells[1]} | {ratio} |")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "bench.md"), "w").write(text)
print()
print(text)

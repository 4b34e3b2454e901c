#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What the text of a .ko is made of, per source module of the driver.

    scripts/ko-size.py [--symbols N] [KO]      (default KO: imx_rproc_rs.ko)

Berkeley `size` counts as text every allocated read-only section: .text,
.rodata, .modinfo, the notes, the parameter and init/exit tables. This
script splits the two that matter, .text and .rodata, by who owns each
byte:

- a function's bytes belong to the module its (demangled) name names
  first: `imx_rproc_rs::fw::rsc::decode_entry` to `fw::rsc`,
  `<Vec<imx_rproc_rs::memory::Mapped>>::reserve` to `memory`; inlined
  code counts where it was inlined to;
- .rodata is cut at every address a relocation points to; a piece belongs
  to the function whose code refers to it (a string, a table), or to the
  owner of the .rodata piece that refers to it (the pieces of a format
  string are a table of pointers to the strings); named objects (the OF
  match table, the module parameters) are their own pieces.

Needs binutils for the target (aarch64-linux-gnu-readelf, -nm; set
CROSS_COMPILE otherwise). Prints a table per module, the largest symbols
with --symbols N, and the sums, which equal the section sizes.
"""

import argparse
import bisect
import os
import re
import subprocess
import sys
from collections import defaultdict

CROSS = os.environ.get("CROSS_COMPILE", "aarch64-linux-gnu-")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def sections(ko):
    out = {}
    for line in run(CROSS + "readelf", "-SW", ko).splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            out[int(m.group(1))] = (m.group(2), int(m.group(3), 16))
    return out


def symbols(ko):
    """(section index, value, size, mangled name) of every named symbol."""
    out = []
    for line in run(CROSS + "readelf", "-sW", ko).splitlines():
        f = line.split()
        if len(f) == 8 and f[0].endswith(":") and f[6].isdigit():
            out.append((int(f[6]), int(f[1], 16), int(f[2], 0), f[7]))
    return out


def demangler(ko):
    """Mangled name -> demangled, from nm (binutils demangles Rust v0)."""
    plain = run(CROSS + "nm", "-p", "--defined-only", ko).splitlines()
    demangled = run(CROSS + "nm", "-p", "--defined-only", "-C", ko).splitlines()
    table = {}
    for a, b in zip(plain, demangled, strict=True):
        table[a.split(" ", 2)[2]] = b.split(" ", 2)[2]
    return table


def relocations(ko):
    """{section name: [(offset, symbol, addend)]} of every RELA section."""
    out = defaultdict(list)
    cur = None
    for line in run(CROSS + "readelf", "-rW", ko).splitlines():
        m = re.match(r"Relocation section '\.rela(\S+)'", line)
        if m:
            cur = m.group(1)
            continue
        f = line.split()
        if cur and len(f) >= 7 and re.fullmatch(r"[0-9a-f]{16}", f[0]) and f[-2] in "+-":
            addend = int(f[-1], 16) * (1 if f[-2] == "+" else -1)
            out[cur].append((int(f[0], 16), f[4], addend))
    return out


def module_of(name):
    """The driver module a (demangled) symbol belongs to."""
    if name.startswith("__mod_device_table"):
        return "driver"
    m = re.search(r"imx_rproc_rs::((?:fw|kernel_ext)::\w+|\w+)", name)
    if m:
        mod = m.group(1)
        glue = ("__module_init", "module_parameters", "ImxRprocModule", "THIS_MODULE")
        return "module glue" if mod.startswith(glue) else mod
    if name.startswith("imx_rproc_rs_"):
        return "helpers.c"
    if name in ("init_module", "cleanup_module", "__this_module"):
        return "module glue"
    if name.startswith("OUTLINED_FUNCTION"):
        return "(outlined sequences, shared)"
    if name == "unattributed":
        return name
    return "(kernel and core generics, not ours)"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ko", nargs="?", default="imx_rproc_rs.ko")
    ap.add_argument("--symbols", type=int, default=0, metavar="N", help="also list the N largest owners")
    a = ap.parse_args()

    secs = sections(a.ko)
    idx = {name: i for i, (name, _) in secs.items()}
    dem = demangler(a.ko)
    syms = symbols(a.ko)
    rel = relocations(a.ko)

    text_i, ro_i = idx[".text"], idx[".rodata"]
    text_size, ro_size = secs[text_i][1], secs[ro_i][1]

    # Functions of .text, sorted by address.
    # Aliases (several names at one address) count once.
    funcs, seen = [], set()
    for v, s, name in sorted((v, s, dem.get(n, n)) for i, v, s, n in syms if i == text_i and s > 0):
        if v not in seen:
            seen.add(v)
            funcs.append((v, s, name))
    starts = [f[0] for f in funcs]

    def func_at(off):
        k = bisect.bisect_right(starts, off) - 1
        if k >= 0 and off < funcs[k][0] + funcs[k][1]:
            return funcs[k][2]
        return None

    # Named .rodata objects and the addresses relocations point to.
    named = {v: (s, dem.get(n, n)) for i, v, s, n in syms if i == ro_i and s > 0}
    sym_value = {n: v for i, v, s, n in syms if i == ro_i}

    def ro_target(sym, addend):
        if sym == ".rodata":
            return addend
        if sym in sym_value:
            return sym_value[sym] + addend
        return None

    cuts = {0, ro_size}
    for v, (s, _) in named.items():
        cuts.update((v, v + s))
    refs = defaultdict(list)  # rodata offset -> referring (kind, where)
    for off, sym, add in rel.get(".text", []):
        t = ro_target(sym, add)
        if t is not None:
            cuts.add(t)
            refs[t].append(("text", off))
    for off, sym, add in rel.get(".rodata", []):
        t = ro_target(sym, add)
        if t is not None:
            cuts.add(t)
            refs[t].append(("rodata", off))
    cuts = sorted(c for c in cuts if 0 <= c <= ro_size)
    pieces = list(zip(cuts, cuts[1:], strict=False))
    pstarts = [p[0] for p in pieces]

    def piece_at(off):
        return bisect.bisect_right(pstarts, off) - 1

    owner = {}

    def owner_of(k, depth=0):
        if k in owner:
            return owner[k]
        start = pieces[k][0]
        if start in named:
            owner[k] = named[start][1]
            return owner[k]
        who = None
        for kind, where in refs.get(start, []):
            if kind == "text":
                who = func_at(where)
            elif depth < 8:
                who = owner_of(piece_at(where), depth + 1)
            if who:
                break
        # Bytes no relocation points to continue the piece before them
        # (alignment, or a table reached through an offset).
        if who is None and k > 0 and depth < 64:
            who = owner_of(k - 1, depth + 1)
        owner[k] = who or "unattributed"
        return owner[k]

    by_mod = defaultdict(lambda: [0, 0])
    by_sym = defaultdict(lambda: [0, 0])
    covered = 0
    for _v, s, name in funcs:
        by_mod[module_of(name)][0] += s
        by_sym[name][0] += s
        covered += s
    by_mod["(alignment padding)"][0] += text_size - covered
    for k, (b, e) in enumerate(pieces):
        who = owner_of(k)
        by_mod[module_of(who)][1] += e - b
        by_sym[who][1] += e - b

    print(f"{a.ko}: .text {text_size}, .rodata {ro_size}")
    print()
    print(f"| {'module':40} | {'.text':>6} | {'.rodata':>7} | {'sum':>6} |")
    print(f"|{'-' * 42}|{'-' * 7}:|{'-' * 8}:|{'-' * 7}:|")
    for mod, (t, r) in sorted(by_mod.items(), key=lambda kv: -sum(kv[1])):
        print(f"| {mod[:40]:40} | {t:6} | {r:7} | {t + r:6} |")
    tt = sum(v[0] for v in by_mod.values())
    rr = sum(v[1] for v in by_mod.values())
    print(f"| {'total':40} | {tt:6} | {rr:7} | {tt + rr:6} |")
    if a.symbols:
        print()
        for name, (t, r) in sorted(by_sym.items(), key=lambda kv: -sum(kv[1]))[: a.symbols]:
            print(f"{t + r:6} {t:6} {r:6}  {name[:140]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host side of the malformed-image corpus (scripts/corpus.sh).

  corpus.py names MANIFEST                  the case names of manifest.tsv
  corpus.py ingest LOG BATCH RC DRV BOOT RESULTS REMAINING
                                            one boot's console log: appends
                                            the results of the cases it ran
                                            to RESULTS (JSON lines), writes
                                            the cases still to run to
                                            REMAINING, prints how many it
                                            settled
  corpus.py report IMAGES OUT DOC DRIVERS TIMES MODE
                                            DIR/table.md (and DOC, the
                                            reStructuredText page, unless
                                            empty); prints the failing Rust
                                            cases and "N passed, M failed";
                                            exit status 1 on any failure

The guest's records (tests/guest/corpus/run.sh) are console lines
"[ T] CORPUS KIND ...". Tests: tests/runner/test_corpus.py.
"""

import errno
import json
import os
import re
import sys

SPLAT = re.compile(
    r"\[ *\d+\.\d+\] .*(Internal error: Oops|Oops|BUG:|kernel BUG at|WARNING:|"
    r"Unable to handle kernel|Kernel panic|possible circular locking|"
    r"sleeping function called from invalid context|UBSAN:|self-detected stall|"
    r"detected stalls on CPUs|blocked for more than \d+ seconds)"
)
REC = re.compile(r"\] CORPUS (START|CASE|KMSG|RESULT|SPLAT|DONE|FATAL)\b ?(.*)$")


def manifest(path):
    cases = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        cases.append(
            dict(
                zip(
                    ("name", "file", "expect", "errno", "errname", "message", "check", "group", "defect"),
                    f,
                    strict=False,
                )
            )
        )
    return cases


def parse_result(text):
    name, _, rest = text.partition(" ")
    r = {"name": name}
    why = rest.find(" why=")
    if rest.startswith("why="):
        why = -1
        r["why"] = rest[4:]
        rest = ""
    elif why >= 0:
        r["why"] = rest[why + 5 :]
        rest = rest[:why]
    for kv in rest.split():
        k, _, v = kv.partition("=")
        r[k] = v
    if r.get("why") == "-":
        r["why"] = ""
    # The splat's text comes in its own record.
    r["splat_seen"] = r.pop("splat", "no") == "yes"
    return r


def ingest(log, batch, rc, drv, boot, results, remaining):
    """Reads one boot's console log: appends the results of the cases it
    ran to RESULTS (JSON lines) and writes the cases still to run to
    REMAINING. Prints how many cases this boot settled."""
    names = [n for n in open(batch).read().split() if n]
    lines = open(log, encoding="utf-8", errors="replace").read().replace("\r", "").split("\n")
    res, kmsg, splat, started, fatal = {}, {}, {}, [], None
    current = None
    for line in lines:
        m = REC.search(line)
        if m:
            kind, text = m.groups()
            if kind == "CASE":
                current = text.strip()
                started.append(current)
                kmsg[current] = []
            elif kind == "KMSG":
                n, _, msg = text.partition(" ")
                kmsg.setdefault(n, []).append(msg)
            elif kind == "RESULT":
                r = parse_result(text)
                res[r["name"]] = r
            elif kind == "SPLAT":
                n, _, msg = text.partition(" ")
                splat.setdefault(n, msg)
            elif kind == "FATAL":
                fatal = text
            continue
        if current and current not in res and SPLAT.search(line):
            s = re.sub(r"^.*?\[ *\d+\.\d+\] ", "", line).strip()
            splat.setdefault(current, s)
    settled = 0
    out = open(results, "a", encoding="utf-8")
    left = []
    stop = False
    for n in names:
        if stop:
            left.append(n)
            continue
        r = res.get(n)
        if r is None and n in started:
            # Started, never finished: the kernel or the guest died.
            if n in splat:
                r = {"name": n, "outcome": "killed", "why": "the guest did not survive it"}
            elif rc == 124 and n != started[0]:
                # The boot's time ran out during this case, after others had
                # used it: on a slow machine that is the budget, not the case
                # (run.sh catches a state write that hangs by itself). It runs
                # again first in the next boot, with a whole boot's time.
                left.append(n)
                stop = True
                continue
            elif rc == 124:
                r = {"name": n, "outcome": "hang", "why": "no answer until the QEMU timeout, first case of its boot"}
            else:
                r = {"name": n, "outcome": "error", "why": "the guest ended during the case (runner status %d)" % rc}
            r["verdict"] = "fail"
        if r is None:
            if fatal or not started:
                # Nothing ran in this boot: give up on the rest.
                r = {
                    "name": n,
                    "outcome": "error",
                    "verdict": "fail",
                    "why": fatal or ("boot failed (runner status %d)" % rc),
                }
            else:
                left.append(n)
                stop = True
                continue
        r.setdefault("verdict", "fail")
        r["drv"] = drv
        r["boot"] = boot
        r["kmsg"] = kmsg.get(n, [])
        if n in splat:
            r["splat"] = splat[n]
        elif r.get("splat_seen"):
            r["splat"] = "kernel splat (text not captured)"
        out.write(json.dumps(r) + "\n")
        settled += 1
        if (r.get("outcome") in ("hang", "killed", "error") or "splat" in r) and n != names[-1]:
            stop = True
    with open(remaining, "w") as f:
        f.write("".join(n + "\n" for n in left))
    print(settled)


NOISE = ("Boot failed", "powering up", "Booting fw image", "is now up")


def errname(e):
    """The name of a negative errno as the guest printed it ("-22": EINVAL).
    Linux's arm64 guest uses the generic errno numbers
    (include/uapi/asm-generic/errno-base.h, errno.h in the kernel tree),
    the same as the x86-64 and arm64 hosts' Python errno module."""
    try:
        return errno.errorcode.get(-int(e), "")
    except ValueError:
        return ""


def key_message(r):
    """The first kernel message of the case that says something (up to a
    splat, which is shown on its own)."""
    for m in r.get("kmsg", []):
        if "cut here" in m or SPLAT.search("[ 0.0] " + m):
            break
        if any(x in m for x in NOISE) or m.startswith(" "):
            continue
        return re.sub(r"^\S+ \S+: ", "", m)
    return ""


def start_outcome(r):
    """What "echo start > state" did."""
    o = r.get("outcome", "?")
    if o == "rejected":
        s = ("rejected {} {}".format(r.get("errno", "?"), errname(r.get("errno", "")))).rstrip()
        m = key_message(r)
        return s + (": " + m if m else "")
    if o == "accepted":
        m = key_message(r)
        return "accepted (booted)" + ("; log: " + m if m else "")
    if o == "killed":
        return "the writing shell was killed"
    if o == "hang":
        return "hang: " + r.get("why", "")
    return "error: " + r.get("why", "")


def category(r):
    """accepted, rejected, oops, WARNING, hang or error."""
    if r is None:
        return "not run"
    if r.get("splat"):
        return "WARNING" if r["splat"].startswith("WARNING") else "oops"
    return {"killed": "oops"}.get(r.get("outcome"), r.get("outcome", "?"))


def outcome(r):
    if r is None:
        return "not run"
    s = start_outcome(r)
    if r.get("splat"):
        sp = r["splat"]
        s = ("" if sp.startswith("WARNING") else "oops: ") + sp + " (start: " + s + ")"
    elif r.get("outcome") in ("accepted", "rejected") and r.get("valid_after") not in ("ok", None, "-"):
        s += "; then the valid image failed to boot"
    return s


def load(path):
    d = {}
    try:
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            d[r["name"]] = r
    except FileNotFoundError:
        pass
    return d


def md_cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


def rst_text(s):
    return re.sub(r"([\\*`|_\[\]])", r"\\\1", s)


# What the Rust driver should do, by the check the manifest names.
HINTS = {
    "segment-placement": "load segments only into m7_reserved and the TCMs: rproc_da_to_va() "
    "also finds the vring and vdevbuffer carveouts and the probe-time "
    "rsc-table mapping, so load() must check the range itself",
    "trace-placement": "parse_fw() should check each trace buffer (da, len) against the M7's "
    "memory (m7_reserved, TCMs) and reject the table",
    "RscVringDaOutOfRange": "rsc_limits() should set Limits::vring_da_ok to the vdevNvringM "
    "regions; the core only fails the rproc-virtio probe and boots the "
    "M7 anyway",
}


def hint(k):
    for key, text in HINTS.items():
        if k["check"].endswith(key):
            return text
    return ""


def failure(k, r):
    """Why a Rust case failed: what happened and what was expected."""
    if k["expect"] == "boot":
        exp = "must boot"
    else:
        exp = "expected {} {}, '{}'".format(k["errno"], k["errname"], k["message"])
    if r is None:
        return "not run; " + exp
    text = outcome(r)
    wanted = "rejected" if k["expect"] == "reject" else "accepted"
    if r.get("outcome") == wanted and not r.get("splat"):
        text += " (" + r.get("why", "") + ")"
    return text + "; " + exp


def report(images, out, doc, drivers, times, mode):
    cases = manifest(images + "/manifest.tsv")
    rust = load(out + "/rust/results.jsonl") if "rust" in drivers else {}
    c = load(out + "/c/results.jsonl") if "c" in drivers else {}
    # Every selected case counts, run or not: a case that did not run
    # (a boot that settled none) is a Rust-side failure "not run", it does
    # not drop out of both counts.
    only = [n for n in os.environ.get("CORPUS_ONLY", "").split(",") if n]
    ran = [k for k in cases if not only or k["name"] in only]
    passed = failed = 0
    rows = []
    fails = []
    for k in ran:
        n = k["name"]
        r = rust.get(n)
        if "rust" in drivers:
            if r and r.get("verdict") == "pass":
                passed += 1
                rcell = outcome(r)
            else:
                failed += 1
                rcell = "FAIL: " + failure(k, r)
                fails.append((k, r))
        else:
            rcell = "not run"
        ccell = outcome(c.get(n)) if "c" in drivers else "not run"
        rows.append((n, k["defect"], rcell, ccell, k))
    c_counts = {}
    for k in ran:
        o = category(c.get(k["name"])) if c else "not run"
        c_counts[o] = c_counts.get(o, 0) + 1
    defects = sum(1 for k in cases if k["expect"] == "reject")
    valid = len(cases) - defects
    summary = "%d passed, %d failed" % (passed, failed)

    # Markdown.
    md = [
        "# Malformed-image corpus: Rust driver vs C imx_rproc",
        "",
        "%d images (%d defects, %d valid edge cases), System Manager mode %s. "
        "Generated by scripts/corpus.sh; see Documentation/corpus.rst." % (len(cases), defects, valid, mode),
        "",
        "| case | defect | Rust outcome | C outcome |",
        "|---|---|---|---|",
    ]
    for n, d, rc_, cc, _ in rows:
        md.append(f"| `{n}` | {md_cell(d)} | {md_cell(rc_)} | {md_cell(cc)} |")
    md += [
        "",
        "C driver: " + ", ".join("%s %d" % kv for kv in sorted(c_counts.items())),
        "",
        "Run time: " + times,
        "",
        summary,
        "",
    ]
    open(out + "/table.md", "w", encoding="utf-8").write("\n".join(md))

    if doc:
        write_rst(doc, cases, rows, fails, c_counts, summary, times, mode, defects, valid, c)

    for k, r in fails:
        print("FAIL {}: {}".format(k["name"], failure(k, r)))
    print("C driver: " + ", ".join("%s %d" % kv for kv in sorted(c_counts.items())))
    print(summary)
    return 1 if failed else 0


RST_HEAD = """\
.. SPDX-License-Identifier: GPL-2.0

.. This file is generated by scripts/corpus.sh: edit the script, not this file.

======================
Malformed-image corpus
======================

What it is
==========

``mkfw corpus --out DIR`` (``tools/mkfw/src/corpus.rs``) writes one ELF per
defect, each the baseline image (the default Zephyr-shaped image with a trace
entry) with exactly one thing wrong, a few valid edge cases that must boot,
and ``DIR/manifest.tsv``: name, file, the errno the Rust driver must fail the
boot with and a substring of the kernel message that must name the defect.
A unit test per image (``cargo test -p mkfw``) parses it back with the
driver's own parser (``imx_rproc_fw``), in the driver's order, and checks it
stops at exactly that defect (the error variant, or for placement defects the
segment's address and length).

``scripts/corpus.sh`` builds the corpus and the modules, boots the virtual
i.MX95 and, for every image (``tests/guest/corpus/run.sh``): sets it as the
firmware, ``echo start > state``, records the outcome, the kernel messages and
whether the System Manager was asked to start the M7 (``CPU_START`` or
``LMM_BOOT`` in ``/sys/kernel/debug/imx95_sim/log``), then boots the valid
baseline right after and stops it. It runs once per driver, in separate
boots: the Rust driver (``insmod imx_rproc_rs.ko``) and the C ``imx_rproc``
(``modprobe imx_rproc``). After an oops, a ``WARNING`` or a hang the boot ends
and the next case runs in a fresh boot, so each crash is isolated. A hang is a
state write that does not return within 20 s, or a case that is still running
when the boot's time runs out while it is the first case of its boot; a case
that other cases of its boot left short of time runs again first in the next::

    scripts/corpus.sh                      # both drivers, CPU mode
    scripts/corpus.sh --driver rust --only valid-seg-in-rsc-table-region
    scripts/corpus.sh --mode lmm           # M7 in its own logical machine

What the Rust driver must do
============================

A case passes when the Rust driver rejects the image with the manifest's
errno, logs a message containing the manifest's text (``<what the parser
found> (<its error variant>)``, after a prefix such as ``invalid firmware:``),
leaves the remote offline (state ``offline``, no ``CPU_START``/``LMM_BOOT``)
and boots the valid image right after; a valid edge case passes when it boots
and stops. Beyond the parser's own rules the corpus holds the driver to:

- segments in the M7's own memory (``m7_reserved`` and the TCMs) or, as
  with the C driver, in the ``rsc-table`` region, never in the vrings or the
  vdev buffer pool: ``segment K (da X, Y bytes) is outside every memory
  region``, ``-EINVAL``;
- trace buffers in the M7's own memory or in the ``rsc-table`` region past
  the resource table: ``trace resource K (da X, Y bytes) is outside every
  memory region``, or ``... overlaps the resource table (N bytes) in the
  rsc-table region``, ``-EINVAL``;
- the layouts real firmware is linked in (``mkfw layouts``) boot;
- vrings at a fixed address inside the vring carveouts
  (``Limits::vring_da_ok``): ``RscVringDaOutOfRange``, ``-ERANGE``;
- a resource table no larger than the 4 KiB ``rsc-table`` region,
  ``-EFBIG``.

The C driver's outcomes are recorded for comparison, never counted.

"""


def write_rst(doc, cases, rows, fails, c_counts, summary, times, mode, defects, valid, c):
    t = [RST_HEAD]
    t.append("Results\n=======\n\n")
    t.append(
        "%d images: %d defects, %d valid edge cases; System Manager mode "
        "``%s``. Rust driver: **%s**. C driver: %s.\n\n"
        % (len(cases), defects, valid, mode, summary, ", ".join("%s %d" % kv for kv in sorted(c_counts.items())))
    )
    t.append(f"Run time: {rst_text(times)}.\n\n")
    t.append("Rust-driver shortcomings\n------------------------\n\n")
    if fails:
        for k, r in fails:
            h = hint(k)
            t.append(
                "- ``{}`` ({}): {}.{}\n".format(
                    k["name"], rst_text(k["defect"]), rst_text(failure(k, r)), " Fix: " + rst_text(h) + "." if h else ""
                )
            )
        t.append("\n")
    else:
        t.append("None: every defect is rejected as the manifest says.\n\n")
    bad = [(k, c.get(k["name"])) for k in cases if category(c.get(k["name"])) in ("oops", "WARNING", "hang")]
    t.append("C driver oopses, WARNINGs and hangs\n-----------------------------------\n\n")
    if bad:
        for k, r in bad:
            t.append("- ``{}`` ({}): {}.\n".format(k["name"], rst_text(k["defect"]), rst_text(outcome(r))))
        t.append("\n")
    else:
        t.append("None.\n\n")
    t.append("Per case\n--------\n\n")
    t.append(".. list-table::\n   :header-rows: 1\n   :widths: 18 30 26 26\n\n")
    t.append("   * - case\n     - defect\n     - Rust outcome\n     - C outcome\n")
    for n, d, rc_, cc, _ in rows:
        t.append(f"   * - ``{n}``\n     - {rst_text(d)}\n     - {rst_text(rc_)}\n     - {rst_text(cc)}\n")
    t.append(f"\n{summary}\n")
    open(doc, "w", encoding="utf-8").write("".join(t))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "ingest" and len(argv) == 9:
        ingest(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]), argv[7], argv[8])
        return 0
    if cmd == "names" and len(argv) == 3:
        for k in manifest(argv[2]):
            print(k["name"])
        return 0
    if cmd == "report" and len(argv) == 8:
        return report(argv[2], argv[3], argv[4] or None, argv[5].split(","), argv[6], argv[7])
    print(__doc__, file=sys.stderr)
    return 125


if __name__ == "__main__":
    sys.exit(main(sys.argv))

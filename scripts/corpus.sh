#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The malformed-image corpus against the Rust driver and the C imx_rproc on
# the virtual i.MX95. See usage() below and Documentation/corpus.rst.

set -uo pipefail

# The whole script is one compound command, parsed before it runs: editing
# this file while it runs cannot break the run.
{

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 125
export PATH=$HOME/.cargo/bin:$PATH

usage() {
	cat <<EOF
Usage: scripts/corpus.sh [--driver rust|c|both] [--mode cpu|lmm]
                         [--only NAME[,NAME...]] [--serial] [--no-build]
                         [--out DIR]

Builds the malformed-image corpus (cargo run --release -p mkfw -- corpus),
boots the virtual i.MX95 with the driver under test and, for every image:
sets it as the firmware, "echo start > state", records the outcome
(accepted, rejected with an errno, oops, hang), the kernel messages and
whether the System Manager was asked to start the M7, then boots a valid
image right after and stops it (tests/guest/corpus/run.sh).

The Rust driver (insmod imx_rproc_rs.ko) must reject every defect with the
manifest's errno and a kernel message containing the manifest's text, leave
the remote offline (no CPU_START/LMM_BOOT) and boot the valid image right
after; every valid edge case must boot. Each image is one test.
The C driver (modprobe imx_rproc) is recorded, never counted: after an
oops, a WARNING or a hang the boot ends and the next case runs in a fresh
boot, so every case is isolated from the ones that crash.

  --driver D     rust, c or both (default both, in parallel)
  --mode M       System Manager mode: cpu (M7 in Linux's LM, default) or lmm
  --only LIST    only these cases (comma-separated names)
  --serial       run the two drivers one after the other
  --no-build     use the existing corpus and modules
  --out DIR      results directory (default out/corpus)

Writes DIR/table.md, DIR/<driver>/ (console logs, results.jsonl) and, for
a full run of both drivers in CPU mode, Documentation/corpus.rst. Ends with
"N passed, M failed" (the Rust cases) and exits non-zero on any Rust-side
failure.
EOF
}

driver=both
mode=cpu
only=
serial=
build=1
out=$here/out/corpus

while [ $# -gt 0 ]; do
	case $1 in
	--driver) driver=${2:-} && shift 2 ;;
	--mode) mode=${2:-} && shift 2 ;;
	--only) only=${2:-} && shift 2 ;;
	--serial) serial=1 && shift ;;
	--no-build) build= && shift ;;
	--out) out=${2:-} && shift 2 ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		echo "corpus: unknown argument '$1'" >&2
		exit 125
		;;
	esac
done
case $driver in rust | c | both) ;; *)
	echo "corpus: --driver wants rust, c or both" >&2
	exit 125
	;;
esac
case $mode in cpu | lmm) ;; *)
	echo "corpus: --mode wants cpu or lmm" >&2
	exit 125
	;;
esac
mkdir -p "$out" || exit 125
out=$(cd "$out" && pwd)
images=$out/images
mods=$out/modules
t_start=$SECONDS

# ------------------------------------------------------------ build
if [ -n "$build" ]; then
	echo "corpus: building the images (mkfw corpus)"
	rm -rf "$images"
	if ! cargo run --quiet --release -p mkfw -- corpus --out "$images"; then
		echo "corpus: mkfw corpus failed" >&2
		exit 125
	fi
	echo "corpus: building the modules (make tests-modules)"
	built=
	for attempt in 1 2 3; do
		if make -s tests-modules >"$out/build.log" 2>&1; then
			built=1
			break
		fi
		echo "corpus: make tests-modules failed (attempt $attempt, see $out/build.log)"
		[ "$attempt" -lt 3 ] && sleep 120
	done
	# A failed build is a failure: never test the modules of an older build.
	if [ -z "$built" ]; then
		tail -n 20 "$out/build.log" >&2
		echo "corpus: make tests-modules failed, no case run (see $out/build.log)" >&2
		exit 125
	fi
	# A snapshot: others may rebuild the tree while the corpus runs.
	mkdir -p "$mods"
	cp imx_rproc_rs.ko tests/sim/imx95_sim.ko "$mods/" || exit 125
fi
[ -f "$images/manifest.tsv" ] || {
	echo "corpus: no $images/manifest.tsv (run without --no-build)" >&2
	exit 125
}
if [ ! -f "$mods/imx_rproc_rs.ko" ] || [ ! -f "$mods/imx95_sim.ko" ]; then
	echo "corpus: no modules in $mods (run without --no-build)" >&2
	exit 125
fi

if [ -n "$only" ]; then
	for n in ${only//,/ }; do
		grep -q "^$n	" "$images/manifest.tsv" || {
			echo "corpus: no case '$n' in $images/manifest.tsv" >&2
			exit 125
		}
	done
fi

# A snapshot of the runner and the guest scripts: others may edit the tree
# while the corpus runs (bash reads a script as it goes).
runner=$out/runner
rm -rf "$runner"
mkdir -p "$runner/scripts" "$runner/dts" "$runner/tests/guest/corpus" || exit 125
cp scripts/run-qemu.sh "$runner/scripts/" &&
	cp dts/imx95-virtual.dtso "$runner/dts/" &&
	cp tests/guest/lib.sh tests/guest/sim.sh "$runner/tests/guest/" &&
	cp tests/guest/corpus/run.sh "$runner/tests/guest/corpus/" || exit 125
env_out=$(bash scripts/bootstrap.sh --print-env) || {
	echo "corpus: no kernel tree: run scripts/bootstrap.sh" >&2
	exit 125
}
KDIR=$(sed -n 's/^KDIR=//p' <<<"$env_out")
BUSYBOX=$(sed -n 's/^BUSYBOX=//p' <<<"$env_out")
export KDIR BUSYBOX

# ------------------------------------------------------------ helpers
py=$(mktemp "${TMPDIR:-/tmp}/corpus.XXXXXX.py")
trap 'rm -f "$py"' EXIT
cat >"$py" <<'PYEOF'
import json
import os
import re
import sys

SPLAT = re.compile(
    r"\[ *\d+\.\d+\] .*(Internal error: Oops|Oops|BUG:|kernel BUG at|WARNING:|"
    r"Unable to handle kernel|Kernel panic|possible circular locking|"
    r"sleeping function called from invalid context|UBSAN:|self-detected stall|"
    r"detected stalls on CPUs|blocked for more than \d+ seconds)")
REC = re.compile(r"\] CORPUS (START|CASE|KMSG|RESULT|SPLAT|DONE|FATAL)\b ?(.*)$")


def manifest(path):
    cases = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        cases.append(dict(zip(("name", "file", "expect", "errno", "errname",
                               "message", "check", "group", "defect"), f)))
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
        r["why"] = rest[why + 5:]
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
            elif rc == 124:
                r = {"name": n, "outcome": "hang", "why": "no answer until the QEMU timeout"}
            else:
                r = {"name": n, "outcome": "error",
                     "why": "the guest ended during the case (runner status %d)" % rc}
            r["verdict"] = "fail"
        if r is None:
            if fatal or not started:
                # Nothing ran in this boot: give up on the rest.
                r = {"name": n, "outcome": "error", "verdict": "fail",
                     "why": fatal or ("boot failed (runner status %d)" % rc)}
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


ERRNAMES = {2: "ENOENT", 7: "E2BIG", 12: "ENOMEM", 16: "EBUSY", 22: "EINVAL",
            27: "EFBIG", 34: "ERANGE", 5: "EIO", 19: "ENODEV", 14: "EFAULT"}
NOISE = ("Boot failed", "powering up", "Booting fw image", "is now up")


def errname(e):
    try:
        return ERRNAMES.get(-int(e), "")
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
        s = ("rejected %s %s" % (r.get("errno", "?"), errname(r.get("errno", "")))).rstrip()
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
        exp = "expected %s %s, '%s'" % (k["errno"], k["errname"], k["message"])
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
    md = ["# Malformed-image corpus: Rust driver vs C imx_rproc", "",
          "%d images (%d defects, %d valid edge cases), System Manager mode %s. "
          "Generated by scripts/corpus.sh; see Documentation/corpus.rst." % (len(cases), defects, valid, mode),
          "", "| case | defect | Rust outcome | C outcome |", "|---|---|---|---|"]
    for n, d, rc_, cc, _ in rows:
        md.append("| `%s` | %s | %s | %s |" % (n, md_cell(d), md_cell(rc_), md_cell(cc)))
    md += ["", "C driver: " + ", ".join("%s %d" % kv for kv in sorted(c_counts.items())), "",
           "Run time: " + times, "", summary, ""]
    open(out + "/table.md", "w", encoding="utf-8").write("\n".join(md))

    if doc:
        write_rst(doc, cases, rows, fails, c_counts, summary, times, mode, defects, valid, c)

    for k, r in fails:
        print("FAIL %s: %s" % (k["name"], failure(k, r)))
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
and the next case runs in a fresh boot, so each crash is isolated::

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
    t.append("%d images: %d defects, %d valid edge cases; System Manager mode "
             "``%s``. Rust driver: **%s**. C driver: %s.\n\n"
             % (len(cases), defects, valid, mode, summary,
                ", ".join("%s %d" % kv for kv in sorted(c_counts.items()))))
    t.append("Run time: %s.\n\n" % rst_text(times))
    t.append("Rust-driver shortcomings\n------------------------\n\n")
    if fails:
        for k, r in fails:
            h = hint(k)
            t.append("- ``%s`` (%s): %s.%s\n" % (k["name"], rst_text(k["defect"]), rst_text(failure(k, r)),
                                                 " Fix: " + rst_text(h) + "." if h else ""))
        t.append("\n")
    else:
        t.append("None: every defect is rejected as the manifest says.\n\n")
    bad = [(k, c.get(k["name"])) for k in cases if category(c.get(k["name"])) in ("oops", "WARNING", "hang")]
    t.append("C driver oopses, WARNINGs and hangs\n-----------------------------------\n\n")
    if bad:
        for k, r in bad:
            t.append("- ``%s`` (%s): %s.\n" % (k["name"], rst_text(k["defect"]), rst_text(outcome(r))))
        t.append("\n")
    else:
        t.append("None.\n\n")
    t.append("Per case\n--------\n\n")
    t.append(".. list-table::\n   :header-rows: 1\n   :widths: 18 30 26 26\n\n")
    t.append("   * - case\n     - defect\n     - Rust outcome\n     - C outcome\n")
    for n, d, rc_, cc, _ in rows:
        t.append("   * - ``%s``\n     - %s\n     - %s\n     - %s\n"
                 % (n, rst_text(d), rst_text(rc_), rst_text(cc)))
    t.append("\n%s\n" % summary)
    open(doc, "w", encoding="utf-8").write("".join(t))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "ingest":
        ingest(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]),
               sys.argv[7], sys.argv[8])
    elif cmd == "names":
        for k in manifest(sys.argv[2]):
            print(k["name"])
    elif cmd == "report":
        sys.exit(report(sys.argv[2], sys.argv[3], sys.argv[4] or None, sys.argv[5].split(","),
                        sys.argv[6], sys.argv[7]))
PYEOF

# run_driver DRV: every selected case against DRV, as many boots as needed.
# Results in $out/DRV/results.jsonl.
run_driver() {
	local drv=$1 dir=$out/$1 boot=0 n t0=$SECONDS settled rc timeout
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/results.jsonl"
	if [ -n "$only" ]; then
		tr ',' '\n' <<<"$only" | grep . >"$dir/remaining"
	else
		python3 "$py" names "$images/manifest.tsv" >"$dir/remaining"
	fi
	while [ -s "$dir/remaining" ]; do
		boot=$((boot + 1))
		cp "$dir/remaining" "$dir/batch-$boot.list"
		n=$(wc -l <"$dir/batch-$boot.list")
		# A boot, then about 2 s a case; a hung case is caught in the guest
		# after 20 s, a frozen guest by this timeout.
		timeout=$((60 + 4 * n))
		"$runner/scripts/run-qemu.sh" \
			--module "$mods/imx_rproc_rs.ko" --module "$mods/imx95_sim.ko" \
			--file "$images:/lib/firmware/corpus" \
			--file "$dir/batch-$boot.list:/corpus-batch" \
			--script "$runner/tests/guest/corpus/run.sh" \
			--append "imxrprocrs_driver=$drv imxrprocrs_corpus_mode=$mode" \
			--timeout "$timeout" --log "$dir/boot-$boot.log" >"$dir/boot-$boot.out" 2>&1
		rc=$?
		settled=$(python3 "$py" ingest "$dir/boot-$boot.log" "$dir/batch-$boot.list" "$rc" \
			"$drv" "$boot" "$dir/results.jsonl" "$dir/remaining") || settled=0
		echo "corpus: $drv: boot $boot: $settled of $n cases (runner status $rc, $(tail -n 1 "$dir/boot-$boot.out" | sed 's/^runner: //'))"
		if [ "$settled" -eq 0 ]; then
			echo "corpus: $drv: no progress, giving up (see $dir/boot-$boot.log)"
			break
		fi
	done
	echo "$((SECONDS - t0)) s, $boot boot$([ "$boot" -eq 1 ] || echo s)" >"$dir/time"
	echo "corpus: $drv driver done: $(cat "$dir/time")"
}

# ------------------------------------------------------------ run
drivers=()
case $driver in
both) drivers=(rust c) ;;
*) drivers=("$driver") ;;
esac
t_run=$SECONDS
if [ ${#drivers[@]} -gt 1 ] && [ -z "$serial" ]; then
	for d in "${drivers[@]}"; do
		run_driver "$d" &
	done
	wait
else
	for d in "${drivers[@]}"; do
		run_driver "$d"
	done
fi
run_s=$((SECONDS - t_run))

times="total $((SECONDS - t_start)) s ($run_s s of QEMU runs"
for d in "${drivers[@]}"; do
	times+="; $([ "$d" = rust ] && echo Rust || echo C) driver $(cat "$out/$d/time" 2>/dev/null || echo '?')"
done
times+="$([ -z "$serial" ] && [ ${#drivers[@]} -gt 1 ] && echo ', in parallel'), on $(nproc) CPUs)"

doc=
# The document records the reference run: both drivers, every case, CPU mode.
if [ "$driver" = both ] && [ -z "$only" ] && [ "$mode" = cpu ]; then
	doc=$here/Documentation/corpus.rst
fi
echo "corpus: $times"
echo "corpus: table in $out/table.md${doc:+ and $doc}"
# Last: the failing cases, the C driver's tally and "N passed, M failed".
CORPUS_ONLY=$only python3 "$py" report "$images" "$out" "$doc" "$(
	IFS=,
	echo "${drivers[*]}"
)" "$times" "$mode"
exit $?
}

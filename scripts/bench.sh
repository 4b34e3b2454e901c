#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the C imx_rproc against imx_rproc_rs on the virtual i.MX95, in
# ONE QEMU boot, interleaved rounds (tests/guest/bench.sh). Writes the table to
# out/bench/bench.md and prints it. See usage() below.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 2
out=$here/out/bench
export PATH=$HOME/.cargo/bin:$PATH

usage() {
	cat <<EOF
Usage: scripts/bench.sh [--rounds N] [--quick] [--timeout SECONDS]

Boots the virtual i.MX95 once and measures the C driver (modprobe'd
imx_rproc.ko of the kernel tree) and imx_rproc_rs.ko in interleaved rounds
(C, Rust, C, Rust, ...): probe, start/stop latency, firmware load time and
bandwidth (64 KiB, 1 MiB, 16 MiB images) against an in-kernel memcpy_toio
floor, rpmsg echo round trips (16, 256, 496 bytes) against the simulated
hardware's own hops, pipelined throughput, unload; and the .ko sizes.
Statistics (median, p99, min, Rust/C ratio of the medians) go to
out/bench/bench.md, which is printed at the end; the raw samples are in
out/bench/samples.txt, the console in out/bench/console.log.

  --rounds N          rounds per driver (default 5, at least 1)
  --quick             fewer samples (a smoke run of the benchmark itself)
  --timeout SECONDS   QEMU timeout (default 900)
  --icount            run the guest with QEMU's -icount shift=0,sleep=off:
                      its clock counts executed instructions (1 ns each)
                      and skips idle time, so the numbers no longer depend
                      on how busy the host is (single-threaded TCG, the two
                      vCPUs take turns). Same conditions for both drivers.
  -h, --help          this text

Needs: make tests-modules tests-tools (make bench does both); the
driver measured is the shipped build, which it builds with "make
modules" into out/bench/imx_rproc_rs.ko. Numbers
from an emulated machine on a possibly busy host are noisy: read the
ratios, not the absolute values. Nothing asserts on a time; the exit
status is non-zero only if the run or a measurement failed.
EOF
}

cmd="scripts/bench.sh${*:+ $*}"
[ -n "${MAKELEVEL:-}" ] && cmd="make bench, i.e. $cmd"
rounds=5
quick=
timeout_s=900
icount=
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:-} && shift 2 ;;
	--quick) quick=1 && shift ;;
	--timeout) timeout_s=${2:-} && shift 2 ;;
	--icount) icount="-icount shift=0,sleep=off,align=off" && shift ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
case $rounds in '' | *[!0-9]* | 0)
	echo "bench: --rounds wants a positive number" >&2
	exit 2
	;;
esac

start=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# shellcheck disable=SC1090
eval "$(bash scripts/bootstrap.sh --print-env | sed 's/^/export /')"
[ -n "${KDIR:-}" ] || {
	echo "bench: no kernel tree (run scripts/bootstrap.sh)" >&2
	exit 2
}
if [ ! -f imx_rproc_rs.ko ] || [ ! -f tests/sim/imx95_sim.ko ] || [ ! -x tests/guest/tools/rpmsg_bench ]; then
	echo "bench: building the modules and the guest tools"
	make -s tests-modules tests-tools >/dev/null || exit 2
fi
c_ko=$KDIR/drivers/remoteproc/imx_rproc.ko
[ -f "$c_ko" ] || {
	echo "bench: no $c_ko (CONFIG_IMX_REMOTEPROC=m)" >&2
	exit 2
}

mkdir -p "$out/fw"
rm -f "$out/bench.md" "$out/samples.txt"
# The driver measured is the shipped imx_rproc_rs.ko (`make`: no KUnit
# suites, see Kbuild), not the test build's, whose suites make it larger
# and slower to load (0.3 ms more per finit_module with --icount); the
# simulator stays the test build's. The worktree is left with the shipped
# build; `make tests-modules` makes the test build again.
echo "bench: building the shipped imx_rproc_rs.ko (make modules)"
make -s modules >/dev/null || exit 2
ko=$out/imx_rproc_rs.ko
cp imx_rproc_rs.ko "$ko" || exit 2
# The images: the Zephyr-like default for start/stop and rpmsg; idle ones of
# growing size for the load (no rpmsg traffic, but the M7 still checks the CRCs
# of everything loaded and refuses a damaged image).
mkfw() {
	cargo run --quiet --release -p mkfw -- "$@" >/dev/null
}
echo "bench: firmware images in $out/fw"
if ! { mkfw -o "$out/fw/bench-zephyr.elf" &&
	mkfw -o "$out/fw/bench-64k.elf" --code-size 64K --behaviour idle &&
	mkfw -o "$out/fw/bench-1m.elf" --code-size 1M --behaviour idle &&
	mkfw -o "$out/fw/bench-16m.elf" --image-size 16M --behaviour idle; }; then
	echo "bench: mkfw failed" >&2
	exit 2
fi
# footprint FILE: bytes the loader writes (the PT_LOAD segments' p_memsz).
footprint() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<I", d, 0x1c)
phentsize, phnum = struct.unpack_from("<HH", d, 0x2a)
total = 0
for i in range(phnum):
    p_type, _, _, _, _, memsz = struct.unpack_from("<IIIIII", d, phoff + i * phentsize)
    if p_type == 1:
        total += memsz
print(total)
EOF
}

if [ -n "$quick" ]; then
	n_probe=1 n_ss=2 n_small=2 n_big=1 echo_n=50 tput="256 32 5" pp=50 reps=1
else
	n_probe=3 n_ss=6 n_small=4 n_big=2 echo_n=200 tput="256 32 20" pp=200 reps=3
fi
images=""
for spec in "64k:bench-64k.elf:$n_small" "1m:bench-1m.elf:$n_small" "16m:bench-16m.elf:$n_big"; do
	IFS=: read -r label fw n <<<"$spec"
	images+="${images:+ }$label:$fw:$(footprint "$out/fw/$fw"):$n"
done
cat >"$out/bench.env" <<EOF
ROUNDS=$rounds
PROBES=$n_probe
STARTSTOP=$n_ss
IMAGES="$images"
ZEPHYR=bench-zephyr.elf
ECHO_SIZES="16 256 496"
ECHO_N=$echo_n
TPUT="$tput"
PINGPONG=$pp
MEMCPY_REPS=$reps
EOF

fw_files=()
for fw in "$out"/fw/bench-*.elf; do
	fw_files+=(--file "$fw:/lib/firmware/$(basename "$fw")")
done
echo "bench: one boot, $rounds interleaved rounds (C, Rust); console in $out/console.log"
# kunit.autorun=0: the runner's command line runs the KUnit suites of a module
# at insmod, which would be counted as imx_rproc_rs's probe time.
QEMU_EXTRA_OPTS="$icount" scripts/run-qemu.sh --module "$ko" --module tests/sim/imx95_sim.ko \
	"${fw_files[@]}" --file tests/guest/tools/rpmsg_bench:/bin/rpmsg_bench \
	--file "$out/bench.env:/bench.env" --script tests/guest/bench.sh \
	--append "kunit.autorun=0" --timeout "$timeout_s" --log "$out/console.log" \
	2>&1 | tr -d '\r' | tee "$out/runner.log" |
	awk '/^IMXRPROCRS-RESULTS-BEGIN/ { r = 1 }
		/^runner:/ || (!r && /^(# round|# bench|# M7|# imx_rproc|rpmsg_bench:)/) { print; fflush() }'
rc=${PIPESTATUS[0]}

sed -n '/^IMXRPROCRS-RESULTS-BEGIN/,/^IMXRPROCRS-RESULTS-END/p' "$out/console.log" |
	tr -d '\r' >"$out/results.txt"
sed -n '/^BENCH-SAMPLES-BEGIN/,/^BENCH-SAMPLES-END/p' "$out/results.txt" |
	grep -E '^[a-z0-9_]+ (c|rust|floor) -?[0-9]+$' >"$out/samples.txt"
aarch64-linux-gnu-size "$ko" "$c_ko" >"$out/sizes.txt" 2>&1
elapsed=$((SECONDS - start))

{
	echo "cmd=$cmd"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc=$(nproc)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "qemu=$(${QEMU:-qemu-system-aarch64} --version | head -n 1)"
	echo "load=$load_before -> $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "kernel=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "elapsed=$elapsed"
	echo "rc=$rc"
	echo "rounds=$rounds"
	echo "icount=$icount"
	echo "images=$images"
	echo "c_ko=$c_ko"
} >"$out/machine.txt"

python3 - "$out" <<'EOF'
import math, os, re, sys
from collections import defaultdict

out = sys.argv[1]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "machine.txt")) if "=" in l)
S = defaultdict(list)
for line in open(os.path.join(out, "samples.txt")):
    m, d, v = line.split()
    S[(m, d)].append(int(v))

def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

def p99(v):  # nearest rank
    v = sorted(v)
    return v[max(0, math.ceil(0.99 * len(v)) - 1)]

def stats(m, d):
    v = S.get((m, d))
    return (median(v), p99(v), min(v), len(v)) if v else None

def t(ns):
    if ns is None:
        return "–"
    if ns >= 10e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 10e3:
        return f"{ns / 1e3:.0f} µs"
    return f"{ns / 1e3:.1f} µs"

def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"

L = []
w = L.append
w("# imx_rproc_rs vs imx_rproc: `make bench`")
w("")
w(f"Host: {meta.get('nproc')} CPUs, {meta.get('cpu')}; {meta.get('qemu')}; load average "
  f"{meta.get('load')} (before -> after).  ")
clock = (f"`{meta['icount']}`: guest time counts executed instructions (1 ns each) and skips "
         "idle time, independent of the host's load; single-threaded TCG"
         if meta.get("icount") else "real time, multi-threaded TCG")
w(f"Guest: QEMU `virt` (TCG, cortex-a57, 2 vCPUs; {clock}), Linux {meta.get('kernel')}, "
  "virtual i.MX95.  ")
w(f"Command: `{meta.get('cmd')}`, {meta.get('date')}, commit {meta.get('commit')}; "
  f"{meta.get('elapsed')} s in all, runner exit status {meta.get('rc')}.  ")
w(f"One boot, {meta.get('rounds')} interleaved rounds (C, Rust, C, Rust, ...), one driver "
  "unloaded before the other loads; floors measured at the start of each round with no driver "
  "loaded. Times on the guest's CLOCK_MONOTONIC. p99 is the nearest-rank 99th percentile "
  "(with fewer than 100 samples, the maximum). Ratios are Rust/C of the medians: below 1 the "
  "Rust driver is faster, except for throughput where **higher is better** and above 1 the "
  "Rust driver is faster. Emulated hardware on a shared host: the absolute numbers are noisy, "
  "read the ratios.")
w("")

def lat_row(m, what):
    c, r = stats(m, "c"), stats(m, "rust")
    if not c and not r:
        return
    n = f"{c[3] if c else 0}/{r[3] if r else 0}"
    cc = [t(x) for x in c[:3]] if c else ["–"] * 3
    rr = [t(x) for x in r[:3]] if r else ["–"] * 3
    w(f"| {what} | `{m}` | {n} | " + " | ".join(cc) + " | " + " | ".join(rr) +
      f" | **{ratio(r[0], c[0]) if c and r else '–'}** |")

hdr = ("| metric | samples | n C/Rust | C median | C p99 | C min | Rust median | Rust p99 | "
       "Rust min | Rust/C |")
sep = "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"

w("## Latency (lower is better)")
w("")
w(hdr)
w(sep)
lat_row("probe", "(f) probe: finit_module of the .ko (load, init, registration, probe)")
lat_row("unload", "unload: delete_module (M7 stopped)")
lat_row("start_write", "(a) write(\"start\") returns")
lat_row("start_reset", "(a) write(\"start\") → M7 leaves reset")
lat_row("start", "(a) **start**: write(\"start\") → first channel (rpmsg-client-sample) in /sys/bus/rpmsg/devices")
lat_row("start_ready", "(a) write(\"start\") → rpmsg-raw bound to rpmsg_char (all channels up)")
lat_row("stop_write", "(b) write(\"stop\") returns")
lat_row("stop", "(b) **stop**: write(\"stop\") → /sys/bus/rpmsg/devices empty")
images = [s.split(":") for s in meta.get("images", "").split()]
for label, fw, size, _ in images:
    lat_row(f"load_{label}", f"(c) load {label} ({int(size)} B): write(\"start\") → M7 leaves reset")
for label, fw, size, _ in images:
    lat_row(f"load_write_{label}", f"(c) load {label}: write(\"start\") returns (incl. the M7's CRC check)")
for s in (16, 256, 496):
    lat_row(f"echo{s}", f"(d) rpmsg echo round trip, {s}-byte payload (/dev/rpmsgN of rpmsg-raw)")
w("")

w("## Firmware load bandwidth (higher is better) against the memcpy floor")
w("")
w("Load = write(\"start\") → the simulated M7 leaves reset (the timestamp of its `m7_log` line "
  "`reset: vector table ...`): request_firmware from the initramfs, ELF checks, copying and "
  "zero-filling the segments, resource table, carveouts/vdev set-up and the SCMI calls up to "
  "CPU_START (the M7's CRC check of the image comes after). Bytes = the PT_LOAD segments' "
  "p_memsz. The floor is the bare copy of the same number of bytes from a vmalloc buffer into a "
  "write-combined mapping of `m7_reserved` (debugfs `bench_memcpy`, tests/sim/bench.rs) with "
  "`memcpy()`, which is what both loaders use for the i.MX95 DDR (its address-translation entry "
  "has no ATT_IOMEM); `memcpy_toio()` (what they would use for the TCMs) is shown too. MB = 10^6 "
  "bytes; bandwidth from the median time. MB/s ratio Rust/C: **above 1 the Rust driver is "
  "faster**.")
w("")
w("| image | bytes | C median | C MB/s | Rust median | Rust MB/s | Rust/C (MB/s) | floor memcpy median (p99, min) | floor MB/s | memcpy_toio median (MB/s) | C time / floor | Rust time / floor |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label, fw, size, _ in images:
    size = int(size)
    c, r = stats(f"load_{label}", "c"), stats(f"load_{label}", "rust")
    f, io = stats(f"memcpy_{label}", "floor"), stats(f"memcpy_toio_{label}", "floor")
    bw = lambda st: f"{size / st[0] * 1e3:.1f}" if st else "–"
    w(f"| {label} (`{fw}`) | {size} | {t(c[0]) if c else '–'} | {bw(c)} | {t(r[0]) if r else '–'} | {bw(r)} | "
      f"**{ratio(c[0], r[0]) if c and r else '–'}** | "
      f"{t(f[0]) + ' (' + t(f[1]) + ', ' + t(f[2]) + ')' if f else '–'} | {bw(f)} | "
      f"{t(io[0]) + ' (' + bw(io) + ')' if io else '–'} | "
      f"{ratio(c[0], f[0]) if c and f else '–'} | {ratio(r[0], f[0]) if r and f else '–'} |")
w("")

w("## Where the load time goes (imx_rproc_rs)")
w("")
w("The Rust driver's own `load` op (copying the PT_LOAD segments and zero-filling their tails), "
  "as its debugfs `status` reports it after each Rust sample of the load rows above (`last_load`, "
  "microsecond resolution, rounded up); bytes = what it reports having written, checked against "
  "the images' p_memsz. The C driver has no such counter: no C column for it. Bandwidth ratio = "
  "floor time / load-op time (1 = as fast as the bare memcpy; issue 7's target is ≥ 0.8). "
  "`request_firmware`: from the kernel log of the same starts, the remoteproc core's "
  "\"powering up\" (logged just before its request_firmware()) to \"Booting fw image\" (just "
  "after), for both drivers (microsecond resolution). `readfw`: the kernel reading the same file "
  "from the initramfs with kernel_read_file_from_path() into a fresh vmalloc buffer, the read "
  "inside request_firmware (debugfs `bench_readfw`, tests/sim/bench.rs; a floor, no driver "
  "loaded). Rest = Rust load median − load op − request_firmware (Rust): the remoteproc core "
  "around them, the ELF and resource-table checks, carveouts, the SCMI calls and the simulated "
  "M7 leaving reset. (The same read from user space, `readfile` in the floors table, costs "
  "several times more: fresh-page faults and copy_to_user; it is not what request_firmware "
  "pays.)")
w("")
w("| image | bytes (load op) | Rust load (write → reset) | load op median (p99, min) | load op MB/s | floor memcpy | floor MB/s | load op / floor (time) | bandwidth ratio (floor / load op) | request_firmware C / Rust median | readfw median (MB/s) | rest |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label, fw, size, _ in images:
    size = int(size)
    r, op = stats(f"load_{label}", "rust"), stats(f"loadop_{label}", "rust")
    f, rf = stats(f"memcpy_{label}", "floor"), stats(f"readfw_{label}", "floor")
    qc, qr = stats(f"reqfw_{label}", "c"), stats(f"reqfw_{label}", "rust")
    nb = sorted(set(S.get((f"loadop_bytes_{label}", "rust"), [])))
    nbs = ", ".join(str(b) for b in nb) or "–"
    if nb and nb != [size]:
        nbs += f" (**≠ {size}**)"
    bw = lambda st: f"{size / st[0] * 1e3:.1f}" if st else "–"
    rest = r[0] - op[0] - qr[0] if r and op and qr else None
    w(f"| {label} | {nbs} | {t(r[0]) if r else '–'} | "
      f"{t(op[0]) + ' (' + t(op[1]) + ', ' + t(op[2]) + ')' if op else '–'} | {bw(op)} | "
      f"{t(f[0]) if f else '–'} | {bw(f)} | {ratio(op[0], f[0]) if op and f else '–'} | "
      f"**{ratio(f[0], op[0]) if op and f else '–'}** | "
      f"{t(qc[0]) if qc else '–'} / {t(qr[0]) if qr else '–'} | "
      f"{t(rf[0]) + ' (' + bw(rf) + ')' if rf else '–'} | {t(rest)} |")
w("")

w("## rpmsg round trip against the floors")
w("")
w("`mu_hops` (debugfs `bench_mu_pingpong`, tests/sim/bench.rs): the simulation's own hops "
  "between a kick and the M7's notification, without any driver: a work item on "
  "system_highpri_wq (the MU's interrupt) signals a condition variable, a work item on "
  "system_dfl_wq waiting on it (the M7's thread) wakes and signals back the waiting task; timed "
  "in the kernel per round trip. It is not the real M7's turnaround (the M7 only answers on the "
  "MU channel the driver owns, and recording inside the M7 would need changes to m7.rs/mu.rs). "
  "`pipeN`: the same write/poll/read system calls as an echo, on a pipe, with nothing behind "
  "them. floor = mu_hops + pipeN medians.")
w("")
w("| payload | C median (p99) | Rust median (p99) | Rust/C | mu_hops median (p99, min) | pipe median (p99, min) | floor | C − floor | Rust − floor |")
w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
hops = stats("mu_hops", "floor")
for s in (16, 256, 496):
    c, r, p = stats(f"echo{s}", "c"), stats(f"echo{s}", "rust"), stats(f"pipe{s}", "floor")
    floor = hops[0] + p[0] if hops and p else None
    w(f"| {s} B | {t(c[0]) + ' (' + t(c[1]) + ')' if c else '–'} | {t(r[0]) + ' (' + t(r[1]) + ')' if r else '–'} | "
      f"**{ratio(r[0], c[0]) if c and r else '–'}** | "
      f"{t(hops[0]) + ' (' + t(hops[1]) + ', ' + t(hops[2]) + ')' if hops else '–'} | "
      f"{t(p[0]) + ' (' + t(p[1]) + ', ' + t(p[2]) + ')' if p else '–'} | {t(floor)} | "
      f"{t(c[0] - floor) if c and floor else '–'} | {t(r[0] - floor) if r and floor else '–'} |")
w("")

w("## Throughput (higher is better)")
w("")
tp = [k for k in sorted({m for m, _ in S}) if k.startswith("tput")]
w("(e) Each sample is one batch: write WINDOW messages of SIZE bytes to the rpmsg-raw "
  "endpoint, then read the WINDOW echoes. The writes are non-blocking and wait in "
  "poll(POLLOUT) while the vring's 8 tx buffers are all in flight (a blocking rpmsg write "
  "that has to wait triggers an upstream virtio_rpmsg_bus WARNING under "
  "CONFIG_DEBUG_ATOMIC_SLEEP, whatever the driver). Messages/s and payload MB/s (one way, 10^6 B) per batch; \"p99\" is the slowest "
  "1 % of the batches, \"best\" the fastest. Ratio Rust/C of the medians: **above 1 the Rust "
  "driver is faster**.")
w("")
w("| metric | n C/Rust | C median | C p99 (slow) | C best | Rust median | Rust p99 (slow) | Rust best | Rust/C |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for m in tp:
    size, window = (int(x) for x in re.match(r"tput(\d+)x(\d+)", m).groups())
    c, r = stats(m, "c"), stats(m, "rust")
    def cells(st):
        if not st:
            return ["–"] * 3
        return [f"{window / x * 1e9:.0f} msg/s, {window * size / x * 1e3:.3f} MB/s" for x in st[:3]]
    w(f"| `{m}` ({window} × {size} B) | {c[3] if c else 0}/{r[3] if r else 0} | " +
      " | ".join(cells(c)) + " | " + " | ".join(cells(r)) +
      f" | **{ratio(c[0], r[0]) if c and r else '–'}** |")
w("")

w("## Floors (simulated hardware alone)")
w("")
w("| floor | n | median | p99 | min |")
w("|---|---:|---:|---:|---:|")
for m in sorted({m for m, d in S if d == "floor"}):
    f = stats(m, "floor")
    w(f"| `{m}` | {f[3]} | {t(f[0])} | {t(f[1])} | {t(f[2])} |")
w("")

w("## Module size (g)")
w("")
w("`aarch64-linux-gnu-size` (Berkeley: text includes .rodata). imx_rproc_rs.ko is the "
  "shipped build (`make`, without the test build's KUnit suites) and carries the "
  "firmware-format crate (`fw/`); the C driver relies on the "
  "remoteproc core's ELF helpers, which are in the kernel image.")
w("")
w("| module | text | data | bss | total | file bytes |")
w("|---|---:|---:|---:|---:|---:|")
sizes = {}
for line in open(os.path.join(out, "sizes.txt")):
    f = line.split()
    if len(f) >= 6 and f[0].isdigit():
        sizes[os.path.basename(f[5])] = [int(x) for x in f[:4]] + [os.path.getsize(f[5]) if os.path.exists(f[5]) else 0]
for name in ("imx_rproc.ko", "imx_rproc_rs.ko"):
    if name in sizes:
        v = sizes[name]
        w(f"| {name} | {v[0]} | {v[1]} | {v[2]} | {v[3]} | {v[4]} |")
if "imx_rproc.ko" in sizes and "imx_rproc_rs.ko" in sizes:
    a, b = sizes["imx_rproc.ko"], sizes["imx_rproc_rs.ko"]
    w("| Rust/C | " + " | ".join(ratio(b[i], a[i]) for i in range(5)) + " |")
w("")

missing = [m for m in ("probe", "start", "stop", "echo16", "echo256", "echo496", "unload")
           if not S.get((m, "c")) or not S.get((m, "rust"))]
if missing or meta.get("rc") != "0":
    w(f"**Incomplete run**: runner exit status {meta.get('rc')}; missing samples: "
      f"{', '.join(missing) or 'none'} (see out/bench/console.log).")
open(os.path.join(out, "bench.md"), "w").write("\n".join(L) + "\n")
EOF
echo
cat "$out/bench.md"
echo "bench: $out/bench.md, raw samples $out/samples.txt (${elapsed} s)"
exit "$rc"

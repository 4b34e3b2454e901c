#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-vm7`: the real Zephyr firmware on vm7, the executing virtual
# M7 (board mode, Documentation/design.rst), with the C imx_rproc and
# imx_rproc_rs side by side in ONE QEMU boot (tests/guest/bench-vm7.sh).
# Writes the table to out/bench-vm7/bench.md and prints it. See usage().

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 2
out=$here/out/bench-vm7
export PATH=$HOME/.cargo/bin:$PATH

usage() {
	cat <<EOF
Usage: scripts/bench-vm7.sh [--rounds N] [--starts N] [--echo N] [--timeout SECONDS]
                            [--rust-params 'PARAM=VALUE ...']

Boots the virtual i.MX95 once with vm7 as its M7 (run-qemu.sh --vm7) and
Zephyr's openamp_rsc_table (the fixture zephyr-openamp_rsc_table-m7_ddr.elf,
shared/fixtures/zephyr/), and measures, C driver and Rust driver in
interleaved rounds:

  fw_start   echo start > state to the firmware's first rpmsg endpoint in
             /sys/bus/rpmsg/devices (its name-service announcement reaching
             Linux: load, SCMI start, vm7's reset, Zephyr's boot, the vdev)
  ttyecho    one round trip through the sample's rpmsg tty (write, the
             firmware's "TTY 0x....: " echo read back)
  M instr/s  vm7's instructions per second of the time spent executing
             (Unicorn, its "run ends" lines on the host), per run

Statistics (median, min, max, Rust/C ratio of the medians) go to
out/bench-vm7/bench.md, printed at the end; raw samples in samples.txt, the
console in console.log, vm7's log in console.log.vm7.

  --rounds N          rounds per driver (default 3)
  --starts N          start/stop cycles per round (default 3)
  --echo N            tty round trips per round (default 100)
  --timeout SECONDS   QEMU timeout (default 900)
  --rust-params P     module parameters of imx_rproc_rs.ko (e.g.
                      'crash_poll_ms=0': no crash poll of the System Manager)
  -h, --help          this text

Needs the fixture (IMX_RPROC_RS_FIXTURES or shared/fixtures/zephyr) and
builds what it uses (make tests-modules tests-tools tests-vm7). The guest's
clock and vm7 run on a loaded host: read the ratios, not absolute values;
vm7 keeps the M7's virtual time behind the wall clock, so an idle firmware
costs no host time and the times include vm7's and the guest's polling of
the link page (about 1 ms each way). Nothing asserts on a time: the exit
status is non-zero only if the run or a measurement failed.
EOF
}

cmd="scripts/bench-vm7.sh${*:+ $*}"
[ -n "${MAKELEVEL:-}" ] && cmd="make bench-vm7, i.e. $cmd"
rounds=3 starts=3 echo_n=100 timeout_s=900 rust_params=
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:-} && shift 2 ;;
	--starts) starts=${2:-} && shift 2 ;;
	--echo) echo_n=${2:-} && shift 2 ;;
	--timeout) timeout_s=${2:-} && shift 2 ;;
	--rust-params) rust_params=${2:-} && shift 2 ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
for v in "$rounds" "$starts" "$echo_n" "$timeout_s"; do
	case $v in '' | *[!0-9]* | 0)
		echo "bench-vm7: the counts want positive numbers (see --help)" >&2
		exit 2
		;;
	esac
done

# shellcheck disable=SC1090
eval "$(bash scripts/bootstrap.sh --print-env | sed 's/^/export /')"
fixtures=$(python3 scripts/zephyr_fixtures.py) || exit 2
fw=$fixtures/openamp_rsc_table-m7_ddr.elf
[ -r "$fw" ] || {
	echo "bench-vm7: no $fw" >&2
	exit 2
}
echo "bench-vm7: building the modules, the guest tools and vm7"
make -s tests-modules tests-tools tests-vm7 >/dev/null || exit 2

mkdir -p "$out"
rm -f "$out/bench.md" "$out/samples.txt" "$out/runs.txt"
cat >"$out/bench.env" <<EOF
ROUNDS=$rounds
FWSTART=$starts
ECHO_N=$echo_n
RUST_PARAMS="$rust_params"
EOF
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS
echo "bench-vm7: one boot, $rounds interleaved rounds (C, Rust); console in $out/console.log"
# kunit.autorun=0: no KUnit suites at insmod (as scripts/bench.sh).
scripts/run-qemu.sh --vm7 target/release/vm7 --dtso tests/dts/imx95-virtual-vm7.dtso \
	--module imx_rproc_rs.ko --module tests/sim/imx95_sim.ko \
	--file "$fw:/lib/firmware/zephyr-openamp_rsc_table-m7_ddr.elf" \
	--file tests/guest/tools/rpmsg_bench:/bin/rpmsg_bench \
	--file "$out/bench.env:/bench.env" --script tests/guest/bench-vm7.sh \
	--append "kunit.autorun=0 loglevel=5" --timeout "$timeout_s" --log "$out/console.log" \
	2>&1 | tr -d '\r' | tee "$out/runner.log" |
	awk '/^IMXRPROCRS-RESULTS-BEGIN/ { r = 1 }
		/^runner:/ || (!r && /^(# round|bench|rpmsg_bench:)/) { print; fflush() }'
rc=${PIPESTATUS[0]}
elapsed=$((SECONDS - start))

sed -n '/^IMXRPROCRS-RESULTS-BEGIN/,/^IMXRPROCRS-RESULTS-END/p' "$out/console.log" |
	tr -d '\r' | sed -n '/^BENCH-SAMPLES-BEGIN/,/^BENCH-SAMPLES-END/p' >"$out/results.txt"
grep -E '^[a-z_]+ (c|rust) [0-9]+$' "$out/results.txt" >"$out/samples.txt"
grep -E '^VM7RUN (c|rust) [a-z]+ [0-9]+$' "$out/results.txt" >"$out/runs.txt"

{
	echo "cmd=$cmd"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc=$(nproc)"
	echo "load=$load_before -> $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "elapsed=$elapsed"
	echo "rc=$rc"
} >"$out/machine.txt"

python3 "$here/scripts/bench_vm7_report.py" "$out"
[ "$rc" -eq 0 ] || echo "bench-vm7: the run failed (exit status $rc), see $out/console.log" >&2
exit "$rc"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The soak: tests/guest/scenarios/stress.sh with its full counts, one boot
# of the virtual i.MX95 per driver, then the parity check and
# out/check/reliability.md. See usage() below.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 125
export PATH=$HOME/.cargo/bin:$PATH

usage() {
	cat <<EOF
Usage: scripts/soak.sh [--drivers "c rust"] [--set CASE=N]... [--timeout S]
                       [--no-build]

Boots the virtual i.MX95 once per driver and runs the stress scenario with
imxrprocrs_stress=soak: 1000 start/stop cycles with rpmsg traffic, 200
insmod/rmmod, 100 unbind/bind under traffic, 100 rmmod while the remote
runs, 60 s of four concurrent writers, 100 crash-and-recover cycles with
recovery on and 100 with it off (Rust only), 100 attach/detach cycles
(Rust only), then kmemleak and lockdep. Each loop has its own time bound.

  --drivers LIST  drivers to soak (default "rust c")
  --set CASE=N    override one count (startstop, modload, unbind, rmmod,
                  writers [seconds], crash_rec, crash_man, attach);
                  repeatable
  --timeout S     QEMU's limit per boot (default 10800)
  --no-build      use the modules, tools and images already built

Logs: out/check/qemu-soak-<driver>.log(.results); the parity table
out/check/parity-soak.md; the summary out/check/reliability.md
(scripts/reliability.py). Ends with "N passed, M failed".
EOF
}

drivers="rust c"
sets=()
timeout_s=10800
build=1
while [ $# -gt 0 ]; do
	case $1 in
	--drivers) drivers=$2 && shift 2 ;;
	--set)
		case $2 in
		startstop=[0-9]* | modload=[0-9]* | unbind=[0-9]* | rmmod=[0-9]* | writers=[0-9]* | \
			crash_rec=[0-9]* | crash_man=[0-9]* | attach=[0-9]*) sets+=("imxrprocrs_stress_$2") ;;
		*)
			echo "soak: bad --set '$2'" >&2
			exit 2
			;;
		esac
		shift 2
		;;
	--timeout) timeout_s=$2 && shift 2 ;;
	--no-build) build= && shift ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		exit 2
		;;
	esac
done

out=$here/out/check
mkdir -p "$out"
pass=0
fail=0

if [ -n "$build" ]; then
	bash scripts/bootstrap.sh >"$out/soak-bootstrap.log" 2>&1 ||
		{ tail -n 20 "$out/soak-bootstrap.log"; echo "0 passed, 1 failed"; exit 1; }
	if ! make -s tests-modules tests-tools tests-firmware >"$out/soak-build.log" 2>&1; then
		tail -n 30 "$out/soak-build.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
fw_files=()
for fw in out/fw/*.elf; do
	[ -f "$fw" ] && fw_files+=(--file "$fw:/lib/firmware/$(basename "$fw")")
done

for drv in $drivers; do
	log=$out/qemu-soak-$drv.log
	echo "-- soak ($drv driver), started $(date -u +%H:%M:%S) UTC"
	start=$SECONDS
	scripts/run-qemu.sh --module imx_rproc_rs.ko --module tests/sim/imx95_sim.ko \
		${fw_files[@]+"${fw_files[@]}"} \
		--append "imxrprocrs_driver=$drv imxrprocrs_stress=soak ${sets[*]}" \
		--script tests/guest/scenarios/stress.sh --timeout "$timeout_s" >"$log" 2>&1
	rc=$?
	sed -n '/^IMXRPROCRS-RESULTS-BEGIN/,/^IMXRPROCRS-RESULTS-END/p' "$log" | tr -d '\r' >"$log.results"
	grep -E '^(not )?ok [0-9]+|^# (STRESS|[a-z_]+: [0-9]+/)' "$log.results" | sed 's/^/   /'
	p=$(grep -cE '^ok [0-9]+' "$log.results")
	f=$(grep -cE '^not ok [0-9]+' "$log.results")
	grep '^runner:' "$log" | sed 's/^/   /'
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL soak[$drv]: runner exit status $rc"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	echo "soak[$drv]: $p passed, $f failed in $((SECONDS - start)) s"
done

if [[ " $drivers " == *" c "* && " $drivers " == *" rust "* ]]; then
	if python3 scripts/parity.py "$out/parity-soak.md" \
		"$out/qemu-soak-c.log.results" "$out/qemu-soak-rust.log.results" >"$out/parity-soak.log"; then
		pass=$((pass + 1))
		echo "ok   soak: parity with the C driver ($(tail -n 1 "$out/parity-soak.log"))"
	else
		fail=$((fail + 1))
		grep 'parity FAIL' "$out/parity-soak.log" | sed 's/^/   /'
		echo "FAIL soak: parity with the C driver"
	fi
fi

python3 scripts/reliability.py --out "$out/reliability.md" "$out" &&
	echo "reliability summary: $out/reliability.md"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

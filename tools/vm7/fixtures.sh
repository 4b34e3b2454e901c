#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every Zephyr fixture on vm7 (test mode: the ELF is loaded by p_paddr)
# and prints KTAP-ish lines and "N passed, M failed, K skipped". Fixtures come
# from $IMX_RPROC_RS_FIXTURES, else ../shared/fixtures/zephyr beside the clone;
# a missing image is a SKIP, never a pass.
#   tools/vm7/fixtures.sh [--bench]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Where the fixtures are: scripts/zephyr_fixtures.py, as for the QEMU runner.
fx=$(python3 "$here/scripts/zephyr_fixtures.py" 2>/dev/null) || fx=${IMX_RPROC_RS_FIXTURES:-$here/../shared/fixtures/zephyr}
out=${VM7_OUT:-$here/target/vm7}
mkdir -p "$out"
bench=()
[ "${1:-}" = --bench ] && bench=(--bench)
# Unicorn's -sys crate runs bindgen: libclang as the Makefile finds it.
if [ -z "${LIBCLANG_PATH:-}" ]; then
	LIBCLANG_PATH=$(bash "$here/scripts/bootstrap.sh" --print-env 2>/dev/null | sed -n 's/^LIBCLANG_PATH=//p')
	export LIBCLANG_PATH
fi
export PATH=$HOME/.cargo/bin:$PATH
cargo build --quiet --release -p vm7 || { echo "0 passed, 1 failed"; exit 1; }
vm7=$here/target/release/vm7
p=0 f=0 k=0 n=0
# name | image | --until | extra check on the summary line
cases=(
	"hello_world banner|hello_world-m7.elf|Hello World!|"
	# The openamp sample waits for DRIVER_OK in the vdev status byte of its
	# resource table (0x8000cdec + 20-byte header + 24 = 0x8000ce18): seen as
	# the firmware reading that byte over and over after its banner.
	"openamp_rsc_table boots and polls vdev status|openamp_rsc_table-m7_ddr.elf||--watch 0x8000ce18"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name img until extra <<<"$c"
	n=$((n + 1))
	if [ ! -f "$fx/$img" ]; then
		echo "ok $n $name # SKIP no $fx/$img"
		k=$((k + 1))
		continue
	fi
	log=$out/${img%.elf}.console
	args=(-q "$fx/$img" --console "$log" ${bench[@]+"${bench[@]}"})
	if [ -n "$until" ]; then
		args+=(--until "$until" --budget 50000000)
	else
		read -r -a more <<<"$extra"
		args+=(--budget 60000000 "${more[@]}")
	fi
	sum=$("$vm7" "${args[@]}" 2>"$out/${img%.elf}.stderr")
	rc=$?
	echo "# $(echo "$sum" | head -n 1 | cut -c1-200)"
	[ ${#bench[@]} -ne 0 ] && echo "# $img: $(echo "$sum" | grep bench)"
	good=1
	grep -qx '\*\*\* Booting Zephyr OS build 4.1.0 \*\*\*' "$log" || good=0
	[ "$rc" -eq 0 ] || good=0
	if [ -z "$until" ]; then
		reads=$(echo "$sum" | sed -n 's/.*watch reads \([0-9]*\).*/\1/p' | head -n 1)
		grep -q 'OpenAMP\[remote\] Linux responder demo started' "$log" || good=0
		[ "${reads:-0}" -gt 1000 ] || good=0
	fi
	if [ $good -eq 1 ]; then
		echo "ok $n $name"
		p=$((p + 1))
	else
		echo "not ok $n $name (see $log)"
		f=$((f + 1))
	fi
done
echo "$p passed, $f failed, $k skipped"
[ $f -eq 0 ]

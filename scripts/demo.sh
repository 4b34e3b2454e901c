#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the virtual i.MX95 and runs tests/guest/demo.sh (what `make demo` does).
# loglevel=5 keeps informational kernel messages off the console, so the
# transcript stays readable (warnings and errors still show); the demo
# prints the relevant kernel log lines itself.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
# The guest's rpmsg_tool and the test firmware images (out/fw/*.elf).
make -s tests-tools tests-firmware >/dev/null || echo "demo: warning: no rpmsg_tool or firmware images" >&2
fw_files=()
for fw in out/fw/*.elf; do
	[ -f "$fw" ] && fw_files+=(--file "$fw:/lib/firmware/$(basename "$fw")")
done
exec scripts/run-qemu.sh ${fw_files[@]+"${fw_files[@]}"} --module imx_rproc_rs.ko --module tests/sim/imx95_sim.ko \
	--script tests/guest/demo.sh --timeout 120 --append loglevel=5 "$@"

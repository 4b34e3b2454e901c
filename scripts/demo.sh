#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the virtual i.MX95 and runs tests/guest/demo.sh (what `make demo` does).
# loglevel=5 keeps informational kernel messages off the console, so the
# transcript stays readable (warnings and errors still show); the demo
# prints the relevant kernel log lines itself.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
exec scripts/run-qemu.sh --module imx_rproc_rs.ko --module tests/sim/imx95_sim.ko \
	--script tests/guest/demo.sh --timeout 120 --append loglevel=5 "$@"

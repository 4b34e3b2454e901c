# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Smoke scenario for the virtual i.MX95: the kernel booted with the
# overlay applied and the in-tree C driver loads. Run by
# scripts/run-qemu.sh as /test.sh (its default script).

# shellcheck source=tests/guest/lib.sh
. /lib.sh

dt=/sys/firmware/devicetree/base

ktap_begin 4

check "remoteproc class exists (core built in)" test -d /sys/class/remoteproc

# The C driver loads; it stays unbound (probe deferred) until a mailbox
# provider for mu7 exists, which is fine here.
check "modprobe imx_rproc" modprobe imx_rproc

if [ -r "$dt/remoteproc-cm7/compatible" ]; then
	# The property is NUL-terminated; tr strips it.
	expect_eq "cm7 node compatible" \
		"$(tr -d '\000' <"$dt/remoteproc-cm7/compatible")" "fsl,imx95-cm7"
else
	ktap_fail "cm7 node compatible" "$dt/remoteproc-cm7/compatible missing"
fi

check "reserved-memory/rsc-table@88220000 exists" \
	test -d "$dt/reserved-memory/rsc-table@88220000"

ktap_end

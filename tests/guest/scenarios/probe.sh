# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Probe scenarios on the virtual i.MX95, run against the Rust driver and the
# upstream C imx_rproc alike: for every System Manager setup the sysfs view
# and the exact SCMI message sequence of both drivers' probes must match,
# and match what the C driver is known to send (features.md C.5).

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 51

# probe_one DRV: loads DRV with the SM state set by the caller and records
# VIEW (sysfs), LOG (SCMI messages), KMSG (kernel log of the probe) and
# BOUND (yes/no).
probe_one() {
	sim_log_clear
	dmesg -c >/dev/null
	# The crash watch's SM poll (1 s) would join the probe's SCMI sequence
	# when the M7 runs and the guest is slow; crash detection is beyond.sh's.
	if [ "$1" = rust ]; then
		drv_load rust crash_poll_ms=0 2>/dev/null
	else
		drv_load c 2>/dev/null
	fi
	# Registration is synchronous; attaching to a running M7 is queued.
	wait_for rproc_dir 2
	if d=$(rproc_dir); then
		wait_for "! grep -qx detached $d/state" 5
	fi
	VIEW=$(rproc_view)
	LOG=$(sim_log)
	KMSG=$(dmesg)
	if [ -e "/sys/bus/platform/drivers/$(drv_name "$1")/remoteproc-cm7" ]; then
		BOUND=yes
	else
		BOUND=no
	fi
}

# setup LINUX_LM LMM_CONTROL M7_RUNNING [FAIL]
setup() {
	sim_set fail clear
	sim_set linux_lm "$1"
	sim_set lmm_control "$2"
	sim_set m7_running "$3"
	[ -z "${4:-}" ] || sim_set fail "$4"
}

# scenario NAME LINUX_LM LMM_CONTROL M7_RUNNING FAIL EXPECTED_VIEW EXPECTED_LOG KMSG_PATTERN
# 4 tests: Rust view, Rust SM sequence, Rust kernel message, parity with C.
scenario() {
	name=$1
	setup "$2" "$3" "$4" "$5"
	probe_one rust
	r_view=$VIEW r_log=$LOG r_kmsg=$KMSG r_bound=$BOUND
	drv_unload rust 2>/dev/null

	setup "$2" "$3" "$4" "$5"
	probe_one c
	c_view=$VIEW c_log=$LOG c_bound=$BOUND
	drv_unload c 2>/dev/null

	expect_eq "$name: rust sysfs view" "$r_view" "$6"
	expect_eq "$name: rust SCMI sequence" "$r_log" "$7"
	if printf '%s\n' "$r_kmsg" | grep -q "$8"; then
		ktap_ok "$name: rust says '$8'"
	else
		ktap_fail "$name: rust says '$8'" "$r_kmsg"
	fi
	if [ "$r_view" = "$c_view" ] && [ "$r_log" = "$c_log" ] && [ "$r_bound" = "$c_bound" ]; then
		ktap_ok "$name: same view, SCMI sequence and binding as the C driver"
	else
		ktap_fail "$name: same view, SCMI sequence and binding as the C driver" \
			"rust: $r_view bound=$r_bound
$r_log
c:    $c_view bound=$c_bound
$c_log"
	fi
}

check "simulated MU + System Manager up, SCMI CPU/LMM drivers bound" sim_up
check "C driver module present" sh -c "find /lib/modules -name imx_rproc.ko | grep -q ."

fw=firmware=rproc-remoteproc-cm7-fw
tail="recovery=enabled coredump=disabled"
info='proto=0x82 msg=0xc args=0x1 status=0'
discover='proto=0x80 msg=0x3 args=0xffffffff status=0'
nl='
'

scenario "cpu mode, M7 off" 1 1 0 "" \
	"name=remoteproc-cm7 state=offline $fw $tail" \
	"$info$nl$discover" "Using CPU Protocol OPS"

scenario "lmm mode, M7 off" 2 1 0 "" \
	"name=remoteproc-cm7 state=offline $fw $tail" \
	"$info$nl$discover${nl}proto=0x80 msg=0xb args=0x1 status=0${nl}proto=0x80 msg=0x6 args=0x1,0x0 status=0" \
	"Using LMM Protocol OPS"

scenario "lmm mode, not under Linux control" 2 0 0 "" \
	"name=remoteproc-cm7 state=offline $fw $tail" \
	"$info$nl$discover${nl}proto=0x80 msg=0xb args=0x1 status=-3" \
	"lmm(1) not under Linux Control"

# The core shows "unknown" as the firmware of a remote it did not boot.
scenario "cpu mode, M7 already running: attach" 1 1 1 "" \
	"name=remoteproc-cm7 state=attached firmware=unknown $tail" \
	"$info$nl$discover" "Using CPU Protocol OPS"

scenario "lmm mode, M7 already running: attach" 2 1 1 "" \
	"name=remoteproc-cm7 state=attached firmware=unknown $tail" \
	"$info$nl$discover${nl}proto=0x80 msg=0xb args=0x1 status=0" \
	"Using LMM Protocol OPS"

scenario "SM error on CPU_INFO_GET: probe fails" 1 1 0 "0x82 0xc -8" \
	"none" "proto=0x82 msg=0xc args=0x1 status=-8" \
	"Failed to detect cpu(1) status"

scenario "SM error on LMM_ATTRIBUTES: probe fails" 1 1 0 "0x80 0x3 -8" \
	"none" "$info${nl}proto=0x80 msg=0x3 args=0xffffffff status=-8" \
	"Failed to get current LMM ID"

scenario "lmm mode, power-on fails: probe fails" 2 1 0 "0x80 0xb -9" \
	"none" "$info$nl$discover${nl}proto=0x80 msg=0xb args=0x1 status=-9" \
	"power on lmm(1) failed"

# The remote owns its memory: what the Rust driver registered, as the C one.
setup 1 1 0
probe_one rust
d=$(rproc_dir)
expect_eq "cpu mode: bound to remoteproc-cm7" "$BOUND" yes
expect_eq "remoteproc device is a child of the cm7 node" \
	"$(basename "$(readlink -f "$d/device")")" "remoteproc-cm7"
check "debugfs entry of the remoteproc exists" test -d "/sys/kernel/debug/remoteproc/$(basename "$d")"
check "the kernel log names the method" sh -c "dmesg | grep -q 'registered, SM method cpu, M7 offline'"

# Unload and load again: same result, twice.
for i in 1 2; do
	check "rmmod imx_rproc_rs ($i)" drv_unload rust
	check "remoteproc gone after rmmod ($i)" sh -c '! ls /sys/class/remoteproc/ | grep -q .'
	probe_one rust
	expect_eq "insmod again ($i): same view" "$VIEW" \
		"name=remoteproc-cm7 state=offline $fw $tail"
done
drv_unload rust

# Unbind and bind through sysfs.
drv_load rust
check "unbind through sysfs" sh -c 'echo remoteproc-cm7 > /sys/bus/platform/drivers/imx_rproc_rs/unbind'
check "no remoteproc after unbind" sh -c '! ls /sys/class/remoteproc/ | grep -q .'
check "bind through sysfs" sh -c 'echo remoteproc-cm7 > /sys/bus/platform/drivers/imx_rproc_rs/bind'
check "remoteproc back after bind" rproc_dir
drv_unload rust

# A probe that fails leaves nothing behind: no remoteproc, no mapping held.
setup 1 1 0 "0x82 0xc -8"
probe_one rust
expect_eq "failed probe: not bound" "$BOUND" no
setup 1 1 0
check "probe succeeds after the SM error is gone (driver_probe)" \
	sh -c 'echo remoteproc-cm7 > /sys/bus/platform/drivers/imx_rproc_rs/bind'

# Nothing leaked by any of the above. Scanned with the module loaded, so
# allocation backtraces still resolve to its symbols; kmemleak ignores
# objects younger than 5 s.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if printf '%s\n' "$leaks" | grep -q 'imx_rproc_rs'; then
		ktap_fail "kmemleak: nothing leaked by imx_rproc_rs" "$leaks"
	else
		ktap_ok "kmemleak: nothing leaked by imx_rproc_rs"
	fi
else
	ktap_fail "kmemleak: nothing leaked by imx_rproc_rs" "kmemleak not available"
fi
drv_unload rust

ktap_end

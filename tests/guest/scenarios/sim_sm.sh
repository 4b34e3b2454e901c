# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The simulated System Manager and MUs (tests/sim/imx95_sim.ko) against the
# kernel's own SCMI stack and the upstream C imx_rproc driver.
#
#	scripts/run-qemu.sh --module tests/sim/imx95_sim.ko \
#		--script tests/guest/scenarios/sim_sm.sh --timeout 300
#
# Checks that the SCMI stack probes against the simulation, the i.MX CPU and
# LMM protocol devices appear, the SM's own protocol self-test passes, and
# that imx_rproc probes in CPU mode (M7 in Linux's LM), LMM mode (with and
# without control over LM 1) and attach mode (M7 already running), sending
# exactly the SCMI sequences of research/features.md C.5. Then the MU7
# "M7 to Linux" path, failure injection, and unbind/bind of MU7.

# shellcheck source=tests/guest/lib.sh
. /lib.sh

SIM=/sys/kernel/debug/imx95_sim
SCMI_DEVS=/sys/bus/scmi_protocol/devices
NL='
'

# The SCMI sequences imx_rproc 7.2 sends at probe (features.md C.5).
SEQ_INFO="proto=0x82 msg=0xc args=0x1 status=0"
SEQ_DISCOVER="proto=0x80 msg=0x3 args=0xffffffff status=0"
SEQ_CPU="$SEQ_INFO$NL$SEQ_DISCOVER"
SEQ_LMM="$SEQ_CPU${NL}proto=0x80 msg=0xb args=0x1 status=0${NL}proto=0x80 msg=0x6 args=0x1,0x0 status=0"
SEQ_LMM_DENIED="$SEQ_CPU${NL}proto=0x80 msg=0xb args=0x1 status=-3"
SEQ_ATTACH="$SEQ_CPU${NL}proto=0x80 msg=0xb args=0x1 status=0"

# knob NAME VALUE
knob() {
	echo "$2" >"$SIM/$1"
}

# rproc_state: state of the one remoteproc, or "none".
rproc_state() {
	for d in /sys/class/remoteproc/remoteproc*; do
		[ -r "$d/state" ] && cat "$d/state" && return 0
	done
	echo none
}

# c_probe: loads imx_rproc with a clean SM log and waits for its remoteproc
# (or its probe failure).
c_probe() {
	echo clear >"$SIM/log"
	dmesg -c >/dev/null
	modprobe imx_rproc || return 1
	wait_for "[ -r /sys/class/remoteproc/remoteproc0/state ] || dmesg | grep -q 'imx-rproc.*failed'" 10
	# Probe may continue briefly after the class device appeared.
	sleep 0.3
}

c_remove() {
	rmmod imx_rproc 2>/dev/null
	wait_for "! ls /sys/class/remoteproc/ 2>/dev/null | grep -q ." 10
}

# kernel_errors: kernel messages that must not appear.
kernel_errors() {
	dmesg | grep -E "can't run the TX ticker|Timeout waiting for a free TX channel|Ignoring spurious|not expected|Invalid message type|timed out in resp|SCMI.*[Ff]ail|Unable to startup|mailbox not free|imx95_sim|imx95-sim-mu.*(err|warn)" |
		grep -v -E 'loading out-of-tree module|simulated MU|System Manager: SCMI' || true
}

ktap_begin 45

# --- the simulated hardware and the SCMI stack -----------------------------
dmesg -c >/dev/null
check "insmod imx95_sim.ko" insmod /modules/imx95_sim.ko
check "SCMI stack probed (base protocol v2.1 'NXP:IMX')" \
	wait_for "dmesg | grep -q \"SCMI Protocol v2.1 'NXP:IMX' Firmware version 0x10000\"" 20
wait_for "ls $SCMI_DEVS/*/name >/dev/null 2>&1 && cat $SCMI_DEVS/*/name | grep -q imx-lmm" 10
names=$(cat $SCMI_DEVS/*/name 2>/dev/null | sort | tr '\n' ' ')
check "SCMI device imx-cpu (protocol 0x82)" sh -c "echo '$names' | grep -qw imx-cpu"
check "SCMI device imx-lmm (protocol 0x80)" sh -c "echo '$names' | grep -qw imx-lmm"
check "scmi-imx-cpu driver bound" wait_for "ls /sys/bus/scmi_protocol/drivers/scmi-imx-cpu/ | grep -q scmi_dev" 10
check "scmi-imx-lmm driver bound" wait_for "ls /sys/bus/scmi_protocol/drivers/scmi-imx-lmm/ | grep -q scmi_dev" 10
check "SCMI CPU protocol init (9 cpus, M7P)" sh -c "dmesg | grep -q 'i.MX SM CPU: 9 cpus' && dmesg | grep -q 'i.MX CPU: name: M7P'"
check "SCMI LMM protocol init (3 LMs)" sh -c "dmesg | grep -q 'i.MX LMM: 3 Logical Machines'"
log=$(cat $SIM/log)
expect_eq "SM log: base discovery" \
	"$(echo "$log" | grep '^proto=0x10' | head -7 | tr '\n' ';')" \
	"proto=0x10 msg=0x0 args= status=0;proto=0x10 msg=0x1 args= status=0;proto=0x10 msg=0x3 args= status=0;proto=0x10 msg=0x4 args= status=0;proto=0x10 msg=0x5 args= status=0;proto=0x10 msg=0x6 args=0x0 status=0;proto=0x10 msg=0x7 args=0x0 status=0;"
expect_eq "SM log: CPU_ATTRIBUTES for cpus 0..8" \
	"$(echo "$log" | grep -c '^proto=0x82 msg=0x3 args=0x[0-8] status=0$')" 9
expect_eq "SM log: no failed message" "$(echo "$log" | grep -vc 'status=0$')" 0
expect_eq "no SCMI/mailbox errors after SCMI probe" "$(kernel_errors)" ""

cat $SIM/selftest >/tmp/selftest
expect_eq "SM protocol self-test (validation, permissions, states)" \
	"$(grep -c '^not ok' /tmp/selftest)" 0 || ktap_diag "$(grep -A1 '^not ok' /tmp/selftest)"
expect_eq "SM self-test ran all cases" "$(grep -c '^ok ' /tmp/selftest)" \
	"$(sed -n 's/^1\.\.//p' /tmp/selftest)"

# --- imx_rproc, CPU mode: the M7 is in Linux's LM --------------------------
knob linux_lm 1
knob lmm_control 1
knob m7_running 0
c_probe
expect_eq "CPU mode: remoteproc state" "$(rproc_state)" offline
expect_eq "CPU mode: remoteproc name" "$(cat /sys/class/remoteproc/remoteproc0/name 2>/dev/null)" remoteproc-cm7
check "CPU mode: driver uses the CPU protocol" sh -c "dmesg | grep -q 'Using CPU Protocol OPS'"
cpu_log=$(cat $SIM/log)
expect_eq "CPU mode: SCMI sequence" "$cpu_log" "$SEQ_CPU"
expect_eq "CPU mode: no errors" "$(kernel_errors)" ""

# --- the M7 to Linux path (MU7 RX channel 1) -------------------------------
check "m7_send while imx_rproc holds MU7 rx" sh -c "echo 0x12345678 > $SIM/m7_send"
expect_eq "no kicks from Linux yet" "$(cat $SIM/m7_kicks)" 0
c_remove
if echo 1 >$SIM/m7_send 2>/dev/null; then
	ktap_fail "m7_send without a client fails"
else
	ktap_ok "m7_send without a client fails"
fi

# --- imx_rproc, LMM mode with control over LM 1 ----------------------------
knob linux_lm 2
c_probe
expect_eq "LMM mode: remoteproc state" "$(rproc_state)" offline
check "LMM mode: driver uses the LMM protocol" sh -c "dmesg | grep -q 'Using LMM Protocol OPS'"
lmm_log=$(cat $SIM/log)
expect_eq "LMM mode: SCMI sequence" "$lmm_log" "$SEQ_LMM"
expect_eq "LMM mode: LM 1 off again after POWER_ON + SHUTDOWN" "$(grep '^lm1 ' $SIM/state)" "lm1 M7 off"
expect_eq "LMM mode: no errors" "$(kernel_errors)" ""
c_remove

# --- imx_rproc, LMM mode without control over LM 1 -------------------------
knob lmm_control 0
c_probe
expect_eq "LMM, no control: remoteproc state" "$(rproc_state)" offline
check "LMM, no control: 'not under Linux Control'" sh -c "dmesg | grep -q 'lmm(1) not under Linux Control'"
denied_log=$(cat $SIM/log)
expect_eq "LMM, no control: SCMI sequence" "$denied_log" "$SEQ_LMM_DENIED"
c_remove
knob lmm_control 1

# --- imx_rproc, LMM mode, M7 already running (attach) ----------------------
knob m7_running 1
expect_eq "pre-booted M7 reported running by the SM" "$(cat $SIM/m7_running)" 1
c_probe
attach_log=$(cat $SIM/log)
expect_eq "attach: SCMI sequence (no shutdown of a running M7)" "$attach_log" "$SEQ_ATTACH"
expect_eq "attach: remoteproc state" "$(rproc_state)" attached
c_remove
knob m7_running 0
expect_eq "m7_running 0 stops the M7" "$(grep '^running' $SIM/m7_state)" "running 0"

# --- failure injection -----------------------------------------------------
knob fail "0x82 0xc -8"
expect_eq "fail lists the injected failure" "$(cat $SIM/fail)" "0x82 0xc -8"
c_probe
expect_eq "CPU_INFO_GET failing: no remoteproc" "$(rproc_state)" none
check "CPU_INFO_GET failing: driver reports -EIO" sh -c "dmesg | grep -q 'Failed to detect cpu(1) status: -5'"
expect_eq "CPU_INFO_GET failing: logged with status -8" "$(cat $SIM/log)" "proto=0x82 msg=0xc args=0x1 status=-8"
c_remove
knob fail clear
expect_eq "fail clear" "$(cat $SIM/fail)" ""
if echo "0x82 0xc -11" >$SIM/fail 2>/dev/null; then
	ktap_fail "fail rejects a status below -10"
else
	ktap_ok "fail rejects a status below -10"
fi

# --- the module stays while the SCMI stack holds MU2 -----------------------
if rmmod imx95_sim 2>/dev/null; then
	ktap_fail "rmmod imx95_sim refused while SCMI holds its channels"
else
	ktap_ok "rmmod imx95_sim refused while SCMI holds its channels"
fi

# --- unbind and rebind MU7 (no client) -------------------------------------
drv=/sys/bus/platform/drivers/imx95-sim-mu
echo mailbox-sim-mu7 >$drv/unbind && echo mailbox-sim-mu7 >$drv/bind
check "MU7 unbind + bind" test -e $drv/mailbox-sim-mu7
knob linux_lm 1
c_probe
expect_eq "imx_rproc probes on the rebound MU7" "$(rproc_state)" offline
c_remove

expect_eq "no SCMI/mailbox errors at the end" "$(kernel_errors)" ""

# Nothing leaked by the simulation (MU7 was torn down and rebuilt above).
# kmemleak ignores objects younger than 5 s.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if printf '%s\n' "$leaks" | grep -q 'imx95_sim'; then
		ktap_fail "kmemleak: nothing leaked by imx95_sim" "$leaks"
	else
		ktap_ok "kmemleak: nothing leaked by imx95_sim"
	fi
else
	ktap_skip "kmemleak: nothing leaked by imx95_sim" "kmemleak not available"
fi

echo "# SM state:"
sed 's/^/#   /' $SIM/state

ktap_end

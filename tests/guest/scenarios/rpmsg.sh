# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The whole rpmsg story on the virtual i.MX95, against the driver named by
# imxrprocrs_driver= (DRV, see sim.sh): the simulated M7 plays Zephyr's
# openamp_rsc_table sample (tests/sim/m7.rs) on a firmware image made by
# tools/mkfw (/lib/firmware/zephyr.elf, with a trace buffer).
#
#   CPU mode (M7 in Linux's LM): load the image, start; the M7 finds it
#   loaded correctly (CRCs over the loaded memory), writes its boot log in
#   the trace buffer and announces rpmsg-client-sample, rpmsg-tty and
#   rpmsg-raw; the kernel's rpmsg_client_sample does its 100 round trips,
#   /dev/ttyRPMSG0 answers with Zephyr's "TTY 0x0401: " prefix, the
#   rpmsg-raw /dev/rpmsgN and an endpoint made through /dev/rpmsg_ctrl0
#   echo; stop removes it all and the M7 goes quiet; a second start works.
#   LMM mode (M7 in its own LM): the same through the LMM protocol.
#   Attach: the M7 is pre-booted (m7_boot, what U-Boot's bootaux does)
#   before the driver loads; the driver attaches and rpmsg works without a
#   reload.
#   At the end the M7 saw no protocol violation and no fault.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

FW=zephyr.elf
GOODBYES=0

ktap_begin 58
echo "# driver under test: $DRV"

# wait_state STATE [TIMEOUT]: waits until the remoteproc is in STATE.
wait_state() {
	wait_for "[ \"\$(cat \$(rproc_dir)/state 2>/dev/null)\" = $1 ]" "${2:-5}"
}

# rproc_state: the state, or "none".
rproc_state() {
	d=$(rproc_dir) && cat "$d/state" || echo none
}

# goodbyes: how many times rpmsg_client_sample finished its round trips.
goodbyes() {
	dmesg | grep -c 'rpmsg_client_sample.*goodbye!'
}

# sample_round_trips WHAT: waits for one more "goodbye!" of the kernel
# sample and checks it counted 100 replies (2 tests).
sample_round_trips() {
	GOODBYES=$((GOODBYES + 1))
	if wait_for "[ \$(goodbyes) -ge $GOODBYES ]" 20; then
		ktap_ok "$1: rpmsg_client_sample says goodbye!"
	else
		ktap_fail "$1: rpmsg_client_sample says goodbye!" \
			"$(dmesg | grep -E 'rpmsg|virtio|remoteproc' | tail -n 15)"
	fi
	expect_eq "$1: rpmsg_client_sample got 100 replies" \
		"$(dmesg | grep -c 'rpmsg_client_sample.*incoming msg 100 ')" "$GOODBYES"
}

# channels_up: the rpmsg-raw device and the tty exist.
channels_up() {
	wait_for "rpmsg_dev rpmsg-raw | grep -q . && ls /dev/ttyRPMSG* && [ -e /dev/rpmsg_ctrl0 ]" "${1:-10}"
}

# raw_echo WHAT COUNT: the rpmsg-raw channel's /dev/rpmsgN echoes (1 test).
raw_echo() {
	raw=$(rpmsg_dev rpmsg-raw)
	expect_eq "$1: rpmsg-raw ${raw:-(none)} echoes $2 messages" \
		"$(rpmsg_tool echo "${raw:-/dev/null}" "ping from $DRV" "$2" 2>&1)" "echo ok $2"
}

# tty_reply WHAT: /dev/ttyRPMSGn answers with Zephyr's prefix (1 test).
tty_reply() {
	tty=$(ls /dev/ttyRPMSG* 2>/dev/null | head -n 1)
	expect_eq "$1: ${tty:-/dev/ttyRPMSG?} answers 'TTY 0x0401: ' + the data" \
		"$(rpmsg_tool tty "${tty:-/dev/null}" "hello tty" 2>&1)" "TTY 0x0401: hello tty"
}

# --- the virtual board ----------------------------------------------------
check "simulated MU + System Manager + M7 up" sim_up
check "rpmsg_tool is in the guest (make tests-tools)" test -x /bin/rpmsg_tool
check "firmware image /lib/firmware/$FW (make tests-firmware)" test -r /lib/firmware/$FW
dmesg -c >/dev/null

# --- CPU mode: the M7 in Linux's logical machine --------------------------
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
expect_eq "cpu: $DRV driver bound, remoteproc offline" "$(rproc_state)" offline
echo $FW >"$d/firmware" 2>/dev/null
expect_eq "cpu: firmware set" "$(cat "$d/firmware" 2>/dev/null)" $FW
sim_log_clear
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "cpu: echo start > state: running" "$(rproc_state)" running
expect_eq "cpu: started through CPU_RESET_VECTOR_SET + CPU_START" \
	"$(sim_log | grep -E '^proto=0x82 msg=0x(6|4) ' | cut -d' ' -f1-3 | tr '\n' ';')" \
	"proto=0x82 msg=0x6 args=0x1,0x40000000,0x80000000,0x0;proto=0x82 msg=0x4 args=0x1;"
expect_eq "cpu: the M7 found the image loaded right (CRCs over the loaded memory)" \
	"$(m7_stat last_boot | cut -d' ' -f1)/$(m7_stat faults)" "ok/0"
check "cpu: m7_log says image OK" grep -q "image OK: code_crc" "$SIM/m7_log"
trace=/sys/kernel/debug/remoteproc/$(basename "$d")/trace0
check "cpu: trace0 shows the M7's boot log" grep -q "Booting Zephyr OS" "$trace"
check "cpu: rpmsg channels and /dev/rpmsg_ctrl0 appear" channels_up
expect_eq "cpu: the M7 announced 3 endpoints" "$(m7_stat ns_sent)" 3
check "cpu: Linux created the 3 channels" sh -c \
	"dmesg | grep -q 'creating channel rpmsg-client-sample addr 0x400' &&
	 dmesg | grep -q 'creating channel rpmsg-tty addr 0x401' &&
	 dmesg | grep -q 'creating channel rpmsg-raw addr 0x402'"
check "cpu: modprobe rpmsg_client_sample" modprobe rpmsg_client_sample
sample_round_trips "cpu"
tty_reply "cpu"
raw_echo "cpu" 20
ept=$(rpmsg_tool ept user-ept any 0x500 2>&1)
case $ept in
/dev/rpmsg*) ktap_ok "cpu: rpmsg_ctrl0 made endpoint $ept (dst 0x500)" ;;
*) ktap_fail "cpu: rpmsg_ctrl0 made an endpoint (dst 0x500)" "$ept" ;;
esac
expect_eq "cpu: the endpoint to an unknown M7 address gets its echo" \
	"$(rpmsg_tool echo "$ept" "to 0x500" 5 2>&1)" "echo ok 5"
expect_eq "cpu: the M7 received every message (100 + 1 + 20 + 5)" "$(m7_stat msgs_in)" 126

echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "cpu: echo stop > state: offline" "$(rproc_state)" offline
expect_eq "cpu: the M7 is stopped" "$(m7_stat state)" off
expect_eq "cpu: the rpmsg devices are gone" \
	"$(ls -d /dev/ttyRPMSG* /dev/rpmsg_ctrl0 "$ept" 2>/dev/null; ls /sys/class/rpmsg 2>/dev/null)" ""
before="$(m7_stat kicks_in)/$(m7_stat kicks_out)/$(m7_stat msgs_in)/$(m7_stat msgs_out)"
sleep 1
expect_eq "cpu: the M7's counters stop moving" \
	"$(m7_stat kicks_in)/$(m7_stat kicks_out)/$(m7_stat msgs_in)/$(m7_stat msgs_out)" "$before"

echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "cpu: start again: running" "$(rproc_state)" running
expect_eq "cpu: second boot, CRCs match again" \
	"$(m7_stat boots)/$(m7_stat last_boot | cut -d' ' -f1)/$(m7_stat faults)" "2/ok/0"
check "cpu: trace0 shows the new boot log" grep -q "Booting Zephyr OS" "$trace"
check "cpu: channels back" channels_up
sample_round_trips "cpu, second start"
raw_echo "cpu, second start" 5
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "cpu: stopped again" "$(rproc_state)/$(m7_stat state)" offline/off
drv_unload "$DRV"

# --- LMM mode: the M7 in its own logical machine --------------------------
sim_set linux_lm 2
sim_set lmm_control 1
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
echo $FW >"$d/firmware" 2>/dev/null
sim_log_clear
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "lmm: echo start > state: running" "$(rproc_state)" running
expect_eq "lmm: started through LMM_POWER_ON, LMM_RESET_VECTOR_SET, LMM_BOOT" \
	"$(sim_log | grep -E '^proto=0x80 msg=0x(b|c|4) ' | cut -d' ' -f1-3 | tr '\n' ';')" \
	"proto=0x80 msg=0xb args=0x1;proto=0x80 msg=0xc args=0x1,0x1,0x0,0x80000000,0x0;proto=0x80 msg=0x4 args=0x1;"
expect_eq "lmm: the M7 found the image loaded right" \
	"$(m7_stat boots)/$(m7_stat last_boot | cut -d' ' -f1)/$(m7_stat faults)" "3/ok/0"
check "lmm: trace0 shows the M7's boot log" \
	grep -q "Booting Zephyr OS" "/sys/kernel/debug/remoteproc/$(basename "$d")/trace0"
check "lmm: channels up" channels_up
sample_round_trips "lmm"
tty_reply "lmm"
raw_echo "lmm" 10
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "lmm: echo stop > state: offline, M7 stopped, LM 1 off" \
	"$(rproc_state)/$(m7_stat state)/$(grep '^lm1 ' "$SIM/state")" "offline/off/lm1 M7 off"
expect_eq "lmm: the rpmsg devices are gone" \
	"$(ls -d /dev/ttyRPMSG* /dev/rpmsg_ctrl0 2>/dev/null; ls /sys/class/rpmsg 2>/dev/null)" ""
drv_unload "$DRV"

# --- attach: the M7 pre-booted before the driver loads --------------------
sim_set linux_lm 1
check "attach: m7_boot pre-boots $FW (what bootaux does)" sh -c "echo $FW > $SIM/m7_boot"
expect_eq "attach: the SM has the M7 running, waiting for DRIVER_OK" \
	"$(cat "$SIM/m7_running")/$(m7_stat state)/$(m7_stat last_boot | cut -d' ' -f1)" \
	"1/wait-driver-ok/ok"
sim_log_clear
drv_load "$DRV"
wait_for rproc_dir 5
wait_state attached 5
d=$(rproc_dir)
expect_eq "attach: the $DRV driver attaches" "$(rproc_state)" attached
expect_eq "attach: no start and no reload (no CPU_START, same boot)" \
	"$(sim_log | grep -c '^proto=0x82 msg=0x4 ')/$(m7_stat boots)" "0/4"
check "attach: trace0 shows the boot log" \
	grep -q "Booting Zephyr OS" "/sys/kernel/debug/remoteproc/$(basename "$d")/trace0"
check "attach: channels up" channels_up
sample_round_trips "attach"
tty_reply "attach"
raw_echo "attach" 10
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "attach: echo stop > state: offline, M7 stopped" \
	"$(rproc_state)/$(m7_stat state)" offline/off
drv_unload "$DRV"

# --- what the M7 saw ------------------------------------------------------
expect_eq "the M7 saw no shared-memory protocol violation" "$(cat "$SIM/m7_violations")" 0
expect_eq "no fault and no crash of the M7" "$(m7_stat faults)/$(m7_stat crashes)" 0/0
expect_eq "no rpmsg or remoteproc error in the kernel log" \
	"$(dmesg | grep -iE 'rpmsg|virtio|remoteproc|imx.rproc' |
		grep -iE 'failed|failure|error|timeout|too big|no used buffer|no recipient|can.t' || true)" ""

echo "# M7 stats:"
sed 's/^/#   /' "$SIM/m7_stats"
if [ "$(cat "$SIM/m7_violations")" != 0 ]; then
	echo "# M7 log:"
	sed 's/^/#   /' "$SIM/m7_log" | grep -i violation | head -n 40
fi

ktap_end

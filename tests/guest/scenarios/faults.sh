# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Fault injection on the virtual i.MX95, against the driver named by
# imxrprocrs_driver= (DRV, see sim.sh). Every fault must come back to user
# space as a precise error, be named in the kernel log, leave the remoteproc
# state and the System Manager's view of the M7 consistent, and leave the
# driver usable: a clean start afterwards brings rpmsg up.
#
#   request_firmware: a missing image, a directory, an empty file.
#   System Manager (imx95_sim `fail`): each SCMI call of start, stop,
#     probe/attach and the crash poll answered DENIED, GENERIC_ERROR,
#     HARDWARE_ERROR, never answered (the SCMI core times out) or acted on
#     with its answer lost.
#   MU7 (imx95_sim `mu7_*`): a kick refused by the controller, a kick lost
#     (the blocking send times out), a notification from the M7 lost.
#   Memory: the kernel's fault injection (failslab, fail_page_alloc) makes
#     allocation N of `echo start > state`, of a bind and of insmod fail,
#     for N = 1, 2, ... until the call has no Nth allocation
#     (/bin/failnth, tests/guest/tools/failnth.c).
#
# Where the C driver legitimately differs (it has no crash poll, does not
# power an LM down after a failed boot, does not name CPU_START), the
# expectation is per driver and Documentation/faults.rst has the table. The
# start and bind allocation loops crash or WARN with the C driver (findings
# in Documentation/faults.rst): they are skipped for it.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

FW=zephyr.elf
DRVNAME=$(drv_name "$DRV")
DEV=remoteproc-cm7
FI=/sys/kernel/debug

ktap_begin 118
echo "# driver under test: $DRV"

# rproc_state: the state, or "none".
rproc_state() {
	_d=$(rproc_dir) && cat "$_d/state" || echo none
}

# wait_state STATE [TIMEOUT]
wait_state() {
	wait_for "[ \"\$(rproc_state)\" = $1 ]" "${2:-5}"
}

# errno_of FILE STRING: writes STRING to FILE, prints the errno (0: done).
errno_of() {
	failnth 0 write "$1" "$2" | cut -d' ' -f1
}

# channels_up: the rpmsg-raw device and the tty exist.
# shellcheck disable=SC2120 # $1 (a timeout) is optional
channels_up() {
	wait_for "rpmsg_dev rpmsg-raw | grep -q . && ls /dev/ttyRPMSG*" "${1:-10}"
}

# echo_raw: rpmsg_tool's verdict for one echo on rpmsg-raw.
echo_raw() {
	rpmsg_tool echo "$(rpmsg_dev rpmsg-raw)" "fault test" 1 2>&1 | cut -d' ' -f1-2
}

# clean_start WHAT: a start without faults works and rpmsg comes up (1 test).
clean_start() {
	_rc=$(errno_of "$d/state" start)
	wait_state running 5
	if [ "$_rc" = 0 ] && [ "$(rproc_state)" = running ] && channels_up &&
		[ "$(echo_raw)" = "echo ok" ]; then
		ktap_ok "$1: a clean start works, rpmsg echoes"
	else
		ktap_fail "$1: a clean start works, rpmsg echoes" \
			"errno $_rc, state $(rproc_state), raw '$(rpmsg_dev rpmsg-raw)'
$(dmesg | tail -n 12)"
	fi
}

# stop_clean: stops and waits for offline.
stop_clean() {
	echo stop >"$d/state" 2>/dev/null
	wait_state offline 5
}

# klog PATTERN: the kernel log since the last `dmesg -c` has PATTERN (ERE).
klog() {
	dmesg | grep -qE "$1"
}

# m7_sm: the System Manager's view of the M7: "cpu<runmode> lm<state>"
# (runmode 0 run, 1 hold, 2 stop).
m7_sm() {
	echo "cpu$(grep '^cpu1 ' "$SIM/state" | cut -d' ' -f5) $(grep '^lm1 ' "$SIM/state" | cut -d' ' -f3)"
}

# per DRV_C DRV_RUST: the value for the driver under test.
per() {
	if [ "$DRV" = c ]; then echo "$1"; else echo "$2"; fi
}

# start_fault WHAT FAIL ERRNO CALL_RE SM_AFTER: with FAIL injected once,
# `echo start` fails with ERRNO, the log matches CALL_RE, the state stays
# offline, the SM shows SM_AFTER (m7_sm), the fault was consumed; then a
# clean start works (5 tests).
start_fault() {
	dmesg -c >/dev/null
	sim_log_clear
	sim_set fail "$2"
	expect_eq "$1: echo start fails with errno $3" "$(errno_of "$d/state" start)" "$3"
	check "$1: the kernel log names it" klog "$4"
	expect_eq "$1: state offline, fault consumed" "$(rproc_state)/$(cat "$SIM/fail")" "offline/"
	expect_eq "$1: SM state after the failed start" "$(m7_sm)" "$5"
	clean_start "$1"
	stop_clean
}

# --- the virtual board ----------------------------------------------------
check "simulated MU + System Manager + M7 up" sim_up
check "guest tools and image present (make tests-tools tests-firmware)" \
	test -x /bin/failnth -a -x /bin/rpmsg_tool -a -r /lib/firmware/$FW
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
expect_eq "cpu mode: $DRV driver bound, offline" "$(rproc_state)" offline

# --- request_firmware -----------------------------------------------------
mkdir -p /lib/firmware/adir.elf
: >/lib/firmware/empty.elf
for fw in missing.elf:2 adir.elf:22 empty.elf:22; do
	name=${fw%:*} want=${fw#*:}
	dmesg -c >/dev/null
	echo "$name" >"$d/firmware"
	expect_eq "firmware $name: echo start fails with errno $want" \
		"$(errno_of "$d/state" start)" "$want"
	check "firmware $name: 'request_firmware failed: -$want' logged" \
		klog "request_firmware failed: -$want"
	expect_eq "firmware $name: offline, the M7 never started" \
		"$(rproc_state)/$(m7_stat boots)" offline/0
done
echo $FW >"$d/firmware"
clean_start "after the firmware faults"
stop_clean

# --- System Manager faults in CPU mode (M7 in Linux's LM) ------------------
# SCMI status: -3 DENIED (-EACCES), -8 GENERIC_ERROR (-EIO), -9
# HARDWARE_ERROR (-EREMOTEIO); noreply: the SCMI core times out
# (-ETIMEDOUT after the transport's 5 s).
start_fault "CPU_RESET_VECTOR_SET denied" "0x82 0x6 -3 1 1" 13 \
	"Failed to set reset vector cpuid\(1\)" "cpu1 on"
start_fault "CPU_START generic error" "0x82 0x4 -8 1 1" 5 \
	"$(per 'Failed to enable remote core' 'Failed to start cpu\(1\)')" "cpu1 on"
start_fault "CPU_START never answered" "0x82 0x4 noreply 1 1" 110 \
	"timed out in resp" "cpu1 on"
# Acted on, answer lost: the M7 runs though the start failed. The C driver
# leaves it running; the Rust driver stops it again.
start_fault "CPU_START answer lost" "0x82 0x4 lost 1 1" 110 \
	"timed out in resp" "$(per 'cpu0 on' 'cpu1 on')"

# Stop refused: the core keeps the remote running (rpmsg already torn down);
# a second stop works.
clean_start "before CPU_STOP denied"
dmesg -c >/dev/null
sim_set fail "0x82 0x5 -3 1 1"
expect_eq "CPU_STOP denied: echo stop fails with errno 13" "$(errno_of "$d/state" stop)" 13
check "CPU_STOP denied: the kernel log names it" klog "Failed to stop remote core"
expect_eq "CPU_STOP denied: still running, the M7 too" "$(rproc_state)/$(m7_sm)" "running/cpu0 on"
expect_eq "CPU_STOP denied: a second stop works" \
	"$(errno_of "$d/state" stop)/$(rproc_state)/$(m7_sm)" "0/offline/cpu1 on"
clean_start "after CPU_STOP denied"

# The crash poll (Rust only; the C driver does not poll): three failed
# CPU_INFO_GET are not a crash.
dmesg -c >/dev/null
sim_log_clear
sim_set fail "0x82 0xc -8 1 3"
# Rust: three polls fail, the fourth answers (1 s apart).
if [ "$DRV" = rust ]; then
	wait_for "dmesg | grep -q 'System Manager answers again'" 15
else
	sleep 4
fi
expect_eq "poll CPU_INFO_GET failing: still running, rpmsg echoes" \
	"$(rproc_state)/$(echo_raw)" "running/echo ok"
expect_eq "poll CPU_INFO_GET failing: the failures reached the driver" \
	"$(sim_log | grep -c '^proto=0x82 msg=0xc args=0x1 status=-8$')" "$(per 0 3)"
expect_eq "poll CPU_INFO_GET failing: logged once, recovery too" \
	"$(dmesg | grep -c 'crash check: CPU_INFO_GET failed')/$(dmesg | grep -c 'System Manager answers again')" \
	"$(per 0/0 1/1)"
sim_set fail clear

# --- MU7 faults -----------------------------------------------------------
# A refused send stays queued in the mailbox core, which resends it when the
# blocking send times out; its late TX done then completes the channel's
# tx_complete with nobody waiting (mailbox core behaviour, both drivers), so
# the refusal comes last, and a stop/start gives fresh channels.
dmesg -c >/dev/null
k0=$(m7_stat kicks_in)
sim_set mu7_drop_tx 1
expect_eq "MU loses a kick: no answer" "$(echo_raw)" "echo timeout"
expect_eq "MU loses a kick: lost once, the send timed out and was logged" \
	"$(grep dropped_tx "$SIM/mu7_faults")/$(dmesg | grep -cE 'kick: failed \(.*err:(-62|Error\(62\))\)')" "dropped_tx 1/1"
expect_eq "MU loses a kick: the next kick serves both" "$(echo_raw)" "echo ok"
# An echo takes more than one notification (buffers back, the reply):
# lose them all for one echo.
sim_set mu7_drop_rx 100
expect_eq "MU loses notifications: no answer" "$(echo_raw)" "echo timeout"
sim_set mu7_drop_rx 0
check "MU loses notifications: counted" test "$(grep dropped_rx "$SIM/mu7_faults" | cut -d' ' -f2)" -gt 0
expect_eq "MU loses notifications: the next one delivers" "$(echo_raw)" "echo ok"
sim_set mu7_refuse 1
expect_eq "MU refuses a kick: the echo still comes back (the mailbox core resends)" \
	"$(echo_raw)" "echo ok"
expect_eq "MU refuses a kick: refused once, the send timed out and was logged" \
	"$(grep refused "$SIM/mu7_faults")/$(dmesg | grep -cE 'kick: failed \(.*err:(-62|Error\(62\))\)')" "refused 1/2"
expect_eq "MU refuses a kick: the next echo works" "$(echo_raw)" "echo ok"
check "MU faults: the M7 got the kicks that were not lost" \
	test "$(m7_stat kicks_in)" -gt "$k0"
stop_clean
clean_start "after the MU faults"
stop_clean

# --- System Manager faults in LMM mode (M7 in its own LM) ------------------
drv_unload "$DRV"
sim_set linux_lm 2
sim_set lmm_control 1
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
echo $FW >"$d/firmware"
expect_eq "lmm mode: bound, offline, LM 1 off" "$(rproc_state)/$(m7_sm)" "offline/cpu2 off"
start_fault "LMM_POWER_ON hardware error" "0x80 0xb -9 1 1" 121 \
	"Failed to power on lmm\(1\)" "cpu2 off"
# After a failed boot the Rust driver powers the LM down (unprepare); the C
# driver leaves it powered.
start_fault "LMM_RESET_VECTOR_SET generic error" "0x80 0xc -8 1 1" 5 \
	"Failed to set reset vector lmid\(1\), cpuid\(1\)" "$(per 'cpu1 powered' 'cpu2 off')"
start_fault "LMM_BOOT denied" "0x80 0x4 -3 1 1" 13 \
	"Failed to boot lmm\(1\)" "$(per 'cpu1 powered' 'cpu2 off')"
start_fault "LMM_BOOT answer lost" "0x80 0x4 lost 1 1" 110 \
	"Failed to boot lmm\(1\)" "$(per 'cpu0 on' 'cpu2 off')"

clean_start "before LMM_SHUTDOWN error"
dmesg -c >/dev/null
sim_set fail "0x80 0x6 -8 1 1"
expect_eq "LMM_SHUTDOWN generic error: echo stop fails with errno 5" "$(errno_of "$d/state" stop)" 5
check "LMM_SHUTDOWN generic error: the kernel log names it" klog "Failed to stop remote core"
expect_eq "LMM_SHUTDOWN generic error: still running, LM 1 on" "$(rproc_state)/$(m7_sm)" "running/cpu0 on"
expect_eq "LMM_SHUTDOWN generic error: a second stop works, LM 1 off" \
	"$(errno_of "$d/state" stop)/$(rproc_state)/$(m7_sm)" "0/offline/cpu2 off"
clean_start "after LMM_SHUTDOWN error"

dmesg -c >/dev/null
sim_log_clear
sim_set fail "0x80 0x3 -9 1 2"
if [ "$DRV" = rust ]; then
	wait_for "dmesg | grep -q 'System Manager answers again'" 15
else
	sleep 3
fi
expect_eq "poll LMM_ATTRIBUTES failing: still running, rpmsg echoes" \
	"$(rproc_state)/$(echo_raw)" "running/echo ok"
expect_eq "poll LMM_ATTRIBUTES failing: logged once" \
	"$(dmesg | grep -c 'crash check: LMM_ATTRIBUTES failed')" "$(per 0 1)"
sim_set fail clear
stop_clean

# --- probe and attach -----------------------------------------------------
drv=/sys/bus/platform/drivers/$DRVNAME
echo $DEV >"$drv/unbind"
# LMM mode probe: LMM_POWER_ON then LMM_SHUTDOWN find out whether Linux
# controls LM 1.
dmesg -c >/dev/null
sim_set fail "0x80 0xb -8 1 1"
expect_eq "probe, LMM_POWER_ON generic error: bind fails with errno 5" \
	"$(errno_of "$drv/bind" $DEV)" 5
check "probe, LMM_POWER_ON generic error: logged" klog "power on lmm\(1\) failed"
expect_eq "probe, LMM_POWER_ON generic error: no remoteproc, LM 1 off" \
	"$(rproc_state)/$(m7_sm)" "none/cpu2 off"
dmesg -c >/dev/null
sim_set fail "0x80 0x6 -8 1 1"
expect_eq "probe, LMM_SHUTDOWN generic error: bind fails with errno 5" \
	"$(errno_of "$drv/bind" $DEV)" 5
check "probe, LMM_SHUTDOWN generic error: logged" klog "shutdown lmm\(1\) failed"
expect_eq "probe, LMM_SHUTDOWN generic error: no remoteproc, LM 1 left powered" \
	"$(rproc_state)/$(m7_sm)" "none/cpu1 powered"
expect_eq "probe, LMM_SHUTDOWN generic error: the next bind works, LM 1 off" \
	"$(errno_of "$drv/bind" $DEV)/$(rproc_state)/$(m7_sm)" "0/offline/cpu2 off"
echo $DEV >"$drv/unbind"
dmesg -c >/dev/null
sim_set fail "0x82 0xc noreply 1 1"
expect_eq "probe, CPU_INFO_GET never answered: bind fails with errno 110" \
	"$(errno_of "$drv/bind" $DEV)" 110
check "probe, CPU_INFO_GET never answered: logged" klog "Failed to detect cpu\(1\) status"
expect_eq "probe, CPU_INFO_GET never answered: no remoteproc, LM 1 off" \
	"$(rproc_state)/$(m7_sm)" "none/cpu2 off"
expect_eq "probe, CPU_INFO_GET never answered: the next bind works" \
	"$(errno_of "$drv/bind" $DEV)/$(rproc_state)" 0/offline
d=$(rproc_dir)

# Attach: the M7 was booted by someone else; a probe that fails must leave
# it alone, and the next probe attaches.
echo $DEV >"$drv/unbind"
sim_set linux_lm 1
echo $FW >"$SIM/m7_boot"
boots=$(m7_stat boots)
dmesg -c >/dev/null
sim_set fail "0x80 0x3 -8 1 1"
expect_eq "attach, LMM_ATTRIBUTES error: bind fails with errno 5" "$(errno_of "$drv/bind" $DEV)" 5
check "attach, LMM_ATTRIBUTES error: logged" klog "Failed to get current LMM ID"
expect_eq "attach, LMM_ATTRIBUTES error: no remoteproc, the M7 untouched" \
	"$(rproc_state)/$(cat "$SIM/m7_running")/$(m7_stat boots)" "none/1/$boots"
expect_eq "attach: the next bind attaches" "$(errno_of "$drv/bind" $DEV)" 0
wait_state attached 5
d=$(rproc_dir)
check "attach: rpmsg up on the pre-booted M7" channels_up
expect_eq "attach: rpmsg echoes" "$(echo_raw)" "echo ok"
stop_clean
expect_eq "attach: stopped" "$(rproc_state)/$(cat "$SIM/m7_running")" offline/0
echo $FW >"$d/firmware"

# --- allocation failures (failslab + fail_page_alloc, per task) -----------
# Every kmalloc and page allocation of the task is a fault point (GFP_KERNEL
# ones too). The loops avoid forks: hundreds of attempts each.
for a in failslab fail_page_alloc; do
	echo N >"$FI/$a/ignore-gfp-wait"
	echo 0 >"$FI/$a/verbose"
done
echo 0 >"$FI/fail_page_alloc/min-order"

# sm_view: sets SM_CPU (the M7's run mode) and SM_LM (LM 1's state).
sm_view() {
	while read -r _a _b _c _d _e _f; do
		case $_a in
		cpu1) SM_CPU=$_e ;;
		lm1) SM_LM=$_c ;;
		esac
	done <"$SIM/state"
}

# rp_state: sets RP to the remoteproc's state, or "none".
rp_state() {
	RP=none
	for _f in /sys/class/remoteproc/remoteproc*/state; do
		[ -r "$_f" ] && read -r RP <"$_f"
	done
	return 0
}

# fault_loop MAX ATTEMPT UNDO CHECK_FAIL CHECK_OK: for N = 1.. runs
# `failnth N ATTEMPT`; a failed attempt must leave CHECK_FAIL true, a
# successful one CHECK_OK (then UNDO runs); stops at the first N the call
# does not reach. Sets LOOP_N (fault points + 1), LOOP_FAILED (attempts that
# failed), LOOP_BAD (broken invariants, details in LOOP_WHY), LOOP_ERRNOS.
fault_loop() {
	LOOP_N=0 LOOP_FAILED=0 LOOP_BAD=0 LOOP_WHY='' LOOP_ERRNOS=''
	_n=1
	while [ $_n -le "$1" ]; do
		_out=$(eval "failnth $_n $2")
		_err=${_out% *} _inj=${_out#* }
		if [ "$_err" != 0 ]; then
			LOOP_FAILED=$((LOOP_FAILED + 1))
			case " $LOOP_ERRNOS " in *" $_err "*) ;; *) LOOP_ERRNOS="$LOOP_ERRNOS $_err" ;; esac
			if ! eval "$4"; then
				LOOP_BAD=$((LOOP_BAD + 1))
				LOOP_WHY="$LOOP_WHY N=$_n errno $_err: $RP $SM_CPU $SM_LM;"
			fi
		else
			if ! eval "$5"; then
				LOOP_BAD=$((LOOP_BAD + 1))
				LOOP_WHY="$LOOP_WHY N=$_n ok: $RP;"
			fi
			eval "$3"
			if [ "$_inj" = 0 ]; then
				LOOP_N=$_n
				return 0
			fi
		fi
		_n=$((_n + 1))
	done
	return 1
}

# loop_report WHAT: 3 tests from the last fault_loop.
loop_report() {
	if [ "$LOOP_N" -gt 0 ]; then
		ktap_ok "$1: every allocation tried"
		echo "# $1: $((LOOP_N - 1)) fault points, $LOOP_FAILED attempts failed, errnos:$LOOP_ERRNOS"
	else
		ktap_fail "$1: every allocation tried" "still reached at N=$_n"
	fi
	expect_eq "$1: every failed attempt returned an error and left the state right" \
		"$LOOP_BAD" 0 || ktap_diag "$LOOP_WHY"
	check "$1: at least one attempt failed" test "$LOOP_FAILED" -gt 0
}

# skip_loop WHAT REASON: the 5 tests of a loop (loop_report, no_splat,
# clean_start), skipped.
skip_loop() {
	for _t in "every allocation tried" \
		"every failed attempt returned an error and left the state right" \
		"at least one attempt failed" "no oops, BUG or WARNING"; do
		ktap_skip "$1: $_t" "$2"
	done
	ktap_skip "after the $3 allocation faults: a clean start works, rpmsg echoes" "$2"
}

# The loops that crash or WARN in the C driver run against the Rust driver
# only (Documentation/faults.rst, "Findings").
C_SKIP_START="C imx_rproc: after a failed rx mailbox request in start, the next stop dereferences rx_ch = ERR_PTR (Oops in mbox_free_channel)"
C_SKIP_BIND="kernel: rproc_add() puts the rproc when device_add() fails and devm_rproc_alloc() frees it again (refcount underflow WARNING)"

# No kernel splat in the log since the last `dmesg -c` (1 test); the lines
# are also echoed, so the runner sees them on the console.
no_splat() {
	_splat=$(dmesg | grep -E 'Oops|BUG:|WARNING:|Unable to handle|refcount_t:|use-after-free|suspected memory leak' || true)
	[ -z "$_splat" ] || printf '%s\n' "$_splat"
	expect_eq "$1: no oops, BUG or WARNING" "$_splat" ""
}

# echo start in LMM mode: a failed start must leave the remote offline, the
# M7 not running, and (Rust, which powers the LM down after a failed boot)
# LM 1 off. rpmsg devices are not probed during the loop: rpmsg_ctrl's
# probe error path puts a device without a release function (WARNING in
# device_release, drivers/rpmsg/rpmsg_ctrl.c, any driver), which is not
# what this loop is about.
expect_eq "the M7 saw no shared-memory protocol violation before the allocation loops" \
	"$(cat "$SIM/m7_violations")" 0
# When assigning the vdevbuffer region to the rproc-virtio device fails,
# rproc_add_virtio_dev() carries on ("the allocations will fall back to
# global pools") and the rpmsg buffers land outside the region: the M7
# reports desc-addr violations. Kernel behaviour, counted separately.
if [ "$DRV" = c ] && [ -n "$C_SKIP_START" ]; then
	skip_loop "echo start, allocation N fails" "$C_SKIP_START" start
else
	echo $DEV >"$drv/unbind"
	sim_set linux_lm 2
	echo $DEV >"$drv/bind"
	d=$(rproc_dir)
	echo $FW >"$d/firmware"
	echo 0 >/sys/bus/rpmsg/drivers_autoprobe
	dmesg -c >/dev/null
	fail_ok="rp_state; sm_view; [ \$RP = offline ] && [ \$SM_CPU != 0 ]"
	[ "$DRV" = rust ] && fail_ok="$fail_ok && [ \$SM_LM = off ]"
	fault_loop 2000 "write $d/state start" "echo stop > $d/state" \
		"$fail_ok" "rp_state; [ \$RP = running ]"
	loop_report "echo start, allocation N fails"
	echo "# M7 violations during the start loop (buffers outside vdevbuffer): $(cat "$SIM/m7_violations")"
	no_splat "echo start, allocation N fails"
	echo 1 >/sys/bus/rpmsg/drivers_autoprobe
	clean_start "after the start allocation faults"
	stop_clean
fi
viol_start=$(cat "$SIM/m7_violations")

# Probe through bind (CPU mode: fewer SCMI round trips, the same
# allocations).
echo $DEV >"$drv/unbind"
sim_set linux_lm 1
if [ "$DRV" = c ] && [ -n "$C_SKIP_BIND" ]; then
	skip_loop "probe (bind), allocation N fails" "$C_SKIP_BIND" probe
	echo $DEV >"$drv/bind"
else
	no_rproc="rp_state; [ \$RP = none ] && [ ! -e $drv/$DEV ]"
	dmesg -c >/dev/null
	fault_loop 2000 "write $drv/bind $DEV" "echo $DEV > $drv/unbind" \
		"$no_rproc" "rp_state; [ \$RP = offline ]"
	loop_report "probe (bind), allocation N fails"
	no_splat "probe (bind), allocation N fails"
	echo $DEV >"$drv/bind"
	d=$(rproc_dir)
	echo $FW >"$d/firmware" 2>/dev/null
	clean_start "after the probe allocation faults"
	stop_clean
fi

# insmod: the module loader and the module's init (the probe it triggers
# is the bind loop's): driver_override keeps the device from binding, and
# the module's KUnit suites, which would run at every successful load, are
# filtered out meanwhile.
drv_unload "$DRV"
case $DRV in
rust) ko=/modules/imx_rproc_rs.ko mod=imx_rproc_rs ;;
c) ko=$(find /lib/modules -name imx_rproc.ko | head -n 1) mod=imx_rproc ;;
esac
override=/sys/bus/platform/devices/$DEV/driver_override
echo none >"$override"
echo none >/sys/module/kunit/parameters/filter_glob
dmesg -c >/dev/null
fault_loop 4000 "insmod $ko" "rmmod $mod" \
	"[ ! -d /sys/module/$mod ]" "[ -d /sys/module/$mod ]"
loop_report "insmod, allocation N fails"
no_splat "insmod, allocation N fails"
echo '*.*' >/sys/module/kunit/parameters/filter_glob
echo >"$override"
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
echo $FW >"$d/firmware" 2>/dev/null
clean_start "after the insmod allocation faults"
stop_clean

for a in failslab fail_page_alloc; do
	echo Y >"$FI/$a/ignore-gfp-wait"
done

# --- nothing leaked -------------------------------------------------------
# kmemleak ignores objects younger than 5 s.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	expect_eq "kmemleak: nothing leaked" "$(printf '%s' "$leaks" | grep -c 'unreferenced object')" 0 ||
		ktap_diag "$(printf '%s\n' "$leaks" | head -n 60)"
else
	ktap_skip "kmemleak: nothing leaked" "kmemleak not available"
fi
expect_eq "the M7 saw no shared-memory protocol violation after the start loop" \
	"$(cat "$SIM/m7_violations")" "$viol_start" ||
	ktap_diag "$(grep -i -B2 violation "$SIM/m7_log" | head -n 40)"

ktap_end

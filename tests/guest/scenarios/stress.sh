# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Stress and soak of the driver named by imxrprocrs_driver= (DRV, see
# sim.sh) on the virtual i.MX95, each case a bounded loop that asserts
# every cycle and stops at the first failed one or at its time bound:
#
#   startstop  echo start / rpmsg-raw echoes 3 messages / echo stop
#   modload    insmod (modprobe) / remoteproc offline / rmmod, class gone
#   unbind     start, rpmsg traffic in the background, unbind while it
#              flows (traffic ends, M7 stopped), bind, offline again
#   rmmod      start, traffic, rmmod while the remote runs, M7 stopped
#   writers    four concurrent writers (2 on state, 2 on firmware) for
#              some seconds; all end, the remote is usable afterwards
#   crash_rec  the M7 crashes (m7_crash), the driver detects it through
#              the System Manager, recovery reboots it, rpmsg echoes
#   crash_man  the same with recovery disabled: the remote stays crashed
#              until "recover" (odd cycles) or stop + start (even ones)
#   attach     detach / re-attach a pre-booted M7, still running between
#
# Then kmemleak is scanned with both modules loaded and must report
# nothing, and lockdep must still be on (it turns itself off at its first
# report). The runner fails the boot on any WARNING, BUG, oops, lockdep
# report, RCU stall or kmemleak report in the console.
#
# Counts come from the kernel command line: imxrprocrs_stress=check (the
# default, sized for make check) or soak (scripts/soak.sh), and any count
# on its own: imxrprocrs_stress_<case>=N (writers: seconds).
# Lines "# STRESS ..." are read by scripts/reliability.py.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

FW=zephyr.elf

# --- counts ---------------------------------------------------------------
MODE=check
for _a in $(cat /proc/cmdline); do
	case $_a in
	imxrprocrs_stress=*) MODE=${_a#imxrprocrs_stress=} ;;
	esac
done
case $MODE in
soak)
	N_startstop=1000 N_modload=200 N_unbind=100 N_rmmod=100
	N_writers=60 N_crash_rec=100 N_crash_man=100 N_attach=100
	;;
*)
	MODE=check
	N_startstop=30 N_modload=10 N_unbind=5 N_rmmod=5
	N_writers=5 N_crash_rec=5 N_crash_man=5 N_attach=5
	;;
esac
for _a in $(cat /proc/cmdline); do
	case $_a in
	imxrprocrs_stress_*=*)
		_k=${_a%%=*}
		_k=${_k#imxrprocrs_stress_}
		_v=${_a#*=}
		case $_k in
		startstop | modload | unbind | rmmod | writers | crash_rec | crash_man | attach) ;;
		*) continue ;;
		esac
		case $_v in
		'' | *[!0-9]*) continue ;;
		esac
		eval "N_$_k=$_v"
		;;
	esac
done

ktap_begin 28
echo "# driver under test: $DRV, stress mode $MODE"
echo "# STRESS driver=$DRV mode=$MODE"

# --- helpers --------------------------------------------------------------
now_cs() { ktap_uptime_cs; }

# state: the remoteproc's state, or "none".
state() {
	_d=$(rproc_dir) && cat "$_d/state" 2>/dev/null || echo none
}

wait_state() {
	wait_for "[ \"\$(state)\" = $1 ]" "${2:-10}"
}

# raw_dev: the rpmsg-raw channel's /dev/rpmsgN, once it exists.
raw_up() {
	wait_for "rpmsg_dev rpmsg-raw | grep -q ." "${1:-10}"
}

# echo_ok N: rpmsg-raw echoes N messages.
echo_ok() {
	_r=$(rpmsg_tool echo "$(rpmsg_dev rpmsg-raw)" "stress $DRV" "$1" 2>&1)
	[ "$_r" = "echo ok $1" ] || {
		WHY="rpmsg echo: $_r"
		return 1
	}
}

# why TEXT: records why the cycle failed; returns 1.
why() {
	WHY=$*
	return 1
}

# pdev: the platform device of the remoteproc (for unbind/bind).
PDEV=remoteproc-cm7
drv_dir() { echo "/sys/bus/platform/drivers/$(drv_name "$DRV")"; }

# traffic_start: a background loop of one-message echoes on rpmsg-raw that
# counts its round trips in /tmp/traffic until one fails (the channel went
# away); waits until a few went through.
traffic_start() {
	echo 0 >/tmp/traffic
	_raw=$(rpmsg_dev rpmsg-raw)
	(
		n=0
		while rpmsg_tool echo "$_raw" "traffic" 1 >/dev/null 2>&1; do
			n=$((n + 1))
			echo $n >/tmp/traffic
		done
	) &
	TRAFFIC=$!
	wait_for "[ \$(cat /tmp/traffic) -ge 3 ]" 10 || why "background traffic did not flow"
}

# traffic_end: the background loop ended by itself (bounded), reaped.
traffic_end() {
	if wait_for "! kill -0 $TRAFFIC" 15; then
		wait "$TRAFFIC" 2>/dev/null
		return 0
	fi
	kill "$TRAFFIC" 2>/dev/null
	wait "$TRAFFIC" 2>/dev/null
	why "background traffic still running 15 s after the channel went away"
}

# settle: no driver bound, the M7 off, Linux's LM is the M7's (CPU mode).
settle() {
	if _d=$(rproc_dir); then
		case $(cat "$_d/state") in
		running | attached | crashed)
			_n=0
			while [ $_n -lt 50 ] && [ "$(state)" != offline ] && [ "$(state)" != detached ]; do
				echo stop >"$_d/state" 2>/dev/null
				_n=$((_n + 1))
			done
			;;
		esac
	fi
	lsmod | grep -q '^imx_rproc_rs ' && rmmod imx_rproc_rs
	lsmod | grep -q '^imx_rproc ' && rmmod imx_rproc
	sim_set m7_running 0
	sim_set linux_lm 1
}

# run_case NAME COUNT PER_CYCLE_S: calls cycle_NAME 1..COUNT, stopping at
# the first failed cycle or when 60 + COUNT * PER_CYCLE_S seconds are up;
# prints progress and a "# STRESS" line; 2 tests: cycles held, time bound.
run_case() {
	_name=$1 _count=$2 _per=$3
	_bound=$((60 + _count * _per))
	_t0=$(now_cs)
	_held=0 _over=0 _i=1
	_step=$((_count / 10))
	[ $_step -ge 1 ] || _step=1
	WHY=
	while [ $_i -le "$_count" ]; do
		if [ $(($(now_cs) - _t0)) -ge $((_bound * 100)) ]; then
			_over=1
			WHY="time bound of $_bound s reached"
			break
		fi
		"cycle_$_name" $_i || break
		_held=$_i
		[ "$_count" -lt 50 ] || [ $((_i % _step)) -ne 0 ] || echo "# $_name: $_i/$_count cycles ($((($(now_cs) - _t0) / 100)) s)"
		_i=$((_i + 1))
	done
	_secs=$((($(now_cs) - _t0) / 100))
	echo "# STRESS case=$_name planned=$_count held=$_held secs=$_secs bound=$_bound violations=$(cat "$SIM/m7_violations")"
	if [ "$_held" -ne "$_count" ]; then
		ktap_fail "$_name: every cycle held" "cycle $_i of $_count failed after $_secs s: $WHY
state $(state), M7 $(m7_stat state)
$(dmesg | tail -n 20)"
	else
		ktap_ok "$_name: every cycle held"
	fi
	if [ $_over -eq 0 ]; then
		ktap_ok "$_name: within its time bound"
	else
		ktap_fail "$_name: within its time bound" "$_held of $_count cycles in $_secs s, bound $_bound s"
	fi
}

# skip_case NAME REASON: the case does not apply to this driver (2 tests).
skip_case() {
	echo "# STRESS case=$1 planned=0 held=0 secs=0 skipped=$2"
	ktap_skip "$1: every cycle held" "$2"
	ktap_skip "$1: within its time bound" "$2"
}

# --- the board ------------------------------------------------------------
check "simulated MU + System Manager + M7 up" sim_up
check "rpmsg_tool and /lib/firmware/$FW present" sh -c "test -x /bin/rpmsg_tool && test -r /lib/firmware/$FW"
echo "# counts: startstop=$N_startstop modload=$N_modload unbind=$N_unbind rmmod=$N_rmmod" \
	"writers=${N_writers}s crash_rec=$N_crash_rec crash_man=$N_crash_man attach=$N_attach"
sim_set linux_lm 1
sim_set m7_running 0
boots0=$(m7_stat boots)

# --- start/stop with rpmsg traffic ----------------------------------------
cycle_startstop() {
	echo start >"$D/state" 2>/dev/null || why "echo start refused"
	wait_state running 10 || why "not running after start"
	raw_up || why "no rpmsg-raw channel after start"
	echo_ok 3 || return 1
	echo stop >"$D/state" 2>/dev/null || why "echo stop refused"
	wait_state offline 10 || why "not offline after stop"
	wait_for "! rpmsg_dev rpmsg-raw | grep -q ." 5 || why "rpmsg-raw still there after stop"
	[ "$(m7_stat state)" = off ] || why "M7 $(m7_stat state) after stop"
}
drv_load "$DRV"
wait_for rproc_dir 10
D=$(rproc_dir)
echo $FW >"$D/firmware"
b=$(m7_stat boots)
m=$(m7_stat msgs_in)
run_case startstop "$N_startstop" 10
expect_eq "startstop: the M7 booted once per cycle and got every message" \
	"$(($(m7_stat boots) - b))/$(($(m7_stat msgs_in) - m))" "$_held/$((_held * 3))"
settle

# --- insmod/rmmod ---------------------------------------------------------
cycle_modload() {
	drv_load "$DRV" || why "load failed"
	wait_for rproc_dir 10 || why "no remoteproc after load"
	[ "$(state)" = offline ] || why "state $(state) after load"
	[ "$(cat "$(rproc_dir)/name")" = remoteproc-cm7 ] || why "name $(cat "$(rproc_dir)/name")"
	drv_unload "$DRV" || why "unload failed"
	wait_for "! rproc_dir" 10 || why "remoteproc still there after unload"
}
run_case modload "$N_modload" 10
settle

# --- unbind/bind while rpmsg traffic flows --------------------------------
cycle_unbind() {
	D=$(rproc_dir) || why "no remoteproc"
	echo $FW >"$D/firmware" 2>/dev/null
	echo start >"$D/state" 2>/dev/null || why "echo start refused"
	wait_state running 10 || why "not running after start"
	raw_up || why "no rpmsg-raw channel"
	traffic_start || return 1
	echo $PDEV >"$(drv_dir)/unbind" || why "unbind refused"
	wait_for "! rproc_dir" 10 || why "remoteproc still there after unbind"
	traffic_end || return 1
	[ "$(m7_stat state)" = off ] || why "M7 $(m7_stat state) after unbind"
	echo $PDEV >"$(drv_dir)/bind" || why "bind refused"
	wait_for rproc_dir 10 || why "no remoteproc after bind"
	[ "$(state)" = offline ] || why "state $(state) after bind"
}
drv_load "$DRV"
wait_for rproc_dir 10
run_case unbind "$N_unbind" 15
settle

# --- rmmod while the remote runs ------------------------------------------
cycle_rmmod() {
	drv_load "$DRV" || why "load failed"
	wait_for rproc_dir 10 || why "no remoteproc after load"
	D=$(rproc_dir)
	echo $FW >"$D/firmware" 2>/dev/null
	echo start >"$D/state" 2>/dev/null || why "echo start refused"
	wait_state running 10 || why "not running after start"
	raw_up || why "no rpmsg-raw channel"
	traffic_start || return 1
	drv_unload "$DRV" || why "unload refused while running"
	wait_for "! rproc_dir" 10 || why "remoteproc still there after unload"
	traffic_end || return 1
	[ "$(m7_stat state)" = off ] || why "M7 $(m7_stat state) after unload"
}
run_case rmmod "$N_rmmod" 15
settle

# --- four concurrent writers to state and firmware ------------------------
# writer FILE A B END_CS OUT: writes A then B to FILE until END_CS, counts
# the writes into OUT (errors are expected: EBUSY, EINVAL).
writer() {
	n=0
	while [ "$(now_cs)" -lt "$4" ]; do
		echo "$2" >"$1" 2>/dev/null
		echo "$3" >"$1" 2>/dev/null
		n=$((n + 2))
	done
	echo $n >"$5"
}
drv_load "$DRV"
wait_for rproc_dir 10
D=$(rproc_dir)
echo $FW >"$D/firmware"
rm -f /tmp/w.*
end=$(($(now_cs) + N_writers * 100))
writer "$D/state" start stop $end /tmp/w.1 &
p1=$!
writer "$D/state" stop start $end /tmp/w.2 &
p2=$!
writer "$D/firmware" $FW zephyr-notrace.elf $end /tmp/w.3 &
p3=$!
writer "$D/firmware" zephyr-notrace.elf $FW $end /tmp/w.4 &
p4=$!
t0=$(now_cs)
if wait_for "! kill -0 $p1 && ! kill -0 $p2 && ! kill -0 $p3 && ! kill -0 $p4" $((N_writers + 60)); then
	wait $p1 $p2 $p3 $p4 2>/dev/null
	writes="$(cat /tmp/w.1)/$(cat /tmp/w.2)/$(cat /tmp/w.3)/$(cat /tmp/w.4)"
	echo "# writers: $writes writes in $((($(now_cs) - t0) / 100)) s"
	if [ "$(cat /tmp/w.1)" -gt 0 ] && [ "$(cat /tmp/w.2)" -gt 0 ] &&
		[ "$(cat /tmp/w.3)" -gt 0 ] && [ "$(cat /tmp/w.4)" -gt 0 ]; then
		ktap_ok "writers: four writers ran and ended within their bound"
		w_held=1
	else
		ktap_fail "writers: four writers ran and ended within their bound" "writes $writes"
		w_held=0
	fi
else
	kill $p1 $p2 $p3 $p4 2>/dev/null
	ktap_fail "writers: four writers ran and ended within their bound" \
		"still running $((N_writers + 60)) s after they were told to end; state $(state)"
	w_held=0
fi
st=$(state)
case $st in
offline | running) ktap_ok "writers: the state is coherent afterwards ($st)" ;;
*) ktap_fail "writers: the state is coherent afterwards" "state $st" ;;
esac
# Each start while running took a reference: stop until offline.
n=0
while [ $n -lt 1000 ] && [ "$(state)" = running ]; do
	echo stop >"$D/state" 2>/dev/null
	n=$((n + 1))
done
echo $FW >"$D/firmware" 2>/dev/null
if echo start >"$D/state" 2>/dev/null && wait_state running 10 && raw_up && echo_ok 3 &&
	echo stop >"$D/state" && wait_state offline 10; then
	ktap_ok "writers: afterwards $FW starts, echoes and stops ($n stops to offline)"
	[ $w_held -eq 0 ] || w_held=1
else
	ktap_fail "writers: afterwards $FW starts, echoes and stops" "${WHY:-state $(state)}"
	w_held=0
fi
echo "# STRESS case=writers planned=1 held=$w_held secs=$N_writers bound=$((N_writers + 60)) violations=$(cat "$SIM/m7_violations") writes=${writes:-0}"
settle

# --- crashes: detection through the SM, recovery on and off ---------------
crash_setup() {
	insmod /modules/imx_rproc_rs.ko crash_poll_ms=100 || why "insmod failed"
	wait_for rproc_dir 10 || why "no remoteproc"
	D=$(rproc_dir)
	echo disabled >"$D/coredump"
	echo "$1" >"$D/recovery"
	echo $FW >"$D/firmware"
	echo start >"$D/state" 2>/dev/null || why "start refused"
	wait_state running 10 && raw_up
}
# crash: the M7 crashes now; waits for the driver to notice.
crash() {
	B=$(m7_stat boots)
	echo 1 >"$SIM/m7_crash" || why "m7_crash refused"
}
back_up() {
	wait_for "[ \$(m7_stat boots) -gt $B ]" 15 || why "the M7 was not booted again"
	wait_state running 10 || why "state $(state) after recovery"
	raw_up 15 || why "no rpmsg-raw after recovery"
	echo_ok 3
}
cycle_crash_rec() {
	crash || return 1
	back_up
}
cycle_crash_man() {
	crash || return 1
	wait_state crashed 15 || why "crash not reported (state $(state))"
	sleep 0.3
	[ "$(m7_stat boots)" = "$B" ] || why "rebooted although recovery is disabled"
	if [ $(($1 % 2)) -eq 1 ]; then
		echo recover >"$D/recovery" || why "recover refused"
	else
		echo stop >"$D/state" || why "stop refused on a crashed remote"
		wait_state offline 10 || why "state $(state) after stop"
		echo start >"$D/state" || why "start refused after a crash"
	fi
	back_up
}
no_crash_detection="the C imx_rproc has no crash detection on System Manager platforms"
if [ "$DRV" = rust ]; then
	c0=$(m7_stat crashes)
	crash_setup enabled
	run_case crash_rec "$N_crash_rec" 15
	settle
	crash_setup disabled
	run_case crash_man "$N_crash_man" 15
	settle
	echo "# STRESS faults=$(($(m7_stat crashes) - c0))"
else
	skip_case crash_rec "$no_crash_detection"
	skip_case crash_man "$no_crash_detection"
fi

# --- attach / detach ------------------------------------------------------
cycle_attach() {
	echo start >"$D/state" 2>/dev/null || why "re-attach refused"
	[ "$(state)" = attached ] || why "state $(state) after re-attach"
	echo detach >"$D/state" 2>/dev/null || why "detach refused"
	[ "$(state)" = detached ] || why "state $(state) after detach"
	[ "$(m7_stat running)" = 1 ] || why "the M7 does not run after detach"
}
sim_set linux_lm 1
echo $FW >"$SIM/m7_boot"
drv_load "$DRV"
wait_for rproc_dir 10
D=$(rproc_dir)
wait_state attached 10
# rpmsg comes up, but no message is sent: after a detach Linux re-creates
# the vrings from index 0, and this M7, like Zephyr's sample, does not reset
# its virtio side when the host does, so it would see the used ring jump
# back (a firmware limitation, Documentation/user-guide.rst).
if [ "$(state)" = attached ] && raw_up; then
	ktap_ok "attach: the driver attaches to the pre-booted M7, rpmsg channels up"
else
	ktap_fail "attach: the driver attaches to the pre-booted M7, rpmsg channels up" "state $(state)"
fi
# shellcheck disable=SC2116 # the echo writes to state; $() keeps its error
if err=$(echo detach 2>&1 >"$D/state"); then
	run_case attach "$N_attach" 10
else
	skip_case attach "detach refused: ${err##*: }"
fi
[ "$(state)" != detached ] || echo start >"$D/state" 2>/dev/null
echo stop >"$D/state" 2>/dev/null
wait_state offline 10
expect_eq "attach: stopped at the end, the M7 off" "$(state)/$(m7_stat state)" offline/off
drv_unload "$DRV"

# --- what the M7 saw ------------------------------------------------------
expect_eq "the M7 saw no shared-memory protocol violation" "$(cat "$SIM/m7_violations")" 0 ||
	grep -i -B2 -A2 violation "$SIM/m7_log" | head -n 40 | sed 's/^/# /'
expect_eq "the M7 never faulted (bad image, bad ring)" "$(m7_stat faults)" 0

# --- checkers -------------------------------------------------------------
# kmemleak with both modules loaded, so that backtraces name their symbols;
# it ignores objects younger than 5 s, and the second scan confirms the
# first (Documentation/dev-tools/kmemleak.rst).
drv_load "$DRV"
wait_for rproc_dir 10
KML=/sys/kernel/debug/kmemleak
sleep 6
if echo scan >$KML 2>/dev/null && sleep 5 && echo scan >$KML 2>/dev/null; then
	ktap_ok "kmemleak is on and scanned"
else
	ktap_fail "kmemleak is on and scanned" "$(dmesg | grep -i kmemleak | tail -n 5)"
fi
cat $KML >/tmp/kmemleak 2>/dev/null
leaks=$(grep -c '^unreferenced object' /tmp/kmemleak)
# One line per leaked object: its header and backtrace joined.
ours=$(awk '/^unreferenced object/ { if (o != "") print o; o = $0; next } { o = o " " $0 }
	END { if (o != "") print o }' /tmp/kmemleak | grep -cE 'imx_rproc|imx95_sim|rproc|rpmsg|virtio')
echo "# STRESS leaks=$leaks ours=$ours"
expect_eq "kmemleak: nothing leaked by imx_rproc_rs, imx95_sim, remoteproc or rpmsg" "$ours" 0 ||
	sed 's/^/# /' /tmp/kmemleak | head -n 60
expect_eq "kmemleak: no leak at all" "$leaks" 0 || sed 's/^/# /' /tmp/kmemleak | head -n 60
drv_unload "$DRV"
# lockdep switches itself off (debug_locks 0) at its first report.
expect_eq "lockdep still on after the stress (no lockdep report)" \
	"$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats)" 1
echo "# STRESS lockdep=$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats)"
echo "# STRESS boots=$(($(m7_stat boots) - boots0))"

ktap_end

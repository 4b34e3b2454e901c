# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest helpers for the virtual i.MX95: bring the simulated hardware up,
# set the System Manager's state, load and unload either driver and take
# the view a user gets of it. Sourced by the scenarios after /lib.sh.

SIM=/sys/kernel/debug/imx95_sim

# sim_up: loads the simulated MU + System Manager and waits until the
# kernel's SCMI stack and the i.MX CPU/LMM protocol drivers are bound. On
# the virtual board of the SSH target the board's init has loaded it
# already (tests/guest/ssh_board.sh), and a real board has the real ones
# (no /modules/imx95_sim.ko there): then it only waits.
sim_up() {
	if [ ! -d /sys/module/imx95_sim ] && [ -e /modules/imx95_sim.ko ]; then
		insmod /modules/imx95_sim.ko || return 1
	fi
	wait_for "ls /sys/bus/scmi_protocol/drivers/scmi-imx-cpu/ | grep -q ." 20 &&
		wait_for "ls /sys/bus/scmi_protocol/drivers/scmi-imx-lmm/ | grep -q ." 20
}

# sim_set KEY VALUE: writes a knob of the simulated System Manager.
sim_set() {
	echo "$2" >"$SIM/$1"
}

# sim_log: the SCMI messages the System Manager handled since the last
# sim_log_clear, one per line.
sim_log() {
	cat "$SIM/log"
}

sim_log_clear() {
	echo clear >"$SIM/log"
}

# drv_load rust|c [PARAM=VALUE...]: loads the driver under test (params: rust only).
drv_load() {
	case $1 in
	rust) shift; insmod /modules/imx_rproc_rs.ko "$@" ;;
	c) modprobe imx_rproc ;;
	esac
}

# drv_unload rust|c
drv_unload() {
	case $1 in
	rust) rmmod imx_rproc_rs ;;
	c) rmmod imx_rproc ;;
	esac
}

# drv_name rust|c: the platform driver's name in sysfs.
drv_name() {
	case $1 in
	rust) echo imx_rproc_rs ;;
	c) echo imx-rproc ;;
	esac
}

# rproc_dir: the one remoteproc class device, or nothing.
rproc_dir() {
	for d in /sys/class/remoteproc/remoteproc*; do
		[ -e "$d/name" ] && echo "$d" && return 0
	done
	return 1
}

# rproc_view: what a user sees in sysfs, on one line.
rproc_view() {
	d=$(rproc_dir) || {
		echo "none"
		return 0
	}
	echo "name=$(cat "$d/name") state=$(cat "$d/state") firmware=$(cat "$d/firmware") recovery=$(cat "$d/recovery") coredump=$(cat "$d/coredump")"
}

# DRV: the driver under test, from the kernel command line
# (imxrprocrs_driver=c|rust: the QEMU runner passes it for the scenarios
# with drivers = ["c", "rust"] in tests/guest/scenarios.toml) or, over SSH
# where the command line is the board's, from IMXRPROCRS_DRIVER in the
# environment (tests/host/ssh_target.py), which wins; c when neither.
DRV=c
for _sim_arg in $(cat /proc/cmdline); do
	case $_sim_arg in
	imxrprocrs_driver=*) DRV=${_sim_arg#imxrprocrs_driver=} ;;
	esac
done
DRV=${IMXRPROCRS_DRIVER:-$DRV}
case $DRV in
c | rust) ;;
*)
	echo "# unknown imxrprocrs_driver=$DRV, using c"
	DRV=c
	;;
esac

# m7_stat NAME: one counter of the simulated M7 (m7_stats), e.g. msgs_in.
m7_stat() {
	awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$SIM/m7_stats"
}

# rpmsg_dev NAME: the /dev/rpmsgN that rpmsg_char made for the channel or
# endpoint NAME (the newest one), or nothing.
rpmsg_dev() {
	_sim_best=-1
	for _sim_d in /sys/class/rpmsg/rpmsg*; do
		_sim_n=${_sim_d##*/rpmsg}
		case $_sim_n in
		'' | *[!0-9]*) continue ;;
		esac
		[ -r "$_sim_d/name" ] && [ "$(cat "$_sim_d/name")" = "$1" ] || continue
		[ "$_sim_n" -gt "$_sim_best" ] && _sim_best=$_sim_n
	done
	[ "$_sim_best" -ge 0 ] && echo "/dev/rpmsg$_sim_best"
}

# outcome DESC ACTUAL RUST C: a test whose expected outcome may differ
# between the drivers: ok when ACTUAL is what the driver under test must
# do (RUST or C); the row carries "# outcome: ACTUAL" for scripts/parity.py.
outcome() {
	if [ "$DRV" = rust ]; then _sim_want=$3; else _sim_want=$4; fi
	if [ "$2" = "$_sim_want" ]; then
		ktap_ok "$1 # outcome: $2"
	else
		ktap_fail "$1 # outcome: $2" "expected '$_sim_want' from the $DRV driver"
	fi
}

# fw_expect WHAT: the start state, the M7's phase and whether rpmsg comes
# up, for an expectation: rpmsg (the firmware's channels come up), silent
# (it runs but never sees the live resource table), idle (no table: it runs
# without IPC), tcm (linked into the TCMs, which QEMU virt does not have:
# the M7 faults at its vector table), rejected (the driver refuses it).
fw_expect() {
	case $1 in
	rpmsg) echo "running active yes" ;;
	silent) echo "running wait-driver-ok no" ;;
	idle) echo "running idle no" ;;
	tcm) echo "running faulted no" ;;
	rejected) echo "offline off no" ;;
	*) echo "? ? ?" ;;
	esac
}

FW_GOODBYES=0

# fw_rpmsg: "yes" when the firmware's rpmsg-client-sample and rpmsg-tty
# channels appear, the kernel's rpmsg_client_sample completes its 100
# round trips and /dev/ttyRPMSG* answers with Zephyr's prefix; else what
# was missing.
fw_rpmsg() {
	wait_for "dmesg | grep -q 'creating channel rpmsg-client-sample'" 5 || {
		echo "no-channel"
		return
	}
	dmesg | grep -q 'creating channel rpmsg-tty' || {
		echo "no-tty-channel"
		return
	}
	FW_GOODBYES=$((FW_GOODBYES + 1))
	wait_for "[ \$(dmesg | grep -c 'rpmsg_client_sample.*goodbye!') -ge $FW_GOODBYES ]" 20 || {
		echo "no-goodbye"
		return
	}
	_sim_tty=$(ls /dev/ttyRPMSG* 2>/dev/null | head -n 1)
	[ "$(rpmsg_tool tty "${_sim_tty:-/dev/null}" "hello" 2>&1)" = "TTY 0x0401: hello" ] || {
		echo "no-tty-echo"
		return
	}
	echo yes
}

# fw_try NAME RUST C: boots /lib/firmware/NAME with the driver under test
# (loaded, remoteproc offline), the M7 told which image it runs (m7_image),
# and checks what happens against the expectation (fw_expect) for each
# driver; stops it again. Five tests.
fw_try() {
	_sim_d=$(rproc_dir)
	check "$1: the simulated M7 reads the image's link map (m7_image)" \
		sh -c "echo /lib/firmware/$1 > $SIM/m7_image"
	# shellcheck disable=SC2046
	set -- "$1" $(fw_expect "$2") $(fw_expect "$3")
	dmesg -c >/dev/null
	echo "$1" >"$_sim_d/firmware" 2>/dev/null
	echo start >"$_sim_d/state" 2>/dev/null
	wait_for "[ \"\$(cat $_sim_d/state)\" = $2 ]" 5
	outcome "$1: echo start > state" "$(cat "$_sim_d/state")" "$2" "$5"
	if [ "$DRV" = rust ]; then _sim_ph=$3; else _sim_ph=$6; fi
	wait_for "[ \"\$(m7_stat state)\" = $_sim_ph ]" 3
	# Long enough for a firmware waiting for DRIVER_OK to be seen waiting.
	[ "$_sim_ph" = wait-driver-ok ] && sleep 1
	outcome "$1: the M7 after its boot" "$(m7_stat state)" "$3" "$6"
	if [ "$DRV" = rust ]; then _sim_rp=$4; else _sim_rp=$7; fi
	if [ "$_sim_rp" = yes ]; then
		_sim_got=$(fw_rpmsg)
	elif dmesg | grep -q 'creating channel rpmsg-client-sample'; then
		_sim_got=yes
	else
		_sim_got=no
	fi
	outcome "$1: rpmsg with the firmware's channels" "$_sim_got" "$4" "$7"
	[ "$_sim_got" = yes ] || dmesg | grep -E 'remoteproc|imx|rproc' | tail -n 8 | sed 's/^/# /'
	grep -E 'image|FAULT|Zephyr' "$SIM/m7_log" | tail -n 4 | sed 's/^/# m7: /'
	[ "$(cat "$_sim_d/state")" = running ] && echo stop >"$_sim_d/state" 2>/dev/null
	check "$1: offline again, the M7 off" sh -c \
		"[ \"\$(cat $_sim_d/state)\" = offline ] && [ \"\$(cat $SIM/m7_running)\" = 0 ]"
	echo none >"$SIM/m7_image"
}

# fw_fixture NAME RUST C: fw_try on a firmware built by others
# (/lib/firmware/zephyr-*.elf, copied in by the runner), or its five tests
# skipped when the runner did not find it.
fw_fixture() {
	if [ -r "/lib/firmware/$1" ]; then
		fw_try "$@"
	else
		for _sim_t in "m7_image" "start" "M7 after boot" "rpmsg" "stop"; do
			ktap_skip "$1: $_sim_t" "fixture not found by the runner (IMX_RPROC_RS_FIXTURES)"
		done
	fi
}

# remote_core COMPATIBLE CPUID LMID: the probe + rpmsg story of one remote
# core of another SoC on the virtual board (tests/dts/imx94-virtual-*.dtso):
# the node carries COMPATIBLE, and the simulated System Manager numbers the
# core CPU CPUID in LM LMID (hex, as its log writes them; tests/sim/board.rs
# REMOTES, from the C driver's imx_rproc_cfg_*). In LMM mode (Linux in an LM
# of its own) and then in CPU mode (the core in Linux's LM): the driver
# under test binds, its probe asks the System Manager about exactly these
# ids, zephyr.elf boots through them and rpmsg works (fw_try). 22 tests.
remote_core() {
	check "simulated MU + System Manager up, SCMI CPU/LMM drivers bound" sim_up
	expect_eq "the remote core's node is $1" \
		"$(tr -d '\000' </proc/device-tree/remoteproc-cm7/compatible)" "$1"
	check "modprobe rpmsg_client_sample" modprobe rpmsg_client_sample
	_rc_info="proto=0x82 msg=0xc args=$2 status=0"
	_rc_discover='proto=0x80 msg=0x3 args=0xffffffff status=0'
	_rc_nl='
'
	for _rc_mode in lmm cpu; do
		if [ $_rc_mode = lmm ]; then
			sim_set linux_lm 2
			_rc_seq="$_rc_info$_rc_nl$_rc_discover${_rc_nl}proto=0x80 msg=0xb args=$3 status=0${_rc_nl}proto=0x80 msg=0x6 args=$3,0x0 status=0"
			_rc_says="Using LMM Protocol OPS"
			# LMM_RESET_VECTOR_SET (LM, CPU), then LMM_BOOT.
			_rc_boot="proto=0x80 msg=0xc args=$3,$2,.*${_rc_nl}proto=0x80 msg=0x4 args=$3 status=0"
		else
			sim_set linux_lm 1
			_rc_seq="$_rc_info$_rc_nl$_rc_discover"
			_rc_says="Using CPU Protocol OPS"
			# CPU_RESET_VECTOR_SET, then CPU_START.
			_rc_boot="proto=0x82 msg=0x6 args=$2,.*${_rc_nl}proto=0x82 msg=0x4 args=$2 status=0"
		fi
		sim_log_clear
		dmesg -c >/dev/null
		# No crash watch: its SM polls would join the probe's sequence.
		if [ "$DRV" = rust ]; then
			drv_load rust crash_poll_ms=0
		else
			drv_load c
		fi
		wait_for rproc_dir 2
		check "$_rc_mode mode: bound to the driver under test" \
			test -e "/sys/bus/platform/drivers/$(drv_name "$DRV")/remoteproc-cm7"
		expect_eq "$_rc_mode mode: the probe's SCMI messages" "$(sim_log)" "$_rc_seq"
		check "$_rc_mode mode: the driver says '$_rc_says'" \
			sh -c "dmesg | grep -q '$_rc_says'"
		sim_log_clear
		# fw_try clears the kernel log: one goodbye of the sample to wait for.
		FW_GOODBYES=0
		fw_try zephyr.elf rpmsg rpmsg
		# The start's messages name the core as the SoC does.
		_rc_log=$(sim_log | grep -E 'msg=0x(c|4|6) ' | tr '\n' '|')
		_rc_want=$(printf '%s' "$_rc_boot" | tr '\n' '|')
		if printf '%s\n' "$_rc_log" | grep -q "$_rc_want"; then
			ktap_ok "$_rc_mode mode: the boot's SCMI messages carry CPU $2, LM $3"
		else
			ktap_fail "$_rc_mode mode: the boot's SCMI messages carry CPU $2, LM $3" "$(sim_log)"
		fi
		drv_unload "$DRV"
	done
	check "the driver unloads, the core off" sh -c \
		"[ -z \"\$(ls /sys/class/remoteproc)\" ] && [ \"\$(cat $SIM/m7_running)\" = 0 ]"
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest helpers for the virtual i.MX95: bring the simulated hardware up,
# set the System Manager's state, load and unload either driver and take
# the view a user gets of it. Sourced by the scenarios after /lib.sh.

SIM=/sys/kernel/debug/imx95_sim

# sim_up: loads the simulated MU + System Manager and waits until the
# kernel's SCMI stack and the i.MX CPU/LMM protocol drivers are bound.
sim_up() {
	insmod /modules/imx95_sim.ko || return 1
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
# (imxrprocrs_driver=c|rust, scripts/check.sh passes it for scenarios
# marked "# drivers: c rust"); c when absent.
DRV=c
for _sim_arg in $(cat /proc/cmdline); do
	case $_sim_arg in
	imxrprocrs_driver=*) DRV=${_sim_arg#imxrprocrs_driver=} ;;
	esac
done
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

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

# drv_load rust|c: loads the driver under test.
drv_load() {
	case $1 in
	rust) insmod /modules/imx_rproc_rs.ko ;;
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

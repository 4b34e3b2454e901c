# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The demo `make demo` runs on the virtual i.MX95: bring the simulated
# hardware up, load imx_rproc_rs as a user would, show what it registered
# and how it found the M7, in both System Manager deployments.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

say() { printf '\n\033[1m### %s\033[0m\n' "$*"; }

show() {
	d=$(rproc_dir) || {
		echo "no remoteproc registered"
		return 1
	}
	echo "# grep . $d/{name,state,firmware}"
	for f in name state firmware recovery coredump; do
		printf '%-40s %s\n' "$d/$f" "$(cat "$d/$f")"
	done
	echo "kernel log:"
	dmesg | grep -E 'imx_rproc_rs|remoteproc' | sed 's/^/    /'
	echo "System Manager saw:"
	sim_log | sed 's/^/    /'
}

say "Bringing up the simulated MU and System Manager"
echo "# insmod /modules/imx95_sim.ko"
sim_up || exit 1
dmesg | grep -E "SCMI Protocol|Vendor Protocol|SM CPU|LMM:" | sed 's/^/    /'

for mode in 2 1; do
	sim_set fail clear
	sim_set linux_lm $mode
	sim_log_clear
	dmesg -c >/dev/null
	if [ $mode = 1 ]; then
		say "M7 in Linux's logical machine (CPU protocol): insmod imx_rproc_rs.ko"
	else
		say "M7 in its own logical machine (LMM protocol): insmod imx_rproc_rs.ko"
	fi
	echo "# insmod /modules/imx_rproc_rs.ko"
	insmod /modules/imx_rproc_rs.ko || exit 1
	show || exit 1
	echo "# rmmod imx_rproc_rs"
	rmmod imx_rproc_rs || exit 1
done
say "done"

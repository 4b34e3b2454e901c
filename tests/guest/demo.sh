# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# `make demo`: the i.MX95 + Zephyr + OpenAMP scenario users run on a Verdin
# board, on the virtual i.MX95 with imx_rproc_rs. Load the driver, point it
# at the Zephyr openamp_rsc_table image (made by tools/mkfw, run by the
# simulated M7), start the M7, exchange RPMsg messages both ways, stop it.
# Then the same with the M7 in a logical machine of its own (LMM protocol).

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

say() { printf '\n\033[1m### %s\033[0m\n' "$*"; }
# run CMD...: shows the command as typed at the board's prompt, runs it.
run() {
	printf 'root@imx95-verdin:~# %s\n' "$*"
	sh -c "$*"
}
# klog PATTERN: the kernel log lines since the last klog_mark, matching.
klog_mark() { dmesg -c >/dev/null; }
klog() { dmesg | grep -E "$1" | sed 's/^/    [kernel] /'; }

say "The virtual i.MX95: simulated MU + System Manager (SCMI) + Cortex-M7"
sim_up || exit 1
dmesg | grep -E "SCMI Protocol|i.MX SM CPU|i.MX LMM" | sed 's/^/    [kernel] /'

for mode in cpu lmm; do
	if [ $mode = cpu ]; then
		sim_set linux_lm 1
		say "M7 in Linux's logical machine: the CPU protocol"
	else
		sim_set linux_lm 2
		say "M7 in its own logical machine: the LMM protocol"
	fi
	sim_log_clear
	klog_mark
	run insmod /modules/imx_rproc_rs.ko || exit 1
	klog 'imx_rproc_rs |remoteproc'
	r=$(rproc_dir) || exit 1
	run "cd $r && cat name state"
	run "echo zephyr.elf > $r/firmware"
	klog_mark
	run "echo start > $r/state" || exit 1
	wait_for "ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample" 10
	run "cat $r/state"
	echo "    the System Manager was asked:"
	sim_log | sed 's/^/    [SM] /'
	echo "    the M7's console (trace0):"
	sed 's/^/    [M7] /' "/sys/kernel/debug/remoteproc/$(basename "$r")/trace0"
	klog 'remoteproc|rpmsg|virtio'

	say "RPMsg: the kernel's sample client (100 round trips)"
	klog_mark
	run modprobe rpmsg_client_sample
	wait_for "dmesg | grep -q 'goodbye!'" 10
	dmesg | grep -E "rpmsg_client_sample" | sed -n '1,3p;$p' | sed 's/^/    [kernel] /'
	echo "    ... ($(dmesg | grep -c 'incoming msg') messages received)"
	run rmmod rpmsg_client_sample

	say "RPMsg: the tty (Zephyr answers with its prefix)"
	tty=$(ls /dev/ttyRPMSG* 2>/dev/null | head -n 1)
	run "rpmsg_tool tty $tty 'hello from Linux'"

	say "RPMsg: the raw endpoint (/dev/rpmsgN) echoes"
	raw=$(rpmsg_dev rpmsg-raw 2>/dev/null)
	[ -n "$raw" ] && run "rpmsg_tool echo $raw 'ping' 3"
	echo "    the M7 counted: $(m7_stat msgs_in) messages in, $(m7_stat msgs_out) out, $(m7_stat violations) protocol violations"

	say "Stop"
	klog_mark
	run "echo stop > $r/state"
	run "cat $r/state"
	klog 'remoteproc'
	run rmmod imx_rproc_rs
done
say "done"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# `make demo`: the i.MX95 + Zephyr + OpenAMP scenario users run on a Verdin
# board, on the virtual i.MX95 with imx_rproc_rs. Load the driver, point it
# at the image scripts/demo.sh chose (/demo.env: DEMO_MODE=vm7, Zephyr's
# own openamp_rsc_table executed by vm7; DEMO_MODE=sim, tools/mkfw's
# zephyr.elf imitated by the simulated M7), start the M7, exchange RPMsg
# messages both ways, stop it. Then the same with the M7 in a logical
# machine of its own (LMM protocol).

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh
# shellcheck source=/dev/null
. /demo.env

say() { printf '\n\033[1m### %s\033[0m\n' "$*"; }
# run CMD...: shows the command as typed at the board's prompt, runs it.
run() {
	printf 'root@imx95-verdin:~# %s\n' "$*"
	sh -c "$*"
}
# klog PATTERN: the kernel log lines since the last klog_mark, matching.
klog_mark() { dmesg -c >/dev/null; }
klog() { dmesg | grep -E "$1" | sed 's/^/    [kernel] /'; }

if [ "$DEMO_MODE" = vm7 ]; then
	say "The virtual i.MX95: simulated MU + System Manager (SCMI); the Cortex-M7 is vm7, executing the image"
else
	say "The virtual i.MX95: simulated MU + System Manager (SCMI) + a simulated Cortex-M7"
fi
echo "    the image: $DEMO_FW, $DEMO_WHAT"
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
	run "echo $DEMO_FW > $r/firmware"
	klog_mark
	run "echo start > $r/state" || exit 1
	wait_for "ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample" 30
	run "cat $r/state"
	echo "    the System Manager was asked:"
	sim_log | sed 's/^/    [SM] /'
	if [ "$DEMO_MODE" = vm7 ]; then
		echo "    the M7's console (its LPUART3, through vm7):"
		# Its shell's colour codes and its debug lines left out.
		dmesg | sed -n 's/.*vm7: m7: //p' | tr -d '\033' | sed 's/\[[0-9;]*m//g' |
			grep -v -e 'D: ' -e '^ *$' | head -n 12 | sed 's/^/    [M7] /'
	else
		echo "    the M7's console (trace0):"
		sed 's/^/    [M7] /' "/sys/kernel/debug/remoteproc/$(basename "$r")/trace0"
	fi
	klog 'remoteproc|rpmsg|virtio'

	say "RPMsg: the kernel's sample client (100 round trips)"
	klog_mark
	run modprobe rpmsg_client_sample
	wait_for "dmesg | grep -q 'goodbye!'" 60
	dmesg | grep -E "rpmsg_client_sample" | sed -n '1,3p;$p' | sed 's/^/    [kernel] /'
	echo "    ... ($(dmesg | grep -c 'rpmsg_client_sample.*incoming msg') messages received)"
	run rmmod rpmsg_client_sample

	say "RPMsg: the tty (Zephyr answers with its prefix)"
	# The sample's tty answers with its own address; Zephyr's rpmsg shell
	# backend has a second one, which answers with its prompt.
	tty=
	for t in /sys/class/tty/ttyRPMSG*; do
		[ -r "$t/device/dst" ] || continue
		case $(rpmsg_tool tty "/dev/${t##*/}" probe 2>&1) in
		TTY*) tty=/dev/${t##*/} && break ;;
		esac
	done
	[ -n "$tty" ] || tty=$(ls /dev/ttyRPMSG* 2>/dev/null | head -n 1)
	run "rpmsg_tool tty $tty 'hello from Linux'"

	if [ "$DEMO_MODE" = sim ]; then
		say "RPMsg: the raw endpoint (/dev/rpmsgN) echoes"
		raw=$(rpmsg_dev rpmsg-raw 2>/dev/null)
		[ -n "$raw" ] && run "rpmsg_tool echo $raw 'ping' 3"
		echo "    the M7 counted: $(m7_stat msgs_in) messages in, $(m7_stat msgs_out) out, $(m7_stat violations) protocol violations"
	fi

	say "Stop"
	klog_mark
	run "echo stop > $r/state"
	run "cat $r/state"
	klog 'remoteproc'
	run rmmod imx_rproc_rs
done
say "done"

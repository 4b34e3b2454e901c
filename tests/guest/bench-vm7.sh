# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The guest side of scripts/bench-vm7.sh: the real Zephyr openamp_rsc_table
# image on vm7 (board mode), the C imx_rproc and imx_rproc_rs in
# interleaved rounds in this one boot. Per round and driver: FWSTART times
# start to the firmware's first endpoint (rpmsg_bench fwstart), then one
# start with ECHO_N round trips through the sample's rpmsg tty (rpmsg_bench
# ttyecho), then stop. Prints raw samples ("METRIC DRIVER NS") between
# BENCH-SAMPLES markers, and "VM7RUN DRIVER KIND N" for each vm7 run (N:
# vm7's start count, which numbers its "run ends" lines on the host).

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh
# shellcheck source=/dev/null
. /bench.env

FW=zephyr-openamp_rsc_table-m7_ddr.elf

vm7_stat() {
	awk -v k="$1" '$1 == k { print $2; exit }' "$SIM/vm7_stats"
}

# sample_tty: the rpmsg tty of Zephyr's sample, which answers "TTY 0x%04x: "
# and the message with its own address (the other is its shell's).
sample_tty() {
	for _t in /sys/class/tty/ttyRPMSG*; do
		[ -r "$_t/device/dst" ] || continue
		_want=$(printf 'TTY 0x%04x: hello' "$(($(cat "$_t/device/dst")))")
		[ "$(rpmsg_tool tty "/dev/${_t##*/}" hello 2>&1)" = "$_want" ] && {
			echo "/dev/${_t##*/}"
			return 0
		}
	done
	return 1
}

sim_up || exit 1
[ "$(vm7_stat present)" = 1 ] || {
	echo "bench: no vm7 on the link page" >&2
	exit 1
}
[ -r "/lib/firmware/$FW" ] || {
	echo "bench: no /lib/firmware/$FW" >&2
	exit 1
}
sim_set linux_lm 1
sim_set m7_running 0
rc=0
echo BENCH-SAMPLES-BEGIN
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for DRV in c rust; do
		echo "# round $r $DRV" >&2
		# shellcheck disable=SC2086 # RUST_PARAMS: PARAM=VALUE words
		if [ "$DRV" = rust ]; then drv_load rust $RUST_PARAMS; else drv_load c; fi || exit 1
		wait_for rproc_dir 5 || exit 1
		d=$(rproc_dir)
		echo "$FW" >"$d/firmware"
		s0=$(vm7_stat starts)
		rpmsg_bench fwstart "$DRV" "$d" "$FWSTART" || rc=1
		i=$((s0 + 1))
		while [ "$i" -le "$(vm7_stat starts)" ]; do
			echo "VM7RUN $DRV fwstart $i"
			i=$((i + 1))
		done
		echo start >"$d/state"
		echo "VM7RUN $DRV echo $(vm7_stat starts)"
		if wait_for "[ \$(ls /sys/class/tty | grep -c ttyRPMSG) -ge 2 ]" 30 && tty=$(sample_tty); then
			rpmsg_bench ttyecho "$DRV" "$tty" "$ECHO_N" || rc=1
		else
			echo "bench: $DRV: no rpmsg tty of the sample answered" >&2
			rc=1
		fi
		echo stop >"$d/state"
		drv_unload "$DRV"
	done
	r=$((r + 1))
done
echo BENCH-SAMPLES-END
exit $rc

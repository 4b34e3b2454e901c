# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What the loader leaves in the M7's memory, against the driver named by
# imxrprocrs_driver= (issue 18: the zero-fill of p_memsz - p_filesz was
# caught only on a second boot, over memory a first image had dirtied).
# The simulated M7 checks after every boot that each segment's file bytes
# are where p_paddr says and that its .bss reads as zero (m7_log "image
# OK ... .bss N bytes zero OK", else a fault "image corrupt"). Here the
# M7's memory is dirtied first (debugfs m7_dirty, as a previous image or
# the bootloader leaves it), so the very first boot shows a loader that
# does not zero-fill.
#
# While it runs, every carveout the driver registered (debugfs
# carveout_memories) has the base and size of its reserved-memory node in
# the device tree (issue 18: an off-by-one region size passed probe's
# sysfs comparison). After a stop, no kick is left sending and the crash
# watch stays quiet.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

FW=zephyr.elf
ktap_begin 11
echo "# driver under test: $DRV"

wait_state() {
	wait_for "[ \"\$(cat \$(rproc_dir)/state 2>/dev/null)\" = $1 ]" "${2:-5}"
}
# boot_checked: "state/last boot/faults/bss": what the M7 found after a start.
boot_checked() {
	bss=$(grep -c '\.bss 0x[0-9a-f]* bytes zero OK' "$SIM/m7_log")
	echo "$(cat "$d/state")/$(m7_stat last_boot | cut -d' ' -f1)/$(m7_stat faults)/bss-zero-$bss"
}

# carveouts_vs_dt: "NODE base-ok size-ok;" per carveout, sorted: its
# DMA address and length against the reg of reserved-memory/NAME@DMA.
carveouts_vs_dt() {
	awk '/Name:/ { n = $2 } /DMA address:/ { a = $3 } /Length:/ { print n, a, $2 }' \
		"/sys/kernel/debug/remoteproc/$(basename "$d")/carveout_memories" |
		while read -r name dma len; do
			node=$(printf '%s@%x' "$name" "$dma")
			reg=$(od -An -v -tx1 "/proc/device-tree/reserved-memory/$node/reg" 2>/dev/null | tr -d ' \n')
			if [ ${#reg} -ne 32 ]; then
				echo "$name@$dma no-dt-node"
				continue
			fi
			base=$(printf '%#x' "0x$(echo "$reg" | cut -c1-16)")
			size=$(printf '%#x' "0x$(echo "$reg" | cut -c17-32)")
			b=base-ok s=size-ok
			[ "$base" = "$(printf '%#x' "$dma")" ] || b="base-$dma-dt-$base"
			[ "$size" = "$(printf '%#x' "$len")" ] || s="size-$len-dt-$size"
			echo "$node $b $s"
		done | sort | tr '\n' ';'
}

check "simulated board up" sim_up
sim_set linux_lm 1
sim_set m7_running 0
# The Rust driver's crash watch polls every 100 ms (the C driver has none).
if [ "$DRV" = rust ]; then
	drv_load rust crash_poll_ms=100
else
	drv_load c
fi
wait_for rproc_dir 5
d=$(rproc_dir)
echo $FW >"$d/firmware"

check "m7_dirty: the M7's memory is filled with 0xa5 before the first boot" \
	sh -c "echo 165 >$SIM/m7_dirty"
echo clear >"$SIM/m7_log"
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "first boot over dirty memory: running, the M7 found .bss zero" \
	"$(boot_checked)" "running/ok/0/bss-zero-1"
expect_eq "every carveout has its device-tree node's base and size" "$(carveouts_vs_dt)" \
	"memory@80000000 base-ok size-ok;vdev0vring0@88000000 base-ok size-ok;vdev0vring1@88008000 base-ok size-ok;vdev1vring0@88010000 base-ok size-ok;vdev1vring1@88018000 base-ok size-ok;vdevbuffer@88020000 base-ok size-ok;"
if echo 1 >"$SIM/m7_dirty" 2>/dev/null; then
	ktap_fail "m7_dirty refused while the M7 runs (EBUSY)"
else
	ktap_ok "m7_dirty refused while the M7 runs (EBUSY)"
fi
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "stop: offline" "$(cat "$d/state")" offline
expect_eq "stop: no kick left sending (no 'still sending' warning)" \
	"$(dmesg | grep -c 'kick is still sending')" 0
sleep 1
expect_eq "stop: no crash reported in the 10 poll periods after it" \
	"$(cat "$d/state")/$(dmesg | grep -c "behind Linux's back")" offline/0

check "m7_dirty: filled with 0xff" sh -c "echo 255 >$SIM/m7_dirty"
echo clear >"$SIM/m7_log"
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "second boot over other dirt: running, .bss zero" \
	"$(boot_checked)" "running/ok/0/bss-zero-1"
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
drv_unload "$DRV"
expect_eq "no splat, no M7 fault or crash" \
	"$(dmesg | grep -cE 'BUG|WARNING|Oops|Call trace')/$(m7_stat faults)/$(m7_stat crashes)" 0/0/0
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Item 7 of "Beyond the C driver": the cm7 node names the role of each
# memory region in `memory-region-names` (the nodes are ipc-ring@...,
# ipc-buffers@..., ipc-table@..., ddr@...) and its firmware in
# `firmware-name`. The Rust driver finds the vrings, the rpmsg buffers and
# the resource-table region by those names and boots the named firmware by
# default; the C driver goes by node names only and ignores firmware-name.
# The fallback to node names without the property is in beyond.sh (the
# default board). Where the drivers differ, a test asserts what each one
# does and reports it ("# outcome: ...", compared by scripts/parity.py;
# tests/parity-exceptions.txt says why).

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 12

check "simulated board up" sim_up
check "the board has memory-region-names and firmware-name" \
	sh -c 'grep -q rsc-table /proc/device-tree/remoteproc-cm7/memory-region-names &&
		grep -q imx95-cm7-app.elf /proc/device-tree/remoteproc-cm7/firmware-name'
cp /lib/firmware/zephyr.elf /lib/firmware/imx95-cm7-app.elf

sim_set linux_lm 1
check "driver loads" drv_load "$DRV"
r=$(rproc_dir)
up() { wait_for "ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample" 10; }
outcome "the default firmware is the node's firmware-name" \
	"$(cat "$r/firmware")" imx95-cm7-app.elf rproc-remoteproc-cm7-fw
if _o=$(sh -c "echo start > $r/state" 2>&1); then _o=ok; else _o="fails: ${_o##*: }"; fi
outcome "start without choosing a firmware" "$_o" ok "fails: No such file or directory"
# The rest needs the M7 running the same image with either driver.
if [ "$(cat "$r/state")" != running ]; then
	echo imx95-cm7-app.elf >"$r/firmware"
	echo start >"$r/state"
fi
expect_eq "running imx95-cm7-app.elf" "$(cat "$r/state") $(cat "$r/firmware")" \
	"running imx95-cm7-app.elf"
# carveout NAME: "DMA-address length" of the carveout NAME.
carveout() {
	awk -v n="$1" '/Name:/ { hit = ($2 == n) }
		hit && /DMA address:/ { a = $3 }
		hit && /Length:/ { print a, $2; exit }' \
		"/sys/kernel/debug/remoteproc/$(basename "$r")/carveout_memories"
}
ktap_diag "carveouts: $(awk '/Name:/ { printf "%s ", $2 }' \
	"/sys/kernel/debug/remoteproc/$(basename "$r")/carveout_memories")"
# where NAME DMA LEN: where carveout NAME is: "the region" when at DMA+LEN.
where() {
	case $(carveout "$1") in
	"$2 $3") echo "the region" ;;
	"") echo "no carveout" ;;
	*) echo "allocated elsewhere" ;;
	esac
}
outcome "vring carveout vdev0vring0 is the region named vdev0vring0 (ipc-ring@88000000)" \
	"$(where vdev0vring0 0x0000000088000000 0x8000)" "the region" "allocated elsewhere"
outcome "vring carveout vdev1vring1 is the region named vdev1vring1 (ipc-ring@88018000)" \
	"$(where vdev1vring1 0x0000000088018000 0x8000)" "the region" "no carveout"
# The M7 publishes its table in the region named rsc-table and waits there
# for DRIVER_OK; rpmsg comes up only if Linux's live table is that region.
if up; then _o=up; else _o="not up"; fi
outcome "rpmsg up: the live resource table is the region named rsc-table" "$_o" up "not up"
echo stop >"$r/state"
expect_eq "stopped" "$(cat "$r/state")" offline
check "driver unloads" drv_unload "$DRV"
expect_eq "the M7 saw no protocol violation" "$(cat "$SIM/m7_violations")" 0
ktap_end

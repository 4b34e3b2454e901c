# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Firmware as it is really linked, on the board's device tree (with the
# rsc-table region at 0x88220000, as imx95-verdin.dtsi has it), against
# the driver named by imxrprocrs_driver= (DRV). No image here carries the
# simulation's manifest: the simulated M7 checks each PT_LOAD segment where
# its p_paddr says and runs Zephyr's openamp_rsc_table on the resource table
# at its linked address (tests/sim/fwimage.rs, tests/sim/m7.rs).
#
#   layout-*.elf    mkfw layouts (tools/mkfw/src/layouts.rs, which names
#                   the source of each layout), listed in layouts.tsv
#   zephyr-*.elf    firmware built from Zephyr v4.1.0 by others
#                   (shared/fixtures/zephyr/README.md), when the runner
#                   found them; each missing one is a skip with its reason
#   user.elf        FIRMWARE=/path/to/image.elf (make check-firmware)
#
# Expectations per image and driver are in the calls below, with why.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

# 3 + 5 per image: 9 layouts, 2 fixtures, the user's image if given; 1.
if [ -r /lib/firmware/user.elf ]; then ktap_begin 64; else ktap_begin 59; fi
echo "# driver under test: $DRV"
check "simulated MU + System Manager + M7 up" sim_up
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
check "$DRV driver bound" wait_for rproc_dir 5
check "modprobe rpmsg_client_sample" modprobe rpmsg_client_sample

# The common i.MX layout of issue 12: the table in a PT_LOAD of its own in
# the rsc-table region. Both drivers load it there and find it.
fw_try layout-ddr-rsc-region.elf rpmsg rpmsg
fw_try layout-ddr-rsc-region-extra-phdrs.elf rpmsg rpmsg
# A segment ending exactly at the end of m7_reserved (the C driver's own
# imx_rproc_da_to_va() compares with '<' and refuses it, then the core's
# carveout lookup in rproc_da_to_va() finds it in the m7_reserved carveout).
fw_try layout-ddr-bss-at-region-end.elf rpmsg rpmsg
# NXP's MCUXpresso SDK layout: vector table in .interrupts, the table at
# the start of the text, two vdevs with fixed vrings. The SDK's firmware
# copies its table to 0x88220000 at boot; the simulated M7 plays Zephyr's
# sample, which reads the table at its linked address: silent.
fw_try layout-ddr-mcux-sdk.elf silent silent
# Zephyr v4.1.0 reads its table at its own address; both drivers put the
# live table into the rsc-table region: the firmware never sees DRIVER_OK.
fw_try layout-ddr-table-in-data.elf silent silent
fw_try layout-ddr-no-table.elf idle idle
# QEMU virt has nothing at the TCMs' system addresses (0x203C0000,
# 0x20400000): both drivers write there and start the M7, which faults.
fw_try layout-tcm-rsc-region.elf tcm tcm
fw_try layout-tcm-table-in-ddr.elf tcm tcm
fw_try layout-tcm-no-table.elf tcm tcm
fw_fixture zephyr-openamp_rsc_table-m7_ddr.elf silent silent
fw_fixture zephyr-hello_world-m7.elf tcm tcm

# The user's image (make check-firmware FIRMWARE=...), held to
# FIRMWARE_EXPECT (default rpmsg, see fw_expect in sim.sh).
if [ -r /lib/firmware/user.elf ]; then
	want=$(cat /lib/firmware/user.expect 2>/dev/null || echo rpmsg)
	fw_try user.elf "$want" "$want"
fi

expect_eq "the M7 saw no protocol violation" "$(m7_stat violations)" 0
drv_unload "$DRV"
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The images of firmware.sh on a device tree without the rsc-table region
# (tests/dts/imx95-virtual-no-rsc-table.dtso): both drivers leave the live
# resource table at the address the image linked it to, which is where
# Zephyr v4.1.0 reads it, so Zephyr's own DDR build talks rpmsg here, and
# an image that links its table into the (now absent) rsc-table region
# cannot be loaded by either driver.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

# 3 + 5 per image: 3 layouts, 1 fixture; 1 at the end.
ktap_begin 24
echo "# driver under test: $DRV"
check "simulated MU + System Manager + M7 up" sim_up
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
check "$DRV driver bound" wait_for rproc_dir 5
check "modprobe rpmsg_client_sample" modprobe rpmsg_client_sample

# The table in its own segment at 0x88220000: no region maps that address
# now, so neither driver can load the segment.
fw_try layout-ddr-rsc-region.elf rejected rejected
# The table inside the data segment: the live table stays there.
fw_try layout-ddr-table-in-data.elf rpmsg rpmsg
fw_try layout-ddr-no-table.elf idle idle
fw_fixture zephyr-openamp_rsc_table-m7_ddr.elf rpmsg rpmsg
expect_eq "the M7 saw no protocol violation" "$(m7_stat violations)" 0
drv_unload "$DRV"
ktap_end

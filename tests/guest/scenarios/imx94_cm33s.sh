# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The i.MX94's M33S (fsl,imx94-cm33s) on the virtual board
# (tests/dts/imx94-virtual-cm33s.dtso), against the driver named by
# imxrprocrs_driver=: probe and rpmsg in LMM and CPU mode, the System
# Manager numbering the core CPU 0x8 in LM 0x1 as drivers/remoteproc/imx_rproc.c
# (imx_rproc_cfg_imx94_m33s: cpuid, lmid) says. See remote_core in
# tests/guest/sim.sh.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 22
echo "# driver under test: $DRV"
remote_core fsl,imx94-cm33s 0x8 0x1
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Taking the cm7 node over from the C driver, as a user whose kernel has
# imx_rproc loaded (or built in) does: driver_override, unbind, reprobe.
# And back again.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

dev=/sys/bus/platform/devices/remoteproc-cm7
ktap_begin 10

check "simulated SM up" sim_up
sim_set linux_lm 1
check "C driver binds first" sh -c 'modprobe imx_rproc && test -e /sys/bus/platform/drivers/imx-rproc/remoteproc-cm7'
check "insmod imx_rproc_rs while the C driver holds the node" insmod /modules/imx_rproc_rs.ko
check "the node stays with the C driver" test -e /sys/bus/platform/drivers/imx-rproc/remoteproc-cm7
check "driver_override names the Rust driver" sh -c "echo imx_rproc_rs > $dev/driver_override"
check "unbind from the C driver" sh -c 'echo remoteproc-cm7 > /sys/bus/platform/drivers/imx-rproc/unbind'
check "reprobe binds the Rust driver" sh -c "echo remoteproc-cm7 > /sys/bus/platform/drivers_probe && test -e /sys/bus/platform/drivers/imx_rproc_rs/remoteproc-cm7"
expect_eq "remoteproc registered by the Rust driver" "$(rproc_view)" \
	"name=remoteproc-cm7 state=offline firmware=rproc-remoteproc-cm7-fw recovery=enabled coredump=disabled"
check "and back: clear the override, unbind, reprobe" sh -c "echo > $dev/driver_override && echo remoteproc-cm7 > /sys/bus/platform/drivers/imx_rproc_rs/unbind && echo remoteproc-cm7 > /sys/bus/platform/drivers_probe"
check "the C driver has it again" test -e /sys/bus/platform/drivers/imx-rproc/remoteproc-cm7
ktap_end

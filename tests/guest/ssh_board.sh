# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The init of the virtual board that the SSH target reaches
# (tests/host/ssh_target.py VirtualBoard): booted by scripts/run-qemu.sh
# as its --script, with --ssh PORT (a NIC on QEMU's user network, the host's
# 127.0.0.1:PORT forwarded to port 22 here), dropbear from the bootstrap's
# cache (scripts/bootstrap.sh fetch_dropbear) and the host's public key as
# /board/authorized_keys. It does what a real board's boot does before
# anyone logs in: brings up its hardware, here the simulated MU and System
# Manager (imx95_sim.ko, the board's "silicon": loaded by this init, not
# by the SSH target, which treats the board as given), and starts an SSH
# server. Then it waits until /tmp/.board-off exists (the virtual board's
# power switch: the host touches it over SSH) and returns, and run-qemu.sh's
# init powers the guest off.

. /lib.sh
. /sim.sh

mkdir -p /etc/dropbear /root/.ssh /dev/pts
mount -t devpts devpts /dev/pts
echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd
echo 'root:x:0:' >/etc/group
echo /bin/sh >/etc/shells
cp /board/authorized_keys /root/.ssh/authorized_keys
chmod 700 /root /root/.ssh
chmod 600 /root/.ssh/authorized_keys

# QEMU's user network: the guest is 10.0.2.15 (QEMU's default for it,
# docs/system/devices/net.rst of QEMU); nothing but the forwarded port
# reaches it, and restrict=on lets it reach nothing.
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up

# The board's hardware.
if [ -e /modules/imx95_sim.ko ]; then
	sim_up || echo "board: the simulated MU + System Manager did not come up"
fi

# -R: host keys (ed25519 among them) made at the first connection; -s: no
# password logins, the key only; -E: its log on the console.
/usr/sbin/dropbear -R -s -E -p 22 -P /tmp/dropbear.pid || {
	echo "board: dropbear did not start"
	exit 1
}
echo "IMXRPROCRS-BOARD-READY"
while [ ! -e /tmp/.board-off ]; do
	sleep 0.2
done
echo "board: powering off"
kill "$(cat /tmp/dropbear.pid)" 2>/dev/null
exit 0

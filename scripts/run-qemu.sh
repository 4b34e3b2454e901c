#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots the "virtual i.MX95" (QEMU virt + dts/imx95-virtual.dtso) with an
# initramfs built on the fly, runs a guest test script and returns its exit
# status. See usage() below.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QEMU=${QEMU:-qemu-system-aarch64}
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}

# The machine. The DTB is dumped with exactly these options, then the
# overlay is applied and the result is booted with the same options.
qemu_machine=virt
qemu_opts=(-cpu cortex-a57 -smp 2 -m 2G -nographic)
# QEMU_EXTRA_OPTS: more options for QEMU, split on blanks (scripts/bench.sh
# --icount passes -icount this way).
# shellcheck disable=SC2206
[ -n "${QEMU_EXTRA_OPTS:-}" ] && qemu_opts+=($QEMU_EXTRA_OPTS)

usage() {
	cat <<EOF
Usage: scripts/run-qemu.sh [--kdir DIR] [--module FILE.ko]...
                           [--file HOSTPATH:GUESTPATH]... [--script GUEST_SCRIPT]
                           [--timeout SECONDS] [--append KERNEL_ARGS]
                           [--interactive] [--log FILE] [--dtso FILE]
                           [--vm7 BINARY] [--ssh PORT]

Boots the virtual i.MX95 (QEMU virt + dts/imx95-virtual.dtso) and runs a
guest script in it.

  --kdir DIR          built kernel tree (default: KDIR from
                      'scripts/bootstrap.sh --print-env')
  --module FILE.ko    copy a module to /modules/ in the guest (repeatable)
  --file HOST:GUEST   copy a file or directory to GUEST (absolute) in the
                      guest, e.g. fw.elf:/lib/firmware/imx95-m7.elf (repeatable)
  --script FILE       guest script, run as 'sh /test.sh'
                      (default: tests/guest/scenarios/smoke.sh); tests/guest/lib.sh is
                      at /lib.sh, tests/guest/sim.sh at /sim.sh
  --timeout SECONDS   kill QEMU after this long (default: 300; 0 = none)
  --append ARGS       extra kernel command line arguments
  --interactive       give a shell on the console instead of running the
                      script (no timeout unless --timeout is given;
                      Ctrl-A x quits QEMU)
  --log FILE          also write the console output to FILE
  --dtso FILE         the board's overlay instead of dts/imx95-virtual.dtso
                      (a variant, e.g. one that /include/s it and changes a
                      node; tests/dts/)
  --vm7 BINARY        the M7 is vm7 (tools/vm7, board mode), executing what
                      the driver loaded: the guest's RAM is a shared file
                      (memory-backend-file,share=on, in /dev/shm when it
                      exists) that BINARY --board maps; needs an overlay
                      with the link page (tests/dts/imx95-virtual-vm7.dtso).
                      The M7's console goes to LOG.m7-console (--log) and
                      vm7's own messages to LOG.vm7
  --ssh PORT          a virtio-mmio NIC on QEMU's user network (restrict=on:
                      the guest reaches nothing outside QEMU), with
                      127.0.0.1:PORT on the host forwarded to the guest's
                      port 22 (the virtual board of the SSH target:
                      tests/guest/ssh_board.sh as --script starts dropbear)
  -h, --help          this text

The guest has busybox, /lib/modules/<release>/ from the kernel tree
(modprobe imx_rproc, modprobe rpmsg_client_sample), /bin/rpmsg_tool when
tests/guest/tools/rpmsg_tool is built (make tests-tools) and proc, sysfs,
devtmpfs, debugfs and /tmp mounted.

Exit status: the guest script's; 124 if QEMU timed out; 2 if the kernel
reported an oops, BUG, WARNING, panic, lockdep or might_sleep splat (even
when the script passed); 125 if the guest ended without reporting a
status (crash) or the runner itself failed.
EOF
}

die() {
	echo "runner: error: $*" >&2
	exit 125
}

# ------------------------------------------------------------ arguments
kdir=${KDIR:-}
busybox=${BUSYBOX:-}
modules=()
files=()
script=$here/tests/guest/scenarios/smoke.sh
timeout_s=
append=
interactive=
log=
dtso=$here/dts/imx95-virtual.dtso
vm7=
ssh_port=

need_arg() {
	[ "$2" -ge 2 ] || die "$1 needs an argument (see --help)"
}

while [ $# -gt 0 ]; do
	case $1 in
	--kdir) need_arg "$1" $# && kdir=$2 && shift 2 ;;
	--module) need_arg "$1" $# && modules+=("$2") && shift 2 ;;
	--file) need_arg "$1" $# && files+=("$2") && shift 2 ;;
	--script) need_arg "$1" $# && script=$2 && shift 2 ;;
	--timeout) need_arg "$1" $# && timeout_s=$2 && shift 2 ;;
	--append) need_arg "$1" $# && append=$2 && shift 2 ;;
	--interactive) interactive=1 && shift ;;
	--log) need_arg "$1" $# && log=$2 && shift 2 ;;
	--dtso) need_arg "$1" $# && dtso=$2 && shift 2 ;;
	--vm7) need_arg "$1" $# && vm7=$2 && shift 2 ;;
	--ssh) need_arg "$1" $# && ssh_port=$2 && shift 2 ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		die "unknown argument '$1'"
		;;
	esac
done

if [ -z "$timeout_s" ]; then
	if [ -n "$interactive" ]; then timeout_s=0; else timeout_s=300; fi
fi
case $timeout_s in
'' | *[!0-9]*) die "--timeout wants a whole number of seconds, got '$timeout_s'" ;;
esac

# KDIR and BUSYBOX from the bootstrap's environment file, unless given.
if [ -z "$kdir" ] || [ -z "$busybox" ]; then
	env_out=$(bash "$here/scripts/bootstrap.sh" --print-env) ||
		die "no kernel tree: run scripts/bootstrap.sh (or pass --kdir)"
	while IFS= read -r line; do
		case $line in
		KDIR=*) [ -n "$kdir" ] || kdir=${line#KDIR=} ;;
		BUSYBOX=*) [ -n "$busybox" ] || busybox=${line#BUSYBOX=} ;;
		esac
	done <<<"$env_out"
fi

image=$kdir/arch/arm64/boot/Image
[ -f "$image" ] || die "no kernel image at $image"
[ -f "$kdir/include/config/kernel.release" ] || die "$kdir is not a built kernel tree"
[ -x "$busybox" ] || die "no busybox at '$busybox'"
[ -f "$script" ] || die "no guest script '$script'"
[ -f "$dtso" ] || die "no overlay '$dtso'"
for m in ${modules[@]+"${modules[@]}"}; do
	[ -f "$m" ] || die "no module '$m'"
done
for f in ${files[@]+"${files[@]}"}; do
	case $f in
	*:/*) [ -e "${f%:*}" ] || die "--file: no '${f%:*}'" ;;
	*) die "--file wants HOSTPATH:/GUEST/PATH, got '$f'" ;;
	esac
done
[ -z "$vm7" ] || [ -x "$vm7" ] || die "--vm7: no executable '$vm7'"
case $ssh_port in
'') ;;
*[!0-9]*) die "--ssh wants a port number, got '$ssh_port'" ;;
*) qemu_opts+=(-device "virtio-net-device,netdev=n0"
	-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$ssh_port-:22") ;;
esac
for tool in "$QEMU" dtc fdtoverlay cpio gzip; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/bootstrap.sh)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/imxrprocrs-qemu.XXXXXX")
vm7_pid=
vm7_ram=
vm7_tcm=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$vm7_pid" ]; then
		kill "$vm7_pid" 2>/dev/null
		wait "$vm7_pid" 2>/dev/null
	fi
	[ -z "$vm7_ram" ] || rm -f "$vm7_ram"
	[ -z "$vm7_tcm" ] || rm -f "$vm7_tcm"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ -n "$log" ] || log=$work/console.log
: >"$log"

start=$SECONDS

# ------------------------------------------------------------ vm7 (board mode)
# The guest's RAM as a shared file that vm7 maps (offset = guest PA -
# 0x40000000), so the M7 runs the bytes the driver wrote. Same size as -m.
if [ -n "$vm7" ]; then
	ramdir=$work
	[ -d /dev/shm ] && [ -w /dev/shm ] && ramdir=/dev/shm
	vm7_ram=$(mktemp "$ramdir/imxrprocrs-ram.XXXXXX")
	truncate -s 2G "$vm7_ram"
	qemu_machine=virt,memory-backend=ram0
	qemu_opts+=(-object "memory-backend-file,id=ram0,size=2G,mem-path=$vm7_ram,share=on")
	# The TCM window: 8 MiB of shared memory behind PCI device 00:02.0,
	# whose BAR the guest's simulator places at 0x20000000, under the TCM
	# aliases 0x203C0000/0x20400000 (tests/dts/imx95-virtual-vm7.dtso).
	vm7_tcm=$(mktemp "$ramdir/imxrprocrs-tcm.XXXXXX")
	truncate -s 8M "$vm7_tcm"
	qemu_opts+=(-object "memory-backend-file,id=tcm0,size=8M,mem-path=$vm7_tcm,share=on"
		-device "ivshmem-plain,memdev=tcm0,addr=0x2")
fi

# ------------------------------------------------------------ device tree
"$QEMU" -M "$qemu_machine,dumpdtb=$work/virt.dtb" "${qemu_opts[@]}" \
	>"$work/dumpdtb.log" 2>&1 </dev/null ||
	{ cat "$work/dumpdtb.log" >&2; die "could not dump QEMU's DTB"; }
dtc -@ -I dts -O dtb -o "$work/imx95-virtual.dtbo" "$dtso" ||
	die "dtc failed on $dtso"
fdtoverlay -i "$work/virt.dtb" -o "$work/imx95-virtual.dtb" "$work/imx95-virtual.dtbo" ||
	die "fdtoverlay could not apply $dtso"

# ------------------------------------------------------------ initramfs
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,modules,lib/firmware}
cp "$busybox" "$root/bin/busybox"
# The kernel's built-in initramfs has /dev/console too; this one is for
# kernels without it. Needs root, which the tests run as.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

release=$(cat "$kdir/include/config/kernel.release")
make -C "$kdir" ARCH=arm64 CROSS_COMPILE="$CROSS_COMPILE" \
	INSTALL_MOD_PATH="$root" modules_install >"$work/modules_install.log" 2>&1 ||
	{ cat "$work/modules_install.log" >&2; die "modules_install failed"; }
[ -f "$root/lib/modules/$release/modules.dep" ] || die "modules_install left no modules.dep"
# Links back into the build tree, useless (and dangling) in the guest.
rm -f "$root/lib/modules/$release/build" "$root/lib/modules/$release/source"

for m in ${modules[@]+"${modules[@]}"}; do
	cp "$m" "$root/modules/"
done
for f in ${files[@]+"${files[@]}"}; do
	host=${f%:*} guest=${f##*:}
	mkdir -p "$root$(dirname "$guest")"
	cp -r "$host" "$root$guest"
done
cp "$script" "$root/test.sh"
cp "$here/tests/guest/lib.sh" "$root/lib.sh"
cp "$here/tests/guest/sim.sh" "$root/sim.sh"
# The guest's rpmsg tool, when built (make tests-tools).
if [ -x "$here/tests/guest/tools/rpmsg_tool" ]; then
	cp "$here/tests/guest/tools/rpmsg_tool" "$root/bin/rpmsg_tool"
fi
# The fault-injection helper of faults.sh, when built (make tests-tools).
if [ -x "$here/tests/guest/tools/failnth" ]; then
	cp "$here/tests/guest/tools/failnth" "$root/bin/failnth"
fi

cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/ TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
cd /
echo IMXRPROCRS-BOOTED
if [ -n "$interactive" ]; then
	echo "interactive shell: /test.sh is the test script; 'poweroff -f' or Ctrl-A x to quit"
	setsid cttyhack sh -l
	rc=\$?
else
	# The script's output goes to the console as it runs (where kernel
	# messages may interleave with it) and to a file that is printed again
	# at the end, kernel messages off, between markers: parsers read that
	# copy, so a kernel line can never split or hide a test result.
	( sh /test.sh; echo \$? >/tmp/.rc ) 2>&1 | tee /tmp/.out
	rc=\$(cat /tmp/.rc 2>/dev/null || echo 125)
	dmesg -n 1
	echo IMXRPROCRS-RESULTS-BEGIN
	cat /tmp/.out
	echo IMXRPROCRS-RESULTS-END
fi
echo "IMXRPROCRS-EXIT \$rc"
poweroff -f
EOF
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) |
	gzip -1 >"$work/initramfs.cpio.gz"

# ------------------------------------------------------------ boot
# kunit.enable=1 kunit.autorun=1: KUnit suites of loaded modules run at insmod (KTAP in the log).
cmdline="console=ttyAMA0 panic=-1 kunit.enable=1 kunit.autorun=1${append:+ $append}"
qemu_cmd=("$QEMU" -M "$qemu_machine" "${qemu_opts[@]}" -no-reboot
	-kernel "$image" -initrd "$work/initramfs.cpio.gz"
	-dtb "$work/imx95-virtual.dtb" -append "$cmdline")
echo "runner: kernel $release, $(du -k "$work/initramfs.cpio.gz" | cut -f1) KiB initramfs," \
	"set up in $((SECONDS - start)) s"

if [ -n "$vm7" ]; then
	: >"$log.m7-console"
	"$vm7" --board "$vm7_ram" --tcm "$vm7_tcm" --console "$log.m7-console" >"$log.vm7" 2>&1 &
	vm7_pid=$!
	echo "runner: vm7 (pid $vm7_pid) maps the guest RAM $vm7_ram; M7 console in $log.m7-console"
fi

set +e
if [ -n "$interactive" ]; then
	# QEMU needs the terminal: keep it in the foreground process group.
	if [ "$timeout_s" -gt 0 ]; then
		timeout --foreground "$timeout_s" "${qemu_cmd[@]}" 2>&1 | tee "$log"
	else
		"${qemu_cmd[@]}" 2>&1 | tee "$log"
	fi
else
	timeout --kill-after=10 "$timeout_s" "${qemu_cmd[@]}" </dev/null 2>&1 | tee "$log"
fi
qemu_rc=${PIPESTATUS[0]}
set -e
if [ -n "$vm7_pid" ]; then
	kill "$vm7_pid" 2>/dev/null || true
	wait "$vm7_pid" 2>/dev/null || true
	vm7_pid=
	tail -n 3 "$log.vm7" | sed 's/^/runner: /'
fi

# ------------------------------------------------------------ verdict
# Kernel reports that fail a run whatever the script said. Matched only on
# printk lines (CONFIG_PRINTK_TIME: "[   12.345678] ..."), anywhere in the
# line, since console output of the guest script can precede it unterminated.
splat_patterns=(
	'Internal error: Oops'
	'Oops'
	'BUG:'
	'kernel BUG at'
	'WARNING:'
	'Unable to handle kernel'
	'Kernel panic'
	'possible circular locking'
	'sleeping function called from invalid context'
	'UBSAN:'
	'self-detected stall'
	'detected stalls on CPUs'
	'blocked for more than [0-9]+ seconds'
	'suspected memory leak'
	# lockdep's report of a lock it cannot track (it turns itself off)
	'trying to register non-static key'
	# RCU: the forms above, and the stall of rcu_tasks or a CSD lock
	'detected stall'
)

# kernel_splats LOG: prints the offending console lines, one each.
kernel_splats() {
	local re
	re=$(
		IFS='|'
		echo "${splat_patterns[*]}"
	)
	tr -d '\r' <"$1" | grep -aE "\[ *[0-9]+\.[0-9]+\] .*($re)" || true
}

elapsed=$((SECONDS - start))
splats=$(kernel_splats "$log")
if [ -n "$splats" ]; then
	while IFS= read -r line; do
		echo "runner: kernel reported: $line"
	done <<<"$splats"
fi

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	echo "runner: TIMEOUT: the guest did not finish within $timeout_s s, QEMU killed (${elapsed} s)"
	exit 124
fi

guest_rc=$(tr -d '\r' <"$log" | { grep -aoE 'IMXRPROCRS-EXIT [0-9]+' || true; } |
	tail -n 1 | cut -d' ' -f2)

if [ -n "$splats" ]; then
	echo "runner: FAIL: kernel splat (guest status ${guest_rc:-none}), exit 2 (${elapsed} s)"
	exit 2
fi
if [ -z "$guest_rc" ] && [ -n "$interactive" ]; then
	echo "runner: interactive session ended, QEMU status $qemu_rc (${elapsed} s)"
	exit "$qemu_rc"
fi
if [ -z "$guest_rc" ]; then
	echo "runner: FAIL: the guest ended without IMXRPROCRS-EXIT (crash or panic?)," \
		"QEMU status $qemu_rc (${elapsed} s)"
	exit 125
fi
echo "runner: guest script exit status $guest_rc (${elapsed} s)"
exit "$guest_rc"

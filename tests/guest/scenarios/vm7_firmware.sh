# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The real firmware on the executing virtual M7 (issue 17, board mode): the
# runner starts vm7 (tools/vm7) with the guest's RAM shared
# (scripts/run-qemu.sh --vm7, scenarios.toml needs "vm7") and the overlay
# tests/dts/imx95-virtual-vm7.dtso gives MU7 the link page, so the M7 the
# System Manager starts is vm7, reset at the vector the driver set, running
# the bytes the driver DRV wrote (no copy of the ELF file). Its LPUART3
# console shows in the kernel log as "vm7: m7: LINE".
#
#   zephyr-openamp_rsc_table-m7_ddr.elf  Zephyr v4.1.0's openamp_rsc_table
#       (shared/fixtures/zephyr/README.md): banner, then its own
#       name-service announcements of rpmsg-client-sample and rpmsg-tty
#       (samples/subsys/ipc/openamp_rsc_table/src/main_remote.c), the
#       kernel's rpmsg_client_sample's 100 round trips and goodbye, an echo
#       on /dev/ttyRPMSG*; stopped and started again.
#   zephyr-hello_world-m7.elf  Zephyr v4.1.0's hello_world, linked into the
#       TCMs (.data's load address in ITCM, its address in DTCM): the
#       drivers write it through the TCM aliases 0x203C0000/0x20400000,
#       which the overlay's TCM window backs; it prints its greeting.
#
# Without vm7 on the link page (no binary: make tests-vm7 failed) or a
# fixture, the tests are skipped, saying why.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

# vm7_stat NAME: one line of the link's counters (vm7_stats).
vm7_stat() {
	awk -v k="$1" '$1 == k { print $2; exit }' "$SIM/vm7_stats"
}

# yes_no YES NO CMD...: YES if CMD succeeds, else NO.
yes_no() {
	_y=$1 _n=$2
	shift 2
	if "$@" >/dev/null 2>&1; then echo "$_y"; else echo "$_n"; fi
}

# log_mark: a mark in the kernel log, written right before an action whose
# effects are then counted from it (since_mark). The firmware's console
# fills the kernel's 128 KiB ring (CONFIG_LOG_BUF_SHIFT=17) within a few
# boots, so a count over the whole log drops as the oldest lines go; from a
# mark set just before, what is counted is in the ring. A mark that was
# overwritten after all counts nothing, which fails the test: never a pass.
LOG_MARK=0
log_mark() {
	LOG_MARK=$((LOG_MARK + 1))
	echo "vm7_firmware: mark $LOG_MARK" >/dev/kmsg
}

# since_mark PATTERN N: at least N kernel log lines after the last mark
# match PATTERN (grep's basic regular expression).
since_mark() {
	[ "$(dmesg | sed -n "/vm7_firmware: mark $LOG_MARK\$/,\$p" | grep -c "$1")" -ge "$2" ]
}

# banner: a Zephyr banner from vm7 since the last mark.
BANNER='vm7: m7: \*\*\* Booting Zephyr OS build 4.1.0 \*\*\*'
banner() {
	since_mark "$BANNER" 1
}

# vm7_rpmsg: "yes" when, since the last mark, the firmware's own
# name-service announcements created rpmsg-client-sample and rpmsg-tty, the
# kernel's rpmsg_client_sample finished its 100 round trips (its goodbye) and
# the sample's rpmsg-tty answers an echo as main_remote.c formats it,
# "TTY 0x%04x: " and the message, with the firmware's endpoint address
# (the format string is in the image: strings(1) shows it) on one of the
# two rpmsg-tty channels (the other is the shell's rpmsg backend, which
# answers with its prompt); else what was missing.
vm7_rpmsg() {
	wait_for "since_mark 'creating channel rpmsg-client-sample' 1" 30 || {
		echo "no-channel"
		return
	}
	wait_for "since_mark 'creating channel rpmsg-tty' 2" 10 || {
		echo "no-tty-channels"
		return
	}
	wait_for "since_mark 'rpmsg_client_sample.*goodbye!' 1" 60 || {
		echo "no-goodbye"
		return
	}
	# Each tty's reply; the sample's answers with its own address.
	_seen=''
	for _t in /sys/class/tty/ttyRPMSG*; do
		[ -r "$_t/device/dst" ] || continue
		_want=$(printf 'TTY 0x%04x: hello' "$(($(cat "$_t/device/dst")))")
		_got=$(rpmsg_tool tty "/dev/${_t##*/}" hello 2>&1 | tr -d '\033')
		[ "$_got" = "$_want" ] && {
			echo yes
			return
		}
		_seen="$_seen ${_t##*/}:'$_got'"
	done
	echo "no-tty-echo($_seen)"
}

# le FILE OFFSET N: the N-byte little-endian number at OFFSET of FILE, in hex.
le() {
	od -An -tx1 -j "$2" -N "$3" "$1" |
		awk '{ for (i = NF; i > 0; i--) s = s $i } END { print s }'
}

# core_stack: what the newest devcoredump holds at the M7's stack of its
# last fault: "the words vm7 saw" when the 8 words there equal the 8 words
# vm7 read there when the core faulted and they are an exception frame;
# else what was missing or differs. vm7's fault text (since the last mark)
# ends "; psp 0xADDR: W0 ... W7" (tools/vm7/src/board.rs, Machine::
# stack_top): for a fault entering an exception, the stack its EXC_RETURN
# names (a Zephyr thread's PSP) and the frame the core stacked there:
# r0-r3, r12, lr, return address, xPSR, whose bit 24 (T) is always set on
# a Thumb-only core (ARMv7-M ARM B1.5.6). The dump is the remoteproc core's ELF32 (rproc_coredump() in
# drivers/remoteproc/remoteproc_coredump.c: one PT_LOAD per segment the
# driver added, p_paddr its device address); Elf32_Ehdr e_phoff at 28,
# e_phnum at 44, Elf32_Phdr p_type 0, p_offset 4, p_paddr 12, p_filesz 16
# (include/uapi/linux/elf.h).
core_stack() {
	_cs_f=$(dmesg | sed -n "/vm7_firmware: mark $LOG_MARK\$/,\$p" |
		sed -n 's/.*vm7: the M7 faulted: .*; [mp]*sp \(0x[0-9a-f]*\): \([0-9a-f ]*\)$/\1 \2/p' | tail -n 1)
	if [ -z "$_cs_f" ]; then
		echo "no stack in vm7's fault text"
		return
	fi
	if ! wait_for "ls /sys/class/devcoredump/ 2>/dev/null | grep -q devcd" 10; then
		echo "no core"
		return
	fi
	for _cs_d in /sys/class/devcoredump/devcd*; do :; done
	cat "$_cs_d/data" >/tmp/core
	echo 1 >"$_cs_d/data"
	# shellcheck disable=SC2086 # split: SP, then the 8 words
	set -- $_cs_f
	_cs_sp=$(($1))
	shift
	_cs_phoff=$((0x$(le /tmp/core 28 4))) _cs_n=$((0x$(le /tmp/core 44 2))) _cs_i=0 _cs_at=
	while [ "$_cs_i" -lt "$_cs_n" ]; do
		_cs_o=$((_cs_phoff + _cs_i * 32))
		_cs_pa=$((0x$(le /tmp/core $((_cs_o + 12)) 4)))
		_cs_sz=$((0x$(le /tmp/core $((_cs_o + 16)) 4)))
		if [ $((0x$(le /tmp/core "$_cs_o" 4))) -eq 1 ] && [ "$_cs_sp" -ge "$_cs_pa" ] &&
			[ $((_cs_sp + 32)) -le $((_cs_pa + _cs_sz)) ]; then
			_cs_at=$((0x$(le /tmp/core $((_cs_o + 4)) 4) + _cs_sp - _cs_pa))
			_cs_seg="segment $_cs_i (p_paddr $(printf '%#x' "$_cs_pa"))"
			break
		fi
		_cs_i=$((_cs_i + 1))
	done
	if [ -z "$_cs_at" ]; then
		echo "no segment holds sp $(printf '%#x' "$_cs_sp")"
		rm -f /tmp/core
		return
	fi
	_cs_got=
	_cs_i=0
	while [ "$_cs_i" -lt 8 ]; do
		_cs_got="$_cs_got $(le /tmp/core $((_cs_at + 4 * _cs_i)) 4)"
		_cs_i=$((_cs_i + 1))
	done
	rm -f /tmp/core
	_cs_got=${_cs_got# }
	echo "# vm7 at the fault: sp $(printf '%#x' "$_cs_sp"): $*; the core's $_cs_seg of $_cs_n: $_cs_got" >&2
	if [ $((0x$8 & 0x01000000)) -eq 0 ]; then
		echo "not an exception frame (stacked xPSR $8 without T)"
	elif [ "$_cs_got" = "$*" ]; then
		echo "the words vm7 saw"
	else
		echo "differs: the core has '$_cs_got', vm7 saw '$*'"
	fi
}

OPENAMP=zephyr-openamp_rsc_table-m7_ddr.elf
N_OPENAMP=15
HELLO=zephyr-hello_world-m7.elf
N_HELLO=3
N_ATTACH=4
ktap_begin $((4 + N_OPENAMP + N_HELLO + 2 + N_ATTACH))
echo "# driver under test: $DRV"
check "simulated MU + System Manager up" sim_up
if [ "$(vm7_stat present)" != 1 ]; then
	echo "# vm7_stats: $(tr '\n' ' ' <"$SIM/vm7_stats")"
	ktap_skip_n $((KTAP_PLAN - 1)) "vm7 test" "no vm7 on the link page (runner without --vm7: make tests-vm7 failed?)"
	ktap_end
	exit $?
fi
ktap_ok "vm7 is on the link page"
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
check "$DRV driver bound" wait_for rproc_dir 5
check "modprobe rpmsg_client_sample" modprobe rpmsg_client_sample
d=$(rproc_dir)

if [ -r "/lib/firmware/$OPENAMP" ]; then
	echo "$OPENAMP" >"$d/firmware"
	log_mark
	echo start >"$d/state"
	expect_eq "openamp: echo start > state" "$(cat "$d/state")" running
	check "openamp: the firmware's banner in the guest log (vm7's LPUART3)" \
		wait_for banner 30
	check "openamp: the sample's own start line" \
		wait_for "since_mark 'vm7: m7: .*OpenAMP\[remote\] Linux responder demo started' 1" 20
	expect_eq "openamp: channels from its NS announcements, rpmsg_client_sample's goodbye, tty echo" \
		"$(vm7_rpmsg)" yes
	dmesg | grep -E 'vm7|rpmsg|remoteproc' | tail -n 12 | sed 's/^/# /'
	echo stop >"$d/state"
	check "openamp: stopped, vm7 off" sh -c \
		"[ \"\$(cat $d/state)\" = offline ] && [ \"\$(awk '\$1 == \"state\" { print \$2 }' $SIM/vm7_stats)\" = 0 ]"
	log_mark
	echo start >"$d/state"
	expect_eq "openamp: started again" "$(cat "$d/state")" running
	check "openamp: a second banner" wait_for banner 30
	expect_eq "openamp: the channels come up again, goodbye again" "$(vm7_rpmsg)" yes
	# Counted on both sides of the link: every MU7 word Linux sent reached
	# vm7's B side, every word the firmware wrote reached Linux's side.
	check "openamp: MU7 words counted both ways, none lost" sh -c \
		"[ $(vm7_stat to_m7) -gt 0 ] && [ $(vm7_stat to_m7) = $(vm7_stat m7_took) ] &&
		 [ $(vm7_stat to_linux) -gt 0 ] &&
		 [ $(($(vm7_stat to_linux) + $(vm7_stat doorbells_to_linux))) = $(vm7_stat m7_posted) ]"
	sed 's/^/# vm7_stats: /' "$SIM/vm7_stats"
	# A crash of the real firmware: a stray write breaks its SysTick vector
	# (exception 15, word 15 of the vector table rom_start at 0x80000000,
	# where Zephyr points VTOR; ARMv7-M ARM B1.5.3) to an address where
	# nothing is mapped, so the core faults at its next tick. The Rust
	# driver's crash detection polls the System Manager, which reports the
	# faulted M7 stopped, and recovers it; the C driver has no such poll.
	# The recovery writes a coredump first (rproc_boot_recovery()), once
	# enabled; none is left from before.
	echo enabled >"$d/coredump"
	for _c in /sys/class/devcoredump/devcd*; do [ -e "$_c/data" ] && echo 1 >"$_c/data"; done
	log_mark
	echo "0x8000003c 0x10000001" >"$SIM/vm7_poke"
	check "crash: the firmware faults on its broken SysTick vector (vm7)" \
		wait_for "since_mark 'vm7: the M7 faulted' 1" 10
	outcome "crash: detected through the SM and reported" \
		"$(yes_no reported "not detected" wait_for "since_mark 'crash detected in remoteproc-cm7' 1" 10)" \
		reported "not detected"
	outcome "crash: recovered, the firmware booted again (a third banner)" \
		"$(yes_no "booted again" "not booted again" wait_for banner 30)" \
		"booted again" "not booted again"
	outcome "crash: its channels announced anew" \
		"$(yes_no "created anew" "no new channel" wait_for "since_mark 'creating channel rpmsg-client-sample' 1" 30)" \
		"created anew" "no new channel"
	# The Rust driver adds m7_reserved (DDR, where this image's stacks lie)
	# and the vrings as coredump segments and sets the ELF class; the C
	# driver adds the carveouts but never sets the class, and without
	# crash detection never recovers here: no core.
	outcome "crash: the coredump holds the M7's stack as vm7 saw it at the fault" \
		"$(core_stack)" "the words vm7 saw" "no core"
	echo stop >"$d/state"
	expect_eq "openamp: stopped again" "$(cat "$d/state")" offline
else
	ktap_skip_n $N_OPENAMP "openamp test" "fixture $OPENAMP not found by the runner (IMX_RPROC_RS_FIXTURES)"
fi

if [ -r "/lib/firmware/$HELLO" ]; then
	echo "$HELLO" >"$d/firmware"
	log_mark
	echo start >"$d/state"
	expect_eq "hello_world (TCM): echo start > state" "$(cat "$d/state")" running
	# samples/hello_world/src/main.c prints "Hello World! %s" with CONFIG_BOARD_TARGET.
	check "hello_world (TCM): its greeting in the guest log" \
		wait_for "since_mark 'vm7: m7: Hello World! imx95_evk/mimx9596/m7\$' 1" 30
	dmesg | grep 'vm7' | tail -n 4 | sed 's/^/# /'
	echo stop >"$d/state"
	expect_eq "hello_world (TCM): stopped" "$(cat "$d/state")" offline
else
	ktap_skip_n $N_HELLO "hello_world test" "fixture $HELLO not found by the runner (IMX_RPROC_RS_FIXTURES)"
fi

check "the M7 is off after the last stop" sh -c "[ \"\$(cat $SIM/m7_running)\" = 0 ]"
drv_unload "$DRV"
if rproc_dir >/dev/null; then
	ktap_fail "$DRV driver unloaded" "a remoteproc device is left: $(rproc_dir)"
else
	ktap_ok "$DRV driver unloaded"
fi

# Attach to an M7 started before Linux: m7_boot loads the image as U-Boot's
# bootaux would (tests/sim/preboot.rs) and the System Manager starts vm7 at
# its vector; the driver loaded afterwards finds it running and attaches,
# without restarting it.
if [ -r "/lib/firmware/$OPENAMP" ]; then
	starts=$(vm7_stat starts)
	log_mark
	check "attach: m7_boot pre-boots $OPENAMP (bootaux)" sh -c "echo $OPENAMP > $SIM/m7_boot"
	check "attach: its banner before any driver is loaded" wait_for banner 30
	drv_load "$DRV"
	wait_for "d=\$(rproc_dir) && grep -qx attached \$d/state" 10
	expect_eq "attach: the driver attached" "$(cat "$(rproc_dir)/state" 2>/dev/null)" attached
	expect_eq "attach: vm7 not restarted by the driver" "$(vm7_stat starts)" $((starts + 1))
	drv_unload "$DRV"
	sim_set m7_running 0
else
	ktap_skip_n $N_ATTACH "attach test" "fixture $OPENAMP not found by the runner (IMX_RPROC_RS_FIXTURES)"
fi
ktap_end

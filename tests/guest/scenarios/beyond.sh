# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What imx_rproc_rs does beyond the upstream C imx_rproc, shown on the
# virtual i.MX95 (Documentation/user-guide.rst, "Beyond the C driver"):
# detach and re-attach, detach instead of stop on rmmod, crash detection
# through the System Manager with recovery, a coredump that is written,
# LMM power-down after a failed boot, graceful LMM stop and its forceful
# fallback, the rxdb ready handshake and its timeout (CPU and LMM mode), one mapping per region, the node-name
# fallback for region names, the diagnostics file.
#
# Runs against both drivers. A test where they differ (outcome below)
# asserts what each driver actually does and reports it on its row
# ("# outcome: ..."), which scripts/parity.py compares between the two runs;
# tests/parity-exceptions.txt lists each such difference with its reason.
# The region-names half of item 7 needs another device tree: region_names.sh.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 68

check "simulated board up" sim_up
check "firmware images present" test -f /lib/firmware/zephyr.elf

rp() { rproc_dir; }
st() { cat "$(rp)/state"; }
# up: waits until the rpmsg sample channel exists (rpmsg is up).
up() { wait_for "ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample" 10; }
# load [PARAM=VALUE...]: loads the driver under test; the parameters are
# the Rust driver's (the C driver has none of them).
load() {
	if [ "$DRV" = rust ]; then
		insmod /modules/imx_rproc_rs.ko "$@"
	else
		modprobe imx_rproc
	fi
}
unload() { drv_unload "$DRV"; }
DIAG=/sys/kernel/debug/imx_rproc_rs/remoteproc-cm7/status
# diag KEY: one line of the Rust driver's diagnostics file, without "KEY: ";
# "no-file" without the file (the C driver has none).
diag() {
	if [ -r "$DIAG" ]; then sed -n "s/^$1: //p" "$DIAG"; else echo no-file; fi
}
# res CMD...: "ok", or "fails: <the error's last words>".
res() {
	if _res=$("$@" 2>&1); then echo ok; else echo "fails: ${_res##*: }"; fi
}
# yes_no WHAT_YES WHAT_NO CMD...: WHAT_YES if CMD succeeds, else WHAT_NO.
yes_no() {
	_y=$1 _n=$2
	shift 2
	if "$@" >/dev/null 2>&1; then echo "$_y"; else echo "$_n"; fi
}
# le FILE OFFSET N: the little-endian N-byte field at OFFSET, in hex.
le() {
	od -An -tx1 -j "$2" -N "$3" "$1" |
		awk '{ for (i = NF; i > 0; i--) s = s $i } END { print s }'
}

# --- 1. detach / re-attach / detach on rmmod ------------------------------
sim_set linux_lm 1
echo zephyr.elf >"$SIM/m7_boot"
load
wait_for "grep -qx attached $(rp)/state" 5
expect_eq "pre-booted M7: attached" "$(st)" attached
check "rpmsg up while attached" up
sim_log_clear
outcome "echo detach" "$(res sh -c "echo detach > $(rp)/state")" ok "fails: Operation not supported"
outcome "state after detach" "$(st)" detached attached
check "rpmsg channels gone after detach" sh -c '! ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample'
expect_eq "the M7 still runs after detach (SM)" "$(m7_stat running)" 1
check "echo start attaches again" sh -c "echo start > $(rp)/state"
expect_eq "state after re-attach" "$(st)" attached
# rpmsg itself does not come back: detach gave the M7 its table back as it
# published it (vdev status 0), and Zephyr's sample, like this M7, does not
# restart its virtio device when the host resets it. That needs firmware
# support, not a driver change (Documentation/user-guide.rst).
unload
# rmmod right after attaching (detach_on_unbind=1, the default).
load
wait_for "grep -qx attached $(rp)/state" 5
check "rmmod with an attached M7" unload
outcome "the M7 still runs after rmmod (detached, not stopped)" "$(m7_stat running)" 1 0
outcome "no CPU_STOP reached the SM through detach, re-attach and rmmod" \
	"$(grep -c 'proto=0x82 msg=0x5' "$SIM/log") CPU_STOP" "0 CPU_STOP" "1 CPU_STOP"
[ "$(m7_stat running)" = 1 ] || echo zephyr.elf >"$SIM/m7_boot"
load detach_on_unbind=0
wait_for "grep -qx attached $(rp)/state" 5
unload
expect_eq "detach_on_unbind=0: rmmod stops the attached M7, as upstream" "$(m7_stat running)" 0

# --- 2. crash detection and recovery; 6. one mapping; 7. node names --------
# maps_ddr: how many ioremap()s of m7_reserved exist (the simulated M7
# has one of its own, an earlier driver instance may have left one).
maps_ddr() { grep -c 'phys=0x0000000080000000 ioremap' /proc/vmallocinfo; }
maps_before=$(maps_ddr)
sim_set linux_lm 1
load crash_poll_ms=200
r=$(rp)
# Item 7's fallback: no firmware-name, no memory-region-names.
expect_eq "no firmware-name: the default image is rproc-<node>-fw" \
	"$(cat "$r/firmware")" rproc-remoteproc-cm7-fw
echo zephyr.elf >"$r/firmware"
echo disabled >"$r/coredump"
echo start >"$r/state"
up
# carveout NAME: "DMA-address length" of the carveout NAME while running.
carveout() {
	awk -v n="$1" '/Name:/ { hit = ($2 == n) }
		hit && /DMA address:/ { a = $3 }
		hit && /Length:/ { print a, $2; exit }' \
		"/sys/kernel/debug/remoteproc/$(basename "$r")/carveout_memories"
}
expect_eq "no memory-region-names: vring carveout vdev0vring0 is the node vdev0vring0@88000000" \
	"$(carveout vdev0vring0)" "0x0000000088000000 0x8000"
# The C driver maps m7_reserved at probe and again when it registers the
# carveout; the Rust driver hands its probe mapping to the carveout.
outcome "m7_reserved (0x80000000) mapped once by the driver, from probe to running" \
	"$(($(maps_ddr) - maps_before)) mappings" "1 mappings" "2 mappings"
outcome "diagnostics: SM method" "$(diag method)" cpu no-file
outcome "diagnostics: kicks and rx notifications counted" \
	"$([ -r "$DIAG" ] && yes_no counted zero sh -c "[ $(diag kicks) -gt 0 ] && [ $(diag rx_notifications) -gt 0 ]" || echo no-file)" \
	counted no-file
outcome "diagnostics: last stop before any" "$(diag last_stop)" none no-file
# The image's loadable bytes: the sum of its PT_LOAD segments' p_memsz (ELF32).
memsz_sum() {
	_phoff=$((0x$(le "$1" 28 4))) _phnum=$((0x$(le "$1" 44 2))) _sum=0 _i=0
	while [ "$_i" -lt "$_phnum" ]; do
		_o=$((_phoff + _i * 32))
		[ $((0x$(le "$1" "$_o" 4))) -eq 1 ] && _sum=$((_sum + 0x$(le "$1" $((_o + 20)) 4)))
		_i=$((_i + 1))
	done
	echo "$_sum"
}
# "N bytes in T us" with T > 0, the time itself not asserted.
last_load=$(diag last_load)
[ "$last_load" = no-file ] ||
	last_load=$(echo "$last_load" | sed -n 's/^\([0-9]*\) bytes in [1-9][0-9]* us$/\1 bytes in (>0) us/p')
outcome "diagnostics: last load: the image's PT_LOAD bytes, in a measured time" \
	"$last_load" "$(memsz_sum /lib/firmware/zephyr.elf) bytes in (>0) us" no-file
boots=$(m7_stat boots)
dmesg -c >/dev/null
echo 1 >"$SIM/m7_crash"
outcome "crash detected through the SM and reported" \
	"$(yes_no reported "not detected" wait_for "dmesg | grep -q 'crash detected in remoteproc-cm7: type watchdog'" 5)" \
	reported "not detected"
outcome "recovered: the M7 booted again" \
	"$(yes_no "booted again" "not booted again" wait_for "[ \$(m7_stat boots) -gt $boots ]" 10)" \
	"booted again" "not booted again"
outcome "rpmsg up again after recovery (the channel created anew)" \
	"$(yes_no "created anew" "no new channel" wait_for "dmesg | grep -q 'creating channel rpmsg-client-sample'" 10)" \
	"created anew" "no new channel"
outcome "diagnostics: last stop is the crash the SM poll found" \
	"$(diag last_stop)" "crash detected (System Manager: cpu1 not running)" no-file
outcome "diagnostics: one crash detected" "$(diag crashes_detected)" 1 no-file

# --- 3. coredump ------------------------------------------------------------
up
echo enabled >"$r/coredump"
for d in /sys/class/devcoredump/devcd*; do [ -e "$d/data" ] && echo 1 >"$d/data"; done
boots=$(m7_stat boots)
echo 1 >"/sys/kernel/debug/remoteproc/$(basename "$r")/crash"
if wait_for "ls /sys/class/devcoredump/ 2>/dev/null | grep -q devcd" 10; then
	for dcd in /sys/class/devcoredump/devcd*; do break; done
	cat "$dcd/data" >/tmp/core
	echo 1 >"$dcd/data"
	hdr=$(head -c 20 /tmp/core | od -An -tx1 | tr -d ' \n')
	# ELF magic, ELFCLASS32, little endian, EV_CURRENT ... e_type ET_CORE (4), e_machine EM_ARM (40)
	outcome "coredump: ELF32 LE, ET_CORE, EM_ARM" \
		"$(printf '%s' "$hdr" | cut -c1-14) $(printf '%s' "$hdr" | cut -c33-40)" \
		"7f454c46010101 04002800" "no core"
	phoff=$((0x$(le /tmp/core 28 4)))
	phnum=$((0x$(le /tmp/core 44 2)))
	size=$(wc -c </tmp/core)
	# What readelf checks first: header sizes, the program header table
	# and every segment's file range inside the file.
	sane="ehsize $((0x$(le /tmp/core 40 2))) phentsize $((0x$(le /tmp/core 42 2)))"
	[ $((phoff + phnum * 32)) -le "$size" ] || sane="$sane, phdrs past the end"
	segs=
	i=0
	while [ "$i" -lt "$phnum" ]; do
		o=$((phoff + i * 32))
		segs="$segs $(le /tmp/core "$o" 4)/$(le /tmp/core $((o + 12)) 4)/$(le /tmp/core $((o + 20)) 4)"
		[ $((0x$(le /tmp/core $((o + 4)) 4) + 0x$(le /tmp/core $((o + 16)) 4))) -le "$size" ] ||
			sane="$sane, segment $i past the end"
		i=$((i + 1))
	done
	outcome "coredump: headers and segments lie inside the file" "$sane" \
		"ehsize 52 phentsize 32" "no core"
	ktap_diag "coredump program headers (type/paddr/memsz):$segs"
	# PT_LOAD (1) of the 16 MiB of m7_reserved and of each vring region.
	outcome "coredump: PT_LOAD segments of m7_reserved and the vrings" \
		"$(yes_no present absent sh -c "echo '$segs' | grep -q ' 00000001/80000000/01000000' && echo '$segs' | grep -q ' 00000001/88000000/00008000'")" \
		present "no core"
	rm -f /tmp/core
else
	outcome "coredump: ELF32 LE, ET_CORE, EM_ARM" "no core" "7f454c46010101 04002800" "no core"
	outcome "coredump: headers and segments lie inside the file" "no core" "ehsize 52 phentsize 32" "no core"
	outcome "coredump: PT_LOAD segments of m7_reserved and the vrings" "no core" present "no core"
fi
if wait_for "[ \$(m7_stat boots) -gt $boots ]" 10 && up; then
	ktap_ok "recovered after the reported crash: the M7 booted again, rpmsg up"
else
	ktap_fail "recovered after the reported crash: the M7 booted again, rpmsg up"
fi
outcome "diagnostics: last stop is the reported crash" \
	"$(diag last_stop)" "crash reported to the remoteproc core" no-file
echo stop >"$r/state"
outcome "diagnostics: last stop after echo stop" "$(diag last_stop)" "stopped by Linux" no-file
unload

# --- 4. LMM: failed boot powers the LM down; graceful stop -----------------
sim_set linux_lm 2
load graceful_stop_ms=1500
r=$(rp)
# An image that passes the checks before prepare but cannot be loaded:
# prepare has powered the LM on, the boot fails at load.
echo outside.elf >"$r/firmware"
sim_log_clear
echo start >"$r/state" 2>/dev/null
expect_eq "image outside M7 memory refused, remote offline" "$(st)" offline
outcome "LMM: the failed boot powered the LM down again (POWER_ON/SHUTDOWN)" \
	"$(grep -c 'proto=0x80 msg=0xb' "$SIM/log")/$(grep -c 'proto=0x80 msg=0x6' "$SIM/log")" "1/1" "1/0"
outcome "diagnostics: last stop is the failed boot" \
	"$(diag last_stop)" "boot failed before the M7 started" no-file
outcome "diagnostics: lm1 Off with its errstatus" "$(diag lm1)" "Off (errstatus 0x0)" no-file
echo zephyr.elf >"$r/firmware"
echo start >"$r/state"
up
sim_log_clear
echo stop >"$r/state"
outcome "LMM graceful stop: SHUTDOWN with the graceful flag" \
	"$(grep -c 'proto=0x80 msg=0x6 args=0x1,0x1 ' "$SIM/log") graceful" "1 graceful" "0 graceful"
expect_eq "state after graceful stop" "$(st)" offline
outcome "LMM graceful stop: the LM went off in time, no forceful SHUTDOWN" \
	"$(grep -c 'proto=0x80 msg=0x6 args=0x1,0x0 ' "$SIM/log") forceful" "0 forceful" "1 forceful"
# An LM that ignores the graceful request (stays on): after graceful_stop_ms
# the Rust driver forces it. The C driver shuts it down forcefully at once.
sim_set lm_ignore_graceful 1
echo start >"$r/state"
check "LMM: rpmsg up with an LM that ignores graceful shutdown" up
sim_log_clear
dmesg -c >/dev/null
t0=$(ktap_uptime_cs)
check "LMM: stop of an LM that ignores the graceful request succeeds" sh -c "echo stop > $r/state"
t=$(($(ktap_uptime_cs) - t0))
ktap_diag "stop of the LM that ignores graceful shutdown took $((t * 10)) ms"
outcome "LMM: the stop waited graceful_stop_ms (1500 ms) before forcing" \
	"$(yes_no waited "did not wait" [ "$t" -ge 150 ])" waited "did not wait"
# shut_kinds: the LMM_SHUTDOWN requests for LM 1 in the SM log, in order.
shut_kinds() {
	awk '/proto=0x80 msg=0x6 args=0x1,0x1 / { s = s " graceful" }
		/proto=0x80 msg=0x6 args=0x1,0x0 / { s = s " forceful" }
		END { sub(/^ /, "", s); print (s == "" ? "none" : s) }' "$SIM/log"
}
outcome "LMM: SM log: SHUTDOWN graceful, then forceful" "$(shut_kinds)" "graceful forceful" forceful
outcome "message: the LM did not shut down within 1500 ms, forcing it" \
	"$(yes_no logged "not logged" sh -c "dmesg | grep -q 'lmm(1) did not shut down within 1500 ms, forcing it'")" \
	logged "not logged"
expect_eq "state after the forced stop" "$(st)" offline
# lm1: the state of LM 1 (the M7's) as the SM sees it.
lm1() { awk '$1 == "lm1" { print $3 }' "$SIM/state"; }
expect_eq "LM 1 off after the forced stop (SM)" "$(lm1)" off
sim_set lm_ignore_graceful 0
check "LMM: start after the forced stop" sh -c "echo start > $r/state"
check "LMM: rpmsg up after the forced stop" up
echo stop >"$r/state"
unload

# --- 5. rxdb ready handshake and its timeout -------------------------------
sim_set linux_lm 1
load
r=$(rp)
dmesg -c >/dev/null
echo zephyr-ready.elf >"$r/firmware"
check "image announcing the ready doorbell starts" sh -c "echo start > $r/state"
outcome "the driver waited for the doorbell" \
	"$(yes_no waited "did not wait" sh -c "dmesg | grep -q 'the M7 signalled ready after'")" waited "did not wait"
check "rpmsg up after the handshake" up
echo stop >"$r/state"
# ready-silent.elf announces the doorbell (300 ms) and never rings it.
echo ready-silent.elf >"$r/firmware"
dmesg -c >/dev/null
outcome "an image that never rings the announced doorbell does not start" \
	"$(res sh -c "echo start > $r/state")" "fails: Connection timed out" ok
outcome "message: no ready signal on rxdb within 300 ms" \
	"$(yes_no logged "not logged" sh -c "dmesg | grep -q 'the M7 did not signal ready on rxdb within 300 ms'")" \
	logged "not logged"
outcome "state after the ready timeout" "$(st)" offline running
outcome "the M7 was stopped after the ready timeout (SM)" "$(m7_stat running)" 0 1
outcome "diagnostics: last stop is the ready timeout" \
	"$(diag last_stop)" "no ready doorbell within 300 ms" no-file
[ "$(st)" = offline ] || echo stop >"$r/state"
echo zephyr.elf >"$r/firmware"
check "the next start works" sh -c "echo start > $r/state"
check "rpmsg up after the next start" up
echo stop >"$r/state"
unload

# --- 5 in LMM mode: the handshake with the M7 in its own LM -----------------
# A ready timeout after LMM_BOOT: unprepare powers the LM down.
sim_set linux_lm 2
sim_set lmm_control 1
load
r=$(rp)
dmesg -c >/dev/null
echo zephyr-ready.elf >"$r/firmware"
check "LMM: image announcing the ready doorbell starts" sh -c "echo start > $r/state"
outcome "LMM: the driver waited for the doorbell" \
	"$(yes_no waited "did not wait" sh -c "dmesg | grep -q 'the M7 signalled ready after'")" waited "did not wait"
check "LMM: rpmsg up after the handshake" up
echo stop >"$r/state"
echo ready-silent.elf >"$r/firmware"
dmesg -c >/dev/null
outcome "LMM: an image that never rings the announced doorbell does not start" \
	"$(res sh -c "echo start > $r/state")" "fails: Connection timed out" ok
outcome "LMM: state after the ready timeout" "$(st)" offline running
outcome "LMM: LM 1 powered down after the ready timeout (SM)" "$(lm1)" off on
outcome "diagnostics: last stop is the ready timeout in LMM mode" \
	"$(diag last_stop)" "no ready doorbell within 300 ms" no-file
[ "$(st)" = offline ] || echo stop >"$r/state"
echo zephyr.elf >"$r/firmware"
check "LMM: the next start works" sh -c "echo start > $r/state"
check "LMM: rpmsg up after the next start" up
echo stop >"$r/state"
unload

expect_eq "the M7 saw no protocol violation" "$(cat "$SIM/m7_violations")" 0
ktap_end

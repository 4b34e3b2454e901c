# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The simulated M7 itself (tests/sim/m7.rs): its checker's self-test, then,
# driven by the upstream C imx_rproc in CPU mode, the images tools/mkfw makes
# for the bad cases
# (corrupt, hang, idle, crash timer) and the debugfs knobs later scenarios
# use to make the M7 misbehave (mute, drop_kicks, hang, corrupt_kick, flood,
# crash, ns_delay_ms), and the pre-boot's errors. Each check would fail if
# the M7 ignored the image or the knob.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 44

# start_fw IMAGE: boots IMAGE through the driver; waits for "running".
start_fw() {
	echo "$1" >"$d/firmware"
	echo start >"$d/state"
	wait_for "[ \"\$(cat $d/state)\" = running ]" 5
}

# stop_fw: stops the remoteproc; waits for "offline".
stop_fw() {
	echo stop >"$d/state"
	wait_for "[ \"\$(cat $d/state)\" = offline ]" 5
}

# no_channels: after a second, the M7 announced nothing.
no_channels() {
	sleep 1
	[ "$(m7_stat ns_sent)" = "$ns0" ] && ! ls /dev/ttyRPMSG* >/dev/null 2>&1
}

# channels_up: the announced channels are there.
channels_up() {
	wait_for "rpmsg_dev rpmsg-raw | grep -q . && ls /dev/ttyRPMSG*" "${1:-10}"
}

# echo_raw COUNT: the rpmsg_tool verdict for COUNT echoes on rpmsg-raw.
echo_raw() {
	rpmsg_tool echo "$(rpmsg_dev rpmsg-raw)" "knob test" "$1" 2>&1 | cut -d' ' -f1-2
}

check "simulated MU + System Manager + M7 up" sim_up
cat "$SIM/m7_selftest" >/tmp/m7_selftest
expect_eq "M7 self-test: the checker sees a bad driver's mistakes" \
	"$(grep -c '^not ok' /tmp/m7_selftest)" 0 || ktap_diag "$(grep '^not ok' /tmp/m7_selftest)"
expect_eq "M7 self-test ran all its cases" "$(grep -c '^ok ' /tmp/m7_selftest)" \
	"$(sed -n 's/^1\.\.//p' /tmp/m7_selftest)"
sim_set linux_lm 1
modprobe imx_rproc
wait_for rproc_dir 5
d=$(rproc_dir)
check "imx_rproc bound in CPU mode" test -n "$d"

# --- images ---------------------------------------------------------------
cp /lib/firmware/zephyr.elf /lib/firmware/corrupt.elf
# Four bytes of .text (file offset 0x1000, inside the code segment).
printf '\001\002\003\004' | dd of=/lib/firmware/corrupt.elf bs=1 seek=4096 conv=notrunc 2>/dev/null
ns0=$(m7_stat ns_sent)
start_fw corrupt.elf
expect_eq "corrupt image: Linux sees it running" "$(cat "$d/state")" running
expect_eq "corrupt image: the M7 faults with 'image corrupt' (code_crc)" \
	"$(m7_stat state)/$(m7_stat last_boot | cut -d' ' -f1-4)" "faulted/fault: image corrupt: code_crc"
check "corrupt image: silent, no channel" no_channels
stop_fw

start_fw hang.elf
expect_eq "hang image: booted, table copied, then hung" \
	"$(m7_stat state)/$(m7_stat last_boot | cut -d' ' -f1)" hung/ok
check "hang image: boot log in trace0" \
	grep -q "Booting Zephyr OS" "/sys/kernel/debug/remoteproc/$(basename "$d")/trace0"
check "hang image: never answers, no channel" no_channels
stop_fw

start_fw idle.elf
expect_eq "idle image: the M7 runs idle" "$(m7_stat state)" idle
check "idle image: no IPC, no channel" no_channels
stop_fw

start_fw crash.elf
check "crash-after image: channels come up first" channels_up
check "crash-after image: crashes after 1 s" wait_for "[ \"\$(m7_stat state)\" = crashed ]" 5
expect_eq "crash-after image: the SM reports CPU 1 stopped" \
	"$(cat "$SIM/m7_running")/$(grep '^cpu1 ' "$SIM/state" | cut -d' ' -f5)" "0/2"
expect_eq "crash-after image: one crash counted" "$(m7_stat crashes)" 1
stop_fw
expect_eq "crash-after image: stop works on a crashed M7" "$(cat "$d/state")" offline

# --- knobs ----------------------------------------------------------------
start_fw zephyr.elf
check "zephyr image: channels up" channels_up
expect_eq "zephyr image: rpmsg-raw echoes" "$(echo_raw 1)" "echo ok"

echo 1 >"$SIM/m7_mute"
in0=$(m7_stat msgs_in)
expect_eq "m7_mute 1: no answer" "$(echo_raw 1)" "echo timeout"
expect_eq "m7_mute 1: the message still arrived" "$(m7_stat msgs_in)" $((in0 + 1))
echo 0 >"$SIM/m7_mute"
expect_eq "m7_mute 0: answers again" "$(echo_raw 1)" "echo ok"

echo 1 >"$SIM/m7_drop_kicks"
expect_eq "m7_drop_kicks 1: the kick is ignored, no answer" "$(echo_raw 1)" "echo timeout"
expect_eq "m7_drop_kicks 1: one kick dropped" "$(m7_stat kicks_dropped)/$(cat "$SIM/m7_drop_kicks")" 1/0
expect_eq "after m7_drop_kicks: the next kick serves both" "$(echo_raw 1)" "echo ok"

echo 1 >"$SIM/m7_hang"
expect_eq "m7_hang 1: no answer, the SM still says running" \
	"$(echo_raw 1)/$(cat "$SIM/m7_running")" "echo timeout/1"
echo 0 >"$SIM/m7_hang"
expect_eq "m7_hang 0: answers again" "$(echo_raw 1)" "echo ok"

sup0=$(m7_stat notify_suppressed)
echo 1 >"$SIM/m7_corrupt_kick"
expect_eq "m7_corrupt_kick 1: the reply is not notified" "$(echo_raw 1)" "echo timeout"
check "m7_corrupt_kick 1: notifications suppressed" test "$(m7_stat notify_suppressed)" -gt "$sup0"
expect_eq "after m7_corrupt_kick: the next notification delivers" "$(echo_raw 1)" "echo ok"

raw=$(rpmsg_dev rpmsg-raw)
cat "$raw" >/tmp/flood 2>/dev/null &
reader=$!
sleep 0.3
check "m7_flood 30: accepted" sh -c "echo 30 > $SIM/m7_flood"
wait_for "[ \$(grep -o 'flood [0-9]*' /tmp/flood | wc -l) -ge 30 ]" 10
kill $reader 2>/dev/null
wait $reader 2>/dev/null
expect_eq "m7_flood 30: 30 messages from rpmsg-raw" "$(grep -o 'flood [0-9]*' /tmp/flood | wc -l)" 30
expect_eq "m7_flood: done" "$(cat "$SIM/m7_flood")" 0

if echo bogus.elf >"$SIM/m7_boot" 2>/dev/null; then
	ktap_fail "m7_boot refuses while the M7 runs"
else
	ktap_ok "m7_boot refuses while the M7 runs"
fi

check "m7_crash 1: accepted" sh -c "echo 1 > $SIM/m7_crash"
expect_eq "m7_crash: the M7 is crashed, the SM reports it stopped" \
	"$(m7_stat state)/$(cat "$SIM/m7_running")" crashed/0
expect_eq "m7_crash: no answer" "$(echo_raw 1)" "echo timeout"
stop_fw

echo 1500 >"$SIM/m7_ns_delay_ms"
start_fw zephyr.elf
sleep 0.5
check "m7_ns_delay_ms 1500: no channel after 0.5 s" sh -c "! ls /dev/ttyRPMSG* >/dev/null 2>&1"
check "m7_ns_delay_ms 1500: channels after the delay" channels_up 5
echo 0 >"$SIM/m7_ns_delay_ms"
stop_fw

# --- pre-boot errors ------------------------------------------------------
if echo nosuch.elf >"$SIM/m7_boot" 2>/dev/null; then
	ktap_fail "m7_boot of a missing file fails"
else
	ktap_ok "m7_boot of a missing file fails"
fi
printf 'not an ELF' >/tmp/bad.elf
if echo /tmp/bad.elf >"$SIM/m7_boot" 2>/dev/null; then
	ktap_fail "m7_boot of a non-ELF path fails"
else
	ktap_ok "m7_boot of a non-ELF path fails"
fi
expect_eq "nothing started by the failed pre-boots" "$(cat "$SIM/m7_running")" 0

expect_eq "no shared-memory protocol violation by imx_rproc" "$(cat "$SIM/m7_violations")" 0
expect_eq "faults: only the corrupt image" "$(m7_stat faults)" 1

echo "# M7 stats:"
sed 's/^/#   /' "$SIM/m7_stats"
rmmod imx_rproc

ktap_end

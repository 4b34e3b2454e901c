# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What imx_rproc_rs does that no other i.MX remoteproc driver does, each
# shown on the virtual i.MX95 (Rust driver only; the C driver has none of
# it): detach and re-attach, detach instead of stop on rmmod, crash
# detection through the System Manager with recovery, a coredump that is
# written, LMM power-down after a failed boot, graceful LMM stop, the rxdb
# ready handshake, the diagnostics file.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ktap_begin 26

check "simulated board up" sim_up
check "firmware images present" test -f /lib/firmware/zephyr.elf

rp() { rproc_dir; }
st() { cat "$(rp)/state"; }
# up: waits until the rpmsg sample channel exists (rpmsg is up).
up() { wait_for "ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample" 10; }

# --- detach / re-attach / detach on rmmod ---------------------------------
sim_set linux_lm 1
echo zephyr.elf >"$SIM/m7_boot"
insmod /modules/imx_rproc_rs.ko
wait_for "grep -qx attached $(rp)/state" 5
expect_eq "pre-booted M7: attached" "$(st)" attached
check "rpmsg up while attached" up
sim_log_clear
check "echo detach" sh -c "echo detach > $(rp)/state"
expect_eq "state after detach" "$(st)" detached
check "rpmsg channels gone after detach" sh -c '! ls /sys/bus/rpmsg/devices/ | grep -q rpmsg-client-sample'
expect_eq "the M7 still runs after detach (SM)" "$(m7_stat running)" 1
check "echo start attaches again" sh -c "echo start > $(rp)/state"
expect_eq "state after re-attach" "$(st)" attached
# rpmsg itself does not come back: detach gave the M7 its table back as it
# published it (vdev status 0), and Zephyr's sample, like this M7, does not
# restart its virtio device when the host resets it. That needs firmware
# support, not a driver change (Documentation/user-guide.rst).
check "rmmod with an attached M7" rmmod imx_rproc_rs
expect_eq "the M7 still runs after rmmod (detached, not stopped)" "$(m7_stat running)" 1
check "no CPU_STOP reached the SM through detach, re-attach and rmmod" \
	sh -c "! grep -q 'proto=0x82 msg=0x5' $SIM/log"
echo 1 >"$SIM/m7_crash"

# --- crash detection, recovery, coredump ----------------------------------
sim_set linux_lm 1
insmod /modules/imx_rproc_rs.ko crash_poll_ms=200
r=$(rp)
echo zephyr.elf >"$r/firmware"
echo enabled >"$r/coredump"
echo start >"$r/state"
up
boots=$(m7_stat boots)
dmesg -c >/dev/null
echo 1 >"$SIM/m7_crash"
check "crash detected through the SM and reported" \
	wait_for "dmesg | grep -q 'crash detected in remoteproc-cm7: type watchdog'" 5
check "recovered: the M7 booted again" wait_for "[ \$(m7_stat boots) -gt $boots ]" 10
check "rpmsg up again after recovery" up
dcd=$(ls -d /sys/class/devcoredump/devcd* 2>/dev/null | head -n 1)
if [ -n "$dcd" ]; then
	hdr=$(head -c 20 "$dcd/data" | od -An -tx1 | tr -d ' \n')
	# ELF magic, ELFCLASS32, little endian, EV_CURRENT ... e_type ET_CORE (4), e_machine EM_ARM (40)
	expect_eq "coredump: ELF32 LE, ET_CORE, EM_ARM" \
		"$(printf '%s' "$hdr" | cut -c1-14) $(printf '%s' "$hdr" | cut -c33-40)" \
		"7f454c46010101 04002800"
	echo 1 >"$dcd/data"
else
	ktap_fail "coredump: ELF32 LE, ET_CORE, EM_ARM" "no devcoredump device"
fi
check "diagnostics file" grep -q "method: cpu" /sys/kernel/debug/imx_rproc_rs/remoteproc-cm7/status
echo stop >"$r/state"
rmmod imx_rproc_rs

# --- LMM: failed boot powers the LM down; graceful stop -------------------
sim_set linux_lm 2
insmod /modules/imx_rproc_rs.ko graceful_stop_ms=500
r=$(rp)
# An image that passes the checks before prepare but cannot be loaded:
# prepare has powered the LM on, the boot fails at load.
echo outside.elf >"$r/firmware"
sim_log_clear
echo start >"$r/state" 2>/dev/null
expect_eq "image outside M7 memory refused, remote offline" "$(st)" offline
expect_eq "LMM: the failed boot powered the LM down again (POWER_ON/SHUTDOWN)" \
	"$(grep -c 'proto=0x80 msg=0xb' "$SIM/log")/$(grep -c 'proto=0x80 msg=0x6' "$SIM/log")" "1/1"
echo zephyr.elf >"$r/firmware"
echo start >"$r/state"
up
sim_log_clear
echo stop >"$r/state"
expect_eq "LMM graceful stop: SHUTDOWN with the graceful flag" \
	"$(grep -c 'proto=0x80 msg=0x6 args=0x1,0x1 ' "$SIM/log")" 1
expect_eq "state after graceful stop" "$(st)" offline
rmmod imx_rproc_rs

# --- rxdb ready handshake -------------------------------------------------
sim_set linux_lm 1
insmod /modules/imx_rproc_rs.ko
r=$(rp)
dmesg -c >/dev/null
echo zephyr-ready.elf >"$r/firmware"
check "image announcing the ready doorbell starts" sh -c "echo start > $r/state"
check "the driver waited for the doorbell" sh -c "dmesg | grep -q 'the M7 signalled ready after'"
check "rpmsg up after the handshake" up
echo stop >"$r/state"
rmmod imx_rproc_rs

expect_eq "the M7 saw no protocol violation" "$(cat "$SIM/m7_violations")" 0
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# `make bench`, guest side (scripts/bench.sh runs it in one boot of the virtual
# i.MX95): the C imx_rproc and imx_rproc_rs take turns in interleaved rounds
# (C, Rust, C, Rust, ...; one driver unloaded before the other is loaded), so
# that whatever drifts during the boot hits both. Each round measures first the
# floors of the simulated hardware alone (no driver loaded), then for each
# driver:
#
#   probe       finit_module of the driver's .ko (registration and probe), and
#               delete_module, PROBES times
#   startstop   start/stop latency with a Zephyr-like image (bench-zephyr.elf)
#   load        write "start" -> the M7 leaves reset, for the IMAGES (idle images
#               of growing size; the M7 checks every byte it was loaded with);
#               with imx_rproc_rs also its own load op (debugfs last_load)
#   echo        rpmsg round trips through the rpmsg-raw /dev/rpmsgN
#   tput        pipelined batches of messages through the same endpoint
#   unload      delete_module
#
# /bin/rpmsg_bench (tests/guest/tools/rpmsg_bench.c) takes the samples, one
# line "METRIC DRIVER VALUE_NS" each, collected in /tmp and printed at the end
# (scripts/bench.sh reads them from the runner's results block). Parameters come
# from /bench.env, written by scripts/bench.sh. Nothing here asserts on a time:
# the script fails only if a measurement could not be taken.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

ROUNDS=5
PROBES=3
STARTSTOP=6
IMAGES="64k:bench-64k.elf:65536:4"
ZEPHYR=bench-zephyr.elf
ECHO_SIZES="16 256 496"
ECHO_N=200
TPUT="256 32 20"
PINGPONG=200
MEMCPY_REPS=3
# shellcheck disable=SC1091
[ -r /bench.env ] && . /bench.env

S=/tmp/bench.samples
: >$S
ERRORS=0

err() {
	echo "# bench error: $*"
	ERRORS=$((ERRORS + 1))
}

# run CMD...: a measurement; its samples go to $S.
run() {
	"$@" >>$S || {
		err "'$*' failed"
		return 1
	}
}

# The console gets warnings and worse only: printing every info line of the
# drivers, remoteproc and rpmsg to the emulated UART would be timed with them.
# Everything still goes to the kernel log, and the splats are printed again at
# the end for the runner to see.
dmesg -n 5

release=$(uname -r)
KO_c=/lib/modules/$release/kernel/drivers/remoteproc/imx_rproc.ko
KO_rust=/modules/imx_rproc_rs.ko

echo "# bench: kernel $release, $(nproc) CPUs, rounds $ROUNDS"
sim_up || {
	echo "# bench error: the simulated MU, System Manager and M7 did not come up"
	exit 1
}
sim_set linux_lm 1
sim_set m7_running 0
for f in $KO_c $KO_rust /bin/rpmsg_bench /lib/firmware/$ZEPHYR; do
	[ -r "$f" ] || {
		echo "# bench error: $f missing"
		exit 1
	}
done
# Whatever imx_rproc depends on is loaded now, so that its probe time is its own.
deps=$(sed -n "s|^kernel/drivers/remoteproc/imx_rproc.ko:||p" "/lib/modules/$release/modules.dep")
for dep in $deps; do
	m=${dep##*/}
	modprobe "${m%.ko*}" || err "modprobe dependency $m"
done
echo "# imx_rproc.ko dependencies loaded beforehand: ${deps:-none}"

# stop_if_running DIR
stop_if_running() {
	case $(cat "$1/state" 2>/dev/null) in
	running | attached) echo stop >"$1/state" ;;
	esac
}

# reqfw_samples DRV LABEL: from the kernel log since the marker written before
# the loads, the remoteproc core's "powering up" -> "Booting fw image" of each
# start: request_firmware (the core logs one just before, the other just after
# it), metric reqfw_LABEL, at the log's microsecond resolution.
reqfw_samples() {
	dmesg | awk -v m="imx_rproc bench: load $1 $2" -v metric="reqfw_$2" -v drv="$1" '
		function ts(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l }
		/imx_rproc bench: load / { on = index($0, m) > 0; if (on) out = ""; p = ""; next }
		on && /: powering up / { p = ts($0) }
		on && /: Booting fw image / && p != "" {
			out = out sprintf("%s %s %d\n", metric, drv, (ts($0) - p) * 1e9 + 0.5); p = "" }
		END { printf "%s", out }'
}

# bench_driver c|rust: one driver's turn in a round.
bench_driver() {
	drv=$1
	case $drv in
	c) ko=$KO_c mod=imx_rproc ;;
	rust) ko=$KO_rust mod=imx_rproc_rs ;;
	esac
	# Probe and unload are quick: PROBES samples of each per turn.
	p=1
	while [ "$p" -lt "$PROBES" ]; do
		run rpmsg_bench probe "$drv" "$ko" || return 1
		run rpmsg_bench unload "$drv" "$mod" || return 1
		p=$((p + 1))
	done
	run rpmsg_bench probe "$drv" "$ko" || return 1
	d=$(rproc_dir)
	if [ -z "$d" ] || [ ! -e "/sys/bus/platform/drivers/$(drv_name "$drv")" ]; then
		err "$drv: no remoteproc after loading $ko"
		rmmod "$mod"
		return 1
	fi
	echo "$ZEPHYR" >"$d/firmware"
	run rpmsg_bench startstop "$drv" "$d" "$STARTSTOP"
	stop_if_running "$d"
	for spec in $IMAGES; do
		IFS=: read -r label fw _size n <<EOF
$spec
EOF
		echo "<6>imx_rproc bench: load $drv $label" >/dev/kmsg
		run rpmsg_bench load "$drv" "$d" "$fw" "$label" "$n"
		stop_if_running "$d"
		reqfw_samples "$drv" "$label" >>$S
	done
	echo "$ZEPHYR" >"$d/firmware"
	echo start >"$d/state"
	if wait_for "rpmsg_dev rpmsg-raw | grep -q ." 10; then
		raw=$(rpmsg_dev rpmsg-raw)
		for s in $ECHO_SIZES; do
			run rpmsg_bench echo "$drv" "$raw" "$s" "$ECHO_N"
		done
		# The IPC work behind the throughput batches, as the M7 counts it
		# (the same counters for both drivers): kicks Linux sent, notifications
		# the M7 sent, messages each way.
		set -- "$(m7_stat kicks_in)" "$(m7_stat kicks_out)" "$(m7_stat msgs_in)" "$(m7_stat msgs_out)"
		# shellcheck disable=SC2086 # SIZE WINDOW BATCHES
		run rpmsg_bench tput "$drv" "$raw" $TPUT
		echo "# M7 during tput, $drv: $(($(m7_stat kicks_in) - $1)) kicks in, $(($(m7_stat kicks_out) - $2)) notifications out, $(($(m7_stat msgs_in) - $3)) messages in, $(($(m7_stat msgs_out) - $4)) out"
	else
		err "$drv: no rpmsg-raw channel after start"
	fi
	stop_if_running "$d"
	run rpmsg_bench unload "$drv" "$mod"
}

# Warm-up, not recorded: the first touch of m7_reserved (QEMU backs guest RAM
# lazily) and of the floors' code would be counted in round 1's floors.
echo "16M 1" >"$SIM/bench_memcpy" || err "bench_memcpy warm-up"
echo 20 >"$SIM/bench_mu_pingpong" || err "bench_mu_pingpong warm-up"

t0=$(ktap_uptime_cs)
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# The floors, with no driver loaded (the M7 is stopped).
	for spec in $IMAGES; do
		IFS=: read -r label fw size _n <<EOF
$spec
EOF
		run rpmsg_bench memcpy "$label" "$size" "$MEMCPY_REPS"
		# Reading the image file, as request_firmware does before any driver
		# sees it.
		run rpmsg_bench readfile "$label" "/lib/firmware/$fw" "$MEMCPY_REPS"
	done
	run rpmsg_bench pingpong "$PINGPONG"
	for s in $ECHO_SIZES; do
		run rpmsg_bench pipe "$s" "$PINGPONG"
	done
	for drv in c rust; do
		bench_driver "$drv"
		echo "# round $r/$ROUNDS: $drv done ($((($(ktap_uptime_cs) - t0) / 100)) s)"
	done
	r=$((r + 1))
done

echo "# M7: $(m7_stat boots) boots, $(m7_stat faults) faults, $(m7_stat violations) protocol violations"
[ "$(m7_stat violations)" = 0 ] || sed 's/^/#   /' "$SIM/m7_log" | grep -i violation | head -n 20
echo "# samples: $(wc -l <$S)"
echo "BENCH-SAMPLES-BEGIN"
cat $S
echo "BENCH-SAMPLES-END"
# What the console did not show: the runner fails the run on these.
dmesg | grep -E 'Oops|BUG:|WARNING:|Unable to handle kernel|Kernel panic|possible circular locking|sleeping function called from invalid context|UBSAN:|self-detected stall|detected stalls on CPUs|blocked for more than|suspected memory leak'
[ "$ERRORS" -eq 0 ] || echo "# bench: $ERRORS measurement(s) failed"
[ "$ERRORS" -eq 0 ]

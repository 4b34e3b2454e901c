#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The malformed-image corpus against the Rust driver and the C imx_rproc on
# the virtual i.MX95. See usage() below and Documentation/corpus.rst.

set -uo pipefail

# The whole script is one compound command, parsed before it runs: editing
# this file while it runs cannot break the run.
{

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 125
export PATH=$HOME/.cargo/bin:$PATH

usage() {
	cat <<EOF
Usage: scripts/corpus.sh [--driver rust|c|both] [--mode cpu|lmm]
                         [--only NAME[,NAME...]] [--serial] [--no-build]
                         [--out DIR]

Builds the malformed-image corpus (cargo run --release -p mkfw -- corpus),
boots the virtual i.MX95 with the driver under test and, for every image:
sets it as the firmware, "echo start > state", records the outcome
(accepted, rejected with an errno, oops, hang), the kernel messages and
whether the System Manager was asked to start the M7, then boots a valid
image right after and stops it (tests/guest/corpus/run.sh).

The Rust driver (insmod imx_rproc_rs.ko) must reject every defect with the
manifest's errno and a kernel message containing the manifest's text, leave
the remote offline (no CPU_START/LMM_BOOT) and boot the valid image right
after; every valid edge case must boot. Each image is one test.
The C driver (modprobe imx_rproc) is recorded, never counted: after an
oops, a WARNING or a hang the boot ends and the next case runs in a fresh
boot, so every case is isolated from the ones that crash.

  --driver D     rust, c or both (default both, in parallel)
  --mode M       System Manager mode: cpu (M7 in Linux's LM, default) or lmm
  --only LIST    only these cases (comma-separated names)
  --serial       run the two drivers one after the other
  --no-build     use the existing corpus and modules
  --out DIR      results directory (default out/corpus)

Writes DIR/table.md, DIR/<driver>/ (console logs, results.jsonl) and, for
a full run of both drivers in CPU mode, Documentation/corpus.rst. Ends with
"N passed, M failed" (the Rust cases) and exits non-zero on any Rust-side
failure.
EOF
}

driver=both
mode=cpu
only=
serial=
build=1
out=$here/out/corpus

while [ $# -gt 0 ]; do
	case $1 in
	--driver) driver=${2:-} && shift 2 ;;
	--mode) mode=${2:-} && shift 2 ;;
	--only) only=${2:-} && shift 2 ;;
	--serial) serial=1 && shift ;;
	--no-build) build= && shift ;;
	--out) out=${2:-} && shift 2 ;;
	-h | --help) usage && exit 0 ;;
	*)
		usage >&2
		echo "corpus: unknown argument '$1'" >&2
		exit 125
		;;
	esac
done
case $driver in rust | c | both) ;; *)
	echo "corpus: --driver wants rust, c or both" >&2
	exit 125
	;;
esac
case $mode in cpu | lmm) ;; *)
	echo "corpus: --mode wants cpu or lmm" >&2
	exit 125
	;;
esac
mkdir -p "$out" || exit 125
out=$(cd "$out" && pwd)
images=$out/images
mods=$out/modules
t_start=$SECONDS

# ------------------------------------------------------------ build
if [ -n "$build" ]; then
	echo "corpus: building the images (mkfw corpus)"
	rm -rf "$images"
	if ! cargo run --quiet --release -p mkfw -- corpus --out "$images"; then
		echo "corpus: mkfw corpus failed" >&2
		exit 125
	fi
	echo "corpus: building the modules (make tests-modules)"
	built=
	for attempt in 1 2 3; do
		if make -s tests-modules >"$out/build.log" 2>&1; then
			built=1
			break
		fi
		echo "corpus: make tests-modules failed (attempt $attempt, see $out/build.log)"
		[ "$attempt" -lt 3 ] && sleep 120
	done
	# A failed build is a failure: never test the modules of an older build.
	if [ -z "$built" ]; then
		tail -n 20 "$out/build.log" >&2
		echo "corpus: make tests-modules failed, no case run (see $out/build.log)" >&2
		exit 125
	fi
	# A snapshot: others may rebuild the tree while the corpus runs.
	mkdir -p "$mods"
	cp imx_rproc_rs.ko tests/sim/imx95_sim.ko "$mods/" || exit 125
fi
[ -f "$images/manifest.tsv" ] || {
	echo "corpus: no $images/manifest.tsv (run without --no-build)" >&2
	exit 125
}
if [ ! -f "$mods/imx_rproc_rs.ko" ] || [ ! -f "$mods/imx95_sim.ko" ]; then
	echo "corpus: no modules in $mods (run without --no-build)" >&2
	exit 125
fi

if [ -n "$only" ]; then
	for n in ${only//,/ }; do
		grep -q "^$n	" "$images/manifest.tsv" || {
			echo "corpus: no case '$n' in $images/manifest.tsv" >&2
			exit 125
		}
	done
fi

# A snapshot of the runner and the guest scripts: others may edit the tree
# while the corpus runs (bash reads a script as it goes).
runner=$out/runner
rm -rf "$runner"
mkdir -p "$runner/scripts" "$runner/dts" "$runner/tests/guest/corpus" || exit 125
cp scripts/run-qemu.sh scripts/corpus.py "$runner/scripts/" &&
	cp dts/imx95-virtual.dtso "$runner/dts/" &&
	cp tests/guest/lib.sh tests/guest/sim.sh "$runner/tests/guest/" &&
	cp tests/guest/corpus/run.sh "$runner/tests/guest/corpus/" || exit 125
env_out=$(bash scripts/bootstrap.sh --print-env) || {
	echo "corpus: no kernel tree: run scripts/bootstrap.sh" >&2
	exit 125
}
KDIR=$(sed -n 's/^KDIR=//p' <<<"$env_out")
BUSYBOX=$(sed -n 's/^BUSYBOX=//p' <<<"$env_out")
export KDIR BUSYBOX
# From here on nothing reads the tree (scripts/check.sh waits for this line
# before it builds in the tree again).
echo "corpus: snapshot taken, the tree is free"

# ------------------------------------------------------------ helpers
# Reading the console logs and writing the tables: scripts/corpus.py (its
# snapshot, as for the runner above).
py=$runner/scripts/corpus.py

# run_driver DRV: every selected case against DRV, as many boots as needed.
# Results in $out/DRV/results.jsonl.
run_driver() {
	local drv=$1 dir=$out/$1 boot=0 n t0=$SECONDS settled rc timeout
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/results.jsonl"
	if [ -n "$only" ]; then
		tr ',' '\n' <<<"$only" | grep . >"$dir/remaining"
	else
		python3 "$py" names "$images/manifest.tsv" >"$dir/remaining"
	fi
	while [ -s "$dir/remaining" ]; do
		boot=$((boot + 1))
		cp "$dir/remaining" "$dir/batch-$boot.list"
		n=$(wc -l <"$dir/batch-$boot.list")
		# A boot, then about 2 s a case; a hung case is caught in the guest
		# after 20 s, a frozen guest by this timeout.
		timeout=$((60 + 4 * n))
		"$runner/scripts/run-qemu.sh" \
			--module "$mods/imx_rproc_rs.ko" --module "$mods/imx95_sim.ko" \
			--file "$images:/lib/firmware/corpus" \
			--file "$dir/batch-$boot.list:/corpus-batch" \
			--script "$runner/tests/guest/corpus/run.sh" \
			--append "imxrprocrs_driver=$drv imxrprocrs_corpus_mode=$mode" \
			--timeout "$timeout" --log "$dir/boot-$boot.log" >"$dir/boot-$boot.out" 2>&1
		rc=$?
		settled=$(python3 "$py" ingest "$dir/boot-$boot.log" "$dir/batch-$boot.list" "$rc" \
			"$drv" "$boot" "$dir/results.jsonl" "$dir/remaining") || settled=0
		echo "corpus: $drv: boot $boot: $settled of $n cases (runner status $rc, $(tail -n 1 "$dir/boot-$boot.out" | sed 's/^runner: //'))"
		if [ "$settled" -eq 0 ]; then
			echo "corpus: $drv: no progress, giving up (see $dir/boot-$boot.log)"
			break
		fi
	done
	echo "$((SECONDS - t0)) s, $boot boot$([ "$boot" -eq 1 ] || echo s)" >"$dir/time"
	echo "corpus: $drv driver done: $(cat "$dir/time")"
}

# ------------------------------------------------------------ run
drivers=()
case $driver in
both) drivers=(rust c) ;;
*) drivers=("$driver") ;;
esac
t_run=$SECONDS
if [ ${#drivers[@]} -gt 1 ] && [ -z "$serial" ]; then
	for d in "${drivers[@]}"; do
		run_driver "$d" &
	done
	wait
else
	for d in "${drivers[@]}"; do
		run_driver "$d"
	done
fi
run_s=$((SECONDS - t_run))

times="total $((SECONDS - t_start)) s ($run_s s of QEMU runs"
for d in "${drivers[@]}"; do
	times+="; $([ "$d" = rust ] && echo Rust || echo C) driver $(cat "$out/$d/time" 2>/dev/null || echo '?')"
done
times+="$([ -z "$serial" ] && [ ${#drivers[@]} -gt 1 ] && echo ', in parallel'), on $(nproc) CPUs)"

doc=
# The document records the reference run: both drivers, every case, CPU mode,
# into the default DIR (scripts/check.sh gives the other kernels their own).
if [ "$driver" = both ] && [ -z "$only" ] && [ "$mode" = cpu ] && [ "$out" = "$here/out/corpus" ]; then
	doc=$here/Documentation/corpus.rst
fi
echo "corpus: $times"
echo "corpus: table in $out/table.md${doc:+ and $doc}"
# Last: the failing cases, the C driver's tally and "N passed, M failed".
CORPUS_ONLY=$only python3 "$py" report "$images" "$out" "$doc" "$(
	IFS=,
	echo "${drivers[*]}"
)" "$times" "$mode"
exit $?
}

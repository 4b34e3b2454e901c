#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test of imx_rproc_rs and ends with the line
#   N passed, M failed, K skipped
# (a skipped test did not run: each is listed with its reason before that
# line; a failure is a failing test, or a stage or scenario that did not
# give all its results: no plan, fewer results than planned, a kernel splat,
# a timeout, a failed build).
# Stages: bootstrap (idempotent), host unit tests, build/lint checks, and the
# QEMU scenarios of tests/guest/scenarios/ on the virtual i.MX95, each in a
# fresh boot. Logs go to out/check/.
#
#   scripts/check.sh                 everything on the full-suite kernel, the
#                                    kernel subset on every other release of
#                                    kernels.list (see below)
#   KERNELS=all scripts/check.sh     everything on every release
#   scripts/check.sh probe smoke     only these QEMU scenarios (and no host stages)
#   scripts/check.sh --host          only the host stages that take seconds
#                                    (make check-host: no fuzzing, shipping,
#                                    tooling, QEMU or corpus)
#   KERNEL=7.3 scripts/check.sh ...  that release only (scenarios, --host, or
#                                    with no argument everything)
# Every result line names its kernel ("ok   [7.3] ..."). The kernel subset:
# the build and clippy, DKMS and headers-package checks, the corpus with
# both drivers (the C column of that kernel in out/corpus-X.Y/table.md) and
# the scenarios of $subset_scenarios, each with both drivers.
#   TARGET=ssh://root@board scripts/check.sh [SCENARIO...]
#                                    (make check TARGET=...) only the
#                                    scenarios on that board through SSH
#                                    (tests/host/test_ssh.py; every one by
#                                    default, those it cannot run skipped
#                                    with the reason); KDIR= the board's
#                                    kernel tree to build the module for it
# Each stage's wall time and the CPU time (user+sys) of its commands are
# printed at the end. QEMU_JOBS=N: boots at once in the QEMU stage (default
# 2); QEMU_GUEST_SMP=N: CPUs of each guest.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 125
out=$here/out/check
mkdir -p "$out"
export PATH=$HOME/.cargo/bin:$PATH

pass=0
fail=0
skip=0
failed=()
skipped=()
splats_expected=()

# The release under test, set below.
kern=
ok() {
	pass=$((pass + 1))
	printf 'ok   [%s] %s\n' "$kern" "$1"
}
# The end of a run: the skips, the expected splats and the failures listed,
# then the closing line CI reads; its status is the run's.
finish() {
	if [ ${#skipped[@]} -ne 0 ]; then
		echo "skipped (did not run):"
		printf '  %s\n' "${skipped[@]}"
	fi
	if [ ${#splats_expected[@]} -ne 0 ]; then
		echo "expected kernel splats (declared by the scenario, not counted as passes):"
		printf '  %s\n' "${splats_expected[@]}"
	fi
	if [ $fail -ne 0 ]; then
		echo "failed:"
		printf '  %s\n' "${failed[@]}"
	fi
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
}

not_ok() {
	fail=$((fail + 1))
	failed+=("[$kern] $1")
	printf 'FAIL [%s] %s%s\n' "$kern" "$1" "${2:+ ($2)}"
}

# The kernel that gets the full suite, and the scenarios every other one
# runs (Documentation/porting.rst, "Which kernel gets the full suite").
full_kernel=7.2
subset_scenarios=(smoke load rpmsg faults)

# Without KERNEL or TARGET, and with neither scenarios nor --host: one run of this
# script per release of kernels.list, each with KERNEL set (the full suite
# or the subset), their counts added up.
if [ -z "${KERNEL:-}" ] && [ -z "${TARGET:-}" ] && [ $# -eq 0 ]; then
	mapfile -t kernels < <(bash scripts/kernels.sh list)
	printf '\n\033[1m== bootstrap: the default kernel (newest supported that Debian serves)\033[0m\n'
	if ! bash scripts/bootstrap.sh; then
		echo "FAIL [default kernel] bootstrap"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	t0=$SECONDS
	summary=()
	for k in "${kernels[@]}"; do
		set_=subset
		if [ "$k" = "$full_kernel" ] || [ "${KERNELS:-}" = all ]; then set_=full; fi
		printf '\n\033[1m==== Linux %s: the %s suite\033[0m\n' "$k" "$set_"
		ks=$SECONDS
		KERNEL=$k CHECK_SET=$set_ bash scripts/check.sh 2>&1 | tee "$out/kernel-$k.log"
		read -r p f k_ < <(sed -n 's/^\([0-9]\+\) passed, \([0-9]\+\) failed, \([0-9]\+\) skipped$/\1 \2 \3/p' "$out/kernel-$k.log" | tail -n 1)
		if [ -z "${p:-}" ]; then
			kern=$k
			not_ok "the $set_ suite ran to its result line" "see $out/kernel-$k.log"
			p=0 f=0 k_=0
		fi
		pass=$((pass + p))
		fail=$((fail + f))
		skip=$((skip + k_))
		mapfile -t fl < <(sed -n '/^failed:$/,/^[0-9]* passed/{s/^  //p}' "$out/kernel-$k.log")
		mapfile -t sl < <(sed -n '/^skipped (did not run):$/,/^[a-z0-9]/{s/^  //p}' "$out/kernel-$k.log")
		[ ${#fl[@]} -eq 0 ] || failed+=("${fl[@]}")
		[ ${#sl[@]} -eq 0 ] || skipped+=("${sl[@]}")
		summary+=("Linux $k ($set_ suite): $p passed, $f failed, $k_ skipped, $((SECONDS - ks)) s")
		p=
	done
	echo
	printf '  %s\n' "${summary[@]}"
	echo "  $((SECONDS - t0)) s for all kernels"
	finish
	exit
fi
set_=${CHECK_SET:-full}


# Per-stage wall times and CPU times, printed at the end.
stage_names=()
stage_secs=()
stage_cpu=()
stage_t0=$SECONDS
# cpu_now: cpu= the CPU time (user+sys, centiseconds) of this shell's
# finished children so far (bash's times builtin, second line). Called in
# this shell, never in $(...): a subshell's counts start at zero.
cpu=0
cpu_now() {
	local u s
	times >"$out/.times"
	read -r u s < <(sed -n 2p "$out/.times")
	cpu=$(($(cs "$u") + $(cs "$s")))
}
# cs 1m2.345s: 6234
cs() {
	local m=${1%%m*} r=${1#*m}
	r=${r%s}
	echo $((10#$m * 6000 + 10#${r%.*} * 100 + 10#$(printf '%.2s' "${r#*.}0")))
}
cpu_now
stage_c0=$cpu
stage() {
	stage_done
	printf '\n\033[1m== %s\033[0m\n' "$*"
	stage_names+=("$*")
	stage_t0=$SECONDS
	cpu_now
	stage_c0=$cpu
}
stage_done() {
	if [ ${#stage_names[@]} -gt ${#stage_secs[@]} ]; then
		stage_secs+=($((SECONDS - stage_t0)))
		cpu_now
		stage_cpu+=($(((cpu - stage_c0 + 50) / 100)))
	fi
	return 0
}
# Python with Debian's python3-pytest (scripts/bootstrap.sh installs it).
HOST_PYTHON=${HOST_PYTHON:-/usr/bin/python3}

host_only=
if [ "${1:-}" = --host ]; then
	host_only=1
	shift
fi
only=("$@")

# TARGET=...: the SSH target's stage alone, against that board, with every
# scenario unless some are named (the host stages, which run when none is
# named, are skipped as with a selection).
target=${TARGET:-}
user_kdir=${KDIR:-}
if [ -n "$target" ] && [ ${#only[@]} -eq 0 ]; then
	mapfile -t only < <(python3 -c 'import sys; sys.path.insert(0, "tests/host"); import scenarios
print("\n".join(sorted(scenarios.load())))')
fi

if [ ${#only[@]} -eq 0 ]; then
	stage "bootstrap (tools and the cached Linux ${KERNEL:-} tree)"
	if ! bash scripts/bootstrap.sh; then
		not_ok "bootstrap"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
fi

# shellcheck disable=SC1090
eval "$(bash scripts/bootstrap.sh --print-env | sed 's/^/export /')"
# A board's own kernel tree (TARGET=... KDIR=...) wins over the bootstrap's.
[ -z "$target" ] || [ -z "$user_kdir" ] || export KDIR=$user_kdir
# The release under test, on every result line (the env file names it).
kern=${KERNEL:-$(make -s -C "$KDIR" kernelversion 2>/dev/null | cut -d. -f1-2)}
# Each kernel's logs apart when scripts/check.sh runs several.
if [ -n "${CHECK_SET:-}" ]; then
	out=$here/out/check/$kern
	mkdir -p "$out"
fi
if [ "$set_" = subset ] && [ ${#only[@]} -eq 0 ]; then
	only=("${subset_scenarios[@]}")
	subset=1
else
	subset=
fi
# Stages of the full suite only (on the subset, skipped by design: listed in
# the header above, not as skipped tests).
full() { [ ${#only[@]} -eq 0 ]; }

if full; then
	stage "host: cargo test (firmware-format crate)"
	# --no-fail-fast: a failing test binary must not hide the others' counts.
	cargo test --workspace --no-fail-fast >"$out/cargo-test.log" 2>&1
	crc=$?
	grep -E '^test result|panicked' "$out/cargo-test.log"
	# "test result: ok. P passed; F failed; I ignored; ...": ignored is skipped.
	read -r p f i < <(awk '/^test result:/ { p += $4; f += $6; i += $8 } END { print p + 0, f + 0, i + 0 }' "$out/cargo-test.log")
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + i))
	[ "$i" -eq 0 ] || skipped+=("cargo test: $i ignored tests (#[ignore]), see $out/cargo-test.log")
	[ "$f" -eq 0 ] || failed+=("cargo test: $f failing")
	if [ "$crc" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -n 20 "$out/cargo-test.log"
		not_ok "cargo test (build or run)" "see $out/cargo-test.log"
	fi
	echo "cargo test: $p passed, $f failed, $i skipped"

fi
if full || [ -n "$subset" ]; then
	stage "build: module and virtual-board modules against KDIR (Linux $kern)"
	if make tests-modules >"$out/build.log" 2>&1; then
		ok "make tests-modules builds imx_rproc_rs.ko and the simulated hardware"
		if grep -E '^(warning|error)|: warning:' "$out/build.log"; then
			not_ok "build prints no warning" "see $out/build.log"
		else
			ok "build prints no warning"
		fi
	else
		tail -n 30 "$out/build.log"
		not_ok "make tests-modules" "see $out/build.log"
	fi

	stage "lint: clippy, rustfmt, unsafe discipline"
	touch rust/imx_rproc_rs.rs tests/sim/imx95_sim.rs 2>/dev/null
	if make clippy >"$out/clippy.log" 2>&1 && ! grep -E '^(warning|error)' "$out/clippy.log"; then
		ok "make clippy (CLIPPY=1) is clean"
	else
		not_ok "make clippy (CLIPPY=1) is clean" "see $out/clippy.log"
	fi
fi
if full; then
	if make -s fmt-check >"$out/fmt.log" 2>&1; then
		ok "rustfmt (kernel config) and cargo fmt are clean"
	else
		head -n 20 "$out/fmt.log"
		not_ok "rustfmt clean" "see $out/fmt.log"
	fi
	# The driver's modules: every rust/*.rs but the abstractions' root and
	# the generated bindings.
	driver_files=()
	for f in rust/*.rs; do
		case $f in rust/kernel_ext.rs | rust/bindings_generated.rs) ;; *) driver_files+=("$f") ;; esac
	done
	if grep -nw 'unsafe' "${driver_files[@]}"; then
		not_ok "the driver files have no unsafe"
	else
		ok "the driver files have no unsafe"
	fi
	if python3 scripts/check_safety.py rust/kernel_ext/*.rs tests/sim/*.rs; then
		ok "every unsafe block has a SAFETY comment, every unsafe fn a # Safety section"
	else
		not_ok "SAFETY comments"
	fi
	if python3 -c 'import docutils' 2>/dev/null; then
		if python3 scripts/check_rst.py Documentation/*.rst README.md >"$out/rst.log" 2>&1; then
			ok "Documentation/ is valid reStructuredText"
		else
			cat "$out/rst.log"
			not_ok "Documentation/ is valid reStructuredText"
		fi
	fi
fi

# run_counted NAME CMD...: a sub-suite that ends with "N passed, M failed"
# or "N passed, M failed, K skipped"; its counts join the totals (a run that
# prints no such line is one failure).
run_counted() {
	local name=$1 log=$out/$1.log p f k rc fl sl el
	shift
	"$@" >"$log" 2>&1
	rc=$?
	grep -E '^(fuzz |FAIL|SKIP|ok |not ok )' "$log" | sed "s/^/   [$kern] /" | tail -n 40
	read -r p f k < <(sed -n 's/^\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\?.*/\1 \2 \4/p' "$log" | tail -n 1)
	if [ -z "${p:-}" ]; then
		tail -n 20 "$log"
		not_ok "$name ran (exit $rc, no result line)" "see $log"
		return
	fi
	k=${k:-0}
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + k))
	# Each "FAIL WHAT" / "SKIP WHAT: REASON" line the sub-suite printed is
	# listed at the end; a count without such lines is listed as a count.
	mapfile -t fl < <(sed -n 's/^FAIL //p' "$log")
	mapfile -t sl < <(sed -n 's/^SKIP //p' "$log")
	mapfile -t el < <(sed -n 's/^EXPECTED-SPLAT //p' "$log")
	if [ "$f" -ne 0 ]; then
		if [ ${#fl[@]} -ne 0 ]; then failed+=("${fl[@]/#/[$kern] $name: }"); else failed+=("[$kern] $name: $f failing, see $log"); fi
	fi
	if [ "$k" -ne 0 ]; then
		if [ ${#sl[@]} -ne 0 ]; then skipped+=("${sl[@]/#/[$kern] $name: }"); else skipped+=("[$kern] $name: $k skipped, see $log"); fi
	fi
	[ ${#el[@]} -eq 0 ] || splats_expected+=("${el[@]}")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		not_ok "$name exit status $rc" "see $log"
	fi
	echo "[$kern] $name: $p passed, $f failed, $k skipped"
}

if [ ${#only[@]} -eq 0 ]; then
	stage "host: the runner's own tests (tests/runner/: recorded KTAP counted)"
	run_counted runner-selftest python3 tests/runner/run.py
	run_counted scenarios-data "$HOST_PYTHON" -m pytest -p no:cacheprovider -q tests/host/test_scenarios_data.py \
		tests/host/test_pool.py tests/host/test_ssh_target.py
	run_counted kernels-list bash scripts/kernels.sh check

	stage "house habits: shellcheck (every shell file), ruff (the host Python)"
	# -S warning: the info/style findings left are listed in issue 16.
	mapfile -t shfiles < <(git ls-files '*.sh' .ci/run)
	if shellcheck -S warning "${shfiles[@]}" >"$out/shellcheck.log" 2>&1; then
		ok "shellcheck -S warning: ${#shfiles[@]} shell files clean"
	else
		grep '^In ' "$out/shellcheck.log" | sed 's/^/   /'
		not_ok "shellcheck -S warning clean" "see $out/shellcheck.log"
	fi
	ruff=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}/host-venv/bin/ruff
	pyfiles=(tests/host tests/runner scripts/*.py)
	if [ ! -x "$ruff" ]; then
		not_ok "ruff installed (scripts/bootstrap.sh)"
	else
		if "$ruff" check "${pyfiles[@]}" >"$out/ruff.log" 2>&1; then
			ok "ruff check: ${pyfiles[*]}"
		else
			tail -n 20 "$out/ruff.log"
			not_ok "ruff check" "see $out/ruff.log"
		fi
		if "$ruff" format --check "${pyfiles[@]}" >"$out/ruff-format.log" 2>&1; then
			ok "ruff format --check: ${pyfiles[*]}"
		else
			tail -n 20 "$out/ruff-format.log"
			not_ok "ruff format --check" "see $out/ruff-format.log"
		fi
	fi
fi

if full; then
	stage "host: every mutant of tests/mutations/catalogue.toml still applies (no build)"
	run_counted mutation-selfcheck python3 scripts/mutation.py selfcheck
fi

corpus_pid=
if { full || [ -n "$subset" ]; } && [ -z "$host_only" ]; then
	# The corpus (one guest) runs in the background from here to its own
	# stage below: fuzzing uses one core (fuzz.sh: --jobs 1), the shipping
	# and tooling stages build in copies of their own. Its build in the tree
	# is waited for first, so that nothing builds there at the same time.
	# On the subset's kernels both drivers run: the C column of that kernel
	# goes to out/corpus-X.Y/table.md (recorded, not counted; corpus.sh).
	if full; then
		stage "fuzzing the firmware crate (bounded: 20 s per target; the corpus boots alongside)"
		bash scripts/corpus.sh --driver rust >"$out/corpus-run.log" 2>&1 &
	else
		stage "the corpus with both drivers on Linux $kern (out/corpus-$kern/)"
		mkdir -p "$here/out/corpus-$kern"
		# --serial: one corpus guest beside the QEMU stage's QEMU_JOBS, as
		# on the full suite's kernel; with both drivers at once the four
		# guests on two cores ran the corpus and faults out of time.
		bash scripts/corpus.sh --driver both --serial --out "$here/out/corpus-$kern" >"$out/corpus-run.log" 2>&1 &
	fi
	corpus_pid=$!
	corpus_t0=$SECONDS
	while kill -0 "$corpus_pid" 2>/dev/null && ! grep -q '^corpus: snapshot taken' "$out/corpus-run.log"; do
		sleep 1
	done
	! full || run_counted fuzz bash scripts/fuzz.sh --seconds 20

	stage "shipping: DKMS build and a minimal headers tree (Linux $kern)"
	run_counted dkms-check bash scripts/dkms-check.sh
	run_counted headers-check bash scripts/headers-check.sh
fi

if full && [ -z "$host_only" ]; then
	stage "shipping: the Verdin iMX95 overlay on Linux 7.2's DTBs, dt-schema (dt-validate results cached)"
	run_counted dt-check bash scripts/dt-check.sh

	stage "developer tooling: rust-project.json, rustdoc with Kbuild's flags, clippy on the host crates"
	run_counted rust-analyzer make -s rust-analyzer
	run_counted rustdoc python3 scripts/rustdoc.py
	run_counted clippy-host bash scripts/clippy-host.sh
fi

# tests/host/conftest.py builds what is tested first (incrementally; a
# failed build fails every scenario, which then does not run, so no old .ko
# is ever tested), boots each scenario once per driver, reports each KTAP
# result on its own (scripts/ktap_count.py counts: a plan not met, a splat,
# a timeout or a crash fails the boot) and ends "N passed, M failed, K
# skipped". Its logs and JUnit XML: $out (out/check/<kernel> in a per-kernel run).
if [ -z "$host_only" ] && [ -z "$target" ]; then
	stage "QEMU scenarios on the virtual i.MX95, Linux $kern (pytest tests/host, tests/guest/scenarios.toml)"
	sel=()
	for s in ${only[@]+"${only[@]}"}; do sel+=(--scenario "$s"); done
	# QEMU_JOBS guests at once (default 2, one per core of the reference
	# machine); QEMU_GUEST_SMP CPUs each (default run-qemu.sh's).
	par=(--jobs "${QEMU_JOBS:-2}")
	[ -z "${QEMU_GUEST_SMP:-}" ] || par+=(--guest-smp "$QEMU_GUEST_SMP")
	run_counted qemu "$HOST_PYTHON" -m pytest -p no:cacheprovider tests/host/test_qemu.py \
		"${par[@]}" ${sel[@]+"${sel[@]}"} --out "$out" --junitxml "$out/qemu-junit.xml" -q
fi

# The SSH target (tests/host/test_ssh.py, tests/host/ssh_target.py): with
# TARGET=, the scenarios on that board; in the whole run, a few on virtual
# boards reached through SSH on forwarded loopback ports (one board per
# boot, the same code path as a real board's), each boot's results checked
# against the QEMU stage's for the same scenario and driver above.
ssh_subset=(smoke kunit board_rpmsg rpmsg)
if [ -n "$target" ]; then
	stage "SSH target $target: the scenarios on the board (pytest tests/host/test_ssh.py)"
	sel=()
	for s in "${only[@]}"; do sel+=(--scenario "$s"); done
	run_counted ssh "$HOST_PYTHON" -m pytest -p no:cacheprovider tests/host/test_ssh.py --target "$target" \
		"${sel[@]}" --out "$out/ssh" --junitxml "$out/ssh-junit.xml" -q
elif [ ${#only[@]} -eq 0 ] && [ -z "$host_only" ]; then
	stage "SSH target: ${ssh_subset[*]} on the virtual board over SSH, the same results as under QEMU"
	sel=()
	for s in "${ssh_subset[@]}"; do sel+=(--scenario "$s"); done
	run_counted ssh "$HOST_PYTHON" -m pytest -p no:cacheprovider tests/host/test_ssh.py --target virtual \
		--jobs "${QEMU_JOBS:-2}" "${sel[@]}" --compare-qemu "$out" --out "$out/ssh" \
		--junitxml "$out/ssh-junit.xml" -q
fi

if [ -n "$corpus_pid" ]; then
	stage "malformed-image corpus through the Rust driver on Linux $kern (the C driver's outcomes: scripts/corpus.sh)"
	wait "$corpus_pid"
	corpus_rc=$?
	echo "corpus: ran in the background, $((SECONDS - corpus_t0)) s from its start to here"
	run_counted corpus bash -c 'cat "$1"; exit "$2"' corpus "$out/corpus-run.log" "$corpus_rc"
fi

if full; then
	stage "vm7: the Zephyr fixtures executed on the virtual M7 (tools/vm7/fixtures.sh)"
	run_counted vm7 bash tools/vm7/fixtures.sh
fi

# Cases tried, cycles held, faults survived, leaks and splats per driver,
# from the logs above (scripts/reliability.py).
python3 scripts/reliability.py --out "$out/reliability.md" "$out" >/dev/null &&
	echo "reliability summary: $out/reliability.md"

stage_done
echo
echo "stage times (wall, and CPU user+sys of the stage's commands):"
for i in "${!stage_names[@]}"; do
	printf '  %4d s  %5d s CPU  %s\n' "${stage_secs[$i]:-0}" "${stage_cpu[$i]:-0}" "${stage_names[$i]}"
done
cpu_now
echo "  $SECONDS s in all, $(((cpu + 50) / 100)) s CPU"
finish

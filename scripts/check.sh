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
#   scripts/check.sh                 everything
#   scripts/check.sh probe smoke     only these QEMU scenarios (and no host stages)

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

ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}
not_ok() {
	fail=$((fail + 1))
	failed+=("$1")
	printf 'FAIL %s%s\n' "$1" "${2:+ ($2)}"
}
stage() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

only=("$@")

if [ ${#only[@]} -eq 0 ]; then
	stage "bootstrap (tools and cached kernel tree)"
	if ! bash scripts/bootstrap.sh; then
		not_ok "bootstrap"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
fi

# shellcheck disable=SC1090
eval "$(bash scripts/bootstrap.sh --print-env | sed 's/^/export /')"

if [ ${#only[@]} -eq 0 ]; then
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

	stage "build: module and virtual-board modules against KDIR"
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
	if make -s fmt-check >"$out/fmt.log" 2>&1; then
		ok "rustfmt (kernel config) and cargo fmt are clean"
	else
		head -n 20 "$out/fmt.log"
		not_ok "rustfmt clean" "see $out/fmt.log"
	fi
	# The driver's modules: every rust/*.rs but the abstractions' root and
	# the generated bindings.
	if grep -nw 'unsafe' $(ls rust/*.rs | grep -v -e '^rust/kernel_ext\.rs$' -e '^rust/bindings_generated\.rs$'); then
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
	local name=$1 log=$out/$1.log p f k rc
	shift
	"$@" >"$log" 2>&1
	rc=$?
	grep -E '^(fuzz |FAIL|SKIP|ok |not ok )' "$log" | sed 's/^/   /' | tail -n 40
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
	[ "$f" -eq 0 ] || failed+=("$name: $f failing, see $log")
	[ "$k" -eq 0 ] || skipped+=("$name: $k skipped, see $log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		not_ok "$name exit status $rc" "see $log"
	fi
	echo "$name: $p passed, $f failed, $k skipped"
}

if [ ${#only[@]} -eq 0 ]; then
	stage "host: the runner's own tests (tests/runner/: recorded KTAP counted)"
	run_counted runner-selftest python3 tests/runner/run.py
fi

if [ ${#only[@]} -eq 0 ]; then
	stage "host: every mutant of tests/mutations/catalogue.toml still applies (no build)"
	run_counted mutation-selfcheck python3 scripts/mutation.py selfcheck
fi

if [ ${#only[@]} -eq 0 ]; then
	stage "fuzzing the firmware crate (bounded: 20 s per target)"
	run_counted fuzz bash scripts/fuzz.sh --seconds 20

	stage "shipping: DKMS build and a minimal headers tree"
	run_counted dkms-check bash scripts/dkms-check.sh
	run_counted headers-check bash scripts/headers-check.sh
fi

if [ ${#only[@]} -eq 0 ]; then
	stage "shipping: the Verdin iMX95 overlay on Linux 7.2's DTBs, dt-schema (dt-validate results cached)"
	run_counted dt-check bash scripts/dt-check.sh

	stage "developer tooling: rust-project.json, rustdoc with Kbuild's flags, clippy on the host crates"
	run_counted rust-analyzer make -s rust-analyzer
	run_counted rustdoc python3 scripts/rustdoc.py
	run_counted clippy-host bash scripts/clippy-host.sh
fi

stage "QEMU scenarios on the virtual i.MX95"
# Always build what is tested (incremental: make knows the sources of each
# .ko); a failed build fails every scenario, which then does not run, so no
# old .ko is ever tested.
built=1
if ! make -s tests-modules >"$out/qemu-build.log" 2>&1; then
	tail -n 20 "$out/qemu-build.log"
	not_ok "make tests-modules (for the QEMU scenarios)" "see $out/qemu-build.log"
	built=
fi
# The guest's rpmsg_tool and the firmware images of the simulated M7.
make -s tests-tools >"$out/tools.log" 2>&1 || { tail -n 20 "$out/tools.log"; not_ok "make tests-tools" "see $out/tools.log"; built=; }
make -s tests-firmware >"$out/firmware.log" 2>&1 || { tail -n 20 "$out/firmware.log"; not_ok "make tests-firmware" "see $out/firmware.log"; built=; }
# The KUnit cases the module's source declares (rust/selftests.rs, one
# #[test] each): kunit.sh fails a case that did not run.
sed -n '/#\[test\]/{n;s/^[[:space:]]*fn[[:space:]]\+\([a-zA-Z0-9_]\+\).*/\1/p}' rust/selftests.rs >"$out/kunit-cases.txt"
fw_files=()
for fw in out/fw/*.elf out/fw/*.tsv; do
	[ -f "$fw" ] && fw_files+=(--file "$fw:/lib/firmware/$(basename "$fw")")
done
# Firmware built by others (shared/fixtures/zephyr/README.md), as
# /lib/firmware/zephyr-NAME; the scenarios skip what is not found.
for dir in "${IMX_RPROC_RS_FIXTURES:-}" "$here/../shared/fixtures/zephyr" /work/shared/fixtures/zephyr; do
	[ -n "$dir" ] && [ -d "$dir" ] || continue
	for fw in "$dir"/*.elf; do
		[ -f "$fw" ] && fw_files+=(--file "$fw:/lib/firmware/zephyr-$(basename "$fw")")
	done
	echo "firmware built by others: $dir"
	break
done
# FIRMWARE=/path/to/image.elf: the user's own image, as /lib/firmware/user.elf
# (tests/guest/scenarios/firmware.sh; FIRMWARE_EXPECT=rpmsg|silent|idle|tcm|rejected).
if [ -n "${FIRMWARE:-}" ]; then
	[ -r "$FIRMWARE" ] || { not_ok "FIRMWARE=$FIRMWARE is readable"; FIRMWARE=; }
fi
if [ -n "${FIRMWARE:-}" ]; then
	echo "${FIRMWARE_EXPECT:-rpmsg}" >"$out/user.expect"
	fw_files+=(--file "$FIRMWARE:/lib/firmware/user.elf" --file "$out/user.expect:/lib/firmware/user.expect")
fi
fw_files+=(--file "$out/kunit-cases.txt:/kunit-cases.txt")
scenarios=()
if [ ${#only[@]} -gt 0 ]; then
	for s in "${only[@]}"; do scenarios+=("tests/guest/scenarios/$s.sh"); done
else
	scenarios=(tests/guest/scenarios/*.sh)
fi
# run_scenario SCRIPT NAME [DRIVER]: one boot; with DRIVER, the kernel gets
# imxrprocrs_driver=DRIVER (the guest's $DRV, see tests/guest/sim.sh).
# scripts/ktap_count.py counts its results: passed, failed, skipped, and
# errors (no plan, a plan the results do not meet, a kernel splat, a
# timeout, a crash), which are failures naming the scenario.
run_scenario() {
	local sc=$1 name=$2 drv=${3:-} log rc dtso tmo k v l
	local args=() exp=()
	log=$out/qemu-$name${drv:+-$drv}.log
	if [ -z "$built" ]; then
		rm -f "$log" "$log.results"
		not_ok "$name${drv:+[$drv]}: not run, the build failed (no old .ko is tested)"
		return
	fi
	# A line "# timeout: SECONDS" in the scenario raises the runner's 300 s.
	tmo=$(sed -n 's/^# timeout:[[:space:]]*\([0-9]\+\).*/\1/p' "$sc" | head -n 1)
	[ -z "$drv" ] || args=(--append "imxrprocrs_driver=$drv")
	# A line "# dtso: FILE" boots the board with that overlay variant.
	dtso=$(sed -n 's/^# dtso:[[:space:]]*//p' "$sc" | head -n 1)
	[ -z "$dtso" ] || args+=(--dtso "$dtso")
	# Lines "# expected-splat: REGEX | reason": a kernel report the scenario
	# provokes on purpose (e.g. a known upstream bug of the C driver). It is
	# listed at the end, neither a pass nor a failure; any other splat fails.
	while IFS= read -r l; do
		exp+=(--expect-splat "$l")
	done < <(sed -n 's/^# expected-splat:[[:space:]]*//p' "$sc")
	echo "-- $name${drv:+ ($drv driver)}"
	scripts/run-qemu.sh --module imx_rproc_rs.ko --module tests/sim/imx95_sim.ko \
		${fw_files[@]+"${fw_files[@]}"} ${args[@]+"${args[@]}"} \
		--script "$sc" --timeout "${tmo:-300}" >"$log" 2>&1
	rc=$?
	name=$name${drv:+[$drv]}
	# The guest script's output as the runner reprinted it at the end,
	# untouched by kernel messages (see the runner's /init).
	sed -n '/^IMXRPROCRS-RESULTS-BEGIN/,/^IMXRPROCRS-RESULTS-END/p' "$log" | tr -d '\r' >"$log.results"
	grep -E '^(not )?ok [0-9]+|^# ' "$log.results" | sed 's/^/   /'
	[ "$rc" -eq 0 ] || grep '^runner:' "$log" | sed 's/^/   /'
	python3 scripts/ktap_count.py --name "$name" --log "$log" --rc "$rc" \
		${exp[@]+"${exp[@]}"} "$log.results" >"$log.count"
	while IFS= read -r l; do
		k=${l%% *}
		v=${l#* }
		case $k in
		passed) pass=$((pass + v)) ;;
		failed) fail=$((fail + v)) ;;
		skipped) skip=$((skip + v)) ;;
		errors) fail=$((fail + v)) ;;
		fail) failed+=("$v") ;;
		skip) skipped+=("$v") ;;
		error)
			failed+=("$v")
			printf 'FAIL %s\n' "$v"
			;;
		expected-splat)
			splats_expected+=("$v")
			printf 'expected splat: %s\n' "$v"
			;;
		log) printf '   | %s\n' "${v#*: }" ;;
		esac
	done <"$log.count"
	if ! grep -qE '^(passed|failed|skipped|errors) [0-9]+$' "$log.count"; then
		not_ok "$name: results not counted (scripts/ktap_count.py failed)" "see $log.count"
	fi
}
for sc in "${scenarios[@]}"; do
	name=$(basename "$sc" .sh)
	# A line "# drivers: c rust" runs the scenario once per driver.
	drivers=$(sed -n 's/^# drivers:[[:space:]]*//p' "$sc" | head -n 1)
	if [ -n "$drivers" ]; then
		for drv in $drivers; do
			run_scenario "$sc" "$name" "$drv"
		done
		# Parity: the same test must have the same outcome with both
		# drivers, unless tests/parity-exceptions.txt lists the difference.
		if [[ " $drivers " == *" c "* && " $drivers " == *" rust "* ]]; then
			if python3 scripts/parity.py "$out/parity-$name.md" \
				"$out/qemu-$name-c.log.results" "$out/qemu-$name-rust.log.results" >"$out/parity-$name.log"; then
				ok "$name: parity with the C driver ($(tail -n 1 "$out/parity-$name.log"))"
			else
				grep 'parity FAIL' "$out/parity-$name.log" | sed 's/^/   /'
				not_ok "$name: parity with the C driver" "see $out/parity-$name.md"
			fi
		fi
	else
		run_scenario "$sc" "$name"
	fi
done

if [ ${#only[@]} -eq 0 ]; then
	stage "malformed-image corpus through the Rust driver (the C driver's outcomes: scripts/corpus.sh)"
	run_counted corpus bash scripts/corpus.sh --driver rust
fi

if [ ${#only[@]} -eq 0 ]; then
	stage "vm7: the Zephyr fixtures executed on the virtual M7 (tools/vm7/fixtures.sh)"
	run_counted vm7 bash tools/vm7/fixtures.sh
fi

# Cases tried, cycles held, faults survived, leaks and splats per driver,
# from the logs above (scripts/reliability.py).
python3 scripts/reliability.py --out "$out/reliability.md" "$out" >/dev/null &&
	echo "reliability summary: $out/reliability.md"

echo
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

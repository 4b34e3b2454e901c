#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shows that each "Beyond the C driver" feature is tested: for every patch
# tests/mutations/<item>.patch (one small change that disables one
# feature), copies the tree to out/mutation/<item>/, applies the patch,
# builds imx_rproc_rs.ko there, runs the item's scenario on the virtual
# board with the Rust driver and expects at least one "not ok". Prints a
# table item -> failing tests and ends with "N passed, M failed" (a
# mutation that no test notices, that does not apply or does not build is
# a failure). Not part of `make check`: one build and one boot per item.
#
#   scripts/mutation-check.sh               every item
#   scripts/mutation-check.sh 1-detach ...  only these
#
# Needs the virtual board's modules, tools and firmware built in this tree
# (make tests-modules tests-tools tests-firmware). Logs: out/mutation/.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 1
out=$here/out/mutation
mkdir -p "$out"
export PATH=$HOME/.cargo/bin:$PATH

# The scenario that must catch each item's mutation.
scenario_of() {
	case $1 in
	7-*) echo region_names ;;
	9-*) echo mu_words ;;
	12-*) echo firmware ;;
	*) echo beyond ;;
	esac
}

items=("$@")
if [ ${#items[@]} -eq 0 ]; then
	for p in tests/mutations/*.patch; do items+=("$(basename "$p" .patch)"); done
fi

[ -f tests/sim/imx95_sim.ko ] || make -s tests-modules >"$out/build-tree.log" 2>&1 ||
	{ echo "mutation-check: the tree does not build, see $out/build-tree.log"; exit 1; }
make -s tests-tools >"$out/tools.log" 2>&1 || { echo "mutation-check: make tests-tools failed"; exit 1; }
make -s tests-firmware >"$out/firmware.log" 2>&1 || { echo "mutation-check: make tests-firmware failed"; exit 1; }
fw_files=()
for fw in out/fw/*.elf; do
	[ -f "$fw" ] && fw_files+=(--file "$fw:/lib/firmware/$(basename "$fw")")
done

# One snapshot of the tree as it is now (tracked and new files, not the
# ignored ones): every item starts from it, scenarios included.
base=$out/base
rm -rf "$base"
mkdir -p "$base"
git ls-files -co --exclude-standard -z | grep -zv '^out/' |
	xargs -0 cp --parents -t "$base" 2>/dev/null

pass=0
fail=0
table=("| item | scenario | failing tests with the feature disabled |" "|---|---|---|")
for item in "${items[@]}"; do
	patch=tests/mutations/$item.patch
	sc=$(scenario_of "$item")
	dir=$out/$item
	log=$out/$item.log
	echo "-- $item ($sc)"
	rm -rf "$dir"
	cp -a "$base" "$dir"
	if [ ! -f "$patch" ] || ! patch -d "$dir" -p1 --forward --no-backup-if-mismatch <"$patch" >"$log" 2>&1; then
		fail=$((fail + 1))
		table+=("| $item | $sc | **the mutation does not apply** |")
		echo "FAIL $item: the patch does not apply (see $log)"
		continue
	fi
	if ! make -C "$dir" modules >>"$log" 2>&1 || [ ! -f "$dir/imx_rproc_rs.ko" ]; then
		fail=$((fail + 1))
		table+=("| $item | $sc | **the mutated driver does not build** |")
		echo "FAIL $item: the mutated driver does not build (see $log)"
		continue
	fi
	args=(--append imxrprocrs_driver=rust)
	dtso=$(sed -n 's/^# dtso:[[:space:]]*//p' "$dir/tests/guest/scenarios/$sc.sh" | head -n 1)
	[ -z "$dtso" ] || args+=(--dtso "$dir/$dtso")
	scripts/run-qemu.sh --module "$dir/imx_rproc_rs.ko" --module tests/sim/imx95_sim.ko \
		${fw_files[@]+"${fw_files[@]}"} "${args[@]}" \
		--script "$dir/tests/guest/scenarios/$sc.sh" --timeout 600 >>"$log" 2>&1
	sed -n '/^IMXRPROCRS-RESULTS-BEGIN/,/^IMXRPROCRS-RESULTS-END/p' "$log" | tr -d '\r' >"$log.results"
	failing=$(sed -n 's/^not ok [0-9]* //p' "$log.results")
	n_ok=$(grep -cE '^ok [0-9]+' "$log.results")
	if [ -n "$failing" ]; then
		pass=$((pass + 1))
		echo "ok   $item: $(grep -c . <<<"$failing") of $((n_ok + $(grep -c . <<<"$failing"))) tests fail"
		table+=("| $item | $sc | $(sed 's/|/\\|/g' <<<"$failing" | paste -sd ';' | sed 's/;/; /g') |")
	elif [ "$n_ok" -eq 0 ]; then
		fail=$((fail + 1))
		table+=("| $item | $sc | **the scenario did not run** (see $log) |")
		echo "FAIL $item: the scenario did not run (see $log)"
	else
		fail=$((fail + 1))
		table+=("| $item | $sc | **no test fails: the mutation survives** |")
		echo "FAIL $item: all $n_ok tests pass with the feature disabled"
	fi
done

printf '%s\n' "${table[@]}" >"$out/table.md"
echo
cat "$out/table.md"
echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation testing as a standing measure (issue 18; Documentation/testing.rst,
# "Mutation testing"):
#
#  1. the catalogue tests/mutations/catalogue.toml: each plausible bug applied
#     in turn to a copy of the tree (out/mutation/work/), built, and the tests
#     it names run until one catches it (scripts/mutation.py run; baselines
#     first, so a splat or a timeout counts only when the baseline is clean);
#  2. cargo-mutants over the firmware-format crate fw/ (installed with
#     `cargo install --locked cargo-mutants` when missing).
#
# Prints each part's score and survivors. Not part of `make check`: one
# build and one boot per catalogue entry, one build and test run per
# cargo-mutants mutant.
#
#   scripts/mutation-check.sh                     both parts, everything
#   scripts/mutation-check.sh ID ...              only these catalogue entries
#   scripts/mutation-check.sh --no-cargo-mutants  the catalogue only
#   scripts/mutation-check.sh --cargo-mutants-only [cargo-mutants args]
#
# CARGO_MUTANTS_ARGS: extra arguments for cargo-mutants (e.g. "-f fw/src/att.rs").
# Logs: out/mutation/.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 125
export PATH=$HOME/.cargo/bin:$PATH
out=$here/out/mutation
mkdir -p "$out"

catalogue=1
cargo_mutants=1
ids=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-cargo-mutants) cargo_mutants= ;;
	--cargo-mutants-only) catalogue= ;;
	-h | --help) sed -n '3,25p' "$0"; exit 0 ;;
	*) ids+=("$1") ;;
	esac
	shift
done
# Only some entries named: those, and no cargo-mutants.
[ ${#ids[@]} -eq 0 ] || cargo_mutants=

status=0
if [ -n "$catalogue" ]; then
	echo "== the catalogue (tests/mutations/catalogue.toml)"
	python3 scripts/mutation.py selfcheck >"$out/selfcheck.log" 2>&1 ||
		{ grep FAIL "$out/selfcheck.log"; echo "mutation-check: the catalogue does not apply to this tree"; exit 1; }
	python3 scripts/mutation.py run ${ids[@]+--only "${ids[@]}"} || status=1
fi

if [ -n "$cargo_mutants" ]; then
	echo
	echo "== cargo-mutants over fw/"
	if ! command -v cargo-mutants >/dev/null; then
		echo "installing cargo-mutants (cargo install --locked cargo-mutants)"
		cargo install --locked cargo-mutants >"$out/cargo-mutants-install.log" 2>&1 ||
			{ tail -n 20 "$out/cargo-mutants-install.log"; echo "mutation-check: cannot install cargo-mutants"; exit 1; }
	fi
	# shellcheck disable=SC2086
	cargo mutants -p imx_rproc_fw --test-workspace=false --timeout 120 -j 1 \
		-o "$out/cargo-mutants" ${CARGO_MUTANTS_ARGS:-} >"$out/cargo-mutants.log" 2>&1
	rc=$?
	tail -n 3 "$out/cargo-mutants.log"
	missed=$out/cargo-mutants/mutants.out/missed.txt
	if [ -s "$missed" ]; then
		echo "cargo-mutants survivors:"
		sed 's/^/  /' "$missed"
	fi
	# 0: all caught; 2: some missed; 3: timeouts; 4: the baseline failed.
	[ "$rc" -eq 0 ] || status=1
fi
exit $status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Clippy with -D warnings over the host Rust code, which `make clippy` (the
# kernel's CLIPPY=1 build of the module) does not see:
#   - the cargo workspace: fw/ (the no_std firmware crate, tests included)
#     and tools/mkfw, all targets;
#   - fuzz/, its own workspace (cargo-fuzz targets), all targets, checked
#     with the stable toolchain (no sanitizer flags are needed to lint).
#
#   scripts/clippy-host.sh
#
# Prints one line per workspace and "N passed, M failed"; logs in out/clippy-host/.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 2
out=$here/out/clippy-host
mkdir -p "$out"
export PATH=$HOME/.cargo/bin:$PATH

pass=0
fail=0
run() { # name log cargo-args...
	local name=$1 log=$out/$2 t0=$SECONDS
	shift 2
	if cargo clippy "$@" -- -D warnings >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'ok   %s (%d s)\n' "$name" $((SECONDS - t0))
	else
		fail=$((fail + 1))
		grep -E -A1 '^error' "$log" | grep -v '^--$' | head -n 20
		printf 'FAIL %s (see %s)\n' "$name" "$log"
	fi
}

run "cargo clippy --workspace --all-targets -D warnings (fw, tools/mkfw)" workspace.log \
	--workspace --all-targets
# Clippy only type-checks, it never links: libfuzzer-sys's documented
# CUSTOM_LIBFUZZER_PATH makes its build script skip compiling libFuzzer's
# C++ (about a minute on a fresh target directory) and point at this
# empty archive instead, which nothing links.
mkdir -p "$out/no-libfuzzer"
: >"$out/no-libfuzzer/libfuzzer.a"
CUSTOM_LIBFUZZER_PATH=$out/no-libfuzzer/libfuzzer.a \
	run "cargo clippy --all-targets -D warnings in fuzz/ (its own workspace)" fuzz.log \
	--manifest-path fuzz/Cargo.toml --all-targets

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

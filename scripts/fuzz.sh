#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzzes the no_std firmware crate (fw/, imx_rproc_fw) on the host with
# cargo-fuzz (libFuzzer): the targets of fuzz/ (see fuzz/README.md).
#
#   scripts/fuzz.sh                      every target, 30 s each
#   scripts/fuzz.sh --seconds 20         every target, 20 s each (make check)
#   scripts/fuzz.sh --target image ...   only these targets (repeatable)
#   scripts/fuzz.sh --campaign           the long campaign: 10 min per target
#   scripts/fuzz.sh --seeds-only         only (re)generate fuzz/seeds/
#
# Installs cargo-fuzz if it is missing, builds mkfw and regenerates the
# seed corpora fuzz/seeds/<target>/ (deterministic: a regenerated seed is
# byte-identical), then runs each target in one process for the given time
# on the corpus out/fuzz/corpus/<target>/ (seeded from fuzz/seeds/, kept
# between runs). Prints one line per target,
#   fuzz <target>: ok (<execs> execs, <cov> cov)
#   fuzz <target>: CRASH <artifact>
# and ends with "N passed, M failed"; exits non-zero if any target failed.
# Artifacts go to out/fuzz/artifacts/<target>/, logs to out/fuzz/<target>.log.
#
# Only the stable toolchain exists here: cargo-fuzz's nightly flags are
# enabled with RUSTC_BOOTSTRAP=1. The sanitizer is "none" by default: the
# fuzzed crate is #![forbid(unsafe_code)] and so is the fuzz crate, so
# AddressSanitizer finds nothing more and costs a factor ~5 in executions;
# FUZZ_SANITIZER=address turns it on.
#
# A crash is reproduced with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> <artifact>
# and minimised with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin -s none <target> <artifact>

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here" || exit 1
export PATH=$HOME/.cargo/bin:$PATH
export RUSTC_BOOTSTRAP=1

all_targets=(elf_parse rsc_parse att_translate image)
seconds=30
targets=()
seeds_only=false

usage() {
	sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--seconds)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		seconds=$2
		shift 2
		;;
	--seconds=*)
		seconds=${1#--seconds=}
		shift
		;;
	--target)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		targets+=("$2")
		shift 2
		;;
	--target=*)
		targets+=("${1#--target=}")
		shift
		;;
	--campaign)
		seconds=600
		shift
		;;
	--seeds-only)
		seeds_only=true
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "fuzz.sh: unknown argument '$1'" >&2
		usage >&2
		exit 2
		;;
	esac
done
case $seconds in
'' | *[!0-9]* | 0)
	echo "fuzz.sh: --seconds wants a positive number of seconds, not '$seconds'" >&2
	exit 2
	;;
esac
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
	case " ${all_targets[*]} " in
	*" $t "*) ;;
	*)
		echo "fuzz.sh: unknown target '$t' (targets: ${all_targets[*]})" >&2
		exit 2
		;;
	esac
done

# libFuzzer's -max_len per target: the largest committed seed is ~37 KiB;
# a resource table is at most 4 KiB under the default limits (a bit more to
# reach the limit); the image target reads 1 + 6 * 24 bytes.
max_len() {
	case $1 in
	elf_parse) echo 65536 ;;
	rsc_parse) echo 4608 ;;
	att_translate) echo 512 ;;
	image) echo 160 ;;
	esac
}

out=$here/out/fuzz
seeds=$here/fuzz/seeds
sanitizer=${FUZZ_SANITIZER:-none}
mkdir -p "$out"

# --- tools ------------------------------------------------------------------

if ! cargo fuzz --version >/dev/null 2>&1; then
	echo "fuzz.sh: installing cargo-fuzz (cargo install --locked cargo-fuzz)"
	if ! cargo install --locked cargo-fuzz >"$out/install.log" 2>&1; then
		tail -n 20 "$out/install.log"
		echo "fuzz.sh: cannot install cargo-fuzz, see $out/install.log" >&2
		echo "0 passed, ${#targets[@]} failed"
		exit 1
	fi
fi

if ! cargo build --release -p mkfw >"$out/mkfw-build.log" 2>&1; then
	tail -n 20 "$out/mkfw-build.log"
	echo "fuzz.sh: cannot build mkfw, see $out/mkfw-build.log" >&2
	echo "0 passed, ${#targets[@]} failed"
	exit 1
fi
mkfw=$here/target/release/mkfw

# --- seeds ------------------------------------------------------------------

# mkfw NAME ARGS...: writes fuzz/seeds/elf_parse/NAME.elf.
gen_image() {
	local name=$1
	shift
	"$mkfw" -o "$seeds/elf_parse/$name.elf" "$@" >/dev/null
}

# extract_rsc IMAGE OUT: the .resource_table bytes of IMAGE, located with
# `mkfw --describe` (the section line: "[3] .resource_table type 1 addr A
# off O size S").
extract_rsc() {
	local off size
	read -r off size < <("$mkfw" --describe "$1" |
		awk '$2 == ".resource_table" { for (i = 3; i < NF; i++) { if ($i == "off") o = $(i + 1); if ($i == "size") s = $(i + 1) } print o, s }')
	[ -n "${off:-}" ] && [ -n "${size:-}" ] || return 1
	# (No reader of this pipe stops early: no SIGPIPE under pipefail.)
	head -c $((off + size)) "$1" | tail -c $((size)) >"$2"
}

# bytes OUT HEX...: writes the bytes given as hex pairs.
bytes() {
	local f=$1
	shift
	local hex
	hex=$(printf '%s' "$*" | tr -d ' ')
	printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$f"
}

# le32 OUT WORD...: writes the words as little-endian 32-bit integers.
le32() {
	local f=$1 w hex=
	shift
	for w in "$@"; do
		hex+=$(printf '%08x' "$w" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
	done
	bytes "$f" "$hex"
}

# seed_failed LINE: reports a failed seed step (and fails).
seed_failed() {
	echo "fuzz.sh: seed generation failed at line $1 of $0" >&2
	return 1
}

gen_seeds() {
	local d
	rm -rf "${seeds:?}"/elf_parse "${seeds:?}"/rsc_parse "${seeds:?}"/image "${seeds:?}"/att_translate
	mkdir -p "$seeds"/{elf_parse,rsc_parse,image,att_translate}

	# ELF images (~85 KiB in all).
	gen_image default || seed_failed "$LINENO" || return 1
	gen_image trace --trace || seed_failed "$LINENO" || return 1
	gen_image small --code-size 0x408 --data-size 8 --bss-size 0x100 || seed_failed "$LINENO" || return 1
	gen_image small-trace --code-size 0x408 --data-size 8 --bss-size 0x140 --trace-len 64 || seed_failed "$LINENO" || return 1
	gen_image itcm --base 0 --region-size 0x40000 --code-size 0x408 --data-size 0 --bss-size 0x100 || seed_failed "$LINENO" || return 1
	gen_image code-32k --code-size 32K || seed_failed "$LINENO" || return 1

	# Resource tables extracted from them, and one as the driver reads it
	# back from a 4 KiB rsc-table region (zero-padded).
	d=$seeds/rsc_parse
	extract_rsc "$seeds/elf_parse/default.elf" "$d/zephyr.rsc" || seed_failed "$LINENO" || return 1
	extract_rsc "$seeds/elf_parse/trace.elf" "$d/zephyr-trace.rsc" || seed_failed "$LINENO" || return 1
	extract_rsc "$seeds/elf_parse/small-trace.elf" "$d/small-trace.rsc" || seed_failed "$LINENO" || return 1
	cp "$d/zephyr.rsc" "$d/zephyr-4k.rsc" && truncate -s 4096 "$d/zephyr-4k.rsc" || seed_failed "$LINENO" || return 1
	# The most entries the default limits allow: 32 vendor entries (type
	# 128) after the offsets, so that offsets pointing into the header are
	# one mutation away.
	local words=(1 32 0 0) i
	for i in $(seq 0 31); do words+=($((144 + 4 * i))); done
	for i in $(seq 0 31); do words+=(128); done
	le32 "$d/vendor-32.rsc" "${words[@]}" || seed_failed "$LINENO" || return 1

	# image: [base] ([op] [idx] [value LE32])*, see fuzz/src/image.rs.
	# Each base image unmutated, then a few field mutations.
	d=$seeds/image
	for b in 0 1 2 3 4 5; do bytes "$d/base-$b" "0$b"; done
	bytes "$d/paddr-to-itcm" 02 09 01 00000000      # p_paddr[1] = 0
	bytes "$d/rsc-num-plus-1" 00 52 00 01000000     # num += 1
	bytes "$d/vring0-num-zero" 01 17 02 00000000    # vring0.num = 0
	bytes "$d/memsz-plus-1" 03 4b 00 01000000       # p_memsz[0] += 1
	bytes "$d/rsc-offset-near-end" 00 8f 03 f0ff0000 # sh_offset[3] = len - 16
	bytes "$d/truncate-phdrs" 00 1b 00 64000000     # truncate to 100 bytes
	# 192 KiB of zeros appended, then e_phoff (e_shoff) = len, entry size
	# 0xffff, 0xfffe entries: the table's end overflows 32 bits.
	bytes "$d/ph-table-overflow" 02 de00 00000000 8000 00000000 c200 09000000 c100 08000000
	bytes "$d/sh-table-overflow" 02 de00 00000000 8300 00000000 c500 09000000 c400 08000000

	# att_translate: [n] entries regions ([mode] [da LE64] [len LE64])*.
	d=$seeds/att_translate
	bytes "$d/imx95-ddr" 00 00 0000008000000000 5870000000000000
	bytes "$d/imx95-itcm-end" 00 07 f0ff000000000000 0000000000000000
	bytes "$d/sa-overflow" 01 00100000 00f0ffffffffffff 00200000 00000000 01 1010000000000000 0001000000000000
	bytes "$d/region-at-2-64" 05 0000ffffffffffff 0000010000000000 09 0000000000000000 1000000000000000
}

if ! gen_seeds; then
	echo "fuzz.sh: cannot generate the seeds" >&2
	echo "0 passed, ${#targets[@]} failed"
	exit 1
fi
$seeds_only && { du -sh "$seeds"; exit 0; }

# --- build and run ----------------------------------------------------------

pass=0
fail=0
if ! cargo fuzz build --fuzz-dir "$here/fuzz" -s "$sanitizer" >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log"
	for t in "${targets[@]}"; do
		echo "fuzz $t: FAIL (build failed, see $out/build.log)"
	done
	echo "0 passed, ${#targets[@]} failed"
	exit 1
fi

for t in "${targets[@]}"; do
	corpus=$out/corpus/$t
	artifacts=$out/artifacts/$t
	log=$out/$t.log
	mkdir -p "$corpus" "$artifacts"
	cp -n "$seeds/$t"/* "$corpus"/ 2>/dev/null
	cargo fuzz run --fuzz-dir "$here/fuzz" -s "$sanitizer" --jobs 1 "$t" "$corpus" -- \
		-max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 \
		-timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | tr -dc 0-9)
	artifact=$(grep -o 'Test unit written to .*' "$log" | grep -v 'slow-unit-' | tail -n 1 | sed 's/^Test unit written to //')
	if [ $rc -eq 0 ] && [ -z "$artifact" ] && [ -n "$execs" ]; then
		pass=$((pass + 1))
		echo "fuzz $t: ok (${execs} execs, ${cov:-0} cov)"
	else
		fail=$((fail + 1))
		if [ -n "$artifact" ]; then
			echo "fuzz $t: CRASH $artifact"
			grep -m 1 -A 3 'panicked at' "$log" | sed 's/^/    /'
		else
			echo "fuzz $t: CRASH (no artifact, exit status $rc, see $log)"
			tail -n 5 "$log" | sed 's/^/    /'
		fi
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the list of kernel build-directory files that an out-of-tree build of
# imx_rproc_rs needs (the contents a "headers" package must have; see
# Documentation/shipping.rst). It copies only the files of that list out of
# KDIR into a temporary tree and, against that copy:
#   - builds the module (and compares it with a build against the full KDIR),
#   - runs "make modules_install" into a staging directory,
#   - builds it again with CLIPPY=1 (lint configuration .clippy.toml),
#   - builds it with DKMS (--kernelsourcedir <copy>) if dkms is installed.
# Prints the size of the copy, one line per check, and "N passed, M failed".
#
#   scripts/headers-check.sh                  the checks above
#   scripts/headers-check.sh --prove-minimal  also leave out each entry of the
#                                             list in turn and show that the
#                                             step it is listed for then fails
#   scripts/headers-check.sh --kdir DIR       another kernel tree (default:
#                                             the bootstrap's)
#   scripts/headers-check.sh --keep           keep the temporary directory
#
# Nothing is written to KDIR or to the clone; logs go to out/headers-check/.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$here/out/headers-check
export PATH=$HOME/.cargo/bin:$PATH
ARCH=${ARCH:-arm64}
CROSS_COMPILE=${CROSS_COMPILE-aarch64-linux-gnu-}

kdir=
prove=
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift ;;
	--prove-minimal) prove=1 ;;
	--keep) keep=1 ;;
	*) echo "usage: $0 [--kdir DIR] [--prove-minimal] [--keep]" >&2; exit 2 ;;
	esac
	shift
done
# --kdir, else KDIR from the environment (scripts/check.sh exports it),
# else the bootstrap's tree (KERNEL=X.Y: that release's).
env_mk=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}/env${KERNEL:+-$KERNEL}.mk
[ -n "$kdir" ] || kdir=${KDIR:-$(sed -n 's/^KDIR=//p' "$env_mk" 2>/dev/null)}
if [ -z "$kdir" ] || [ ! -f "$kdir/Module.symvers" ]; then
	echo "headers-check: no built kernel tree (run scripts/bootstrap.sh or pass --kdir)" >&2
	exit 2
fi
: "${LIBCLANG_PATH:=$(sed -n 's/^LIBCLANG_PATH=//p' "$env_mk" 2>/dev/null)}"
export LIBCLANG_PATH

# ---------------------------------------------------------------------------
# The list: what an out-of-tree build of this module reads from the kernel's
# build directory (Linux 7.2, arm64, GCC, CONFIG_MODVERSIONS and
# CONFIG_MODULE_SIG off). Found with strace -f -e trace=openat,execve,stat
# on a build against the full tree, then checked by --prove-minimal.
# "purpose" is the step that fails without the entry: build, install
# (make modules_install), clean (make clean) or lint (make clippy /
# fmt-check read them; their absence does not fail, the lints just run with
# other settings). Not needed, hence not listed: .config (Kbuild reads
# include/config/auto.conf; DKMS reads .config if present, see
# Documentation/shipping.rst), System.map (without it modules_install skips
# depmod), rust/bindings/, rust/helpers/, rust/*.o, vmlinux, any target.json
# (arm64 uses a built-in rustc target).
headers_list=(
	# Kbuild itself
	"Makefile|build"
	"scripts/Kbuild.include|build"
	"scripts/Makefile.build|build"
	"scripts/Makefile.compiler|build"
	"scripts/Makefile.defconf|build"
	"scripts/Makefile.lib|build"
	"scripts/Makefile.warn|build"
	"scripts/Makefile.modpost|build"
	"scripts/Makefile.modfinal|build"
	"scripts/subarch.include|build"
	"scripts/pahole-version.sh|build"
	"scripts/modules-check.sh|build"
	"scripts/module-common.c|build"
	"scripts/module.lds|build"
	"arch/arm64/Makefile|build"
	# host tools built with the kernel (they run on the build machine)
	"scripts/basic/fixdep|build"
	"scripts/mod/modpost|build"
	# the configured and built kernel
	"include/config/auto.conf|build"
	"include/generated|build"
	"Module.symvers|build"
	# headers (C, and bindgen's input via rust/bindings_helper.h)
	"include/linux|build"
	"include/uapi|build"
	"include/asm-generic|build"
	"include/vdso|build"
	"include/clocksource|build"
	"arch/arm64/include|build"
	# the kernel's Rust crates (metadata) and proc-macro libraries (host .so)
	"rust/libcore.rmeta|build"
	"rust/libcompiler_builtins.rmeta|build"
	"rust/libffi.rmeta|build"
	"rust/libbuild_error.rmeta|build"
	"rust/libbindings.rmeta|build"
	"rust/libuapi.rmeta|build"
	"rust/libpin_init.rmeta|build"
	"rust/libzerocopy.rmeta|build"
	"rust/libkernel.rmeta|build"
	"rust/libmacros.so|build"
	"rust/libpin_init_internal.so|build"
	"rust/libzerocopy_derive.so|build"
	# make modules_install, make clean
	"scripts/Makefile.modinst|install"
	"include/config/kernel.release|install"
	"scripts/depmod.sh|install"
	"scripts/Makefile.clean|clean"
	# lint configuration
	".clippy.toml|lint"
	".rustfmt.toml|lint"
)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imxrprocrs-headers.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() { if [ -n "$keep" ]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
mkdir -p "$out"

pass=0
fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { fail=$((fail + 1)); printf 'FAIL %s%s\n' "$1" "${2:+ ($2)}"; }

# Copies the listed entries (all but the one named in $2) of KDIR into $1.
make_copy() {
	local dst=$1 skip=${2:-} e p
	local files=()
	for e in "${headers_list[@]}"; do
		p=${e%%|*}
		[ "$p" = "$skip" ] && continue
		files+=("$p")
	done
	mkdir -p "$dst"
	(cd "$kdir" && printf '%s\n' "${files[@]}") >"$tmp/files.txt"
	rsync -a --files-from="$tmp/files.txt" -r "$kdir/" "$dst/"
}

# The module's sources, as scripts/dkms-check.sh ships them.
stage_source() {
	rsync -a --prune-empty-dirs --exclude='*.o' --exclude='.*' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.d' \
		--exclude=/rust/bindings_generated.rs \
		--include=/Makefile --include=/Kbuild --include=/dkms.conf --include=/kernels.list \
		--include='/rust/***' --include=/fw/ --include='/fw/src/***' \
		--exclude='*' "$here/" "$1/"
}

modmake() { # dir kdir target... ; logs to $out/<log>
	local dir=$1 k=$2
	shift 2
	make -C "$dir" KDIR="$k" ARCH="$ARCH" CROSS_COMPILE="$CROSS_COMPILE" "$@"
}

# A build "works" if it makes the .ko and prints no warning or error (the
# project's own check insists on a warning-free build).
clean_build() { # srcdir kdir log
	modmake "$1" "$2" modules >"$3" 2>&1 && [ -f "$1/imx_rproc_rs.ko" ] &&
		! grep -qiE 'warning|error|No such file' "$3"
}

start=$SECONDS
rel=$(cat "$kdir/include/config/kernel.release")

# Every entry must exist in KDIR, or the list is out of date for this tree.
missing=()
for e in "${headers_list[@]}"; do
	[ -e "$kdir/${e%%|*}" ] || missing+=("${e%%|*}")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "all ${#headers_list[@]} entries of the list exist in $kdir"
else
	not_ok "entries missing from $kdir" "${missing[*]}"
fi

copy=$tmp/kdir
make_copy "$copy"
size=$(du -sh "$copy" | cut -f1)
full=$(du -sh "$kdir" | cut -f1)
echo "     minimal copy: $size ($(find "$copy" -type f | wc -l) files; full tree $full)"

# Reference: the same sources built against the full tree.
stage_source "$tmp/ref"
if clean_build "$tmp/ref" "$kdir" "$out/build-full.log"; then
	ok "module builds against the full KDIR (reference), no warning"
else
	tail -n 20 "$out/build-full.log"
	not_ok "module builds against the full KDIR (reference)" "see $out/build-full.log"
fi

stage_source "$tmp/src"
if clean_build "$tmp/src" "$copy" "$out/build-copy.log"; then
	ok "module builds against the minimal copy ($size), no warning"
	vm=$(modinfo -F vermagic "$tmp/src/imx_rproc_rs.ko" 2>/dev/null | cut -d' ' -f1)
	if [ "$vm" = "$rel" ]; then
		ok "its vermagic is the tree's release ($rel)"
	else
		not_ok "its vermagic is the tree's release" "got '$vm', want '$rel'"
	fi
	if [ -f "$tmp/ref/imx_rproc_rs.ko" ]; then
		"${CROSS_COMPILE}objcopy" --strip-debug "$tmp/ref/imx_rproc_rs.ko" "$tmp/ref.ko"
		"${CROSS_COMPILE}objcopy" --strip-debug "$tmp/src/imx_rproc_rs.ko" "$tmp/copy.ko"
		if cmp -s "$tmp/ref.ko" "$tmp/copy.ko"; then
			ok "it is identical to the module built against the full KDIR"
		else
			not_ok "it is identical to the module built against the full KDIR"
		fi
	fi
else
	grep -E 'No such file|No rule|error' "$out/build-copy.log" | head -n 10
	not_ok "module builds against the minimal copy" "see $out/build-copy.log"
fi

if modmake "$tmp/src" "$copy" modules_install INSTALL_MOD_PATH="$tmp/stage" \
	>"$out/install-copy.log" 2>&1 &&
	[ -f "$tmp/stage/lib/modules/$rel/updates/imx_rproc_rs.ko" ]; then
	ok "make modules_install against the copy: lib/modules/$rel/updates/imx_rproc_rs.ko"
else
	tail -n 10 "$out/install-copy.log"
	not_ok "make modules_install against the copy" "see $out/install-copy.log"
fi

# make clean: the copy must behave as the full tree does.
stage_source "$tmp/c1"
stage_source "$tmp/c2"
modmake "$tmp/c1" "$kdir" clean >"$out/clean-full.log" 2>&1
crc_full=$?
modmake "$tmp/c2" "$copy" clean >"$out/clean-copy.log" 2>&1
crc_copy=$?
if [ $crc_full -eq 0 ] && [ $crc_copy -eq 0 ]; then
	ok "make clean against the copy"
elif [ $crc_full -ne 0 ] && [ $crc_copy -ne 0 ] &&
	grep -q 'Kbuild:' "$out/clean-copy.log"; then
	echo "     (make clean fails against the full KDIR as well, in the module's Kbuild:"
	echo "      $(grep -m1 'Kbuild:' "$out/clean-full.log" | cut -c1-110)...; not a headers problem, not counted)"
else
	not_ok "make clean against the copy as against the full KDIR" \
		"full: exit $crc_full, copy: exit $crc_copy; see $out/clean-copy.log"
fi

if command -v clippy-driver >/dev/null 2>&1; then
	rm -f "$tmp/src/rust/imx_rproc_rs.o"
	if modmake "$tmp/src" "$copy" CLIPPY=1 modules >"$out/clippy-copy.log" 2>&1; then
		ok "CLIPPY=1 build against the copy (reads .clippy.toml)"
	else
		tail -n 10 "$out/clippy-copy.log"
		not_ok "CLIPPY=1 build against the copy" "see $out/clippy-copy.log"
	fi
else
	echo "     (clippy-driver not installed: CLIPPY=1 build not tried)"
fi

# DKMS against the copy (as a headers package installed as
# /lib/modules/<release>/build would be used), if dkms is installed.
if command -v dkms >/dev/null 2>&1; then
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/dkms.conf")
	dk=$tmp/dkms
	mkdir -p "$dk/src/imx_rproc_rs-$ver" "$dk/tree"
	stage_source "$dk/src/imx_rproc_rs-$ver"
	dt=(--sourcetree "$dk/src" --dkmstree "$dk/tree")
	if dkms add -m imx_rproc_rs -v "$ver" "${dt[@]}" >"$out/dkms-copy.log" 2>&1 &&
		dkms build -m imx_rproc_rs -v "$ver" -k "$rel" -a aarch64 --kernelsourcedir "$copy" \
			"${dt[@]}" >>"$out/dkms-copy.log" 2>&1 &&
		[ -f "$dk/tree/imx_rproc_rs/$ver/$rel/aarch64/module/imx_rproc_rs.ko" ]; then
		ok "dkms build --kernelsourcedir <copy>"
	else
		tail -n 10 "$out/dkms-copy.log"
		not_ok "dkms build --kernelsourcedir <copy>" "see $out/dkms-copy.log"
	fi
else
	echo "     (dkms not installed: DKMS build against the copy not tried; see scripts/dkms-check.sh)"
fi

# --prove-minimal: without each entry, the step it is listed for must fail
# (for the build: fail or print a warning).
if [ -n "$prove" ]; then
	for e in "${headers_list[@]}"; do
		p=${e%%|*}
		why=${e#*|}
		d=$tmp/minus
		rm -rf "$d" "$tmp/m"
		make_copy "$d" "$p"
		stage_source "$tmp/m"
		case $why in
		build)
			if clean_build "$tmp/m" "$d" "$out/minus.log"; then
				not_ok "needed for the build: $p" "builds cleanly without it"
			else
				ok "needed for the build: $p ($(grep -m1 -iE 'warning|error|No such file' \
					"$out/minus.log" | sed "s#$d#<copy>#g; s/^make\[[0-9]*\]: //" | cut -c1-70))"
			fi
			;;
		install)
			# fails, or installs somewhere else than
			# lib/modules/<release>/updates/
			modmake "$tmp/m" "$kdir" modules >"$out/minus.log" 2>&1
			if modmake "$tmp/m" "$d" modules_install INSTALL_MOD_PATH="$tmp/m/stage" \
				>>"$out/minus.log" 2>&1 &&
				[ -f "$tmp/m/stage/lib/modules/$rel/updates/imx_rproc_rs.ko" ]; then
				not_ok "needed for modules_install: $p" "installs without it"
			else
				ok "needed for modules_install: $p"
			fi
			;;
		clean)
			# make clean against the full tree must work for this to
			# tell anything
			if modmake "$tmp/m" "$kdir" clean >"$out/minus.log" 2>&1; then
				if modmake "$tmp/m" "$d" clean >>"$out/minus.log" 2>&1; then
					not_ok "needed for make clean: $p" "cleans without it"
				else
					ok "needed for make clean: $p"
				fi
			else
				echo "     (make clean fails against the full KDIR too: $p not checked)"
			fi
			;;
		lint)
			echo "     (lint configuration, not required to build: $p)"
			;;
		esac
	done
fi

echo "     headers-check took $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

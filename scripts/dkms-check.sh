#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks that DKMS builds and installs imx_rproc_rs from dkms.conf, cross,
# for the arm64 kernel tree of the bootstrap (or --kdir), and that the
# project's "make modules_install" honours INSTALL_MOD_PATH.
#
# Everything happens in a temporary directory: the source tree DKMS expects
# in /usr/src/imx_rproc_rs-<version>, its /var/lib/dkms and the
# /lib/modules it installs into are all passed as --sourcetree, --dkmstree
# and --installtree, so the machine's own DKMS state and modules are not
# touched. Installs Debian's dkms (without recommends, which would pull in
# the host's kernel headers) if it is missing.
#
#   scripts/dkms-check.sh [--kdir DIR] [--keep]
#
# Prints one line per check and "N passed, M failed"; logs in out/dkms-check/.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$here/out/dkms-check
export PATH=$HOME/.cargo/bin:$PATH

kdir=
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift ;;
	--keep) keep=1 ;;
	*) echo "usage: $0 [--kdir DIR] [--keep]" >&2; exit 2 ;;
	esac
	shift
done
# --kdir, else KDIR from the environment (scripts/check.sh exports it),
# else the bootstrap's tree (KERNEL=X.Y: that release's).
env_mk=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}/env${KERNEL:+-$KERNEL}.mk
[ -n "$kdir" ] || kdir=${KDIR:-$(sed -n 's/^KDIR=//p' "$env_mk" 2>/dev/null)}
if [ -z "$kdir" ] || [ ! -f "$kdir/Module.symvers" ]; then
	echo "dkms-check: no built kernel tree (run scripts/bootstrap.sh or pass --kdir)" >&2
	exit 2
fi
: "${LIBCLANG_PATH:=$(sed -n 's/^LIBCLANG_PATH=//p' "$env_mk" 2>/dev/null)}"
export LIBCLANG_PATH

pass=0
fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { fail=$((fail + 1)); printf 'FAIL %s%s\n' "$1" "${2:+ ($2)}"; }
finish() {
	echo "     dkms-check took $((SECONDS - start)) s"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

start=$SECONDS
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/imxrprocrs-dkms.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() { if [ -n "$keep" ]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT

# ------------------------------------------------------------------ dkms
if ! command -v dkms >/dev/null 2>&1; then
	echo "     installing Debian's dkms (--no-install-recommends)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends dkms >"$out/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$out/apt.log" 2>&1 &&
			apt-get install -y -qq --no-install-recommends dkms >>"$out/apt.log" 2>&1; }
fi
if command -v dkms >/dev/null 2>&1; then
	ok "dkms present ($(dkms --version 2>/dev/null | head -n 1))"
else
	not_ok "dkms present" "apt-get install dkms failed, see $out/apt.log"
	finish
fi

rel=$(cat "$kdir/include/config/kernel.release")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$here/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/dkms.conf")
src_tree=$tmp/usr/src
dkms_tree=$tmp/var/lib/dkms
inst_tree=$tmp/lib/modules
trees=(--sourcetree "$src_tree" --dkmstree "$dkms_tree" --installtree "$inst_tree")
kargs=(-k "$rel" -a aarch64 --kernelsourcedir "$kdir")
mkdir -p "$src_tree/$name-$ver" "$dkms_tree" "$inst_tree/$rel"

# The module's sources, what a source package (or /usr/src) would carry:
# the build files, dkms.conf, rust/ and the firmware crate's sources that
# rust/fw.rs includes.
stage_source() {
	rsync -a --prune-empty-dirs --exclude='*.o' --exclude='.*' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.d' \
		--exclude=/rust/bindings_generated.rs \
		--include=/Makefile --include=/Kbuild --include=/dkms.conf --include=/kernels.list \
		--include='/rust/***' --include=/fw/ --include='/fw/src/***' \
		--exclude='*' "$here/" "$1/"
}
stage_source "$src_tree/$name-$ver"
echo "     source: $(find "$src_tree/$name-$ver" -type f | wc -l) files as $src_tree/$name-$ver"

if dkms add -m "$name" -v "$ver" "${trees[@]}" >"$out/add.log" 2>&1; then
	ok "dkms add $name/$ver"
else
	cat "$out/add.log"
	not_ok "dkms add $name/$ver" "see $out/add.log"
	finish
fi

# Cross build: -a aarch64 for the arm64 tree; dkms.conf maps it to ARCH=arm64
# and CROSS_COMPILE=aarch64-linux-gnu- on a non-arm64 host.
if dkms build -m "$name" -v "$ver" "${kargs[@]}" "${trees[@]}" >"$out/build.log" 2>&1; then
	ok "dkms build -k $rel -a aarch64 --kernelsourcedir KDIR"
else
	tail -n 20 "$out/build.log"
	find "$dkms_tree" -name make.log -exec tail -n 20 {} \;
	not_ok "dkms build" "see $out/build.log"
	finish
fi
cp "$dkms_tree/$name/$ver/$rel/aarch64/log/make.log" "$out/make.log" 2>/dev/null
built=$dkms_tree/$name/$ver/$rel/aarch64/module/$name.ko
if grep -q "make -C $kdir M=.* ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules" "$out/make.log" 2>/dev/null; then
	ok "DKMS ran the dkms.conf MAKE line (ARCH=arm64, cross compiler)"
else
	not_ok "DKMS ran the dkms.conf MAKE line" "see $out/make.log"
fi
# make's "jobserver unavailable" notice comes from the top-level Makefile
# calling $(MAKE) through a variable (-jN is lost); it is reported apart.
if grep -iE 'warning|error' "$out/make.log" 2>/dev/null | grep -qv 'jobserver unavailable'; then
	not_ok "the build prints no compiler or Kbuild warning" "see $out/make.log"
else
	ok "the build prints no compiler or Kbuild warning"
fi
if grep -q 'jobserver unavailable' "$out/make.log" 2>/dev/null; then
	echo "     (make: 'jobserver unavailable: using -j1' - the top-level Makefile's recipes call \$(kmake))"
fi
machine=$(readelf -h "$built" 2>/dev/null | sed -n 's/^ *Machine: *//p')
vermagic=$(modinfo -F vermagic "$built" 2>/dev/null)
if [ "$machine" = "AArch64" ] && [ "${vermagic%% *}" = "$rel" ]; then
	ok "built module: AArch64, vermagic $vermagic"
else
	not_ok "built module is an arm64 module for $rel" "machine '$machine', vermagic '$vermagic'"
fi

if dkms install -m "$name" -v "$ver" "${kargs[@]}" --no-depmod "${trees[@]}" >"$out/install.log" 2>&1; then
	inst=$(find "$inst_tree/$rel" -name "$name.ko*" | head -n 1)
	case $inst in
	"$inst_tree/$rel"/updates/*)
		ok "dkms install: ${inst#"$inst_tree"/} (DEST_MODULE_LOCATION=/updates)"
		;;
	*)
		not_ok "dkms install puts the module under updates/" "found '${inst:-nothing}'"
		;;
	esac
else
	tail -n 20 "$out/install.log"
	not_ok "dkms install" "see $out/install.log"
fi
if dkms status -m "$name" -v "$ver" "${trees[@]}" 2>/dev/null | grep -q "$rel, aarch64: installed"; then
	ok "dkms status: $(dkms status -m "$name" -v "$ver" "${trees[@]}" 2>/dev/null | head -n 1)"
else
	not_ok "dkms status says installed" "$(dkms status "${trees[@]}" 2>&1 | head -n 1)"
fi

# BUILD_EXCLUSIVE_ARCH: an x86_64 build is refused, not attempted.
dkms build -m "$name" -v "$ver" -k "$rel" -a x86_64 --kernelsourcedir "$kdir" "${trees[@]}" \
	>"$out/exclusive.log" 2>&1
rc=$?
if [ $rc -eq 77 ] || grep -q 'BUILD_EXCLUSIVE' "$out/exclusive.log"; then
	ok "dkms refuses another architecture (BUILD_EXCLUSIVE_ARCH, exit $rc)"
else
	not_ok "dkms refuses another architecture" "exit $rc, see $out/exclusive.log"
fi

# BUILD_EXCLUSIVE_KERNEL: a release outside kernels.list is refused too (the
# version only: the tree is this one, whose Kbuild would refuse it later).
outside=$(awk -F. '{ print $1 "." $2 + 1 ".0-outside" }' <<<"$(bash "$here/scripts/kernels.sh" newest)")
dkms build -m "$name" -v "$ver" -k "$outside" -a aarch64 --kernelsourcedir "$kdir" "${trees[@]}" \
	>"$out/exclusive-kernel.log" 2>&1
rc=$?
if [ $rc -eq 77 ] || grep -q 'BUILD_EXCLUSIVE' "$out/exclusive-kernel.log"; then
	ok "dkms refuses $outside, a release outside kernels.list (BUILD_EXCLUSIVE_KERNEL, exit $rc)"
else
	not_ok "dkms refuses a release outside kernels.list" "exit $rc, see $out/exclusive-kernel.log"
fi

if dkms remove -m "$name" -v "$ver" --all --no-depmod "${trees[@]}" >"$out/remove.log" 2>&1 &&
	[ -z "$(find "$inst_tree" -name "$name.ko*")" ]; then
	ok "dkms remove --all: module and DKMS state gone"
else
	not_ok "dkms remove" "see $out/remove.log"
fi

# ------------------------------------- the project's own install target
# The same sources, built and installed with the top-level Makefile, as a
# distribution's packaging (or Yocto's module.bbclass) would.
stage_source "$tmp/plain"
if make -C "$tmp/plain" KDIR="$kdir" >"$out/plain-build.log" 2>&1 &&
	make -C "$tmp/plain" KDIR="$kdir" modules_install INSTALL_MOD_PATH="$tmp/stage" \
		>"$out/plain-install.log" 2>&1; then
	if [ -f "$tmp/stage/lib/modules/$rel/updates/$name.ko" ]; then
		ok "make modules_install INSTALL_MOD_PATH=DIR: DIR/lib/modules/$rel/updates/$name.ko"
	else
		not_ok "make modules_install INSTALL_MOD_PATH" \
			"got: $(find "$tmp/stage" -name '*.ko' | head -n 1)"
	fi
	if grep -q "updates/$name.ko" "$tmp/stage/lib/modules/$rel/modules.dep" 2>/dev/null; then
		ok "depmod ran in the staging directory (modules.dep lists it)"
	else
		not_ok "depmod ran in the staging directory" "no modules.dep entry"
	fi
else
	tail -n 20 "$out/plain-build.log" "$out/plain-install.log"
	not_ok "make + make modules_install INSTALL_MOD_PATH" "see $out/plain-*.log"
fi
if make -C "$tmp/plain" KDIR="$kdir" install INSTALL_MOD_PATH="$tmp/stage2" \
	>"$out/plain-install2.log" 2>&1 &&
	[ -f "$tmp/stage2/lib/modules/$rel/updates/$name.ko" ]; then
	ok "make install is the same as modules_install"
else
	not_ok "make install INSTALL_MOD_PATH" "see $out/plain-install2.log"
fi

finish

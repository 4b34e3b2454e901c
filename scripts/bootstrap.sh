#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs every tool imx_rproc_rs needs and builds the arm64 Linux tree it
# is compiled and tested against: one of the releases of kernels.list.
# Idempotent: a second run checks each step, finds it done and says so.
#
#   scripts/bootstrap.sh            tools + kernel tree + guest user space
#   scripts/bootstrap.sh --tools    tools only (no kernel)
#   scripts/bootstrap.sh --print-env  print KDIR=... lines for the Makefile
#   KERNEL=7.2 scripts/bootstrap.sh   that release (also with --print-env)
#
# Without KERNEL: the newest release of kernels.list that Debian serves
# (linux-source-X.Y in trixie-backports). Of a release, the newest patch
# level Debian serves; when the archive serves none any more, the newest
# one cached here, else a clear error. Each kernel tree lives outside the
# clone, in
#   ${IMX_RPROC_RS_CACHE:-~/.cache/imx_rproc_rs}/linux-<version>-<confighash>/
# keyed by the Debian package's version, the config fragment and the
# toolchain's versions, so a fresh clone on the same machine reuses it and
# any change of those rebuilds it. Its KDIR goes to env-X.Y.mk there, and
# to env.mk too when KERNEL was not given (what `make` reads by default).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}
fragment=$here/configs/imx_rproc_rs.config
jobs=${JOBS:-2}
export PATH=$HOME/.cargo/bin:$PATH
export DEBIAN_FRONTEND=noninteractive

step() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
done_() { printf '[bootstrap]   %s\n' "$*"; }
die() { printf '[bootstrap] error: %s\n' "$*" >&2; exit 1; }

kernels_list=$here/kernels.list
# The supported releases, oldest first (kernels.list).
mapfile -t supported < <(sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$kernels_list")
[ ${#supported[@]} -gt 0 ] || die "no release in $kernels_list"
want=${KERNEL:-}
if [ -n "$want" ] && ! printf '%s\n' "${supported[@]}" | grep -qxF "$want"; then
	die "KERNEL=$want is not a supported release (kernels.list: ${supported[*]}); see Documentation/porting.rst"
fi

mode=all
case "${1:-}" in
--tools) mode=tools ;;
--print-env) mode='env' ;;
"") ;;
*) die "unknown argument '$1'" ;;
esac

apt_updated=
apt_update() {
	if [ -z "$apt_updated" ]; then
		apt-get update -qq || die "apt-get update failed"
		apt_updated=1
	fi
}

# ---------------------------------------------------------------- tools
apt_pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm
	device-tree-compiler bc bison flex libssl-dev libelf-dev cpio xz-utils
	kmod rsync python3-docutils python3-pip make gcc libc6-dev-arm64-cross
	python3-libfdt python3-venv python3-pytest python3-pytest-xdist cmake
	binutils-arm-none-eabi openssh-client shellcheck)

install_tools() {
	step "apt packages"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt_updated=
	fi
	local missing=()
	for p in "${apt_pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		done_ "all ${#apt_pkgs[@]} present"
	else
		done_ "installing: ${missing[*]}"
		apt_update
		apt-get install -y -qq "${missing[@]}" >/dev/null
	fi

	step "rustup component rust-src"
	if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
		done_ "present"
	else
		rustup component add rust-src
	fi

	step "bindgen-cli (crates.io)"
	if command -v bindgen >/dev/null 2>&1; then
		done_ "present: $(bindgen --version)"
	else
		done_ "cargo install --locked bindgen-cli (about 2 minutes)"
		cargo install --locked bindgen-cli
	fi

	step "libclang 18 (PyPI wheel; Debian 12's clang is too old for Linux 7.2 and 7.3)"
	if libclang_dir >/dev/null 2>&1; then
		done_ "present: $(libclang_dir)"
	else
		python3 -m pip install -q libclang==18.1.1 ||
			python3 -m pip install -q --break-system-packages libclang==18.1.1
		libclang_dir >/dev/null || die "libclang wheel installed but not found"
	fi

	install_dtschema
	install_host_venv
}

# pinned_venv DIR REQ TOOL IMPORTS [PIP_ARGS...]: a venv in the cache on
# Debian's /usr/bin/python3 with its system site packages, holding what REQ
# pins; rebuilt when REQ changes. TOOL (in the venv's bin/) must answer
# --version and the modules IMPORTS names (comma-separated; may be empty)
# must import. Says what it found or did.
pinned_venv() {
	local dir=$1 req=$2 tool=$3 imports=$4 stamp want t0=$SECONDS
	shift 4
	stamp=$dir/.imx_rproc_rs-requirements
	want=$(sha256sum <"$req" | cut -c1-16)
	if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && "$dir/bin/$tool" --version >/dev/null 2>&1; then
		done_ "present: $dir ($tool --version: $("$dir/bin/$tool" --version))"
		return
	fi
	rm -rf "$dir"
	/usr/bin/python3 -m venv --system-site-packages "$dir" ||
		die "python3 -m venv failed (python3-venv)"
	"$dir/bin/pip" install -q --disable-pip-version-check "$@" -r "$req" ||
		die "pip install -r $req failed"
	if [ -n "$imports" ]; then
		"$dir/bin/python" -c "import $imports" || die "the venv $dir cannot import $imports"
	fi
	echo "$want" >"$stamp"
	done_ "installed in $((SECONDS - t0)) s: $dir ($tool --version: $("$dir/bin/$tool" --version))"
}

# ruff for the host Python (scripts/host-requirements.txt, pinned), in a
# venv whose system site packages give it Debian's python3-pytest above.
host_venv=$cache/host-venv
install_host_venv() {
	step "ruff (PyPI, pinned, venv on Debian's python3)"
	pinned_venv "$host_venv" "$here/scripts/host-requirements.txt" ruff ""
}

# dt-schema (dt-validate, dt-mk-schema) for scripts/dt-check.sh: every
# package pinned in scripts/dtschema-requirements.txt and installed
# --no-deps; the system site packages give it Debian's python3-libfdt as
# pylibfdt (PyPI has that only as a source package: a C build with swig,
# minutes on a slow machine).
dtschema_venv=$cache/dtschema-venv
install_dtschema() {
	step "dtschema (PyPI, pinned, venv with Debian's python3-libfdt)"
	pinned_venv "$dtschema_venv" "$here/scripts/dtschema-requirements.txt" dt-validate \
		"libfdt, dtschema" --no-deps
}

libclang_dir() {
	local d
	d=$(python3 -c 'import clang, os; print(os.path.join(os.path.dirname(clang.__file__), "native"))' 2>/dev/null) || return 1
	[ -e "$d/libclang.so" ] || return 1
	echo "$d"
}

# ------------------------------------------------- debian package fetching
# A private apt configuration pointing at trixie-backports, so the system's
# sources stay untouched.
priv_apt_opts() {
	echo -o "Dir::Etc::sourcelist=$cache/apt/sources.list" \
		-o Dir::Etc::sourceparts=- \
		-o "Dir::State::Lists=$cache/apt/lists" \
		-o "Dir::Cache::Archives=$cache/apt/archives" \
		-o APT::Get::List-Cleanup=0
}

priv_apt_update() {
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial"
	cat >"$cache/apt/sources.list" <<-EOF
		deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	EOF
	# shellcheck disable=SC2046
	apt-get $(priv_apt_opts) update -qq 2>/dev/null
}

# source_candidate REL: the newest linux-source-REL version Debian serves
# (empty when none).
source_candidate() {
	# shellcheck disable=SC2046
	apt-cache $(priv_apt_opts) policy "linux-source-$1" 2>/dev/null |
		awk '/Candidate:/ && $2 != "(none)" { print $2 }'
}

# cached_source_version REL: the newest linux-source-REL .deb in the cache.
cached_source_version() {
	{ ls -d "$cache/dl/linux-source-$1"_*_all.deb 2>/dev/null || true; } | sort -V | tail -n 1 |
		sed "s/.*linux-source-$1_\(.*\)_all.deb/\1/"
}

# warn_newer: says so when Debian serves a release newer than every one of
# kernels.list (the module refuses it until it is ported).
warn_newer() {
	local newest=${supported[-1]} r
	# shellcheck disable=SC2046
	for r in $(apt-cache $(priv_apt_opts) pkgnames linux-source- 2>/dev/null |
		sed -n 's/^linux-source-\([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' | sort -V); do
		if [ "$(printf '%s\n%s\n' "$newest" "$r" | sort -V | tail -n 1)" != "$newest" ]; then
			printf '[bootstrap]   note: Debian serves linux-source-%s, newer than the newest release imx_rproc_rs supports (%s); the module refuses it until it is ported (Documentation/porting.rst)\n' "$r" "$newest" >&2
		fi
	done
}

# ---------------------------------------------------------------- kernel
config_hash() {
	{
		cat "$fragment"
		rustc --version
		bindgen --version
		aarch64-linux-gnu-gcc --version | head -n 1
	} | sha256sum | cut -c1-12
}

kernel_make() {
	make -C "$1" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		LIBCLANG_PATH="$(libclang_dir)" "${@:2}"
}

# Runs a long make with its output in a log, printing a progress line every
# 30 s (objects compiled so far) so a CI log shows it is alive.
make_with_progress() {
	local dir=$1 log=$2
	shift 2
	local start=$SECONDS
	kernel_make "$dir" "$@" >"$log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 30 &
		wait $! || true
		kill -0 "$pid" 2>/dev/null || break
		done_ "$(grep -c '^  \(CC\|RUSTC\|AS\|LD\)' "$log" || true) objects, $((SECONDS - start)) s"
	done
	if ! wait "$pid"; then
		tail -n 40 "$log" >&2
		die "kernel build failed, full log in $log"
	fi
	done_ "done in $((SECONDS - start)) s (log: $log)"
}

# resolve_kernel: sets rel (X.Y), deb_ver, kver and kdir for the release
# asked for (KERNEL) or, without one, the newest supported one served.
resolve_kernel() {
	local online='' r v i cands=()
	if priv_apt_update; then
		online=1
		warn_newer
	fi
	if [ -n "$want" ]; then
		cands=("$want")
	else
		for ((i = ${#supported[@]} - 1; i >= 0; i--)); do cands+=("${supported[$i]}"); done
	fi
	rel='' deb_ver=''
	if [ -n "$online" ]; then
		for r in "${cands[@]}"; do
			v=$(source_candidate "$r")
			if [ -n "$v" ]; then
				rel=$r deb_ver=$v
				break
			fi
			done_ "Debian's archive serves no linux-source-$r (any more)"
		done
	fi
	if [ -z "$rel" ]; then
		# Offline, or the release left the archive: the newest cached one.
		for r in "${cands[@]}"; do
			v=$(cached_source_version "$r")
			if [ -n "$v" ]; then
				rel=$r deb_ver=$v
				break
			fi
		done
		if [ -z "$rel" ]; then
			if [ -n "$online" ]; then
				die "Debian no longer serves linux-source-${cands[*]} and none is cached in $cache/dl: choose a release it serves (KERNEL=X.Y of kernels.list: ${supported[*]}) or add the newer release to kernels.list (Documentation/porting.rst)"
			fi
			die "cannot reach Debian's archive and no linux-source-${cands[0]} is cached in $cache/dl"
		fi
		done_ "using the cached linux-source-$rel $deb_ver${online:+ (no longer in the archive)}"
	fi
	kver=${deb_ver%%-*}
	kdir=$cache/linux-$kver-$(config_hash)
}

build_kernel() {
	step "Linux ${want:-source} (Debian linux-source-${want:-X.Y}, newest served; kernels.list: ${supported[*]})"
	resolve_kernel
	if [ -f "$kdir/.imx_rproc_rs_built" ]; then
		done_ "up to date: $kdir (linux-source-$rel $deb_ver)"
		write_env
		return
	fi
	local deb
	deb=$cache/dl/linux-source-${rel}_${deb_ver}_all.deb
	if [ ! -f "$deb" ]; then
		mkdir -p "$cache/dl"
		done_ "downloading linux-source-$rel $deb_ver (about 165 MB)"
		# shellcheck disable=SC2046
		(cd "$cache/dl" && apt-get $(priv_apt_opts) download "linux-source-$rel=$deb_ver" 2>&1 |
			grep -v '^W: Download is performed unsandboxed' || true)
		[ -f "$deb" ] || die "download of linux-source-$rel $deb_ver failed"
	else
		done_ "package cached: $deb"
	fi

	step "unpacking into $kdir"
	rm -rf "$kdir" "$kdir.tmp"
	mkdir -p "$kdir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.tmp" --wildcards "./usr/src/linux-source-$rel.tar.*"
	tar -xf "$kdir.tmp/usr/src/linux-source-$rel".tar.* -C "$kdir.tmp"
	mv "$kdir.tmp/linux-source-$rel" "$kdir"
	rm -rf "$kdir.tmp"

	step "configuring: allnoconfig + configs/imx_rproc_rs.config"
	kernel_make "$kdir" -s rustavailable || die "the Rust toolchain does not fit this kernel"
	kernel_make "$kdir" -s KCONFIG_ALLCONFIG="$fragment" allnoconfig
	check_config "$kdir/.config"

	step "building Image and modules with -j$jobs (about 5 minutes)"
	make_with_progress "$kdir" "$kdir/build.log" -j"$jobs" Image modules
	touch "$kdir/.imx_rproc_rs_built"
	write_env
}

# Every =y/=m line of the fragment must have survived Kconfig's dependency
# resolution, otherwise the tests would run on a kernel that lacks them.
check_config() {
	local cfg=$1 bad=0 line
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y | CONFIG_*=m)
			grep -qx "$line" "$cfg" || {
				printf '[bootstrap]   fragment line not honoured: %s (got: %s)\n' \
					"$line" "$(grep "^${line%%=*}=" "$cfg" || echo unset)" >&2
				bad=1
			}
			;;
		esac
	done <"$fragment"
	[ $bad -eq 0 ] || die "config fragment does not apply cleanly"
	done_ "all fragment options set"
}

# env-X.Y.mk for this release; env.mk too when no KERNEL was asked for.
write_env() {
	mkdir -p "$cache"
	{
		echo "KDIR=$kdir"
		echo "KERNEL=$rel"
		echo "LIBCLANG_PATH=$(libclang_dir)"
		echo "BUSYBOX=$cache/busybox/bin/busybox"
	} >"$cache/env-$rel.mk.tmp"
	[ -n "$want" ] || cp "$cache/env-$rel.mk.tmp" "$cache/env.mk"
	mv "$cache/env-$rel.mk.tmp" "$cache/env-$rel.mk"
}

# ------------------------------------------------------ guest user space
fetch_busybox() {
	step "busybox-static:arm64 (guest user space)"
	if [ -x "$cache/busybox/bin/busybox" ]; then
		done_ "present"
		return
	fi
	mkdir -p "$cache/dl"
	rm -f "$cache"/dl/busybox-static_*_arm64.deb
	# The system's own sources (Debian 12), arm64 added as foreign arch above.
	apt-cache show busybox-static:arm64 >/dev/null 2>&1 || apt_update
	(cd "$cache/dl" && apt-get download busybox-static:arm64 2>&1 |
		grep -v '^W: Download is performed unsandboxed' || true)
	local deb
	deb=$(ls "$cache"/dl/busybox-static_*_arm64.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "download of busybox-static:arm64 failed"
	rm -rf "$cache/busybox.tmp"
	dpkg-deb -x "$deb" "$cache/busybox.tmp"
	mkdir -p "$cache/busybox"
	rm -rf "$cache/busybox/bin"
	mv "$cache/busybox.tmp/bin" "$cache/busybox/bin"
	rm -rf "$cache/busybox.tmp"
	done_ "$(file -b "$cache/busybox/bin/busybox" 2>/dev/null | cut -d, -f1-2 || echo extracted)"
}

# The SSH server of the virtual board (tests/guest/ssh_board.sh; the SSH
# target of tests/host/ssh_target.py): Debian 12's dropbear-bin:arm64 and the
# arm64 libraries it links, unpacked with dpkg-deb into $cache/dropbear/ as
# usr/sbin/dropbear, usr/bin/dropbearkey, lib/ld-linux-aarch64.so.1 and
# lib/aarch64-linux-gnu/ (only the DT_NEEDED closure of the two programs).
dropbear_debs=(dropbear-bin libc6 libcrypt1 libtomcrypt1 libtommath1 libgmp10 zlib1g)
fetch_dropbear() {
	step "dropbear-bin:arm64 (the virtual board's SSH server)"
	if [ -x "$cache/dropbear/usr/sbin/dropbear" ] && [ -f "$cache/dropbear/lib/ld-linux-aarch64.so.1" ]; then
		done_ "present"
		return
	fi
	local dl=$cache/dl/dropbear tmp=$cache/dropbear.tmp p so
	rm -rf "$dl" "$tmp"
	mkdir -p "$dl" "$tmp/x" "$tmp/out/usr/sbin" "$tmp/out/usr/bin" "$tmp/out/lib/aarch64-linux-gnu"
	apt-cache show dropbear-bin:arm64 >/dev/null 2>&1 || apt_update
	(cd "$dl" && apt-get download "${dropbear_debs[@]/%/:arm64}" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' || true)
	for p in "${dropbear_debs[@]}"; do
		ls "$dl/${p}"_*_arm64.deb >/dev/null 2>&1 || die "download of $p:arm64 failed"
	done
	for p in "$dl"/*.deb; do
		dpkg-deb -x "$p" "$tmp/x"
	done
	cp "$tmp/x/usr/sbin/dropbear" "$tmp/out/usr/sbin/"
	cp "$tmp/x/usr/bin/dropbearkey" "$tmp/out/usr/bin/"
	cp -L "$tmp/x/lib/ld-linux-aarch64.so.1" "$tmp/out/lib/"
	# The shared libraries the two programs need, and theirs in turn.
	local todo=("$tmp/out/usr/sbin/dropbear" "$tmp/out/usr/bin/dropbearkey") f
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for so in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ "$so" != ld-linux-aarch64.so.1 ] || continue
			[ ! -e "$tmp/out/lib/aarch64-linux-gnu/$so" ] || continue
			p=$(find "$tmp/x/lib/aarch64-linux-gnu" "$tmp/x/usr/lib/aarch64-linux-gnu" -maxdepth 1 -name "$so" | head -n 1)
			[ -n "$p" ] || die "dropbear needs $so, which none of ${dropbear_debs[*]} has"
			cp -L "$p" "$tmp/out/lib/aarch64-linux-gnu/$so"
			todo+=("$tmp/out/lib/aarch64-linux-gnu/$so")
		done
	done
	rm -rf "$cache/dropbear"
	mv "$tmp/out" "$cache/dropbear"
	rm -rf "$tmp" "$dl"
	done_ "$(ls "$cache/dropbear/lib/aarch64-linux-gnu" | tr '\n' ' ')"
}

case $mode in
env)
	envf=$cache/env${want:+-$want}.mk
	[ -f "$envf" ] || die "no ${want:+Linux $want }kernel tree yet: run ${want:+KERNEL=$want }scripts/bootstrap.sh"
	cat "$envf"
	;;
tools)
	install_tools
	;;
all)
	install_tools
	fetch_busybox
	fetch_dropbear
	build_kernel
	step "ready: KDIR=$kdir"
	;;
esac

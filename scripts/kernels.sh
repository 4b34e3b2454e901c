#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The supported Linux releases, from kernels.list (the one place they are
# named), for the scripts and the checks that cannot read that file.
#
#   scripts/kernels.sh list         the releases, oldest first, one a line
#   scripts/kernels.sh newest       the newest release
#   scripts/kernels.sh dkms-regex   dkms.conf's BUILD_EXCLUSIVE_KERNEL for them
#   scripts/kernels.sh words        "7.2 and 7.3", as the docs write them
#   scripts/kernels.sh check        dkms.conf and the docs agree with the list
#                                   (one line per check, "N passed, M failed")

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mapfile -t rels < <(sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$here/kernels.list")
if [ ${#rels[@]} -eq 0 ]; then
	echo "kernels.sh: no release in $here/kernels.list" >&2
	exit 2
fi

dkms_regex() {
	local r alt=
	for r in "${rels[@]}"; do alt+="${alt:+|}${r//./\\.}"; done
	printf '^(%s)\\.\n' "$alt"
}

words() {
	local n=${#rels[@]} i out=${rels[0]}
	for ((i = 1; i < n; i++)); do
		if [ "$i" -eq $((n - 1)) ]; then out+=" and ${rels[i]}"; else out+=", ${rels[i]}"; fi
	done
	echo "$out"
}

check() {
	local pass=0 fail=0 got want f line
	want=$(dkms_regex)
	got=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$here/dkms.conf")
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
		echo "ok   dkms.conf BUILD_EXCLUSIVE_KERNEL=\"$got\" is kernels.list's"
	else
		fail=$((fail + 1))
		echo "FAIL dkms.conf BUILD_EXCLUSIVE_KERNEL is kernels.list's (want \"$want\", got \"$got\")"
	fi
	# Each of these names the releases in this one sentence.
	line="Supported releases: Linux $(words)."
	for f in README.md Documentation/user-guide.rst Documentation/porting.rst; do
		if grep -qF "$line" "$here/$f"; then
			pass=$((pass + 1))
			echo "ok   $f says \"$line\""
		else
			fail=$((fail + 1))
			echo "FAIL $f says \"$line\" (kernels.list changed, or the sentence did)"
		fi
	done
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

case "${1:-}" in
list) printf '%s\n' "${rels[@]}" ;;
newest) echo "${rels[-1]}" ;;
dkms-regex) dkms_regex ;;
words) words ;;
check) check ;;
*)
	echo "usage: $0 list|newest|dkms-regex|words|check" >&2
	exit 2
	;;
esac

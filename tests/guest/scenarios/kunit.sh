# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The module's KUnit suite (rust/selftests.rs) runs when it is loaded; its
# KTAP goes to the kernel log. Each test case there becomes a test here.
#
# The cases expected are the ones the module's source declares: the runner
# (scripts/check.sh) puts the names of rust/selftests.rs's #[test] functions
# in /kunit-cases.txt, one a line. A declared case that did not run is a
# failure, as is a case that ran and is not declared; a case KUnit skipped
# is a skip. Without that file, the cases found in the log are all there is
# (and a vanished case goes unnoticed).

# shellcheck source=tests/guest/lib.sh
. /lib.sh

suite=imx_rproc_rs_fw
dmesg -c >/dev/null
insmod /modules/imx_rproc_rs.ko
log=$(dmesg | sed 's/^\[[^]]*\] //')
rmmod imx_rproc_rs

# The suite's case lines ("    ok 1 name", "    not ok 2 name",
# "    ok 3 name # SKIP why"), as "name<TAB>line".
printf '%s\n' "$log" | grep -E '^ +(not )?ok [0-9]+ ' |
	while IFS= read -r l; do
		name=$(printf '%s\n' "$l" | sed -E 's/^ *(not )?ok [0-9]+ (- )?//; s/ *#.*$//')
		printf '%s\t%s\n' "$name" "$l"
	done >/tmp/kunit.cases
: >/tmp/kunit.expected
[ ! -r /kunit-cases.txt ] || grep -v '^$' /kunit-cases.txt >/tmp/kunit.expected
# Cases that ran and are not declared (all of them without /kunit-cases.txt).
cut -f1 /tmp/kunit.cases | while IFS= read -r name; do
	grep -qxF "$name" /tmp/kunit.expected || echo "$name"
done >/tmp/kunit.extra

expected=$(grep -c . /tmp/kunit.expected)
extra=$(grep -c . /tmp/kunit.extra)
ktap_begin $((expected + extra + 2))
if printf '%s\n' "$log" | grep -qE "^ *# Subtest: $suite"; then
	ktap_ok "KUnit suite $suite ran at module load"
else
	ktap_fail "KUnit suite $suite ran at module load" "$log"
fi
# case_result NAME UNDECLARED: one test for the case NAME.
case_result() {
	l=$(awk -F '\t' -v n="$1" '$1 == n { sub(/^[^\t]*\t/, ""); print; exit }' /tmp/kunit.cases)
	if [ -z "$l" ]; then
		ktap_fail "kunit: $1" "declared in rust/selftests.rs, did not run"
		return
	fi
	case $l in
	*"# SKIP"*) ktap_skip "kunit: $1" "${l#*# SKIP}" ;;
	*"not ok"*) ktap_fail "kunit: $1" ;;
	*)
		if [ -n "$2" ] && [ -s /tmp/kunit.expected ]; then
			ktap_fail "kunit: $1" "ran, but rust/selftests.rs declares no such case"
		else
			ktap_ok "kunit: $1"
		fi
		;;
	esac
}
while IFS= read -r name; do
	case_result "$name" ""
done </tmp/kunit.expected
while IFS= read -r name; do
	case_result "$name" undeclared
done </tmp/kunit.extra
if printf '%s\n' "$log" | grep -qE "^(not )?ok [0-9]+ $suite"; then
	if printf '%s\n' "$log" | grep -qE "^ok [0-9]+ $suite"; then
		ktap_ok "KUnit suite $suite passed"
	else
		ktap_fail "KUnit suite $suite passed"
	fi
else
	ktap_fail "KUnit suite $suite passed" "no suite result line"
fi
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The module's KUnit suite (rust/selftests.rs) runs when it is loaded; its
# KTAP goes to the kernel log. Each test case there becomes a test here.

# shellcheck source=tests/guest/lib.sh
. /lib.sh

suite=imx_rproc_rs_fw
dmesg -c >/dev/null
insmod /modules/imx_rproc_rs.ko
log=$(dmesg | sed 's/^\[[^]]*\] //')
rmmod imx_rproc_rs

cases=$(printf '%s\n' "$log" | grep -cE '^ +(not )?ok [0-9]+ ')
ktap_begin $((cases + 2))
if printf '%s\n' "$log" | grep -qE "^ *# Subtest: $suite"; then
	ktap_ok "KUnit suite $suite ran at module load"
else
	ktap_fail "KUnit suite $suite ran at module load" "$log"
fi
printf '%s\n' "$log" | grep -E '^ +(not )?ok [0-9]+ ' | while IFS= read -r l; do
	echo "$l"
done >/tmp/kunit.cases
while IFS= read -r l; do
	name=$(printf '%s\n' "$l" | sed -E 's/^ *(not )?ok [0-9]+ //')
	case $l in
	*"not ok"*) ktap_fail "kunit: $name" ;;
	*) ktap_ok "kunit: $name" ;;
	esac
done </tmp/kunit.cases
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

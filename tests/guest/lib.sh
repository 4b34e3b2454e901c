# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Tiny KTAP helper for guest test scripts (POSIX sh / busybox ash).
# scripts/run-qemu.sh puts it at /lib.sh in the guest; a test does
#
#	. /lib.sh
#	ktap_begin 5
#	check "remoteproc class exists" test -d /sys/class/remoteproc
#	expect_eq "state" "$(cat /sys/class/remoteproc/remoteproc0/state)" offline
#	ktap_skip "needs firmware" "no firmware yet"
#	ktap_skip_n 2 "firmware test" "no firmware yet"
#	ktap_end
#
# and exits with ktap_end's status (non-zero if any test failed or the
# plan was not met). Test numbers are assigned automatically.

KTAP_PLAN=0
KTAP_NUM=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

# ktap_begin N: header and plan.
ktap_begin() {
	KTAP_PLAN=$1
	KTAP_NUM=0
	KTAP_PASS=0
	KTAP_FAIL=0
	KTAP_SKIP=0
	echo "KTAP version 1"
	echo "1..$KTAP_PLAN"
}

# ktap_diag TEXT...: a diagnostic line ("# TEXT"), one per input line.
ktap_diag() {
	printf '%s\n' "$*" | while IFS= read -r _ktap_line; do
		echo "# $_ktap_line"
	done
}

# ktap_ok DESC
ktap_ok() {
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_NUM $1"
}

# ktap_fail DESC [REASON]
ktap_fail() {
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_NUM $1"
	if [ -n "${2:-}" ]; then
		ktap_diag "$2"
	fi
}

# ktap_skip DESC REASON
ktap_skip() {
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_NUM $1 # SKIP ${2:-}"
}

# ktap_skip_n N DESC REASON: N skipped tests, "DESC 1" to "DESC N", each
# with REASON: the planned tests of a section that cannot run, listed as
# skipped one by one so the plan is met.
ktap_skip_n() {
	_ktap_i=1
	while [ "$_ktap_i" -le "$1" ]; do
		ktap_skip "$2 $_ktap_i" "$3"
		_ktap_i=$((_ktap_i + 1))
	done
}

# check DESC CMD [ARGS...]: ok if CMD exits 0. On failure, CMD's output
# (stdout and stderr) and its status are printed as diagnostics.
check() {
	_ktap_desc=$1
	shift
	if _ktap_out=$("$@" 2>&1); then
		ktap_ok "$_ktap_desc"
		return 0
	else
		_ktap_rc=$?
		ktap_fail "$_ktap_desc" "'$*' exited $_ktap_rc${_ktap_out:+:
$_ktap_out}"
		return 1
	fi
}

# expect_eq DESC ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
		return 0
	fi
	ktap_fail "$1" "got '$2', expected '$3'"
	return 1
}

# ktap_uptime_cs: seconds since boot, in hundredths (from /proc/uptime).
ktap_uptime_cs() {
	read -r _ktap_up _ktap_rest </proc/uptime
	_ktap_int=${_ktap_up%.*}
	_ktap_frac=${_ktap_up#*.}
	echo $((_ktap_int * 100 + ${_ktap_frac#0}))
}

# wait_for PATH_OR_CMD TIMEOUT_S: polls every 0.1 s until PATH exists (an
# argument starting with '/') or the command succeeds (anything else,
# evaluated by the shell, so it may contain arguments and pipes). Returns
# 0 as soon as it does, 1 once TIMEOUT_S seconds (an integer) have passed.
wait_for() {
	_ktap_what=$1
	_ktap_deadline=$(($(ktap_uptime_cs) + ${2:-10} * 100))
	while :; do
		case $_ktap_what in
		/*) [ -e "$_ktap_what" ] && return 0 ;;
		*) eval "$_ktap_what" >/dev/null 2>&1 && return 0 ;;
		esac
		[ "$(ktap_uptime_cs)" -ge "$_ktap_deadline" ] && return 1
		sleep 0.1
	done
}

# ktap_end: totals; non-zero if any test failed or the plan was not met.
ktap_end() {
	_ktap_rc=0
	if [ "$KTAP_NUM" -ne "$KTAP_PLAN" ]; then
		echo "# plan mismatch: planned $KTAP_PLAN, ran $KTAP_NUM"
		_ktap_rc=1
	fi
	echo "# totals: pass:$KTAP_PASS fail:$KTAP_FAIL skip:$KTAP_SKIP"
	[ "$KTAP_FAIL" -eq 0 ] || _ktap_rc=1
	return $_ktap_rc
}

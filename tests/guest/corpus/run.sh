# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The malformed-image corpus (tools/mkfw: mkfw corpus) against one driver,
# on the virtual i.MX95. Run by scripts/corpus.sh, which passes:
#
#   /lib/firmware/corpus/           the images and manifest.tsv
#   /corpus-batch                   the case names to run, one a line, in order
#                                   (absent: every case of the manifest)
#   imxrprocrs_driver=rust|c        the driver under test (DRV, see /sim.sh)
#   imxrprocrs_corpus_mode=cpu|lmm  the System Manager mode (default cpu)
#
# For each case: set the firmware, "echo start > state", record the outcome
# (accepted: state running, then stop; rejected: the write fails, with the
# errno of "Boot failed: -N"), the kernel messages, the state afterwards and
# whether the System Manager was asked to start the M7 (CPU_START or
# LMM_BOOT in its log); then boot the valid baseline image right after and
# stop it. The checks of the manifest (errno, message, remote left offline,
# valid image boots after) give the case's verdict: a KTAP test for the Rust
# driver, recorded only for the C driver.
#
# Records go to the kernel log (/dev/kmsg), so that they reach the console
# as whole lines, in order with the kernel's own messages:
#
#   CORPUS CASE <name>
#   CORPUS KMSG <name> <kernel message of the case>
#   CORPUS RESULT <name> outcome=<accepted|rejected|hang|killed|error>
#          errno=<-N|-> state=<state> m7_started=<yes|no> msg=<found|missing|->
#          stopped=<yes|no|-> valid_after=<ok|fail|-> splat=<yes|no>
#          verdict=<pass|fail> why=<text>
#   CORPUS SPLAT <name> <first line of an oops/BUG/WARNING>
#   CORPUS DONE / CORPUS FATAL <why>
#
# After an oops, a BUG, a WARNING or a hang the kernel is not trusted any
# more: the script stops and the runner continues in a fresh boot.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

CORPUS=/lib/firmware/corpus
MANIFEST=$CORPUS/manifest.tsv
BATCH=/corpus-batch
VALID=valid-baseline
# Seconds a state write may take before it counts as a hang.
STATE_TIMEOUT=20
TAB=$(printf '\t')
SPLAT_RE='Internal error|Unable to handle kernel|BUG:|WARNING:|Kernel panic|Oops|general protection|UBSAN:|sleeping function called|circular locking|stack-protector|Call trace:'

MODE=cpu
for _arg in $(cat /proc/cmdline); do
	case $_arg in
	imxrprocrs_corpus_mode=*) MODE=${_arg#imxrprocrs_corpus_mode=} ;;
	esac
done

# rec TEXT: one record in the kernel log (one line, at most 900 bytes).
rec() {
	# shellcheck disable=SC3057 # busybox ash has substrings
	printf '<5>CORPUS %s\n' "${1:0:900}" >/dev/kmsg
}

# oneline TEXT: TEXT with its line breaks turned into " / ".
oneline() {
	printf '%s' "$1" | tr '\n' '\v' | sed 's/\v/ \/ /g'
}

# write_state WORD: "echo WORD > state" in a child, watched: returns 0 if
# the write succeeded, 1 if it failed (its error text in WS_ERR), 2 if it
# has not returned after STATE_TIMEOUT seconds (hang), 3 if the child died
# without finishing (killed by an oops).
write_state() {
	rm -f /tmp/ws.rc /tmp/ws.err
	(
		if echo "$1" >"$RPROC/state" 2>/tmp/ws.err; then
			echo 0 >/tmp/ws.rc
		else
			echo 1 >/tmp/ws.rc
		fi
	) &
	_ws_pid=$!
	_ws_n=0
	while [ ! -e /tmp/ws.rc ]; do
		_ws_st=Z
		read -r _ws_a _ws_b _ws_st _ws_rest <"/proc/$_ws_pid/stat" 2>/dev/null
		[ "$_ws_st" = Z ] && break
		# Polled every 20 ms for the first second, then every 200 ms.
		if [ "$_ws_n" -ge $((STATE_TIMEOUT * 5 + 45)) ]; then
			WS_ERR="no answer after $STATE_TIMEOUT s (task state $_ws_st)"
			return 2
		fi
		if [ "$_ws_n" -lt 50 ]; then sleep 0.02; else sleep 0.2; fi
		_ws_n=$((_ws_n + 1))
	done
	wait "$_ws_pid" 2>/dev/null
	WS_ERR=$(oneline "$(cat /tmp/ws.err 2>/dev/null)")
	[ -s /tmp/ws.rc ] || {
		WS_ERR="the writer died: $WS_ERR"
		return 3
	}
	return "$(cat /tmp/ws.rc)"
}

# take_kmsg: the kernel messages since the last call, records excluded,
# without level and time stamp: all of them in /tmp/k.all, those of level
# warning or worse (the driver's errors and warnings, splats) in /tmp/k.imp.
take_kmsg() {
	: >/tmp/k.all
	: >/tmp/k.imp
	dmesg -c -r 2>/dev/null | awk '
		/ CORPUS / { next }
		{
			lvl = 6
			if (match($0, /^<[0-9]+>/)) {
				lvl = substr($0, 2, RLENGTH - 2) % 8
				$0 = substr($0, RLENGTH + 1)
			}
			sub(/^\[ *[0-9.]+\] /, "")
			print >"/tmp/k.all"
			if (lvl <= 4)
				print >"/tmp/k.imp"
		}'
}

# first_splat: the first oops/BUG/WARNING line of /tmp/k.all, or nothing.
first_splat() {
	grep -m1 -E "$SPLAT_RE" /tmp/k.all
}

# m7_started: whether the SM log has a CPU_START (0x82/0x4) or LMM_BOOT
# (0x80/0x4) since the last sim_log_clear.
m7_started() {
	if sim_log | grep -qE 'proto=0x8[02] msg=0x4 '; then echo yes; else echo no; fi
}

# boot_valid: boots the baseline and stops it; VALID_AFTER = ok or why not.
# Returns 1 if the kernel can no longer be trusted (oops or hang).
boot_valid() {
	sim_log_clear
	if ! echo "corpus/$VALID.elf" >"$RPROC/firmware" 2>/tmp/fw.err; then
		VALID_AFTER="fail: cannot set the firmware ($(oneline "$(cat /tmp/fw.err)")), state $(cat "$RPROC/state")"
		return 0
	fi
	write_state start
	_bv=$?
	_bv_state=$(cat "$RPROC/state")
	_bv_started=$(m7_started)
	case $_bv in
	2 | 3)
		VALID_AFTER="fail: start: $WS_ERR"
		return 1
		;;
	1)
		VALID_AFTER="fail: start refused ($WS_ERR), state $_bv_state"
		return 0
		;;
	esac
	if [ "$_bv_state" != running ] || [ "$_bv_started" != yes ]; then
		VALID_AFTER="fail: state $_bv_state, M7 started $_bv_started"
	else
		VALID_AFTER=ok
	fi
	write_state stop
	case $? in
	0) ;;
	2 | 3)
		VALID_AFTER="fail: stop: $WS_ERR"
		return 1
		;;
	*) VALID_AFTER="fail: stop refused ($WS_ERR)" ;;
	esac
	_bv_state=$(cat "$RPROC/state")
	[ "$_bv_state" = offline ] || VALID_AFTER="fail: state $_bv_state after stop"
	return 0
}

# run_case NAME FILE EXPECT ERRNO MESSAGE: one case; returns 1 when the
# kernel can no longer be trusted.
run_case() {
	name=$1 file=$2 expect=$3 want_errno=$4 want_msg=$5
	rec "CASE $name"
	take_kmsg
	sim_log_clear
	outcome='' errno=- stopped=- msg=- VALID_AFTER=- why=''
	if ! echo "corpus/$file" >"$RPROC/firmware" 2>/tmp/fw.err; then
		rec "RESULT $name outcome=error errno=- state=$(cat "$RPROC/state") m7_started=- msg=- stopped=- valid_after=- verdict=fail why=cannot set the firmware: $(oneline "$(cat /tmp/fw.err)")"
		return 1
	fi
	write_state start
	ws=$?
	state=$(cat "$RPROC/state")
	started=$(m7_started)
	take_kmsg
	splat=$(first_splat)
	case $ws in
	0) outcome=accepted ;;
	1) outcome=rejected ;;
	2) outcome=hang why=$WS_ERR ;;
	3) outcome=killed why=$WS_ERR ;;
	esac
	errno=$(sed -n 's/.*Boot failed: \(-[0-9]*\).*/\1/p' /tmp/k.all | head -n 1)
	[ -n "$errno" ] || errno=-
	if [ "$want_msg" != - ]; then
		if grep -qF -- "$want_msg" /tmp/k.all; then msg=found; else msg=missing; fi
	fi
	_nk=0
	while IFS= read -r line && [ $_nk -lt 12 ]; do
		# shellcheck disable=SC3057
		rec "KMSG $name ${line:0:400}"
		_nk=$((_nk + 1))
	done </tmp/k.imp

	# After a splat or a hang, touch nothing more: the next boot goes on.
	trusted=yes
	[ -z "$splat" ] || trusted=no
	case $outcome in
	hang | killed) trusted=no ;;
	accepted)
		if [ $trusted = yes ]; then
			write_state stop
			case $? in
			0) stopped=yes ;;
			2 | 3)
				stopped=no why="stop: $WS_ERR"
				trusted=no
				;;
			*) stopped=no why="stop refused: $WS_ERR" ;;
			esac
		fi
		;;
	esac
	if [ $trusted = yes ]; then
		take_kmsg
		splat=$(first_splat)
		[ -z "$splat" ] || trusted=no
	fi
	if [ $trusted = yes ]; then
		boot_valid || trusted=no
		take_kmsg
		splat=$(first_splat)
		[ -z "$splat" ] || {
			trusted=no
			VALID_AFTER="fail: kernel splat"
		}
	fi
	[ -z "$splat" ] || rec "SPLAT $name $splat"

	# The verdict, by the manifest.
	fails=
	if [ "$expect" = reject ]; then
		[ "$outcome" = rejected ] || fails="$fails; $outcome, not rejected"
		[ "$errno" = "$want_errno" ] || fails="$fails; errno $errno, expected $want_errno"
		[ "$msg" = found ] || fails="$fails; no kernel message with '$want_msg'"
		[ "$state" = offline ] || fails="$fails; state $state after the failed start"
		[ "$started" = no ] || fails="$fails; the SM was asked to start the M7"
	else
		[ "$outcome" = accepted ] || fails="$fails; $outcome, not accepted"
		[ "$state" = running ] || fails="$fails; state $state after start"
		[ "$started" = yes ] || fails="$fails; the SM was not asked to start the M7"
		[ "$stopped" = yes ] || fails="$fails; stop failed"
	fi
	[ "$VALID_AFTER" = ok ] || fails="$fails; valid image after: $VALID_AFTER"
	[ -z "$splat" ] || fails="$fails; kernel splat: $splat"
	fails=${fails#; }
	if [ -z "$fails" ]; then verdict=pass; else verdict=fail; fi
	[ -n "$why" ] || why=$fails
	va=$VALID_AFTER
	case $va in fail*) va=fail ;; esac
	rec "RESULT $name outcome=$outcome errno=$errno state=$state m7_started=$started msg=$msg stopped=$stopped valid_after=$va splat=$([ -n "$splat" ] && echo yes || echo no) verdict=$verdict why=${why:--}"
	if [ "$DRV" = rust ]; then
		if [ $verdict = pass ]; then ktap_ok "$name"; else ktap_fail "$name" "$fails"; fi
	else
		ktap_ok "$name # C driver: $outcome $errno${fails:+ ($fails)}"
	fi
	[ $trusted = yes ]
}

# ------------------------------------------------------------ main
[ -r "$MANIFEST" ] || {
	rec "FATAL no $MANIFEST"
	exit 1
}
if [ -r "$BATCH" ]; then
	names=$(cat "$BATCH")
else
	names=$(grep -v '^#' "$MANIFEST" | cut -f1)
fi
count=$(printf '%s\n' "$names" | grep -c .)
ktap_begin "$count"
echo "# driver under test: $DRV, System Manager mode: $MODE"

# Records must not be rate limited. The console shows warnings and worse
# (and the records): printing every info message on the emulated UART
# would take most of the run time.
echo on >/proc/sys/kernel/printk_devkmsg 2>/dev/null
dmesg -n 6

if ! sim_up; then
	rec "FATAL the simulated MU and System Manager did not come up"
	exit 1
fi
case $MODE in
lmm) sim_set linux_lm 2 ;;
*) sim_set linux_lm 1 ;;
esac
sim_set lmm_control 1
sim_set m7_running 0
sim_set fail clear
drv_load "$DRV" || {
	rec "FATAL cannot load the $DRV driver"
	exit 1
}
wait_for rproc_dir 5
RPROC=$(rproc_dir) || {
	rec "FATAL the $DRV driver registered no remoteproc"
	exit 1
}
take_kmsg
rec "START drv=$DRV mode=$MODE cases=$count"

for name in $names; do
	line=$(grep "^$name$TAB" "$MANIFEST" | head -n 1)
	if [ -z "$line" ]; then
		rec "RESULT $name outcome=error errno=- state=- m7_started=- msg=- stopped=- valid_after=- verdict=fail why=not in the manifest"
		ktap_fail "$name" "not in the manifest"
		continue
	fi
	IFS=$TAB read -r _n file expect errno _errname msg _rest <<EOF
$line
EOF
	run_case "$name" "$file" "$expect" "$errno" "$msg" || {
		echo "# the kernel can no longer be trusted after $name: stopping this boot"
		exit 3
	}
done
rec "DONE"
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What goes over MU7, against the driver named by imxrprocrs_driver= (issue
# 18, the mutation survivors): the simulated MU logs every data word with a
# sequence number (mu7_words) and which channels have a client (mu7_chans).
#
#   Kicks: Linux's words carry the notify id in the upper half-word, vq0 ->
#   0x0, vq1 -> 0x10000, as the C driver's imx_rproc_kick() sends
#   (drivers/remoteproc/imx_rproc.c: `mmsg = vqid << 16`); the M7 rejects
#   (kicks_bad_id) a word whose id is no vring's notifyid in the live table,
#   as rpmsg-lite's `env_isr(channel >> 16)` would.
#   Channels: given back on stop (imx_rproc_stop() -> imx_rproc_free_mbox()),
#   requested again on start; a late M7 notification after stop reaches no
#   one (undelivered, no crash). After a failed start both drivers keep
#   the channels they requested (imx_rproc_start() returns the error of
#   ops->start without freeing, and the core calls no stop), once: the next
#   start requests nothing more, and stop frees them.

# shellcheck source=tests/guest/lib.sh
. /lib.sh
# shellcheck source=tests/guest/sim.sh
. /sim.sh

FW=zephyr.elf
ktap_begin 17
echo "# driver under test: $DRV"

wait_state() {
	wait_for "[ \"\$(cat \$(rproc_dir)/state 2>/dev/null)\" = $1 ]" "${2:-5}"
}
# chan_req NAME: 1 while channel NAME of MU7 has a client, else 0.
chan_req() {
	awk -v c="$1" '$1 == c { print $3; f = 1 } END { if (!f) print 0 }' "$SIM/mu7_chans"
}
# chan_requests NAME: how many times NAME was requested.
chan_requests() {
	awk -v c="$1" '$1 == c { print $5; f = 1 } END { if (!f) print 0 }' "$SIM/mu7_chans"
}

check "simulated board up" sim_up
sim_set linux_lm 1
sim_set m7_running 0
drv_load "$DRV"
wait_for rproc_dir 5
d=$(rproc_dir)
echo $FW >"$d/firmware"
echo clear >"$SIM/mu7_words"
echo start >"$d/state" 2>/dev/null
wait_state running 5
wait_for "rpmsg_dev rpmsg-raw | grep -q ." 10
raw=$(rpmsg_dev rpmsg-raw)
expect_eq "start: rpmsg-raw echoes both ways" \
	"$(rpmsg_tool echo "${raw:-/dev/null}" "words from $DRV" 20 2>&1)" "echo ok 20"
expect_eq "start: tx1 and rx1 requested" "$(chan_req tx1)/$(chan_req rx1)" 1/1
expect_eq "kicks: Linux's words are exactly vq0's 0x0 and vq1's 0x10000" \
	"$(sed -n 's/^# tx_words //p' "$SIM/mu7_words" | tr ' ' '\n' | cut -d: -f1 | tr '\n' ' ')" \
	"0x0 0x10000 other "
expect_eq "kicks: the M7 rejected no kick" "$(m7_stat kicks_bad_id)" 0
check "words: the M7's notifications reached Linux on rx1" \
	grep -qE '^[0-9]+ rx1 0x[0-9a-f]+ delivered$' "$SIM/mu7_words"
expect_eq "words: sequence numbers increase" \
	"$(awk '/^[0-9]/ { if ($1 <= p) bad = 1; p = $1 } END { print bad + 0 }' "$SIM/mu7_words")" 0
echo 0x50000 >"$SIM/m7_kick"
expect_eq "kicks: a word with notify id 5 is rejected and counted" "$(m7_stat kicks_bad_id)" 1

echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "stop: tx1 and rx1 freed (imx_rproc_free_mbox)" "$(chan_req tx1)/$(chan_req rx1)" 0/0
echo clear >"$SIM/mu7_words"
echo 0x10000 >"$SIM/m7_send" 2>/dev/null
expect_eq "stop: a late M7 notification reaches no one (undelivered)" \
	"$(sed -n 's/^# undelivered //p' "$SIM/mu7_words")" 1
n=$(chan_requests tx1)
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "start again: tx1 requested once more, rx1 held" \
	"$(chan_requests tx1)/$(chan_req tx1)/$(chan_req rx1)" "$((n + 1))/1/1"
wait_for "rpmsg_dev rpmsg-raw | grep -q ." 10
raw=$(rpmsg_dev rpmsg-raw)
expect_eq "start again: rpmsg-raw echoes" \
	"$(rpmsg_tool echo "${raw:-/dev/null}" "again" 5 2>&1)" "echo ok 5"
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "stop again: channels freed" "$(chan_req tx1)/$(chan_req rx1)" 0/0
sim_set fail "0x82 0x4 -3 1 1"
echo start >"$d/state" 2>/dev/null
expect_eq "failed start (CPU_START denied): offline, tx1 and rx1 kept" \
	"$(cat "$d/state")/$(chan_req tx1)/$(chan_req rx1)" offline/1/1
n=$(chan_requests tx1)/$(chan_requests rx1)
echo start >"$d/state" 2>/dev/null
wait_state running 5
expect_eq "start after the failed one: running, no channel requested twice" \
	"$(cat "$d/state")/$(chan_requests tx1)/$(chan_requests rx1)" "running/$n"
echo stop >"$d/state" 2>/dev/null
wait_state offline 5
expect_eq "stop after it: channels freed" "$(chan_req tx1)/$(chan_req rx1)" 0/0
drv_unload "$DRV"
expect_eq "no splat, the M7 saw no fault" \
	"$(dmesg | grep -cE 'BUG|WARNING|Oops|Call trace')/$(m7_stat faults)/$(m7_stat crashes)" 0/0/0
ktap_end

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The module's KUnit suite (rust/selftests.rs) runs when it is loaded (the
# runner boots with kunit.enable=1 kunit.autorun=1); its KTAP goes to the
# kernel log. This script prints that KTAP as it is, nested, as the
# scenario's results: the host counts it with the runner's one KTAP parser
# (scripts/ktap_count.py), each case a test, and expects the suites and
# cases compiled into the module (scripts/kunit_suites.py, the
# kunit_modules key of tests/guest/scenarios.toml): a compiled case that did
# not run fails.

dmesg -c >/dev/null
insmod /modules/imx_rproc_rs.ko
# The log without printk's timestamps, from KUnit's first "KTAP version"
# line on; kernel messages in between are not KTAP and are ignored.
dmesg | sed 's/^\[[^]]*\] //' | sed -n '/^KTAP version/,$p' >/tmp/kunit.ktap
rmmod imx_rproc_rs
cat /tmp/kunit.ktap
# A failure is counted from the KTAP; the status says whether there was one.
if [ ! -s /tmp/kunit.ktap ] || grep -q '^ *not ok ' /tmp/kunit.ktap; then
	exit 1
fi
exit 0

# SPDX-License-Identifier: GPL-2.0
"""scripts/corpus.py, the host side of the malformed-image corpus, over
console logs in the format tests/guest/corpus/run.sh writes ("CORPUS CASE",
"CORPUS KMSG", "CORPUS RESULT ... verdict=... why=...", "CORPUS SPLAT"):
which cases a boot settled, which run again in the next boot, and the
counts of the report. Runs with unittest (tests/runner/run.py) or pytest.
"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import corpus  # noqa: E402

# Columns of manifest.tsv (tools/mkfw/src/corpus.rs writes it): name, file,
# expect, errno, errname, message, check, group, defect.
MANIFEST = (
    "# name\tfile\texpect\terrno\terrname\tmessage\tcheck\tgroup\tdefect\n"
    "bad-magic\tbad-magic.elf\treject\t-22\tEINVAL\tnot an ELF\telf::BadMagic\telf\tno ELF magic\n"
    "big-table\tbig-table.elf\treject\t-27\tEFBIG\ttoo large\trsc::TooLarge\trsc\ttable past 4 KiB\n"
    "valid-min\tvalid-min.elf\tboot\t-\t-\t-\tvalid\tvalid\tsmallest valid image\n"
)


def rec(t, text):
    return f"[   {t}.000000] CORPUS {text}\n"


def result(name, outcome, verdict, errno="-22", why="-"):
    return (
        f"RESULT {name} outcome={outcome} errno={errno} state=offline m7_started=no msg=found "
        f"stopped=- valid_after=ok splat=no verdict={verdict} why={why}"
    )


class Corpus(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name
        self.addCleanup(self.tmp.cleanup)
        with open(self.path("manifest.tsv"), "w") as f:
            f.write(MANIFEST)

    def path(self, name):
        return os.path.join(self.d, name)

    def ingest(self, log_text, names, rc=0, boot=1, drv="rust"):
        with open(self.path("boot.log"), "w") as f:
            f.write(log_text)
        with open(self.path("batch"), "w") as f:
            f.write("".join(n + "\n" for n in names))
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            corpus.ingest(
                self.path("boot.log"),
                self.path("batch"),
                rc,
                drv,
                boot,
                self.path("results.jsonl"),
                self.path("remaining"),
            )
        with open(self.path("remaining")) as f:
            left = f.read().split()
        return int(buf.getvalue()), left

    def results(self):
        with open(self.path("results.jsonl")) as f:
            return [json.loads(x) for x in f]

    def test_errname_from_errno_module(self):
        self.assertEqual(corpus.errname("-22"), "EINVAL")
        self.assertEqual(corpus.errname("-27"), "EFBIG")
        # Outside the old hand-written table: the errno module knows it.
        self.assertEqual(corpus.errname("-110"), "ETIMEDOUT")
        self.assertEqual(corpus.errname("-"), "")

    def test_parse_result_why_keeps_spaces(self):
        r = corpus.parse_result("bad-magic outcome=rejected errno=-22 splat=no verdict=fail why=no message, see log")
        self.assertEqual(r["why"], "no message, see log")
        self.assertEqual(r["errno"], "-22")
        self.assertFalse(r["splat_seen"])

    def test_names(self):
        self.assertEqual(
            [k["name"] for k in corpus.manifest(self.path("manifest.tsv"))], ["bad-magic", "big-table", "valid-min"]
        )

    def test_all_settled(self):
        log = "".join(
            [
                rec(1, "START"),
                rec(2, "CASE bad-magic"),
                rec(2, "KMSG bad-magic remoteproc remoteproc0: invalid firmware: not an ELF (BadMagic)"),
                rec(3, result("bad-magic", "rejected", "pass")),
                rec(4, "CASE valid-min"),
                rec(5, result("valid-min", "accepted", "pass", errno="-")),
                rec(6, "DONE"),
            ]
        )
        settled, left = self.ingest(log, ["bad-magic", "valid-min"])
        self.assertEqual((settled, left), (2, []))
        r = self.results()
        self.assertEqual([x["verdict"] for x in r], ["pass", "pass"])
        self.assertEqual(r[0]["kmsg"], ["remoteproc remoteproc0: invalid firmware: not an ELF (BadMagic)"])

    def test_oops_ends_the_boot_rest_runs_again(self):
        log = "".join(
            [
                rec(1, "START"),
                rec(2, "CASE bad-magic"),
                "[    2.500000] Unable to handle kernel NULL pointer dereference at virtual address 0\n",
            ]
        )
        settled, left = self.ingest(log, ["bad-magic", "big-table", "valid-min"], rc=2)
        self.assertEqual(settled, 1)
        self.assertEqual(left, ["big-table", "valid-min"])
        (r,) = self.results()
        self.assertEqual((r["outcome"], r["verdict"]), ("killed", "fail"))
        self.assertIn("Unable to handle kernel", r["splat"])

    def test_hang_is_a_failure(self):
        log = rec(1, "START") + rec(2, "CASE big-table")
        settled, left = self.ingest(log, ["big-table", "valid-min"], rc=124)
        self.assertEqual((settled, left), (1, ["valid-min"]))
        self.assertEqual(self.results()[0]["outcome"], "hang")

    def test_timeout_after_other_cases_runs_the_case_again(self):
        # The boot's time ran out in its second case: the first is settled,
        # the second is not a hang but runs first in the next boot.
        log = "".join(
            [
                rec(1, "START"),
                rec(2, "CASE bad-magic"),
                rec(3, result("bad-magic", "rejected", "pass")),
                rec(4, "CASE big-table"),
            ]
        )
        settled, left = self.ingest(log, ["bad-magic", "big-table", "valid-min"], rc=124)
        self.assertEqual((settled, left), (1, ["big-table", "valid-min"]))
        self.assertEqual([r["name"] for r in self.results()], ["bad-magic"])

    def test_boot_that_ran_nothing_fails_the_first_case(self):
        # No case started: the first fails with the runner's status, the
        # rest runs again in the next boot (scripts/corpus.sh gives up
        # only when a boot settles none).
        settled, left = self.ingest("no records at all\n", ["bad-magic", "valid-min"], rc=125)
        self.assertEqual((settled, left), (1, ["valid-min"]))
        (r,) = self.results()
        self.assertEqual((r["verdict"], r["why"]), ("fail", "boot failed (runner status 125)"))

    def test_report_counts_every_selected_case(self):
        os.makedirs(self.path("rust"))
        with open(self.path("rust/results.jsonl"), "w") as f:
            f.write(json.dumps({"name": "bad-magic", "outcome": "rejected", "errno": "-22", "verdict": "pass"}) + "\n")
            f.write(json.dumps({"name": "valid-min", "outcome": "error", "verdict": "fail", "why": "x"}) + "\n")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = corpus.report(self.d, self.d, None, ["rust"], "1 s", "cpu")
        out = buf.getvalue().splitlines()
        # big-table never ran: a failure "not run", not dropped.
        self.assertEqual(out[-1], "1 passed, 2 failed")
        self.assertEqual(rc, 1)
        self.assertTrue(any(x.startswith("FAIL big-table: not run") for x in out))
        with open(self.path("table.md")) as f:
            table = f.read()
        self.assertIn("| `bad-magic` | no ELF magic | rejected -22 EINVAL |", table)


if __name__ == "__main__":
    unittest.main()

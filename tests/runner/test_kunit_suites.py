# SPDX-License-Identifier: GPL-2.0
"""scripts/kunit_suites.py over small ELF64 files built here with the
symbols a #[kunit_tests] module has (rust/macros/kunit.rs in the kernel
tree: kunit_rust_wrapper_CASE per case, a static KUNIT_TEST_SUITE whose
first member is char name[256], include/kunit/test.h)."""

import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))

import kunit_suites  # noqa: E402


def elf(symbols, data):
    """A relocatable ELF64 with sections null, .data (DATA), .symtab,
    .strtab; SYMBOLS: [(name, offset in .data)]."""
    strtab = b"\0"
    syms = [struct.pack("<IBBHQQ", 0, 0, 0, 0, 0, 0)]
    for name, off in symbols:
        syms.append(struct.pack("<IBBHQQ", len(strtab), 0x11, 0, 1, off, 8))
        strtab += name.encode() + b"\0"
    symtab = b"".join(syms)
    body = data + symtab + strtab
    d_off, s_off, t_off = 64, 64 + len(data), 64 + len(data) + len(symtab)
    shoff = 64 + len(body)

    def sh(typ, off, size, link=0, entsize=0):
        return struct.pack("<IIQQQQIIQQ", 0, typ, 0, 0, off, size, link, 0, 1, entsize)

    shdrs = sh(0, 0, 0) + sh(1, d_off, len(data)) + sh(2, s_off, len(symtab), 3, 24) + sh(3, t_off, len(strtab))
    hdr = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    hdr += struct.pack("<HHIQQQIHHHHHH", 1, 183, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 4, 3)
    return hdr + body + shdrs


def wrapper(path, case):
    ident = "kunit_rust_wrapper_" + case
    return f"_RNv{path}{len(ident)}{ident}"


def suite(path):
    return f"_RNvNv{path}1__16KUNIT_TEST_SUITE"


P1 = "NtNtCsiGyb34IJxJA_12imx_rproc_rs9selftests5tests"
P2 = "NtNtCsiGyb34IJxJA_12imx_rproc_rs9selftests5other"


class Read(unittest.TestCase):
    def read(self, symbols, data):
        with tempfile.NamedTemporaryFile(suffix=".ko", delete=False) as f:
            f.write(elf(symbols, data))
        self.addCleanup(os.unlink, f.name)
        return kunit_suites.read(f.name)

    def test_two_suites_their_cases(self):
        data = b"imx_rproc_rs_fw".ljust(256, b"\0") + b"second".ljust(256, b"\0")
        got = self.read(
            [
                (wrapper(P1, "att_translates_itcm"), 0),
                (suite(P1), 0),
                (suite(P2), 256),
                (wrapper(P2, "b_case"), 0),
                (wrapper(P1, "elf_rejects_truncated_header"), 0),
                ("_RNvNtCs1EKtwoKEMO2_6kernel5kunit3err", 0),
            ],
            data,
        )
        self.assertEqual(
            got, {"imx_rproc_rs_fw": ["att_translates_itcm", "elf_rejects_truncated_header"], "second": ["b_case"]}
        )

    def test_no_kunit_no_suites(self):
        self.assertEqual(self.read([("init_module", 0)], b"\0" * 8), {})

    def test_case_without_suite_is_an_error(self):
        with self.assertRaises(kunit_suites.ElfError):
            self.read([(wrapper(P1, "a"), 0)], b"\0" * 8)

    def test_not_elf(self):
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"not an elf at all" * 8)
        self.addCleanup(os.unlink, f.name)
        with self.assertRaises(kunit_suites.ElfError):
            kunit_suites.read(f.name)


KO = os.path.join(os.path.dirname(os.path.dirname(HERE)), "imx_rproc_rs.ko")


class Built(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(KO), "no imx_rproc_rs.ko built (make)")
    def test_built_module_has_every_test_of_the_source(self):
        import re

        with open(os.path.join(os.path.dirname(KO), "rust", "selftests.rs"), encoding="utf-8") as f:
            src = f.read()
        declared = re.findall(r"#\[test\]\s*\n\s*fn\s+([A-Za-z0-9_]+)", src)
        suite = re.search(r"#\[kunit_tests\((\w+)\)\]", src).group(1)
        got = kunit_suites.read(KO)
        self.assertEqual(list(got), [suite])
        self.assertEqual(sorted(got[suite]), sorted(declared))


if __name__ == "__main__":
    unittest.main()

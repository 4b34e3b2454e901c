#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The KUnit suites and cases compiled into a Rust kernel module (.ko), so
that the runner expects the cases the build made, not the ones a log shows.

  kunit_suites.py KO        prints "SUITE<TAB>CASE", one line a case

The kernel's #[kunit_tests(SUITE)] (rust/macros/kunit.rs in the kernel
tree) turns each #[test] fn CASE of a module `m` into an
`unsafe extern "C" fn kunit_rust_wrapper_CASE` in `m`, listed in `m`'s
TEST_CASES, and `m`'s suite into a static KUNIT_TEST_SUITE, a
`struct kunit_suite` whose first member is `const char name[256]`
(include/kunit/test.h). Both keep their symbols in the module's .symtab
(Rust v0 mangling: the path `m` is the same prefix in both names). A #[test]
the build cfg'd out still has its wrapper (it reports itself skipped), so
it is still expected.

The module is read with this small ELF64 reader (section headers, .symtab,
the suite's bytes) rather than pyelftools, which the host does not have,
or binutils' nm, which would still leave the suite's name to read.
"""

import struct
import sys

WRAPPER = "kunit_rust_wrapper_"
SUITE = "1__16KUNIT_TEST_SUITE"  # v0: the macro's `const _` scope, then the static
SUITE_NAME_LEN = 256  # struct kunit_suite's name[] (include/kunit/test.h)


class ElfError(Exception):
    pass


def _sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ElfError("not a little-endian ELF64 file")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for k in range(shnum):
        name, typ, _flags, _addr, off, size, link, _info, _align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", data, shoff + k * shentsize
        )
        out.append({"type": typ, "off": off, "size": size, "link": link, "entsize": entsize})
    return out


def symbols(data):
    """[(name, section index, value)] of the file's .symtab."""
    secs = _sections(data)
    out = []
    for s in secs:
        if s["type"] != 2:  # SHT_SYMTAB
            continue
        strtab = secs[s["link"]]
        for k in range(s["size"] // s["entsize"]):
            st_name, _info, _other, shndx, value, _size = struct.unpack_from(
                "<IBBHQQ", data, s["off"] + k * s["entsize"]
            )
            start = strtab["off"] + st_name
            name = data[start : data.index(b"\0", start)].decode("ascii", "replace")
            out.append((name, shndx, value))
    return out, secs


def _wrapper(name):
    """(module path, case) of a v0-mangled kunit_rust_wrapper_CASE, or None."""
    at = name.find(WRAPPER)
    if at < 0 or not name.startswith("_RNv"):
        return None
    k = at
    while k > 0 and name[k - 1].isdigit():
        k -= 1
    n = int(name[k:at] or 0)
    ident = name[at : at + n]
    if len(ident) != n or n <= len(WRAPPER):
        return None
    return name[len("_RNv") : k], ident[len(WRAPPER) :]


def read(path):
    """{suite: [case, ...]} of the module at PATH, cases in symbol order."""
    with open(path, "rb") as f:
        data = f.read()
    syms, secs = symbols(data)
    suites = {}  # module path -> suite name
    for name, shndx, value in syms:
        if name.startswith("_RNvNv") and name.endswith(SUITE) and 0 < shndx < len(secs):
            sec = secs[shndx]
            raw = data[sec["off"] + value : sec["off"] + value + SUITE_NAME_LEN]
            suites[name[len("_RNvNv") : -len(SUITE)]] = raw.split(b"\0", 1)[0].decode()
    out = {s: [] for s in suites.values()}
    for name, _shndx, _value in syms:
        w = _wrapper(name)
        if w is None:
            continue
        mod, case = w
        if mod not in suites:
            raise ElfError(f"{path}: {case}: a KUnit case outside any suite (module path {mod})")
        if case not in out[suites[mod]]:
            out[suites[mod]].append(case)
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 125
    for suite, cases in read(argv[1]).items():
        for c in cases:
            print(f"{suite}\t{c}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the kernel's unsafe discipline in Rust files.

Every `unsafe { ... }` block and `unsafe impl` must be preceded by a
`// SAFETY:` comment (on the same line or in the comment block right
above, possibly above the `let`/statement that holds it), and every
`unsafe fn` must have a `# Safety` section in its doc comment. In the
abstractions (`kernel_ext/`), no safe `pub`/`pub(crate)` fn may return a raw
pointer or `NonNull` and no `pub`/`pub(crate)` field may hold one: safe
driver code must not be able to make or obtain a pointer the abstraction or
the C core trusts (`pub(super)`, inside the abstractions, is allowed). Nor
may a safe `pub`/`pub(crate)` fn there take a physical address (a parameter
named `pa`, `phys*` or `sa`, or of type `phys_addr_t`): mappings and carveouts
come from what the device owns (its reserved-memory regions), not from an
address safe code names. PHYS_ALLOWED lists the exceptions, each with its
reason. Prints each violation as file:line and exits 1 if there is any.

`--self-test` checks the checker on small snippets (every run does that
quietly first).
"""

import re
import sys

# Safe functions over a physical address that are allowed, and why.
PHYS_ALLOWED = {
    # The i.MX95 device tree does not describe the M7's TCMs; the C driver
    # maps them from its att table the same way. Closed only when the
    # `fsl,imx95-cm7` node gets them as `reg` (Documentation/design.rst).
    "soc_memory",
}

PHYS_PARAM = re.compile(r"[(,]\s*(pa|phys\w*|sa)\s*:|:\s*(bindings::)?phys_addr_t\b")


def check(path, lines):
    """Returns the violations in `lines` as (line number, message)."""
    violations = []
    abstraction = "kernel_ext/" in path
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if abstraction:
            visible = r"^\s*pub(\(crate\))?\s+"
            if re.search(visible + r"\w+\s*:\s*(NonNull\b|\*(mut|const)\b)", code):
                violations.append((i + 1, "public raw-pointer field"))
            if re.search(visible + r"(const\s+)?fn\b", code):
                # The signature, up to its body or `;`.
                sig = code
                k = i
                while "{" not in sig and ";" not in sig and k + 1 < len(lines) and k - i < 12:
                    k += 1
                    sig += " " + lines[k].split("//", 1)[0]
                sig = re.split(r"[{;]|\bwhere\b", sig, maxsplit=1)[0]
                ret = sig.split("->", 1)[1] if "->" in sig else ""
                if re.search(r"NonNull\b|\*(mut|const)\b", ret):
                    violations.append((i + 1, "safe fn returns a raw pointer"))
                params = sig.split("->", 1)[0]
                name = re.search(r"\bfn\s+(\w+)", params)
                if PHYS_PARAM.search(params) and not (name and name.group(1) in PHYS_ALLOWED):
                    violations.append((i + 1, "safe fn over a physical address"))
        if re.search(r"\bunsafe\s*\{", code) or re.search(r"\bunsafe\s+impl\b", code):
            # Look upwards through the statement and the comments above it.
            j = i
            found = "SAFETY:" in line
            while not found and j > 0 and i - j < 12:
                j -= 1
                prev = lines[j].strip()
                if "SAFETY:" in prev:
                    found = True
                    break
                if prev.endswith(";") or prev.endswith("}") or prev == "":
                    break
            if not found:
                violations.append((i + 1, "unsafe without a // SAFETY: comment"))
        if re.search(r"\bunsafe\s+(extern\s+\"C\"\s+)?fn\s+\w+", code):
            # Methods of trait impls are documented by the trait.
            indent = len(line) - len(line.lstrip())
            k = i - 1
            while k >= 0 and not (lines[k].strip() and len(lines[k]) - len(lines[k].lstrip()) < indent):
                k -= 1
            if k >= 0 and re.match(r"\s*(unsafe\s+)?impl\b.*\bfor\b", lines[k]):
                continue
            j = i - 1
            doc = []
            while j >= 0 and (lines[j].strip().startswith("///") or lines[j].strip().startswith("#[")):
                doc.append(lines[j])
                j -= 1
            if not any("# Safety" in d for d in doc):
                violations.append((i + 1, "unsafe fn without a # Safety doc section"))
    return violations


def self_test(quiet=False):
    """Each rule fires on its bad snippet and not on its good one."""
    cases = [
        # (path, snippet, expected messages)
        ("kernel_ext/x.rs", "pub(crate) struct A {\n    pub(crate) va: NonNull<u8>,\n}", ["public raw-pointer field"]),
        ("kernel_ext/x.rs", "pub(crate) struct A {\n    va: NonNull<u8>,\n}", []),
        ("kernel_ext/x.rs", "pub(crate) fn va(&self) -> NonNull<u8> {", ["safe fn returns a raw pointer"]),
        ("kernel_ext/x.rs", "pub(super) fn va(&self) -> NonNull<u8> {", []),
        (
            "kernel_ext/x.rs",
            "pub(crate) fn new(pa: u64, size: usize) -> Result<Self> {",
            ["safe fn over a physical address"],
        ),
        (
            "kernel_ext/x.rs",
            "pub(crate) fn add(\n    &self,\n    phys: u64,\n) -> Result {",
            ["safe fn over a physical address"],
        ),
        (
            "kernel_ext/x.rs",
            "pub(crate) fn map(addr: bindings::phys_addr_t) -> Result {",
            ["safe fn over a physical address"],
        ),
        ("kernel_ext/x.rs", "fn new(pa: u64, size: usize) -> Result<Self> {", []),
        ("kernel_ext/x.rs", "pub(crate) fn of_region(region: &ReservedRegion) -> Result<Self> {", []),
        ("kernel_ext/x.rs", "pub(crate) fn soc_memory(_dev: &Device<Bound>, pa: u64) -> Result<Self> {", []),
        ("kernel_ext/x.rs", "pub(crate) fn pa(&self) -> u64 {", []),
        ("drv.rs", "pub(crate) fn new(pa: u64) -> Result<Self> {", []),
        ("drv.rs", "fn f() {\n    let x = unsafe { g() };\n}", ["unsafe without a // SAFETY: comment"]),
        ("drv.rs", "fn f() {\n    // SAFETY: g has no preconditions.\n    let x = unsafe { g() };\n}", []),
        ("drv.rs", "unsafe fn g() {}", ["unsafe fn without a # Safety doc section"]),
        ("drv.rs", "/// # Safety\n///\n/// None.\nunsafe fn g() {}", []),
    ]
    failed = 0
    for path, snippet, expected in cases:
        got = [msg for _, msg in check(path, snippet.split("\n"))]
        if got != expected:
            print(f"self-test: {snippet!r}: expected {expected}, got {got}")
            failed += 1
    if not quiet or failed:
        print(f"{len(cases) - failed} passed, {failed} failed")
    return failed


def main(paths):
    bad = 0
    for path in paths:
        try:
            lines = open(path, encoding="utf-8").read().split("\n")
        except FileNotFoundError:
            continue
        for line, msg in check(path, lines):
            print(f"{path}:{line}: {msg}")
            bad += 1
    return bad


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if self_test() else 0)
    # A checker that no longer catches what it is for fails every run.
    sys.exit(1 if self_test(quiet=True) or main(sys.argv[1:]) else 0)

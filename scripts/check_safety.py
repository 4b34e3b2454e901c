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
the C core trusts (`pub(super)`, inside the abstractions, is allowed). Prints
each violation as file:line and exits 1 if there is any.
"""
import re
import sys

bad = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except FileNotFoundError:
        continue
    abstraction = "kernel_ext/" in path
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if abstraction:
            visible = r"^\s*pub(\(crate\))?\s+"
            if re.search(visible + r"\w+\s*:\s*(NonNull\b|\*(mut|const)\b)", code):
                print(f"{path}:{i + 1}: public raw-pointer field")
                bad += 1
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
                    print(f"{path}:{i + 1}: safe fn returns a raw pointer")
                    bad += 1
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
                print(f"{path}:{i + 1}: unsafe without a // SAFETY: comment")
                bad += 1
        if re.search(r"\bunsafe\s+(extern\s+\"C\"\s+)?fn\s+\w+", code):
            # Methods of trait impls are documented by the trait.
            indent = len(line) - len(line.lstrip())
            k = i - 1
            while k >= 0 and not (
                lines[k].strip() and len(lines[k]) - len(lines[k].lstrip()) < indent
            ):
                k -= 1
            if k >= 0 and re.match(r"\s*(unsafe\s+)?impl\b.*\bfor\b", lines[k]):
                continue
            j = i - 1
            doc = []
            while j >= 0 and (lines[j].strip().startswith("///") or lines[j].strip().startswith("#[")):
                doc.append(lines[j])
                j -= 1
            if not any("# Safety" in d for d in doc):
                print(f"{path}:{i + 1}: unsafe fn without a # Safety doc section")
                bad += 1
sys.exit(1 if bad else 0)

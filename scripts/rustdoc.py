#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rustdoc for the imx_rproc_rs crate, with the flags Kbuild compiled it with.

The kernel documents its own crates with `make rustdoc` (rust/Makefile:
cmd_rustdoc runs rustdoc with the kernel's rust_flags, --sysroot=/dev/null,
the kernel's rustc_cfg and -L the kernel's rust/ with its .rmeta files).
Nothing there covers an external module, so this script takes the exact
rustc command line Kbuild saved for rust/imx_rproc_rs.o (rust/.imx_rproc_rs.o.cmd,
written by `make`), turns it into a rustdoc one the way cmd_rustdoc does
(same flags, no --emit/--out-dir, -Cunsafe-allow-abi-mismatch=fixed-x18 as
the kernel adds for rustc >= 1.88), documents private items too, and:

  1. builds the HTML into out/rustdoc/ with -D warnings: any rustdoc lint
     (broken or private intra-doc links, unescaped backticks, invalid HTML,
     bare URLs, ...) and any compiler warning fails;
  2. builds the JSON form of the same docs and requires a doc comment on
     every item of rust/kernel_ext/ visible outside its module (pub,
     pub(crate), pub(super)): modules, functions, methods, types, traits,
     constants, statics, fields, and every enum variant (bindings.rs is
     bindgen output and exempt; trait-impl methods inherit the trait's
     docs and are not counted);
  3. self-test: the same command on a two-line crate with a broken
     intra-doc link and on one with an undocumented item must fail.

Doc-tests: the kernel runs its own crates' doc-tests as KUnit tests
(rust/Makefile: rustdoc_test_builder / rustdoc_test_gen, in-tree only); an
external module has no such path, and rustdoc --test builds examples as
crates outside the documented one, which cannot name rust/kernel_ext's
pub(crate) items; so rust/kernel_ext has no doc-tests.
The firmware crate's examples are real doc-tests, run by `cargo test`.

  scripts/rustdoc.py [--open]   prints one line per check and "N passed, M failed"
"""

import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent.parent
OUT = HERE / "out" / "rustdoc"
CMD_FILE = HERE / "rust" / ".imx_rproc_rs.o.cmd"
CRATE = "imx_rproc_rs"
DOC_FLAGS = [
    "--document-private-items",
    "-Dwarnings",
    "-Drustdoc::broken_intra_doc_links",
    "-Drustdoc::invalid_html_tags",
    "-Drustdoc::bare_urls",
    "-Drustdoc::unescaped_backticks",
    "-Cunsafe-allow-abi-mismatch=fixed-x18",
]
# JSON item kinds that must carry docs, and the kinds skipped.
NEEDS_DOCS = {
    "module",
    "function",
    "struct",
    "enum",
    "union",
    "trait",
    "constant",
    "static",
    "type_alias",
    "struct_field",
    "variant",
    "macro",
    "assoc_const",
    "assoc_type",
}

passed = failed = 0


def result(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL %s%s" % (what, " (%s)" % why if why else ""))
    return ok


def saved_command():
    """(env, argv) of the rustc (or clippy-driver) run Kbuild saved."""
    text = CMD_FILE.read_text()
    line = next(x for x in text.splitlines() if x.startswith("savedcmd_"))
    cmd = line.split(":=", 1)[1].replace("$$", "$")
    words = shlex.split(cmd)
    env = {}
    while "=" in words[0] and not words[0].startswith("-"):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    return env, words[1:]


def rustdoc_args(args, out, extra):
    """The rustc arguments, as cmd_rustdoc passes them to rustdoc."""
    res = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("--out-dir", "-o"):
            skip = True
            continue
        if a.startswith(("--emit", "--remap-path-scope", "-Zbinary_dep_depinfo")):
            continue
        res.append(a)
    src = res.pop()  # the crate root comes last
    return res + ["--crate-name", CRATE, "--output", str(out)] + extra + [src]


def run_rustdoc(env, args, log):
    # The kernel's Makefile exports RUSTC_BOOTSTRAP=1 for its -Z flags.
    e = dict(os.environ, RUSTC_BOOTSTRAP="1", **env)
    p = subprocess.run(["rustdoc"] + args, cwd=HERE, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write_text("rustdoc " + " ".join(shlex.quote(a) for a in args) + "\n\n" + p.stdout)
    return p.returncode, p.stdout


def undocumented(json_path):
    doc = json.load(open(json_path))
    index = doc["index"]
    # Methods of trait impls take the trait's docs.
    in_trait_impl = set()
    for item in index.values():
        impl = item.get("inner", {}).get("impl")
        if impl and impl.get("trait") is not None:
            in_trait_impl.update(str(i) for i in impl.get("items", []))
    missing, counted = [], 0
    for iid, item in index.items():
        span = item.get("span") or {}
        fname = span.get("filename", "")
        if "kernel_ext/" not in fname or fname.endswith(("bindings.rs", "bindings_generated.rs")):
            continue
        kind = next(iter(item.get("inner", {})), "")
        if kind not in NEEDS_DOCS or iid in in_trait_impl:
            continue
        # Items visible outside their module (pub, pub(crate), pub(super));
        # variants share their enum's visibility.
        # rustdoc shows a private field as restricted to its own module.
        vis = item.get("visibility")
        own = "::kernel_ext::" + pathlib.Path(fname).stem
        private = vis == "default" or (isinstance(vis, dict) and vis.get("restricted", {}).get("path") == own)
        if private and kind != "variant":
            continue
        if item.get("attrs") and any("automatically_derived" in str(a) for a in item["attrs"]):
            continue
        counted += 1
        if not (item.get("docs") or "").strip():
            line = span.get("begin", [0])[0]
            missing.append("%s:%s %s %s" % (os.path.basename(fname), line, kind, item.get("name") or "?"))
    return counted, missing


def self_test(env, args):
    """The flags must turn a broken link and a missing doc into failures."""
    cases = {
        "broken intra-doc link": (
            "//! Crate.\n\n/// See [`NoSuchItem`].\npub fn f() {}\n",
            "unresolved link to `NoSuchItem`",
        ),
        "undocumented pub item": ("//! Crate.\n\npub fn f() {}\n", "missing documentation for a function"),
    }
    for what, (src, expect) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp) / "t.rs"
            root.write_text(src)
            a = rustdoc_args(args[:-1] + [str(root)], pathlib.Path(tmp) / "doc", DOC_FLAGS)
            rc, out = run_rustdoc(env, a, pathlib.Path(tmp) / "log")
            result(
                rc != 0 and expect in out,
                "self-test: a crate with a %s fails with these flags" % what,
                "rustdoc exit %d: %s" % (rc, out.strip().splitlines()[:1]),
            )


def main():
    if not CMD_FILE.is_file():
        result(
            False, "Kbuild's command line for rust/imx_rproc_rs.o", "no %s: run make first" % CMD_FILE.relative_to(HERE)
        )
        print("%d passed, %d failed" % (passed, failed))
        return 1
    env, args = saved_command()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)

    html = rustdoc_args(args, OUT, DOC_FLAGS)
    rc, out = run_rustdoc(env, html, OUT / "rustdoc-html.log")
    if not result(
        rc == 0 and (OUT / CRATE / "index.html").is_file(),
        "rustdoc (HTML, private items, -D warnings) with Kbuild's flags: out/rustdoc/%s/index.html" % CRATE,
        "exit %d, see out/rustdoc/rustdoc-html.log" % rc,
    ):
        print("\n".join(out.splitlines()[:30]))
    pages = len(list((OUT / CRATE).rglob("*.html"))) if rc == 0 else 0
    if rc == 0:
        ext = OUT / CRATE / "kernel_ext"
        mods = sorted(p.name for p in ext.iterdir() if (p / "index.html").is_file()) if ext.is_dir() else []
        result(len(mods) >= 6, "%d pages; kernel_ext modules documented: %s" % (pages, ", ".join(mods)))

    jdir = OUT / "json"
    # Without -D: the missing-docs check runs even when step 1 failed.
    js = rustdoc_args(
        args,
        jdir,
        [
            "--document-private-items",
            "-Cunsafe-allow-abi-mismatch=fixed-x18",
            "-Zunstable-options",
            "--output-format",
            "json",
        ],
    )
    rc, out = run_rustdoc(env, js, OUT / "rustdoc-json.log")
    jpath = jdir / (CRATE + ".json")
    if result(
        rc == 0 and jpath.is_file(), "rustdoc JSON of the same crate", "exit %d, see out/rustdoc/rustdoc-json.log" % rc
    ):
        counted, missing = undocumented(jpath)
        for m in missing[:20]:
            print("     undocumented: " + m)
        result(
            counted > 0 and not missing,
            "every item of rust/kernel_ext/ has a doc comment (%d items)" % counted,
            "%d undocumented" % len(missing),
        )

    self_test(env, args)
    print("%d passed, %d failed" % (passed, failed))
    if "--open" in sys.argv[1:]:
        print(OUT / CRATE / "index.html")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Completes the kernel's rust-project.json with the crates of imx_rproc_rs.

`make -C KDIR M=$PWD rust-analyzer` (scripts/generate_rust_analyzer.py of
the kernel) writes the kernel's crates (core, alloc, macros, pin_init, ffi,
bindings, uapi, kernel, ...) with the cfgs of this kernel build, but finds a
module's crate root only when the Kbuild file sits in the same directory as
the root file; ours is rust/imx_rproc_rs.rs under a top-level Kbuild. This
script adds, with the dependencies and cfgs Kbuild gives a module
(scripts/Makefile.build: --extern pin_init/kernel/zerocopy/zerocopy_derive,
the kernel's rustc_cfg and --cfg MODULE):

  imx_rproc_rs   rust/imx_rproc_rs.rs (the driver, kernel_ext/, the fw/
                 files it includes by #[path], and the bindings our Kbuild
                 generates into rust/bindings_generated.rs)
  imx95_sim      tests/sim/imx95_sim.rs (the virtual board)
  imx_rproc_fw   fw/src/lib.rs, the host crate (core only)

  scripts/rust_analyzer.py add rust-project.json     complete it in place
  scripts/rust_analyzer.py check rust-project.json   validate it; prints one
                                                     line per check and
                                                     "N passed, M failed"
"""

import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent.parent

# Crates Kbuild passes to every module with --extern (plus core, implicit).
MODULE_DEPS = ["core", "kernel", "pin_init", "zerocopy", "zerocopy_derive"]

OURS = {
    "imx_rproc_rs": {
        "root": "rust/imx_rproc_rs.rs",
        "include": ["rust", "fw/src"],
        "module": True,
    },
    "imx95_sim": {
        "root": "tests/sim/imx95_sim.rs",
        "include": ["tests/sim", "rust", "fw/src"],
        "module": True,
    },
    "imx_rproc_fw": {
        "root": "fw/src/lib.rs",
        "include": ["fw/src"],
        "module": False,
    },
}


def index_of(crates, name):
    for i, c in enumerate(crates):
        if c["display_name"] == name:
            return i
    raise SystemExit("rust_analyzer.py: no crate '%s' in the kernel's rust-project.json" % name)


def add(path):
    project = json.load(open(path))
    crates = [c for c in project["crates"] if c["display_name"] not in OURS]
    kernel = crates[index_of(crates, "kernel")]
    for name, spec in OURS.items():
        if spec["module"]:
            deps = [{"crate": index_of(crates, d), "name": d} for d in MODULE_DEPS]
            cfg = list(kernel["cfg"]) + ["MODULE"]
            env = {"RUST_MODFILE": "This is only for rust-analyzer", "OBJTREE": kernel["env"].get("OBJTREE", "")}
        else:
            deps = [{"crate": index_of(crates, "core"), "name": "core"}]
            cfg = []
            env = {}
        crates.append(
            {
                "display_name": name,
                "root_module": str(HERE / spec["root"]),
                "is_workspace_member": True,
                "deps": deps,
                "cfg": cfg,
                "edition": "2021",
                "env": env,
                "source": {
                    "include_dirs": [str(HERE / d) for d in spec["include"]],
                    "exclude_dirs": [],
                },
            }
        )
    project["crates"] = crates
    with open(path, "w") as f:
        json.dump(project, f, sort_keys=True, indent=4)
        f.write("\n")


def check(path):
    passed = failed = 0

    def result(ok, what, why=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok   " + what)
        else:
            failed += 1
            print("FAIL %s%s" % (what, " (%s)" % why if why else ""))
        return ok

    try:
        project = json.load(open(path))
        crates = project["crates"]
        result(True, "%s parses as JSON, %d crates" % (path, len(crates)))
    except (OSError, ValueError, KeyError) as e:
        result(False, "%s parses as JSON with a crates list" % path, str(e))
        print("%d passed, %d failed" % (passed, failed))
        return 1

    sysroot = pathlib.Path(project.get("sysroot", ""))
    result(sysroot.is_dir(), "sysroot %s exists" % sysroot)

    missing = [c["root_module"] for c in crates if not os.path.isfile(c["root_module"])]
    result(not missing, "every crate's root_module exists (%d crates)" % len(crates), ", ".join(missing[:3]))
    missing = [d for c in crates for d in c.get("source", {}).get("include_dirs", []) if not os.path.isdir(d)]
    result(not missing, "every source include_dir exists", ", ".join(missing[:3]))
    bad = [
        (c["display_name"], d)
        for c in crates
        for d in c["deps"]
        if not 0 <= d["crate"] < len(crates) or crates[d["crate"]]["display_name"] != d["name"]
    ]
    result(not bad, "every dependency points at the crate it names", str(bad[:3]))
    dylibs = [c["proc_macro_dylib_path"] for c in crates if c.get("is_proc_macro")]
    missing = [p for p in dylibs if not os.path.isfile(p)]
    result(
        dylibs and not missing,
        "proc-macro crates' dylibs built (%d: %s)" % (len(dylibs), ", ".join(os.path.basename(p) for p in dylibs)),
        ", ".join(missing[:3]),
    )

    names = {c["display_name"]: c for c in crates}
    for k in ("core", "alloc", "macros", "pin_init", "ffi", "bindings", "uapi", "kernel"):
        result(k in names, "kernel crate '%s' present" % k)
    if "kernel" in names:
        kdeps = {d["name"] for d in names["kernel"]["deps"]}
        result({"macros", "bindings", "ffi", "pin_init"} <= kdeps, "kernel depends on macros, bindings, ffi, pin_init")
        # The kernel crate's bindings are generated into the object tree.
        objtree = names["kernel"]["env"].get("OBJTREE", "")
        gen = pathlib.Path(objtree) / "rust" / "bindings" / "bindings_generated.rs"
        result(gen.is_file(), "kernel's generated bindings %s exist" % gen)

    for name, spec in OURS.items():
        c = names.get(name)
        if not result(c is not None, "crate %s present" % name):
            continue
        result(
            c["root_module"] == str(HERE / spec["root"]),
            "%s: root_module is %s" % (name, spec["root"]),
            c["root_module"],
        )
        deps = {d["name"] for d in c["deps"]}
        if spec["module"]:
            result(
                {"kernel", "pin_init", "core"} <= deps,
                "%s depends on core, kernel, pin_init (%s)" % (name, ", ".join(sorted(deps))),
            )
            result(
                "MODULE" in c["cfg"] and any(x.startswith("CONFIG_") for x in c["cfg"]),
                "%s: cfg has MODULE and the kernel's CONFIG_* (%d entries)" % (name, len(c["cfg"])),
            )
        else:
            result(deps == {"core"}, "%s depends on core only (no_std, no kernel)" % name)

    # Our generated bindings: rust/kernel_ext/bindings.rs include!s
    # ../bindings_generated.rs, which must lie inside that crate's sources.
    gen = HERE / "rust" / "bindings_generated.rs"
    inc = [pathlib.Path(d) for d in names.get("imx_rproc_rs", {}).get("source", {}).get("include_dirs", [])]
    result(
        gen.is_file() and any(gen.parent == d for d in inc),
        "rust/bindings_generated.rs (our Kbuild's bindgen output) exists, inside imx_rproc_rs's sources",
        "run make modules first" if not gen.is_file() else "not in include_dirs",
    )
    # Every #[path] the crates use resolves inside their include_dirs.
    for name, spec in OURS.items():
        c = names.get(name)
        if c is None:
            continue
        roots = [pathlib.Path(d) for d in c.get("source", {}).get("include_dirs", [])]
        outside = []
        for rs in (HERE / spec["include"][0]).rglob("*.rs"):
            for line in rs.read_text().splitlines():
                line = line.strip()
                if line.startswith('#[path = "'):
                    target = (rs.parent / line.split('"')[1]).resolve()
                    if not target.is_file() or not any(r in target.parents for r in roots):
                        outside.append(str(target.relative_to(HERE)) if HERE in target.parents else str(target))
        result(not outside, "%s: every #[path] file exists inside its include_dirs" % name, ", ".join(outside[:3]))

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("add", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "add":
        add(sys.argv[2])
        return 0
    return check(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())

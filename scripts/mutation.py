#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The mutation catalogue (tests/mutations/catalogue.toml): check it, run it.

  scripts/mutation.py selfcheck
      Every entry is well formed, its text matches exactly once in the
      files of its `where` globs, its replacement differs and its tests
      exist. Cheap (no build): a make check stage. Ends with
      "N passed, M failed, K skipped".

  scripts/mutation.py list
      One line per entry: id, tests, breaks.

  scripts/mutation.py run [--only ID ...] [--keep-going] [--no-baseline]
      The mutation runner. One work copy of the tree (out/mutation/work/,
      rsync'ed, so builds there are incremental); first a baseline run of
      every test the selected mutants need, on the unmutated copy; then for
      each mutant: apply it, build, run its tests in order until one catches
      it, put the original back. A mutant is caught by a "not ok", or by a
      kernel splat, a timeout, a missing plan or a non-zero runner status
      only when that test's baseline was clean; the table says which.
      Prints the score (caught/total) and every survivor; writes
      out/mutation/results.md and results.json. Exits 0 when every mutant
      not marked `survivor` was caught.

Tests a mutant names:
  NAME          tests/guest/scenarios/NAME.sh on the virtual board with the
                Rust driver (imxrprocrs_driver=rust when the scenario runs
                per driver), as scripts/check.sh runs it
  cargo:PKG     cargo test -p PKG --no-fail-fast in the copy
  corpus:CASES  scripts/corpus.sh --driver rust --only CASES in the copy
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The runner's own modules, by path: its scenario loader (tests/host) and
# its one fixture search (scripts).
sys.path.insert(0, os.path.join(HERE, "tests/host"))
sys.path.insert(0, os.path.join(HERE, "scripts"))
import scenarios  # noqa: E402
import zephyr_fixtures  # noqa: E402

CATALOGUE = os.path.join(HERE, "tests/mutations/catalogue.toml")
OUT = os.path.join(HERE, "out/mutation")
DEFAULT_WHERE = ["rust/**/*.rs"]
FIELDS = {"id", "breaks", "where", "original", "replacement", "tests", "survivor"}
REQUIRED = ("id", "breaks", "original", "replacement", "tests")


def load(path=CATALOGUE):
    with open(path, "rb") as f:
        return tomllib.load(f).get("mutant", [])


def globs(entry):
    w = entry.get("where", DEFAULT_WHERE)
    return [w] if isinstance(w, str) else list(w)


def files_of(root, entry):
    found = set()
    for g in globs(entry):
        for p in glob.glob(os.path.join(root, g), recursive=True):
            rel = os.path.relpath(p, root)
            if os.path.isfile(p) and not rel.startswith("out/"):
                found.add(rel)
    return sorted(found)


def locate(root, entry):
    """(file, offset) of the entry's text, or an error string."""
    hits = []
    for rel in files_of(root, entry):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        start = 0
        while (i := text.find(entry["original"], start)) >= 0:
            hits.append((rel, i))
            start = i + 1
    if len(hits) == 1:
        return hits[0]
    if not hits:
        return f"text not found in {', '.join(globs(entry))}"
    return "text matches %d times: %s" % (len(hits), ", ".join(sorted({h[0] for h in hits})))


def test_exists(root, t):
    if t.startswith("cargo:"):
        pkg = t[len("cargo:") :]
        for manifest in glob.glob(os.path.join(root, "*/Cargo.toml")) + glob.glob(
            os.path.join(root, "tools/*/Cargo.toml")
        ):
            with open(manifest, "rb") as f:
                if tomllib.load(f).get("package", {}).get("name") == pkg:
                    return True
        return False
    if t.startswith("corpus:"):
        src = open(os.path.join(root, "tools/mkfw/src/corpus.rs"), encoding="utf-8").read()
        cases = t[len("corpus:") :].split(",")
        return all(c and f'add("{c}"' in src for c in cases)
    return os.path.isfile(os.path.join(root, "tests/guest/scenarios", t + ".sh"))


def check_entry(root, e, seen):
    errs = []
    for k in REQUIRED:
        if not e.get(k):
            errs.append(f"no {k}")
    extra = set(e) - FIELDS
    if extra:
        errs.append("unknown fields " + ", ".join(sorted(extra)))
    if e.get("id") in seen:
        errs.append("duplicate id")
    if errs:
        return errs
    if e["original"] == e["replacement"]:
        errs.append("replacement equals the original")
    if not isinstance(e["tests"], list):
        errs.append("tests is not a list")
    else:
        for t in e["tests"]:
            if not test_exists(root, t):
                errs.append(f"test {t} does not exist")
    where = locate(root, e)
    if isinstance(where, str):
        errs.append(where)
    return errs


def cmd_selfcheck(args):
    try:
        entries = load(args.catalogue)
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"not ok catalogue parses: {e}")
        print("0 passed, 1 failed, 0 skipped")
        return 1
    ok = bad = 0
    seen = set()
    for e in entries:
        errs = check_entry(HERE, e, seen)
        seen.add(e.get("id"))
        if errs:
            bad += 1
            print(f"FAIL {e.get('id', '?')}: {'; '.join(errs)}")
        else:
            ok += 1
            if args.verbose:
                print(f"ok   {e['id']}: {locate(HERE, e)[0]}")
    minimum = 40
    if len(entries) >= minimum:
        ok += 1
        print(f"ok   the catalogue has {len(entries)} mutants (at least {minimum}); {ok - 1} apply exactly once")
    else:
        bad += 1
        print(f"FAIL the catalogue has {len(entries)} mutants, fewer than {minimum}")
    print(f"{ok} passed, {bad} failed, 0 skipped")
    return 1 if bad else 0


def cmd_list(args):
    for e in load(args.catalogue):
        print(f"{e['id']:36} {','.join(e['tests']):28} {e['breaks']}")
    return 0


# --- the runner -------------------------------------------------------------


def sh(cmd, log, cwd=HERE, env=None, timeout=None):
    with open(log, "a") as f:
        f.write(f"\n$ {' '.join(cmd)}\n")
        f.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            f.write("mutation.py: timed out\n")
            return 124


def sync_work(work, log):
    """Copies the tree's tracked and new files (not out/) into `work`,
    keeping its build products, so that builds there are incremental.

    By content (--checksum), and a file copied gets a new mtime (no
    --times): a file a mutant left or a restore wrote back is newer than
    the objects built from the mutant, so make rebuilds it. With the
    tree's mtimes kept, the mutant's module would be tested as the
    baseline."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=HERE, capture_output=True, check=True
    ).stdout
    keep = b"\0".join(
        p
        for p in files.split(b"\0")
        if p and not p.startswith(b"out/") and os.path.exists(os.path.join(HERE.encode(), p))
    )
    os.makedirs(work, exist_ok=True)
    listing = os.path.join(OUT, "files.lst")
    with open(listing, "wb") as f:
        f.write(keep)
    return sh(["rsync", "-rlpc", "--from0", "--files-from", listing, HERE + "/", work + "/"], log)


def scenario(work, name):
    """Scenario NAME as the work copy declares it (tests/guest/scenarios.toml,
    read by the runner's own loader, tests/host/scenarios.py)."""
    return scenarios.load(os.path.join(work, "tests/guest/scenarios.toml"))[name]


def fw_args(work):
    args = []
    for p in sorted(glob.glob(os.path.join(HERE, "out/fw/*.elf")) + glob.glob(os.path.join(HERE, "out/fw/*.tsv"))):
        args += ["--file", f"{p}:/lib/firmware/{os.path.basename(p)}"]
    # Firmware built by others, as the runner passes it (tests/host/conftest.py).
    fixtures = zephyr_fixtures.find()
    for p in sorted(fixtures.glob("*.elf")) if fixtures else ():
        args += ["--file", f"{p}:/lib/firmware/zephyr-{p.name}"]
    return args


def run_scenario(work, name, log):
    """Runs scenario NAME with the work copy's modules; returns
    (failing tests, errors, rc)."""
    decl = scenario(work, name)
    sc = os.path.join(work, "tests/guest/scenarios", name + ".sh")
    args = []
    if "rust" in decl.drivers:
        args += ["--append", "imxrprocrs_driver=rust"]
    if decl.dtso:
        args += ["--dtso", os.path.join(work, decl.dtso)]
    # The executing virtual M7 for the scenarios that need it (make tests-vm7
    # in the tree: vm7 itself is not mutated).
    vm7 = os.path.join(HERE, "target/release/vm7")
    if "vm7" in decl.needs:
        if sh(["make", "-C", HERE, "tests-vm7"], log) != 0 or not os.path.isfile(vm7):
            return [], ["vm7 did not build (make tests-vm7)"], 1
        args += ["--vm7", vm7]
    tmo = str(decl.timeout)
    exp = []
    for splat in decl.expected_splats:
        exp += ["--expect-splat", splat]
    for ko in decl.kunit_modules:
        exp += ["--kunit-module", os.path.join(work, ko)]
    cmd = (
        [
            os.path.join(HERE, "scripts/run-qemu.sh"),
            "--module",
            os.path.join(work, "imx_rproc_rs.ko"),
            "--module",
            os.path.join(work, "tests/sim/imx95_sim.ko"),
        ]
        + fw_args(work)
        + args
        + ["--script", sc, "--timeout", tmo]
    )
    open(log, "w").close()
    rc = sh(cmd, log, timeout=int(tmo) + 300)
    text = open(log, errors="replace").read()
    m = re.search(r"^IMXRPROCRS-RESULTS-BEGIN.*?^IMXRPROCRS-RESULTS-END", text, re.S | re.M)
    results = log + ".results"
    with open(results, "w") as f:
        f.write(m.group(0).replace("\r", "") if m else "")
    count = subprocess.run(
        [sys.executable, os.path.join(HERE, "scripts/ktap_count.py"), "--name", name, "--log", log, "--rc", str(rc)]
        + exp
        + [results],
        capture_output=True,
        text=True,
    ).stdout
    failing = [x.split(": ", 1)[-1] for x in count.splitlines() if x.startswith("fail ")]
    errors = [x.split(": ", 1)[-1] for x in count.splitlines() if x.startswith("error ")]
    if not re.search(r"^passed \d+$", count, re.M):
        errors.append("results not counted")
    return failing, errors, rc


def run_cargo(work, pkg, log):
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(OUT, "target"))
    open(log, "w").close()
    rc = sh(["cargo", "test", "-p", pkg, "--no-fail-fast"], log, cwd=work, env=env, timeout=1800)
    text = open(log, errors="replace").read()
    failing = re.findall(r"^test (\S+) \.\.\. FAILED$", text, re.M)
    failing += re.findall(r"^---- (\S+) stdout ----$", text, re.M) if not failing else []
    errors = [] if rc == 0 or failing else [f"cargo test exit {rc} (build?)"]
    return sorted(set(failing)), errors, rc


def run_corpus(work, cases, log):
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(HERE, "target"))
    res = os.path.join(OUT, "corpus")
    shutil.rmtree(res, ignore_errors=True)
    open(log, "w").close()
    rc = sh(
        ["bash", "scripts/corpus.sh", "--driver", "rust", "--only", cases, "--out", res],
        log,
        cwd=work,
        env=env,
        timeout=3600,
    )
    text = open(log, errors="replace").read()
    failing = re.findall(r"^FAIL\s+(.*)$", text, re.M)
    m = re.findall(r"^(\d+) passed, (\d+) failed", text, re.M)
    errors = []
    if not m:
        errors.append(f"corpus.sh printed no result line (exit {rc})")
    elif rc != 0 and not failing and int(m[-1][1]) == 0:
        errors.append(f"corpus.sh exit {rc}")
    if m and not failing and int(m[-1][1]) > 0:
        failing = [f"{m[-1][1]} corpus cases"]
    return failing, errors, rc


def run_test(work, test, tag):
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test)[:60]
    log = os.path.join(OUT, f"{tag}.{safe}.log")
    t0 = time.time()
    if test.startswith("cargo:"):
        r = run_cargo(work, test[6:], log)
    elif test.startswith("corpus:"):
        r = run_corpus(work, test[7:], log)
    else:
        r = run_scenario(work, test, log)
    return r + (log, time.time() - t0)


def build(work, log, need_module=True):
    env = dict(os.environ)
    rc = sh(["make", "-C", work, "-j2", "tests-modules"], log, env=env, timeout=1800)
    return rc == 0 and os.path.isfile(os.path.join(work, "imx_rproc_rs.ko"))


def needs_module(tests):
    return any(not t.startswith("cargo:") for t in tests)


def cmd_run(args):
    entries = load(args.catalogue)
    if args.only:
        ids = {e["id"] for e in entries}
        unknown = [i for i in args.only if i not in ids]
        if unknown:
            print("mutation.py: no such mutant: " + ", ".join(unknown))
            return 2
        entries = [e for e in entries if e["id"] in args.only]
    os.makedirs(OUT, exist_ok=True)
    work = os.path.join(OUT, "work")
    tlog = os.path.join(OUT, "tree.log")
    open(tlog, "w").close()
    print("-- building the tree's modules, tools and firmware")
    if sh(["make", "-s", "-j2", "tests-modules", "tests-tools", "tests-firmware"], tlog) != 0:
        print(f"mutation.py: the tree does not build, see {tlog}")
        return 1
    if sync_work(work, tlog) != 0:
        print(f"mutation.py: cannot copy the tree to {work}, see {tlog}")
        return 1
    # The baseline is built from what the copy holds now, whatever an
    # earlier (or interrupted) run built there: every file a mutant may
    # touch gets a new mtime, so make and cargo rebuild what uses it.
    for e in load(args.catalogue):
        for rel in files_of(work, e):
            os.utime(os.path.join(work, rel))
    if not build(work, tlog):
        print(f"mutation.py: the unmutated copy does not build, see {tlog}")
        return 1

    needed = []
    for e in entries:
        for t in e["tests"]:
            if t not in needed:
                needed.append(t)
    baseline = {}
    if not args.no_baseline:
        for t in needed:
            failing, errors, rc, log, secs = run_test(work, t, "baseline")
            clean = not failing and not errors and rc == 0
            baseline[t] = {"clean": clean, "failing": failing, "errors": errors, "rc": rc}
            print(
                f"baseline {t}: {'clean' if clean else 'NOT clean'} ({secs:.0f} s)"
                + ("" if clean else f": {(failing + errors)[:3]} rc {rc}")
            )

    results = []
    for e in entries:
        mid = e["id"]
        print(f"-- {mid}")
        res = {"id": mid, "breaks": e["breaks"], "survivor": e.get("survivor")}
        where = locate(work, e)
        if isinstance(where, str):
            res.update(outcome="does not apply", how=where)
            results.append(res)
            print(f"   does not apply: {where}")
            continue
        rel, off = where
        path = os.path.join(work, rel)
        orig = open(path, encoding="utf-8").read()
        mutated = orig[:off] + e["replacement"] + orig[off + len(e["original"]) :]
        with open(path, "w", encoding="utf-8") as f:
            f.write(mutated)
        mlog = os.path.join(OUT, f"{mid}.build.log")
        open(mlog, "w").close()
        try:
            res.update(outcome="survived", how="", file=rel, tried=[])
            built = False
            for t in e["tests"]:
                # The module is built before the first test that boots it
                # (a host test may catch the mutant first).
                if needs_module([t]) and not built:
                    if not build(work, mlog):
                        res.update(outcome="does not build", how=f"see {mlog}")
                        break
                    built = True
                failing, errors, rc, log, secs = run_test(work, t, mid)
                base = baseline.get(t, {"clean": False, "failing": [], "errors": []})
                new_fail = [f for f in failing if f not in base["failing"]]
                res["tried"].append(
                    {"test": t, "failing": failing, "errors": errors, "rc": rc, "log": os.path.relpath(log, HERE)}
                )
                if new_fail:
                    res.update(
                        outcome="caught",
                        how=f"{t}: not ok: "
                        + "; ".join(new_fail[:3])
                        + (f" (+{len(new_fail) - 3})" if len(new_fail) > 3 else ""),
                    )
                elif (errors or rc != 0) and base["clean"]:
                    why = "; ".join(errors[:2]) or f"runner status {rc}"
                    res.update(outcome="caught", how=f"{t}: {why} (baseline clean)")
                elif errors or rc != 0:
                    res["how"] += f"{t}: only {errors[:1] or rc}, baseline not clean; "
                    continue
                if res["outcome"] == "caught":
                    break
            if res["outcome"] == "does not build":
                print(f"   does not build (see {mlog})")
                results.append(res)
                continue
            if res["outcome"] == "survived":
                res["how"] += "no test failed: " + ", ".join(t["test"] for t in res["tried"])
            print(f"   {res['outcome']}: {res['how']}")
            results.append(res)
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(orig)

    caught = sum(r["outcome"] == "caught" for r in results)
    survivors = [r for r in results if r["outcome"] != "caught"]
    known = [r for r in survivors if r.get("survivor") and r["outcome"] == "survived"]
    bad = [r for r in survivors if r not in known]
    lines = ["| mutant | outcome | how |", "|---|---|---|"]
    for r in results:
        lines.append(f"| {r['id']} | {r['outcome']} | {r['how'].replace('|', '/')} |")
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"baseline": baseline, "mutants": results}, f, indent=1)
    print()
    print("\n".join(lines))
    print()
    for r in survivors:
        print(
            f"survivor {r['id']} ({r['outcome']}): {r['breaks']}"
            + (f" -- known: {r['survivor']}" if r in known else "")
        )
    print(f"score: {caught}/{len(results)} caught, {len(known)} known survivors, {len(bad)} unexpected")
    print(f"{caught} passed, {len(bad)} failed, {len(known)} skipped")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalogue", default=CATALOGUE)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sc = sub.add_parser("selfcheck")
    sc.add_argument("-v", "--verbose", action="store_true", help="one line per entry")
    sub.add_parser("list")
    r = sub.add_parser("run")
    r.add_argument("--only", nargs="+", metavar="ID")
    r.add_argument(
        "--no-baseline", action="store_true", help="no baseline runs: a splat or timeout then never counts as caught"
    )
    args = ap.parse_args()
    return {"selfcheck": cmd_selfcheck, "list": cmd_list, "run": cmd_run}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: GPL-2.0
"""pytest plugin of the QEMU scenarios (tests/host/test_qemu.py).

Each boot of a scenario (tests/guest/scenarios.toml: one per driver) is a
test item; each KTAP result the guest printed becomes a report of its own
(passed, failed or skipped with its reason), named
ITEM::NNN description, in the terminal and in --junitxml. The item itself
passes when the boot gave all its results: a missing or unmet plan, a
kernel splat, a timeout or a crash fails it, naming the scenario, with the
last lines of the console. Counting is scripts/ktap_count.py's, the one
KTAP parser of the runner (its tests: tests/runner/).

Ends with the line "N passed, M failed, K skipped" (errors count as
failed), after the skip reasons, the expected splats and the failures.
"""

import dataclasses
import os
import pathlib
import re
import subprocess
import sys

import pytest
from _pytest.reports import TestReport

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

import ktap_count  # noqa: E402
import scenarios  # noqa: E402


def pytest_addoption(parser):
    g = parser.getgroup("imx_rproc_rs")
    g.addoption(
        "--scenario", action="append", default=[], help="run only this scenario (repeatable; exact name, unlike -k)"
    )
    g.addoption(
        "--driver",
        action="append",
        default=[],
        choices=sorted(scenarios.DRIVERS),
        help="run the two-driver scenarios only with this driver (repeatable)",
    )
    g.addoption("--out", default=str(ROOT / "out" / "check"), help="logs (default out/check)")


def pytest_collection_modifyitems(config, items):
    # A selection without a two-driver scenario has no parity test: not a
    # skip (nothing was left out), so it is dropped, not reported.
    drop = [
        i
        for i in items
        if i.originalname == "test_parity"
        and any("empty parameter set" in str(m.kwargs.get("reason", "")) for m in i.iter_markers("skip"))
    ]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


def pytest_configure(config):
    # pytest-xdist's workers reject reports whose nodeid is not the running
    # item's (AssertionError), so the per-result reports need one process.
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("tests/host: -n (pytest-xdist) is not supported yet: per-result reports")
    config.stash[EXPECTED] = []


EXPECTED = pytest.StashKey[list]()


def selected(config):
    """[(Scenario, driver or None)] of the boots to run, and the scenarios."""
    data = scenarios.load()
    names = config.getoption("scenario") or sorted(data)
    unknown = [n for n in names if n not in data]
    if unknown:
        raise pytest.UsageError(f"no such scenario in {scenarios.DATA}: {', '.join(unknown)}")
    drv = set(config.getoption("driver"))
    boots = [(data[n], d) for n in names for d in data[n].boots() if d is None or not drv or d in drv]
    return boots, [data[n] for n in names]


@dataclasses.dataclass
class Build:
    failures: list
    files: list  # run-qemu.sh --file arguments
    vm7: pathlib.Path | None = None  # the vm7 binary, when it built


VM7 = ROOT / "target" / "release" / "vm7"


def _make(target, log):
    with open(log, "w") as f:
        return subprocess.run(["make", "-s", target], cwd=ROOT, stdout=f, stderr=subprocess.STDOUT).returncode


@pytest.fixture(scope="session")
def out(pytestconfig):
    d = pathlib.Path(pytestconfig.getoption("out"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def build(out):
    """Builds what is tested (incrementally; make knows each .ko's sources).
    A failed build fails every scenario, which then does not run: no old
    .ko is ever tested."""
    failures = []
    for target, log in (
        ("tests-modules", "qemu-build.log"),
        ("tests-tools", "tools.log"),
        ("tests-firmware", "firmware.log"),
    ):
        if _make(target, out / log) != 0:
            failures.append(f"make {target} failed, see {out / log}")
    # The KUnit cases the module's source declares (one #[test] each), for
    # tests/guest/scenarios/kunit.sh: a declared case that did not run fails.
    src = (ROOT / "rust" / "selftests.rs").read_text()
    cases = re.findall(r"#\[test\]\s*\n\s*fn\s+([A-Za-z0-9_]+)", src)
    (out / "kunit-cases.txt").write_text("".join(c + "\n" for c in cases))
    files = []
    for fw in sorted((ROOT / "out" / "fw").glob("*.elf")) + sorted((ROOT / "out" / "fw").glob("*.tsv")):
        files += ["--file", f"{fw}:/lib/firmware/{fw.name}"]
    # Firmware built by others (shared/fixtures/zephyr/README.md), as
    # /lib/firmware/zephyr-NAME; the scenarios skip what is not found.
    for d in (
        os.environ.get("IMX_RPROC_RS_FIXTURES", ""),
        ROOT.parent / "shared/fixtures/zephyr",
        "/work/shared/fixtures/zephyr",
    ):
        if d and pathlib.Path(d).is_dir():
            for fw in sorted(pathlib.Path(d).glob("*.elf")):
                files += ["--file", f"{fw}:/lib/firmware/zephyr-{fw.name}"]
            break
    # FIRMWARE=/path/to/image.elf: the user's own image as /lib/firmware/user.elf
    # (scenarios/firmware.sh; FIRMWARE_EXPECT=rpmsg|silent|idle|tcm|rejected).
    user = os.environ.get("FIRMWARE")
    if user:
        if not os.access(user, os.R_OK):
            failures.append(f"FIRMWARE={user} is not readable")
        else:
            (out / "user.expect").write_text(os.environ.get("FIRMWARE_EXPECT", "rpmsg") + "\n")
            files += [
                "--file",
                f"{user}:/lib/firmware/user.elf",
                "--file",
                f"{out / 'user.expect'}:/lib/firmware/user.expect",
            ]
    files += ["--file", f"{out / 'kunit-cases.txt'}:/kunit-cases.txt"]
    # vm7 for the scenarios that need it: a failed build is no failure of the
    # others; those scenarios then skip, naming the log.
    vm7 = None
    if _make("tests-vm7", out / "vm7-build.log") == 0 and VM7.is_file():
        vm7 = VM7
    return Build(failures, files, vm7)


@dataclasses.dataclass
class Boot:
    name: str  # scenario or scenario[driver]
    log: pathlib.Path
    results: pathlib.Path
    rc: int
    counts: dict
    report: list  # ktap_count's lines
    lines: list  # the results copy


_boots = {}


def boot(sc, drv, build, out):
    """One boot of SC with DRV (memoized for the session: the parity test
    reuses the boots of its scenario's two items)."""
    key = (sc.name, drv)
    if key in _boots:
        return _boots[key]
    if build.failures:
        pytest.fail(
            f"{sc.name}: not run, the build failed (no old .ko is tested): " + "; ".join(build.failures), pytrace=False
        )
    log = out / f"qemu-{sc.name}{'-' + drv if drv else ''}.log"
    cmd = [
        str(ROOT / "scripts" / "run-qemu.sh"),
        "--module",
        "imx_rproc_rs.ko",
        "--module",
        "tests/sim/imx95_sim.ko",
        *build.files,
    ]
    if drv:
        cmd += ["--append", f"imxrprocrs_driver={drv}"]
    if sc.dtso:
        cmd += ["--dtso", sc.dtso]
    # The M7 is vm7 (board mode); without the binary the guest finds no vm7
    # on the link page and the scenario skips, saying so.
    if "vm7" in sc.needs and build.vm7:
        cmd += ["--vm7", str(build.vm7), "--log", f"{log}.console"]
    cmd += ["--script", str(sc.script), "--timeout", str(sc.timeout)]
    with open(log, "w") as f:
        rc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    text = log.read_text(errors="replace").replace("\r", "")
    m = re.search(r"^IMXRPROCRS-RESULTS-BEGIN\n(.*?)^IMXRPROCRS-RESULTS-END", text, re.S | re.M)
    copy = m.group(0) + "IMXRPROCRS-RESULTS-END\n" if m else ""
    results = pathlib.Path(f"{log}.results")
    results.write_text(copy)
    lines = (m.group(1) if m else "").splitlines(keepends=True)
    name = sc.name + (f"[{drv}]" if drv else "")
    counts, report = ktap_count.count(name, lines, text.splitlines(keepends=True), rc, sc.expected_splats)
    pathlib.Path(f"{log}.count").write_text(
        "".join(f"{k} {counts[k]}\n" for k in ("passed", "failed", "skipped", "errors"))
        + "".join(x + "\n" for x in report)
    )
    b = Boot(name, log, results, rc, counts, report, lines)
    _boots[key] = b
    return b


def _diagnostics(lines):
    """{test number: its diagnostic lines} of flat KTAP."""
    diag, cur = {}, None
    for raw in lines:
        line = raw.rstrip("\n")
        m = ktap_count.RESULT.match(line)
        if m:
            cur = int(m.group(2))
            diag[cur] = []
        elif cur is not None and line.startswith("#"):
            diag[cur].append(line)
    return diag


def report_results(item, b):
    """One report per KTAP result of boot B, as children of ITEM."""
    _plan, results = ktap_count.parse_results(b.lines)
    diag = _diagnostics(b.lines)
    path, lineno, _ = item.location
    for status, num, desc, reason in results:
        nodeid = f"{item.nodeid}::{num:03d} {desc}"
        if status == "pass":
            outcome, longrepr = "passed", None
        elif status == "skip":
            outcome, longrepr = "skipped", (str(b.results), num, f"Skipped: {reason or '(no reason given)'}")
        else:
            outcome = "failed"
            longrepr = "\n".join([f"{b.name}: not ok {num} {desc}", *diag.get(num, []), f"(console: {b.log})"])
        for when, oc, lr in (("call", outcome, longrepr), ("teardown", "passed", None)):
            item.ihook.pytest_runtest_logreport(
                report=TestReport(
                    nodeid=nodeid,
                    location=(path, lineno, nodeid),
                    keywords={},
                    outcome=oc,
                    longrepr=lr,
                    when=when,
                    sections=[],
                    duration=0.0,
                    user_properties=[],
                )
            )


def check_boot(item, b):
    """The boot gave all its results: no error (plan, splat, timeout, crash)."""
    item.config.stash[EXPECTED] += [x.split(" ", 1)[1] for x in b.report if x.startswith("expected-splat ")]
    errors = [x.split(" ", 1)[1] for x in b.report if x.startswith("error ")]
    tail = [x.split(": ", 1)[1] if ": " in x else "" for x in b.report if x.startswith("log ")]
    if errors:
        pytest.fail(
            "\n".join(errors + ["last lines of the console:"] + [f"  | {t}" for t in tail] + [f"(console: {b.log})"]),
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    st = tr.stats

    def n(key):
        return len([r for r in st.get(key, []) if getattr(r, "when", "call") in ("call", "setup", "teardown", None)])

    skipped = st.get("skipped", [])
    if skipped:
        tr.write_line("skipped (did not run):")
        for r in skipped:
            reason = r.longrepr[2] if isinstance(r.longrepr, tuple) else str(r.longrepr)
            tr.write_line(f"SKIP {r.nodeid}: {reason.removeprefix('Skipped: ')}")
    exp = config.stash.get(EXPECTED, [])
    if exp:
        tr.write_line("expected kernel splats (declared in scenarios.toml, not counted as passes):")
        for e in exp:
            tr.write_line(f"EXPECTED-SPLAT {e}")
    bad = st.get("failed", []) + st.get("error", [])
    for r in bad:
        first = str(r.longrepr).strip().splitlines()[:1] if r.longrepr else [""]
        tr.write_line(f"FAIL {r.nodeid}: {first[0] if first else ''}")
    passed = len([r for r in st.get("passed", []) if r.when == "call"])
    tr.write_line(f"{passed} passed, {n('failed') + n('error')} failed, {len(skipped)} skipped")

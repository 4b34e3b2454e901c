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

import concurrent.futures
import dataclasses
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import time

import pytest
from _pytest.reports import TestReport

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

import ktap_count  # noqa: E402
import kunit_suites  # noqa: E402
import scenarios  # noqa: E402
import ssh_target  # noqa: E402
import zephyr_fixtures  # noqa: E402


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
    g.addoption(
        "--jobs",
        type=int,
        default=1,
        help="boots run at once (default 1); the results are reported in the same order either way",
    )
    g.addoption("--guest-smp", type=int, help="CPUs of each guest (run-qemu.sh's -smp 2 otherwise)")
    g.addoption(
        "--target",
        help="test_ssh.py: the board, ssh://[USER@]HOST[:PORT], or 'virtual' (a virtual i.MX95 per boot, "
        "reached through SSH on a forwarded loopback port): tests/host/ssh_target.py",
    )
    g.addoption(
        "--compare-qemu",
        metavar="DIR",
        help="test_ssh.py: each boot's results must be those of the QEMU runner's boot in DIR (its --out)",
    )


def pytest_collection_modifyitems(config, items):
    # A selection without a two-driver scenario has no parity test, and a
    # test_ssh.py run without --compare-qemu no comparison: not a skip
    # (nothing was left out), so it is dropped, not reported.
    drop = [
        i
        for i in items
        if i.originalname in ("test_parity", "test_matches_qemu")
        and any("empty parameter set" in str(m.kwargs.get("reason", "")) for m in i.iter_markers("skip"))
    ]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


def pytest_configure(config):
    # pytest-xdist's workers reject reports whose nodeid is not the running
    # item's (AssertionError), so the per-result reports need one process:
    # --jobs runs the boots at once in this process instead (see Pool).
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("tests/host: -n (pytest-xdist) is not supported: use --jobs N")
    if config.getoption("jobs") < 1:
        raise pytest.UsageError("--jobs wants 1 or more")
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
    smp: int | None = None  # --guest-smp
    vm7: pathlib.Path | None = None  # the vm7 binary, when it built
    pool: "Pool | None" = None
    run: object = None  # a boot's runner (_run_boot when None; _run_ssh_boot for --target)
    target: object = None  # --target: "virtual", or the real board's ssh_target.Board


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
def build(request, out):
    """Builds what is tested (incrementally; make knows each .ko's sources).
    A failed build fails every scenario, which then does not run: no old
    .ko is ever tested. With --jobs N, then starts every boot of the
    session, N at a time (Pool)."""
    failures = []
    for target, log in (
        ("tests-modules", "qemu-build.log"),
        ("tests-tools", "tools.log"),
        ("tests-firmware", "firmware.log"),
    ):
        if _make(target, out / log) != 0:
            failures.append(f"make {target} failed, see {out / log}")
    files = []
    for fw in sorted((ROOT / "out" / "fw").glob("*.elf")) + sorted((ROOT / "out" / "fw").glob("*.tsv")):
        files += ["--file", f"{fw}:/lib/firmware/{fw.name}"]
    # Firmware built by others (shared/fixtures/zephyr/README.md), as
    # /lib/firmware/zephyr-NAME; the scenarios skip what is not found.
    fixtures = zephyr_fixtures.find()
    for fw in sorted(fixtures.glob("*.elf")) if fixtures else ():
        files += ["--file", f"{fw}:/lib/firmware/zephyr-{fw.name}"]
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
    # vm7 for the scenarios that need it: a failed build is no failure of the
    # others; those scenarios then skip, naming the log.
    vm7 = None
    if _make("tests-vm7", out / "vm7-build.log") == 0 and VM7.is_file():
        vm7 = VM7
    b = Build(failures, files, request.config.getoption("guest_smp"), vm7)
    jobs = request.config.getoption("jobs")
    spec = request.config.getoption("target")
    if spec:
        kind, where = ssh_target.parse_target(spec)
        b.run = _run_ssh_boot
        if kind == "virtual":
            b.target = "virtual"
        else:
            user, host, port = where
            # IMXRPROCRS_SSH_OPTS: more ssh options for the board (-i KEY, -o ...).
            opts = tuple(shlex.split(os.environ.get("IMXRPROCRS_SSH_OPTS", "")))
            b.target = ssh_target.Board(ssh_target.Ssh(user, host, port, opts), b, spec)
            jobs = 1  # one board, one scenario at a time
    if jobs > 1 and not failures:
        b.pool = Pool(jobs, b, out, request.session.items)
        request.addfinalizer(b.pool.close)
    return b


TIMES = "qemu-times.json"  # each boot's wall seconds in the last run, in --out


def _key_name(name, drv):
    """A boot's name in TIMES: SCENARIO or SCENARIO-DRIVER."""
    return name + (f"-{drv}" if drv else "")


class Pool:
    """The session's boots, run JOBS at a time in threads (each thread waits
    on its run-qemu.sh); a test takes its boot's result when it runs, so
    the tests, their reports and the parity checks come in collection order,
    exactly as without it. pytest-xdist is not used: its workers accept only
    reports whose nodeid is the running item's, and each KTAP result here
    is a report of its own. The longest boots (last run's times, else the
    timeout) start first."""

    def __init__(self, jobs, build, out, items):
        keys = []
        for item in items:
            cs = getattr(item, "callspec", None)
            if cs is None:
                continue
            if "boot_of" in cs.params:
                want = [cs.params["boot_of"]]
            elif "parity_of" in cs.params:
                want = [(cs.params["parity_of"], "c"), (cs.params["parity_of"], "rust")]
            else:
                want = []
            for sc, drv in want:
                if (sc.name, drv) not in [(s.name, d) for s, d in keys]:
                    keys.append((sc, drv))
        try:
            last = json.loads((out / TIMES).read_text())
        except (OSError, ValueError):
            last = {}
        keys.sort(key=lambda k: -float(last.get(_key_name(k[0].name, k[1]), k[0].timeout)))
        run = build.run or _run_boot
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="qemu")
        self.futures = {(sc.name, drv): self.executor.submit(run, sc, drv, build, out) for sc, drv in keys}

    def result(self, sc, drv):
        f = self.futures.get((sc.name, drv))
        return f.result() if f is not None else None

    def close(self):
        self.executor.shutdown(wait=True, cancel_futures=True)


@dataclasses.dataclass
class Boot:
    name: str  # scenario or scenario[driver]
    log: pathlib.Path
    results: pathlib.Path
    rc: int
    counts: dict
    report: list  # ktap_count's lines
    lines: list  # the results copy
    suites: dict | None  # the KUnit suites compiled in (kunit_modules), or None
    module: str
    secs: float  # wall time of run-qemu.sh
    skip: str | None = None  # why the target could not run it (test_ssh.py)


_boots = {}


def compiled_suites(sc):
    """{suite: [case]} compiled into SC's kunit_modules, or None if it has none."""
    if not sc.kunit_modules:
        return None
    suites = {}
    for ko in sc.kunit_modules:
        try:
            suites.update(kunit_suites.read(ROOT / ko))
        except (OSError, kunit_suites.ElfError) as e:
            pytest.fail(f"{sc.name}: cannot read the KUnit suites of {ko}: {e}", pytrace=False)
    return suites


def boot(sc, drv, build, out):
    """One boot of SC with DRV (memoized for the session: the parity test
    reuses the boots of its scenario's two items); with --jobs, the one the
    Pool ran or is running."""
    key = (sc.name, drv)
    if key in _boots:
        return _boots[key]
    if build.failures:
        pytest.fail(
            f"{sc.name}: not run, the build failed (no old .ko is tested): " + "; ".join(build.failures), pytrace=False
        )
    b = build.pool.result(sc, drv) if build.pool else None
    if b is None:
        b = (build.run or _run_boot)(sc, drv, build, out)
    _boots[key] = b
    return b


def _run_boot(sc, drv, build, out):
    """Boots SC with DRV and counts its results (any thread)."""
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
    env = dict(os.environ)
    if build.smp:
        # run-qemu.sh's QEMU_EXTRA_OPTS come after its -smp 2; QEMU takes the last.
        env["QEMU_EXTRA_OPTS"] = (env.get("QEMU_EXTRA_OPTS", "") + f" -smp {build.smp}").strip()
    t0 = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.run(
            cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        ).returncode
    secs = time.monotonic() - t0
    text = log.read_text(errors="replace").replace("\r", "")
    m = re.search(r"^IMXRPROCRS-RESULTS-BEGIN\n(.*?)^IMXRPROCRS-RESULTS-END", text, re.S | re.M)
    copy = m.group(0) + "\n" if m else ""
    results = pathlib.Path(f"{log}.results")
    results.write_text(copy)
    lines = (m.group(1) if m else "").splitlines(keepends=True)
    name = sc.name + (f"[{drv}]" if drv else "")
    suites = compiled_suites(sc)
    module = ", ".join(sc.kunit_modules) or "the module"
    counts, report = ktap_count.count(
        name, lines, text.splitlines(keepends=True), rc, sc.expected_splats, suites, module
    )
    pathlib.Path(f"{log}.count").write_text(
        "".join(f"{k} {counts[k]}\n" for k in ("passed", "failed", "skipped", "errors"))
        + "".join(x + "\n" for x in report)
    )
    return Boot(name, log, results, rc, counts, report, lines, suites, module, secs)


def _run_ssh_boot(sc, drv, build, out):
    """Runs SC with DRV on the --target board through SSH and counts its
    results as _run_boot does (any thread). The virtual target boots a
    fresh virtual board for it and powers it off after."""
    key = sc.name + (f"-{drv}" if drv else "")
    name = sc.name + (f"[{drv}]" if drv else "")
    log = out / f"ssh-{key}.log"
    suites = compiled_suites(sc)
    module = ", ".join(sc.kunit_modules) or "the module"
    t0 = time.monotonic()

    def skipped(why):
        return Boot(name, log, pathlib.Path(f"{log}.results"), 0, {}, [], [], suites, module, 0.0, skip=why)

    vb = prc = None
    extra = []
    try:
        if build.target == "virtual":
            why = ssh_target.unrunnable(sc, has_sim=True)
            if why:
                return skipped(why)
            vb = ssh_target.VirtualBoard(build, out, f"{log}.console", timeout=sc.timeout + 300)
            vb.wait_up()
            board = vb.board
        else:
            board = build.target
            why = ssh_target.unrunnable(sc, has_sim=board.probe()["sim"])
            if why:
                return skipped(why)
        board.setup()
        run = board.run(sc.script, drv, sc.timeout)
    except ssh_target.TargetError as e:
        run = ssh_target.Run(125, [], [], str(e))
    finally:
        if vb is not None:
            prc = vb.power_off()
    if vb is not None:
        # The board's own end: powered off when told, and no splat on its
        # console that the scenario's kernel log did not have (boot, the
        # board's init, after the scenario).
        if prc is None or prc in (124, 125):
            extra.append(f"the virtual board did not power off cleanly (run-qemu.sh status {prc}, see {vb.log})")
        console = pathlib.Path(vb.log).read_text(errors="replace").splitlines() if pathlib.Path(vb.log).exists() else []
        exp = ktap_count.parse_expected(sc.expected_splats)
        seen = ktap_count.splats(run.kernel)
        for s in ktap_count.splats(console):
            if s not in seen and not any(p.search(s) for p, _ in exp):
                extra.append(f"kernel splat on the virtual board's console: {s}")
    secs = time.monotonic() - t0
    results = pathlib.Path(f"{log}.results")
    lines = [x + "\n" for x in run.output]
    results.write_text("IMXRPROCRS-RESULTS-BEGIN\n" + "".join(lines) + "IMXRPROCRS-RESULTS-END\n")
    text = [*run.kernel, "IMXRPROCRS-RESULTS-BEGIN", *run.output, "IMXRPROCRS-RESULTS-END"]
    text += [f"runner: {x}" for x in ([run.note] if run.note else []) + extra]
    log.write_text("".join(x + "\n" for x in text))
    counts, report = ktap_count.count(name, lines, [x + "\n" for x in text], run.rc, sc.expected_splats, suites, module)
    for x in extra:
        counts["errors"] += 1
        report.append(f"error {name}: {x}")
    if run.note and run.rc not in (124, 125):
        counts["errors"] += 1
        report.append(f"error {name}: {run.note}")
    pathlib.Path(f"{log}.count").write_text(
        "".join(f"{k} {counts[k]}\n" for k in ("passed", "failed", "skipped", "errors"))
        + "".join(x + "\n" for x in report)
    )
    return Boot(name, log, results, run.rc, counts, report, lines, suites, module, secs)


def report_results(item, b):
    """One report per KTAP result of boot B, as children of ITEM."""
    results, _errors = ktap_count.results_of(b.lines, b.suites, b.module)
    path, lineno, _ = item.location
    for r in results:
        status, num, desc, reason = r.status, r.num, r.desc, r.reason
        nodeid = f"{item.nodeid}::{num:03d} {desc}"
        if status == "pass":
            outcome, longrepr = "passed", None
        elif status == "skip":
            outcome, longrepr = "skipped", (str(b.results), num, f"Skipped: {reason or '(no reason given)'}")
        else:
            outcome = "failed"
            longrepr = "\n".join([f"{b.name}: not ok {num} {desc}", *r.diag, f"(console: {b.log})"])
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


def pytest_sessionfinish(session):
    """Each boot's wall time, for the next run's Pool order."""
    if not _boots:
        return
    path = pathlib.Path(session.config.getoption("out")) / TIMES
    try:
        times = json.loads(path.read_text())
    except (OSError, ValueError):
        times = {}
    for (name, drv), b in _boots.items():
        times[_key_name(name, drv)] = round(b.secs, 1)
    path.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n")


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

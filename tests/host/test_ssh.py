# SPDX-License-Identifier: GPL-2.0
"""The scenarios of tests/guest/scenarios.toml on a board reached through
SSH (tests/host/ssh_target.py), reported as the QEMU runner reports them
(conftest.py): one test per boot, one report per KTAP result.

  python3 -m pytest tests/host/test_ssh.py --target ssh://root@verdin    a real board
  python3 -m pytest tests/host/test_ssh.py --target virtual --scenario rpmsg \\
      --compare-qemu out/check                 the virtual board, checked against QEMU's

A scenario the board cannot run (ssh_target.unrunnable) is a skip with its
reason. With --compare-qemu DIR, test_matches_qemu checks each boot's
results (number, outcome, description and skip reason of every test, and
whether the boot had errors) against the QEMU runner's boot of the same
scenario and driver in DIR (qemu-NAME[-DRIVER].log.results and .count).
"""

import pathlib

import ktap_count
import pytest
from conftest import boot, check_boot, report_results, selected


def pytest_generate_tests(metafunc):
    if not metafunc.config.getoption("target"):
        pytest.skip("test_ssh.py needs --target (a board or 'virtual')", allow_module_level=True)
    boots, _ = selected(metafunc.config)
    ids = [sc.name + (f"-{d}" if d else "") for sc, d in boots]
    if "boot_of" in metafunc.fixturenames:
        metafunc.parametrize("boot_of", boots, ids=ids)
    if "compare_of" in metafunc.fixturenames:
        cmp = metafunc.config.getoption("compare_qemu")
        metafunc.parametrize("compare_of", boots if cmp else [], ids=ids if cmp else [])


def test_scenario(request, boot_of, build, out):
    """The boot's KTAP results one by one; passes when the boot gave them
    all (plan met, no splat, no timeout, no lost board)."""
    sc, drv = boot_of
    b = boot(sc, drv, build, out)
    if b.skip:
        pytest.skip(b.skip)
    report_results(request.node, b)
    check_boot(request.node, b)


def outcomes(lines, b):
    results, errors = ktap_count.results_of(lines, b.suites, b.module)
    return [(r.num, r.status, r.desc, r.reason) for r in results], errors


def test_matches_qemu(request, compare_of, build, out):
    """Over SSH the scenario gives what it gave under the QEMU runner."""
    sc, drv = compare_of
    b = boot(sc, drv, build, out)
    if b.skip:
        pytest.fail(f"{b.name}: not run over SSH ({b.skip}), so nothing to compare", pytrace=False)
    d = pathlib.Path(request.config.getoption("compare_qemu"))
    q = d / f"qemu-{sc.name}{'-' + drv if drv else ''}.log.results"
    qc = pathlib.Path(f"{str(q)[: -len('.results')]}.count")
    if not q.is_file() or not qc.is_file():
        pytest.fail(f"{b.name}: no QEMU runner result {q} (and .count) to compare with", pytrace=False)
    qlines = q.read_text().splitlines(keepends=True)
    qlines = [x for x in qlines if not x.startswith("IMXRPROCRS-RESULTS-")]
    theirs, _ = outcomes(qlines, b)
    ours, _ = outcomes(b.lines, b)
    qerr = next((int(x.split()[1]) for x in qc.read_text().splitlines() if x.startswith("errors ")), None)
    diff = []
    for i in range(max(len(ours), len(theirs))):
        o = ours[i] if i < len(ours) else None
        t = theirs[i] if i < len(theirs) else None
        if o != t:
            diff.append(f"  ssh:  {o}\n  qemu: {t}")
    if (b.counts.get("errors", 0) == 0) != (qerr == 0):
        diff.append(f"  errors: ssh {b.counts.get('errors')}, qemu {qerr} (see {b.log}.count and {qc})")
    if diff:
        pytest.fail(f"{b.name}: SSH and QEMU runner results differ:\n" + "\n".join(diff[:20]), pytrace=False)

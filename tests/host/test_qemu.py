# SPDX-License-Identifier: GPL-2.0
"""The QEMU scenarios on the virtual i.MX95, scenario x driver as declared in
tests/guest/scenarios.toml (see conftest.py for how results are reported).

  python3 -m pytest tests/host/test_qemu.py --scenario probe      one scenario
  python3 -m pytest tests/host/test_qemu.py -k 'beyond and rust'  pytest's -k
"""

import subprocess

import pytest
from conftest import ROOT, boot, check_boot, report_results, selected


def pytest_generate_tests(metafunc):
    boots, scs = selected(metafunc.config)
    if "boot_of" in metafunc.fixturenames:
        metafunc.parametrize("boot_of", boots, ids=[sc.name + (f"-{d}" if d else "") for sc, d in boots])
    if "parity_of" in metafunc.fixturenames:
        two = [sc for sc in scs if set(sc.drivers) == {"c", "rust"}]
        if metafunc.config.getoption("driver"):
            two = []
        metafunc.parametrize("parity_of", two, ids=[sc.name for sc in two])


def test_scenario(request, boot_of, build, out):
    """The boot's KTAP results are reported one by one; this test passes when
    the boot gave them all (plan met, no splat, no timeout, no crash)."""
    sc, drv = boot_of
    b = boot(sc, drv, build, out)
    report_results(request.node, b)
    check_boot(request.node, b)


def test_parity(parity_of, build, out):
    """The same test has the same outcome with both drivers, unless
    tests/parity-exceptions.txt lists the difference (scripts/parity.py)."""
    sc = parity_of
    c, r = boot(sc, "c", build, out), boot(sc, "rust", build, out)
    p = subprocess.run(
        [
            "python3",
            str(ROOT / "scripts" / "parity.py"),
            str(out / f"parity-{sc.name}.md"),
            str(c.results),
            str(r.results),
        ],
        capture_output=True,
        text=True,
    )
    (out / f"parity-{sc.name}.log").write_text(p.stdout + p.stderr)
    if p.returncode != 0:
        fails = [x for x in p.stdout.splitlines() if "parity FAIL" in x]
        pytest.fail(
            "\n".join(fails or p.stdout.splitlines()[-10:]) + f"\n(see {out / f'parity-{sc.name}.md'})", pytrace=False
        )

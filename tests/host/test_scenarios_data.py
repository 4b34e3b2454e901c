# SPDX-License-Identifier: GPL-2.0
"""tests/guest/scenarios.toml against the scripts it declares."""

import re

import pytest
import scenarios

DATA = scenarios.load()


def test_every_script_is_declared_and_every_entry_has_a_script():
    assert sorted(DATA) == scenarios.scripts(), (
        f"each tests/guest/scenarios/NAME.sh needs a [NAME] table in {scenarios.DATA}, and each table its script"
    )


@pytest.mark.parametrize("name", sorted(DATA))
def test_no_settings_left_in_comments(name):
    # Settings are data (the runner and scripts/mutation.py read them
    # from scenarios.toml): none is left in a script's comments.
    text = DATA[name].script.read_text()
    assert not re.search(r"^# (drivers|timeout|dtso|expected-splat|needs):", text, re.M)


@pytest.mark.parametrize("name", sorted(DATA))
def test_needs_sim_iff_the_script_uses_the_simulator(name):
    text = DATA[name].script.read_text()
    uses = bool(re.search(r"^\. /sim\.sh|imx95_sim", text, re.M))
    assert ("sim" in DATA[name].needs) == uses


# What only the simulator has (tests/guest/sim.sh): its debugfs directory
# ($SIM, /sys/kernel/debug/imx95_sim) and the helpers over it, and the
# fail-nth helper of faults.sh.
KNOBS = re.compile(
    r"\$SIM\b|/sys/kernel/debug/imx95_sim|\b(?:sim_set|sim_log|sim_log_clear|m7_stat|fw_try|fw_fixture|"
    r"remote_core|vm7_poke|failnth)\b|fail-nth"
)


@pytest.mark.parametrize("name", sorted(DATA))
def test_knobs_declared_iff_the_script_uses_them(name):
    # A scenario without knobs is run on a real board by the SSH target:
    # its script must touch nothing that only the simulator has.
    uses = KNOBS.findall(DATA[name].script.read_text())
    if DATA[name].knobs is None:
        assert not uses, f"{name} uses the simulator's knobs {sorted(set(uses))} but declares no knobs"
    else:
        assert uses, f"{name} declares knobs but its script uses none"


def test_bad_data_is_refused(tmp_path):
    for body in (
        '[x]\ndriver = ["c"]\n',
        '[x]\ndrivers = ["go"]\n',
        "[x]\ntimeout = 0\n",
        '[x]\ndtso = "no/such.dtso"\n',
        '[x]\nexpected_splats = [{ pattern = "a" }]\n',
        '[x]\nneeds = ["sim"]\nknobs = ""\n',
        '[x]\nknobs = "no simulator, no knobs"\n',
    ):
        p = tmp_path / "s.toml"
        p.write_text(body)
        with pytest.raises(scenarios.DataError):
            scenarios.load(p)

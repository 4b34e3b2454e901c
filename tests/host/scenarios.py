# SPDX-License-Identifier: GPL-2.0
"""The QEMU scenarios as declared in tests/guest/scenarios.toml."""

import dataclasses
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "guest" / "scenarios.toml"
SCRIPTS = ROOT / "tests" / "guest" / "scenarios"
KEYS = {"drivers", "timeout", "dtso", "needs", "knobs", "expected_splats", "kunit_modules"}
DRIVERS = {"c", "rust"}
NEEDS = {"sim", "vm7"}


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    script: pathlib.Path
    drivers: tuple = ()
    timeout: int = 300
    dtso: str | None = None
    needs: tuple = ()
    expected_splats: tuple = ()  # ("REGEX | reason", ...) for ktap_count
    kunit_modules: tuple = ()  # .ko files (from ROOT) whose compiled KUnit suites must run
    knobs: str | None = None  # why it needs the simulator's knobs (no real board has them)

    def boots(self):
        """The boots of this scenario: one per driver, or one (None)."""
        return self.drivers or (None,)


class DataError(Exception):
    pass


def load(path=DATA):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = {}
    for name, t in data.items():
        if not isinstance(t, dict):
            raise DataError(f"{path}: '{name}' is not a table")
        bad = set(t) - KEYS
        if bad:
            raise DataError(f"{path}: [{name}]: unknown keys {sorted(bad)} (known: {sorted(KEYS)})")
        drivers = tuple(t.get("drivers", ()))
        if set(drivers) - DRIVERS or len(set(drivers)) != len(drivers):
            raise DataError(f"{path}: [{name}]: drivers must be distinct of {sorted(DRIVERS)}")
        needs = tuple(t.get("needs", ()))
        if set(needs) - NEEDS:
            raise DataError(f"{path}: [{name}]: needs must be of {sorted(NEEDS)}")
        timeout = t.get("timeout", 300)
        if not isinstance(timeout, int) or timeout <= 0:
            raise DataError(f"{path}: [{name}]: timeout must be a positive integer")
        splats = []
        for s in t.get("expected_splats", ()):
            if set(s) != {"pattern", "reason"}:
                raise DataError(f"{path}: [{name}]: expected_splats entries need pattern and reason")
            re.compile(s["pattern"])
            splats.append(f"{s['pattern']} | {s['reason']}")
        kunit = tuple(t.get("kunit_modules", ()))
        if not all(isinstance(m, str) and m.endswith(".ko") for m in kunit):
            raise DataError(f"{path}: [{name}]: kunit_modules must be .ko paths")
        knobs = t.get("knobs")
        if knobs is not None and (not isinstance(knobs, str) or not knobs.strip()):
            raise DataError(f"{path}: [{name}]: knobs must be a reason (a non-empty string)")
        if knobs is not None and "sim" not in needs:
            raise DataError(f"{path}: [{name}]: knobs without needs = ['sim']")
        dtso = t.get("dtso")
        if dtso is not None and not (ROOT / dtso).is_file():
            raise DataError(f"{path}: [{name}]: no overlay {dtso}")
        out[name] = Scenario(
            name=name,
            script=SCRIPTS / f"{name}.sh",
            drivers=drivers,
            timeout=timeout,
            dtso=dtso,
            needs=needs,
            expected_splats=tuple(splats),
            kunit_modules=kunit,
            knobs=knobs,
        )
    return out


def scripts():
    """The names of the scenario scripts on disk."""
    return sorted(p.stem for p in SCRIPTS.glob("*.sh"))

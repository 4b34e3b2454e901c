#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the Zephyr fixtures are (firmware built by others, see
shared/fixtures/zephyr/README.md), for the QEMU runner
(tests/host/conftest.py) and vm7 (tools/vm7/fixtures.sh) alike: the first
directory of $IMX_RPROC_RS_FIXTURES, the clone's sibling
../shared/fixtures/zephyr, this machine's /work/shared/fixtures/zephyr (a CI
clone lives elsewhere).

  zephyr_fixtures.py     prints the directory; exit status 1 if none exists
"""

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def candidates(root=ROOT, env=None):
    env = os.environ if env is None else env
    out = []
    if env.get("IMX_RPROC_RS_FIXTURES"):
        out.append(pathlib.Path(env["IMX_RPROC_RS_FIXTURES"]))
    out += [pathlib.Path(root).parent / "shared/fixtures/zephyr", pathlib.Path("/work/shared/fixtures/zephyr")]
    return out


def find(root=ROOT, env=None):
    """The fixtures directory, or None."""
    return next((d for d in candidates(root, env) if d.is_dir()), None)


def main():
    d = find()
    if d is None:
        print("no Zephyr fixtures in " + ", ".join(map(str, candidates())), file=sys.stderr)
        return 1
    print(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())

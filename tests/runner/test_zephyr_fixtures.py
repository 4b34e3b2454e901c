# SPDX-License-Identifier: GPL-2.0
"""scripts/zephyr_fixtures.py: the one search for the Zephyr fixtures that
the QEMU runner and vm7 both use, in its order."""

import os
import pathlib
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))

import zephyr_fixtures  # noqa: E402


class Find(unittest.TestCase):
    def setUp(self):
        t = tempfile.TemporaryDirectory()
        self.addCleanup(t.cleanup)
        self.top = pathlib.Path(t.name)
        self.clone = self.top / "clone"
        self.clone.mkdir()
        self.sibling = self.top / "shared/fixtures/zephyr"

    def first(self, env):
        # Only the candidates under the temporary tree: /work/shared may exist here.
        return next((d for d in zephyr_fixtures.candidates(self.clone, env)[:-1] if d.is_dir()), None)

    def test_env_first(self):
        mine = self.top / "mine"
        mine.mkdir()
        self.sibling.mkdir(parents=True)
        self.assertEqual(self.first({"IMX_RPROC_RS_FIXTURES": str(mine)}), mine)

    def test_missing_env_dir_falls_through_to_sibling(self):
        self.sibling.mkdir(parents=True)
        self.assertEqual(self.first({"IMX_RPROC_RS_FIXTURES": str(self.top / "nope")}), self.sibling)

    def test_none(self):
        self.assertIsNone(self.first({}))

    def test_machine_dir_last(self):
        self.assertEqual(zephyr_fixtures.candidates(self.clone, {})[-1], pathlib.Path("/work/shared/fixtures/zephyr"))


if __name__ == "__main__":
    unittest.main()

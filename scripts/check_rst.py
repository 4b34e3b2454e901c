#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parses reStructuredText files with docutils and fails on any warning.

Kernel-Sphinx-only roles and directives (:c:func:, kernel-doc, ...) are
registered as no-ops so plain docutils accepts what the kernel's Sphinx
would. Markdown files given on the command line are skipped.
"""

import sys

import docutils.core
import docutils.utils
from docutils.parsers.rst import Directive, directives, roles


def _role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [docutils.nodes.literal(rawtext, text)], []


for r in ("c:func", "c:type", "c:macro", "c:struct", "ref", "doc", "kbd", "file", "manpage"):
    roles.register_local_role(r, _role)


class _Skip(Directive):
    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return []


_Skip.option_spec = {}
for d in ("kernel-doc", "toctree", "c:function", "c:type", "only"):
    directives.register_directive(d, _Skip)

bad = 0
for path in sys.argv[1:]:
    if not path.endswith(".rst"):
        continue
    with open(path, encoding="utf-8") as f:
        src = f.read()
    try:
        docutils.core.publish_doctree(
            src,
            source_path=path,
            settings_overrides={"report_level": 2, "halt_level": 2, "warning_stream": sys.stdout},
        )
    except docutils.utils.SystemMessage as e:
        print(f"{path}: {e}")
        bad += 1
sys.exit(1 if bad else 0)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils as the kernel's Sphinx build would
meet them: any warning or error fails. The kernel's own directives (kernel-doc)
are accepted and not expanded; scripts/kernel-doc checks their sources.

Usage: check-rst.py FILE...
"""

import sys

import docutils.core
import docutils.utils
from docutils.parsers.rst import Directive, directives


class KernelDoc(Directive):
    """The kernel's kernel-doc directive: one argument, any options."""
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True
    option_spec = {k: directives.unchanged for k in
                   ("doc", "export", "internal", "identifiers", "no-identifiers",
                    "functions", "man-sect")}
    has_content = False

    def run(self):
        return []


def main():
    directives.register_directive("kernel-doc", KernelDoc)
    bad = 0
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        msgs = []
        # Nothing is printed or fatal; the messages stay in the tree.
        doc = docutils.core.publish_doctree(
            text, source_path=path,
            settings_overrides={"report_level": 5, "halt_level": 5, "warning_stream": False})
        for node in doc.traverse(docutils.nodes.system_message):
            if node["level"] >= docutils.utils.Reporter.WARNING_LEVEL:
                msgs.append(node.astext())
        for m in msgs:
            print(m)
        bad += len(msgs)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

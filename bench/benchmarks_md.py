"""BENCHMARKS.md: each benchmark script owns one level-2 section and replaces only that."""

import os
import re


def replace_section(path, name, section):
    """Write `section` (text starting with "## <name>") into the file at `path`, in place of
    the old "## <name>" section (up to the next level-2 heading), or appended at the end."""
    old = ""
    if os.path.exists(path):
        with open(path) as fh:
            old = fh.read()
    if not old.strip():
        old = "# Benchmarks\n\n"
    m = re.search(r"^## %s[ \t]*\n.*?(?=^## |\Z)" % re.escape(name), old, flags=re.S | re.M)
    if m:
        new = old[:m.start()] + section + ("\n" if old[m.end():] else "") + old[m.end():]
    else:
        new = old.rstrip("\n") + "\n\n" + section
    with open(path, "w") as fh:
        fh.write(new)

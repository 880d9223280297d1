#!/usr/bin/env python3
"""Every tracked file with translatable strings is listed in po/POTFILES.in,
and every listed file exists. Prints TAP. Usage: check-potfiles.py SOURCE_ROOT"""

import os
import re
import subprocess
import sys

MARKERS = {
    ".c": re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"'),
    ".ui": re.compile(r'translatable\s*=\s*"(?:yes|true|1)"'),
    ".in": None,  # desktop and metainfo templates: always translatable
    ".xml": re.compile(r"<summary>|<description>"),  # GSettings schemas
}


def tracked(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard"], check=True,
                             capture_output=True, text=True).stdout
        return out.split()
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, _, names in os.walk(root):
            if "/build" in d or "/.git" in d or "node_modules" in d:
                continue
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files


def wants_translation(root, path):
    if path.startswith(("tests/", "subprojects/")):
        return False
    if path.endswith((".desktop.in", ".metainfo.xml.in")):
        return True
    if path.endswith(".gschema.xml"):
        return True
    ext = os.path.splitext(path)[1]
    rx = MARKERS.get(ext)
    if rx is None or ext in (".in", ".xml"):
        return False
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            return bool(rx.search(f.read()))
    except OSError:
        return False


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    files = tracked(root)
    need = sorted(p for p in files if wants_translation(root, p))
    unlisted = [p for p in need if p not in listed]
    missing = [p for p in listed if not os.path.exists(os.path.join(root, p))]
    dups = sorted({p for p in listed if listed.count(p) > 1})
    print("1..3")
    print(("not ok" if unlisted else "ok") + " 1 - every file with translatable strings is in POTFILES.in (%d files)" % len(need)
          + ("" if not unlisted else " # not listed: " + " ".join(unlisted)))
    print(("not ok" if missing else "ok") + " 2 - every file in POTFILES.in exists"
          + ("" if not missing else " # missing: " + " ".join(missing)))
    print(("not ok" if dups else "ok") + " 3 - no file is listed twice"
          + ("" if not dups else " # " + " ".join(dups)))
    return 1 if unlisted or missing or dups else 0


if __name__ == "__main__":
    sys.exit(main())

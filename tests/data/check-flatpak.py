#!/usr/bin/env python3
"""Checks the Flatpak manifest: valid JSON, the app id used everywhere, every
source pinned, the permissions we promise and none we refuse.

Usage: check-flatpak.py SOURCE_ROOT            (checks flatpak/<id>.json)
       check-flatpak.py SOURCE_ROOT --self-test (proves each rule catches its fault)
Prints TAP."""

import copy
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

APP_ID = "app.bountycam.BountyCam"
REQUIRED = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--socket=pulseaudio",
]
# Camera only through the Camera portal, secrets only through the Secret portal,
# no broad holes; portals need no talk-name (Flathub's linter refuses one).
FORBIDDEN = [
    (re.compile(r"^--device=(all|shm)$"), "device access beyond DRI (use the Camera portal)"),
    (re.compile(r"^--(talk|own|system-talk)-name=org\.freedesktop\.[sS]ecrets"), "D-Bus hole to the keyring (use the Secret portal)"),
    (re.compile(r"^--talk-name=org\.freedesktop\.portal\."), "talk-name for a portal"),
    (re.compile(r"^--socket=(x11|session-bus|system-bus|ssh-auth|pcsc|gpg-agent)$"), "unneeded socket"),
    (re.compile(r"^--filesystem=(host|host-os|host-etc|home|~|/)"), "filesystem access"),
    (re.compile(r"^--filesystem=xdg-run/pipewire-0"), "direct PipeWire access (use the Camera portal)"),
    (re.compile(r"^--talk-name=org\.freedesktop\.Flatpak$"), "sandbox escape"),
]
HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def iter_modules(modules):
    for m in modules:
        if isinstance(m, str):
            raise ValueError("module %s is an external file; keep every module in the manifest" % m)
        yield m
        yield from iter_modules(m.get("modules", []))


def source_problem(src):
    kind = src.get("type")
    if kind == "git":
        if not src.get("tag") or not HEX40.match(src.get("commit", "")):
            return "git source %s needs both a tag and a full commit id" % src.get("url")
        if "branch" in src:
            return "git source %s follows a branch" % src.get("url")
    elif kind in ("archive", "file"):
        if "url" in src and not HEX64.match(src.get("sha256", "")):
            return "%s source %s has no sha256" % (kind, src.get("url"))
        if "url" not in src and "path" not in src:
            return "%s source without url or path" % kind
    elif kind in ("dir", "patch", "script", "shell", "inline"):
        path = src.get("path", "")
        if path.startswith("/"):
            return "%s source outside the repository: %s" % (kind, path)
    else:
        return "source type %r cannot be pinned" % kind
    return None


def check(manifest, desktop_ids, metainfo):
    """Returns a list of (name, problem-or-None)."""
    results = []
    app_id = manifest.get("id", manifest.get("app-id"))
    results.append(("app id is %s" % APP_ID, None if app_id == APP_ID else "id is %r" % app_id))
    results.append(("desktop file matches the app id",
                    None if desktop_ids == [APP_ID] else "desktop files: %r" % desktop_ids))
    meta_id, launchable = metainfo
    results.append(("metainfo id and launchable match the app id",
                    None if meta_id == APP_ID and launchable == APP_ID + ".desktop"
                    else "metainfo id %r, launchable %r" % (meta_id, launchable)))
    runtime_ok = (manifest.get("runtime") == "org.gnome.Platform"
                  and manifest.get("sdk") == "org.gnome.Sdk"
                  and re.match(r"^\d+$", str(manifest.get("runtime-version", ""))))
    results.append(("a stable GNOME runtime and SDK",
                    None if runtime_ok else "runtime %s//%s, sdk %s" % (
                        manifest.get("runtime"), manifest.get("runtime-version"), manifest.get("sdk"))))
    results.append(("command is bountycam",
                    None if manifest.get("command") == "bountycam" else "command %r" % manifest.get("command")))

    args = manifest.get("finish-args", [])
    missing = [a for a in REQUIRED if a not in args]
    results.append(("required permissions present", "missing %s" % missing if missing else None))
    bad = ["%s (%s)" % (a, why) for a in args for rx, why in FORBIDDEN if rx.match(a)]
    results.append(("no forbidden permission", "; ".join(bad) if bad else None))

    problems = []
    try:
        modules = list(iter_modules(manifest.get("modules", [])))
    except ValueError as e:
        modules, problems = [], [str(e)]
    if not modules:
        problems.append("no modules")
    for m in modules:
        srcs = m.get("sources", [])
        if not srcs:
            problems.append("module %s has no sources" % m.get("name"))
        for s in srcs:
            if isinstance(s, str):
                problems.append("module %s uses an external sources file %s" % (m.get("name"), s))
                continue
            p = source_problem(s)
            if p:
                problems.append("module %s: %s" % (m.get("name"), p))
    results.append(("every source pinned (%d modules)" % len(modules),
                    "; ".join(problems) if problems else None))
    last = modules[-1] if modules else {}
    results.append(("the last module builds BountyCam with meson",
                    None if last.get("name") == "bountycam" and last.get("buildsystem") == "meson"
                    else "last module is %r" % last.get("name")))
    return results


def load(root):
    path = os.path.join(root, "flatpak", APP_ID + ".json")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    data = os.path.join(root, "data")
    desktop_ids = sorted(n[: -len(".desktop.in")] for n in os.listdir(data) if n.endswith(".desktop.in"))
    tree = ET.parse(os.path.join(data, APP_ID + ".metainfo.xml.in"))
    meta_id = tree.findtext("id")
    launchable = tree.findtext("launchable[@type='desktop-id']")
    return manifest, desktop_ids, (meta_id, launchable)


def main():
    root = sys.argv[1]
    self_test = "--self-test" in sys.argv[2:]
    try:
        manifest, desktop_ids, metainfo = load(root)
    except (OSError, ValueError, ET.ParseError) as e:
        print("1..1\nnot ok 1 - manifest loads as JSON # %s" % e)
        return 1

    if not self_test:
        results = [("manifest is valid JSON", None)] + check(manifest, desktop_ids, metainfo)
        print("1..%d" % len(results))
        failed = 0
        for i, (name, problem) in enumerate(results, 1):
            if problem:
                failed += 1
                print("not ok %d - %s # %s" % (i, name, problem))
            else:
                print("ok %d - %s" % (i, name))
        return 1 if failed else 0

    # Each fault below must make exactly the named rule fail.
    def mutate(fn):
        m = copy.deepcopy(manifest)
        fn(m)
        return m

    def last_git(m):
        return [s for mod in iter_modules(m["modules"]) for s in mod["sources"] if s["type"] == "git"][0]

    faults = [
        ("app id", lambda m: m.update(id="org.example.Other")),
        ("forbidden", lambda m: m["finish-args"].append("--device=all")),
        ("forbidden", lambda m: m["finish-args"].append("--talk-name=org.freedesktop.secrets")),
        ("forbidden", lambda m: m["finish-args"].append("--socket=x11")),
        ("required", lambda m: m["finish-args"].remove("--socket=pulseaudio")),
        ("pinned", lambda m: last_git(m).pop("commit")),
        ("pinned", lambda m: last_git(m).pop("tag")),
        ("pinned", lambda m: m["modules"].insert(0, {"name": "x", "sources": [
            {"type": "archive", "url": "https://example.org/x.tar.xz"}]})),
        ("stable GNOME", lambda m: m.update({"runtime-version": "master"})),
    ]
    print("1..%d" % len(faults))
    failed = 0
    for i, (rule, fn) in enumerate(faults, 1):
        res = check(mutate(fn), desktop_ids, metainfo)
        hits = [name for name, problem in res if problem]
        if any(rule in h for h in hits):
            print("ok %d - fault caught by rule '%s'" % (i, rule))
        else:
            failed += 1
            print("not ok %d - fault not caught by rule '%s' (failing: %s)" % (i, rule, hits))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

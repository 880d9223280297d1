#!/usr/bin/env python3
"""The screenshots the metainfo shows are committed in data/screenshots/ and
are real PNGs of a sensible size. Skips (exit 77) until the app's UI tests
have produced screenshots and the first ones are committed.
Usage: check-screenshots.py SOURCE_ROOT"""

import os
import struct
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1]
shots = os.path.join(root, "data", "screenshots")
metainfo = os.path.join(root, "data", "app.bountycam.BountyCam.metainfo.xml.in")
pngs = sorted(n for n in os.listdir(shots) if n.endswith(".png")) if os.path.isdir(shots) else []
if not pngs:
    print("no screenshots committed in data/screenshots yet")
    sys.exit(77)

names = [os.path.basename(i.text.strip()) for i in ET.parse(metainfo).iter("image")]
failed = False
for name in names:
    path = os.path.join(shots, name)
    if not os.path.exists(path):
        print("metainfo shows %s, which is not in data/screenshots (have: %s)" % (name, ", ".join(pngs)))
        failed = True
        continue
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        print("%s is not a PNG" % name)
        failed = True
        continue
    width, height = struct.unpack(">II", head[16:24])
    # AppStream/Flathub: at least 620x375 recommended, 16:9-ish desktop shots.
    if width < 620 or height < 375:
        print("%s is %dx%d, smaller than 620x375" % (name, width, height))
        failed = True
    else:
        print("%s: %dx%d" % (name, width, height))
sys.exit(1 if failed else 0)

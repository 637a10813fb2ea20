#!/usr/bin/env python3
"""Aggregate `jfr print --json` samples: top frames, first Vigil frames and inclusive Vigil methods, for one thread.
Usage: jfr_top.py FILE.json [THREAD] [N]"""
import json, sys, collections
data = json.load(open(sys.argv[1]))
thread = sys.argv[2] if len(sys.argv) > 2 else "vigil-reader"
n = int(sys.argv[3]) if len(sys.argv) > 3 else 25
top, first, incl = collections.Counter(), collections.Counter(), collections.Counter()
total = 0
for ev in data["recording"]["events"]:
    v = ev["values"]
    t = v.get("eventThread") or v.get("sampledThread")
    if thread and (not t or t.get("javaName") != thread):
        continue
    st = v.get("stackTrace")
    if not st:
        continue
    frames = [f["method"]["type"]["name"].rsplit(".", 1)[-1] + "." + f["method"]["name"] for f in st["frames"]]
    full = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st["frames"]]
    total += 1
    top[frames[0]] += 1
    for fr, fu in zip(frames, full):
        if fu.replace("/", ".").startswith("dev.vigil"):
            first[fr] += 1
            break
    for fr in set(fr for fr, fu in zip(frames, full) if fu.replace("/", ".").startswith("dev.vigil")):
        incl[fr] += 1
print(f"{total} samples on {thread}")
for name, c in (("top frames", top), ("first Vigil frame", first), ("inclusive Vigil methods", incl)):
    print(f"-- {name}")
    for k, x in c.most_common(n):
        print(f"{x:6d} {100.0 * x / total:5.1f}%  {k}")

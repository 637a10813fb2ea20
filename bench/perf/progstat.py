#!/usr/bin/env python3
"""Per-program BPF run time of one process's programs, for bench/perf/progtime.sh.

  progstat.py snap PID             one line of JSON: {label: [run_time_ns, run_cnt]} over the programs PID holds
                                   (prog_id in /proc/PID/fdinfo: program and link fds), labelled name/type
  progstat.py diff A B C N         per iteration of a loop of N: (B - A) - (C - B) per label (C - B is an idle
                                   interval as long), as JSON {label: [ns_per_iter, runs_per_iter, ns_per_run]}

The counters move only while BPF_ENABLE_STATS is held (bench/tools2/bpf_stats.c).
"""
import glob
import json
import subprocess
import sys


def prog_ids(pid):
    ids = set()
    for f in glob.glob(f"/proc/{pid}/fdinfo/*"):
        try:
            with open(f) as fh:
                for line in fh:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def snap(pid):
    ids = prog_ids(pid)
    progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout or "[]")
    out = {}
    for p in progs:
        if p["id"] in ids:
            label = f'{p.get("name", "?")}/{p.get("type", "?")}'
            a = out.setdefault(label, [0, 0])
            a[0] += p.get("run_time_ns", 0)
            a[1] += p.get("run_cnt", 0)
    return out


def diff(a, b, c, n):
    out = {}
    for k in b:
        x, y, z = a.get(k, [0, 0]), b[k], c.get(k, b[k])
        ns = (y[0] - x[0]) - (z[0] - y[0])
        cnt = (y[1] - x[1]) - (z[1] - y[1])
        loop_cnt = y[1] - x[1]
        out[k] = [ns / n, cnt / n, (y[0] - x[0]) / loop_cnt if loop_cnt else 0.0]
    return out


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        print(json.dumps(snap(int(sys.argv[2]))))
    else:
        print(json.dumps(diff(*(json.loads(s) for s in sys.argv[2:5]), float(sys.argv[5]))))

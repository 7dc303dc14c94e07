#!/usr/bin/env python3
"""Print the timing figures of one extraction run: median and max ms per page, slowest pages.
Usage: summarise.py DATASET SCORES_JSON TIMES_TSV"""
import json
import statistics
import sys

name, scores_path, times_path = sys.argv[1:4]
times = []
for line in open(times_path, encoding="utf-8"):
    pid, ms = line.rstrip("\n").split("\t")
    times.append((float(ms), pid))
times.sort(reverse=True)
ms = [t for t, _ in times]
scores = json.load(open(scores_path, encoding="utf-8"))
parts = [f"{name}:"]
if "words" in scores:
    parts.append(f"words F1 {scores['words']['f1']:.3f}")
if "snippets" in scores:
    s = scores["snippets"]
    parts.append(f"snippets F1 {s['f1']:.3f}, leaked {s['fp']}/{s['fp'] + s['tn']}")
if "shingle" in scores:
    parts.append(f"shingle F1 {scores['shingle']['f1']:.3f}")
parts.append(f"median {statistics.median(ms):.1f} ms, mean {statistics.mean(ms):.1f} ms, "
             f"max {ms[0]:.1f} ms, pages over 200 ms: {sum(1 for t in ms if t > 200)}")
print("  " + "  |  ".join(parts))
print("  slowest: " + ", ".join(f"{pid} {t:.0f} ms" for t, pid in times[:5]))

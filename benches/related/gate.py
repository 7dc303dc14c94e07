#!/usr/bin/env python3
"""Related links by evidence and by where kiosque itself places their block, and what a
position gate would keep (issue 9, tenth round).

    KIOSQUE_BIN=... python3 benches/related/gate.py dump --labels A.jsonl [--labels B.jsonl ...] > links.tsv
    python3 benches/related/gate.py table links.tsv [--sets dev2,dev3]
    python3 benches/related/gate.py blocks links.tsv [--sets dev2,dev3] [--weak]

`dump` runs `kiosque extract --json` with KIOSQUE_RELATED_EVIDENCE set: each block's label
then reads "[evidence] [place] label", where place is kiosque's own measure (`body`,
`before`, `after N` characters of page text after the body's last prose paragraph,
`unknown`, plus ` rail` for a sidebar or widget), and writes one line per link found: set,
page, evidence, place, distance, rail, label, true/false. `table` counts true / false links by
evidence and place class; `blocks` lists each block (weak evidence only with --weak) with its
counts. Python standard library only.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from score import norm  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(REPO, "..", "shared", "corpus", "extraction")
TAG = re.compile(r"\[([a-z-]+)\] (?:\[([a-z]+)(?: (\d+))?( rail)?\] )?(.*)$", re.S)
RIGHT_AFTER = 1500


def set_name(path):
    base = os.path.basename(path)
    m = re.match(r"labels_?(.*)\.jsonl$", base)
    return (m.group(1) if m else base) or "tuning"


def dump(binary, label_files):
    with tempfile.TemporaryDirectory(prefix="kiosque-gate-") as tmp:
        env = dict(os.environ, KIOSQUE_DATA_DIR=os.path.join(tmp, "data"),
                   KIOSQUE_RELATED_EVIDENCE="1")
        for lf in label_files:
            name = set_name(lf)
            for line in open(lf, encoding="utf-8"):
                if not line.strip():
                    continue
                rec = json.loads(line)
                src = os.path.join(CORPUS, rec["file"])
                raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
                page = os.path.join(tmp, "page.html")
                with open(page, "wb") as f:
                    f.write(raw)
                p = subprocess.run([binary, "extract", page, "--url", rec["url"], "--json"],
                                   capture_output=True, env=env, timeout=120)
                found = json.loads(p.stdout).get("related") or [] if p.returncode == 0 else []
                gold = {norm(u) for u in rec["related"]}
                seen = set()
                for r in found:
                    k = norm(r["url"])
                    if k in seen:
                        continue
                    seen.add(k)
                    m = TAG.match(r.get("label") or "")
                    ev, place, dist, rail, label = m.groups() if m else ("untagged", None, None, None, "")
                    print("\t".join([name, rec["file"], ev, place or "-", dist or "-",
                                     "rail" if rail else "-", label.replace("\t", " ")[:60],
                                     "true" if k in gold else "false"]))
                missed = len(gold - seen)
                print("\t".join([name, rec["file"], "missed", "-", "-", "-", "", str(missed)]))


def load(path, sets):
    rows = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) != 8 or (sets and f[0] not in sets):
            continue
        rows.append(f)
    return rows


def place_class(row):
    _, _, ev, place, dist, rail, _, _ = row
    if rail == "rail":
        return "rail"
    if place == "after":
        return "right after" if int(dist) <= RIGHT_AFTER else "later"
    return {"body": "in body", "before": "before", "unknown": "unknown"}.get(place, "label-led")


def table(rows):
    wheres = ["in body", "right after", "later", "before", "rail", "unknown", "label-led"]
    counts = defaultdict(lambda: [0, 0])
    missed = 0
    for r in rows:
        if r[2] == "missed":
            missed += int(r[7])
            continue
        t = 0 if r[7] == "true" else 1
        for key in ((r[2], place_class(r)), (r[2], "all"), ("all", place_class(r)), ("all", "all")):
            counts[key][t] += 1
    evs = sorted({e for e, _ in counts if e != "all"}, key=lambda e: -sum(counts[(e, "all")]))
    print("| evidence | all T / F | " + " | ".join(wheres) + " |")
    print("|---|---:|" + "---:|" * len(wheres))
    for e in evs + ["all"]:
        cells = [f"{counts[(e, w)][0]} / {counts[(e, w)][1]}" if (e, w) in counts else ""
                 for w in wheres]
        a = counts[(e, "all")]
        print(f"| {e} | {a[0]} / {a[1]} | " + " | ".join(cells) + " |")
    t, f = counts[("all", "all")]
    print(f"missed {missed}; P {t / max(1, t + f):.3f} R {t / max(1, t + missed):.3f}")


def blocks(rows, weak_only):
    strong = {"tie-heading", "label-led", "label-credit", "source-credit", "lead-in-list",
              "heading-over-site-articles", "announced-lines", "pointer-paragraph",
              "article-aside"}
    per = defaultdict(lambda: [0, 0])
    for r in rows:
        if r[2] == "missed" or (weak_only and r[2] in strong):
            continue
        key = (r[0], r[1][-45:], r[2], place_class(r), r[4], r[6][:40])
        per[key][0 if r[7] == "true" else 1] += 1
    for key, (t, f) in sorted(per.items()):
        print(f"{t:3d} {f:3d}  " + "  ".join(key))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["dump", "table", "blocks"])
    ap.add_argument("tsv", nargs="?")
    ap.add_argument("--labels", action="append")
    ap.add_argument("--sets")
    ap.add_argument("--weak", action="store_true")
    args = ap.parse_args()
    if args.cmd == "dump":
        binary = os.environ.get("KIOSQUE_BIN", os.path.join(REPO, "target", "release", "kiosque"))
        dump(binary, args.labels)
        return 0
    sets = set(args.sets.split(",")) if args.sets else None
    rows = load(args.tsv, sets)
    if args.cmd == "table":
        table(rows)
    else:
        blocks(rows, args.weak)
    return 0


if __name__ == "__main__":
    sys.exit(main())

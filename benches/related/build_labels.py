#!/usr/bin/env python3
"""Builds labels.jsonl from the selection rule and the hand decisions in decisions.tsv.

    python3 benches/related/build_labels.py [CORPUS_DIR]      (default ../shared/corpus/extraction)
    python3 benches/related/build_labels.py --labels labels_validation.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_test.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev2.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev3.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev4.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --list --labels labels_validation.jsonl  # the pages
    python3 benches/related/build_labels.py --partial --labels labels_dev.jsonl  # while labelling

--labels names the set: labels.jsonl (the tuning set: every 12th page from index 0, decisions
in decisions.tsv), labels_validation.jsonl (the validation set: every 12th page from index 6,
decisions in decisions_validation.tsv), labels_test.jsonl (the test set: every 12th page
from index 3, decisions in decisions_test.tsv), labels_dev.jsonl (the development set: every
12th page from index 9, decisions in decisions_dev.tsv), labels_check.jsonl (the check set:
every 12th page from index 1, decisions in decisions_check.tsv), labels_dev2.jsonl (the
second development set: every 12th page from index 4, decisions in decisions_dev2.tsv),
labels_dev3.jsonl (the third development set: every 12th page from index 7, decisions in
decisions_dev3.tsv) or labels_dev4.jsonl (the fourth development set: every 12th page from
index 10, decisions in decisions_dev4.tsv); a relative name is taken beside this script.

Selection rule (fixed, decided before labelling): in each corpus folder, list the page files
in sorted (byte) order and take every 12th one starting with the first: trafilatura-eval/html/
(990 files -> 83 pages) and wcxb-test-articles/html/ (257 files -> 22 pages). Pages with no
usable URL (neither a URL key in evaldata.json / the WCXB ground truth nor a canonical/og:url
in the page) are left out. The decisions name link indices as candidates.py prints them; the
URLs are taken from the same parse, so labels.jsonl can be rebuilt from the corpus at any time.
Python standard library only.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import candidates  # noqa: E402

STEP = 12
FOLDERS = [("trafilatura", "trafilatura-eval/html"), ("wcxb", "wcxb-test-articles/html")]


# label file -> (decisions file, index of the first page taken in each folder, step)
SETS = {
    "labels.jsonl": ("decisions.tsv", 0, STEP),
    "labels_validation.jsonl": ("decisions_validation.tsv", 6, STEP),
    "labels_test.jsonl": ("decisions_test.tsv", 3, STEP),
    "labels_dev.jsonl": ("decisions_dev.tsv", 9, STEP),
    "labels_check.jsonl": ("decisions_check.tsv", 1, STEP),
    "labels_dev2.jsonl": ("decisions_dev2.tsv", 4, STEP),
    "labels_dev3.jsonl": ("decisions_dev3.tsv", 7, STEP),
    "labels_dev4.jsonl": ("decisions_dev4.tsv", 10, STEP),
}


def selection(corpus, start=0, step=STEP):
    for tag, folder in FOLDERS:
        names = sorted(os.listdir(os.path.join(corpus, folder)))
        for name in names[start::step]:
            yield tag, folder + "/" + name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.path.join(HERE, "../../../shared/corpus/extraction"))
    ap.add_argument("--labels", default="labels.jsonl", choices=sorted(SETS),
                    help="which set to build (its decisions file and start index follow)")
    ap.add_argument("--list", action="store_true", help="print the selected pages and stop")
    ap.add_argument("--partial", action="store_true",
                    help="write the pages labelled so far instead of stopping on unlabelled ones "
                         "(for committing a set while it is being labelled)")
    args = ap.parse_args()
    corpus = args.corpus
    decisions_name, start, step = SETS[os.path.basename(args.labels)]
    if args.list:
        for _tag, path in selection(corpus, start, step):
            print(path)
        return
    decisions = {}
    for line in open(os.path.join(HERE, decisions_name), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        path, idx, notes = line.rstrip("\n").split("\t", 2)
        decisions[path] = (idx, notes)
    out = []
    missing = []
    for tag, path in selection(corpus, start, step):
        if path not in decisions:
            missing.append(path)
            continue
        idx, notes = decisions[path]
        if idx == "SKIP":
            continue
        _doc, url, _text, links = candidates.load(corpus, path)
        if not url:
            raise SystemExit(f"{path}: no URL but not marked SKIP")
        related = []
        for i in (int(x) for x in idx.split(",") if x):
            u = links[i]["url"]
            if u not in related:
                related.append(u)
        out.append({"corpus": tag, "file": path, "url": url, "related": related, "notes": notes})
    if missing and not args.partial:
        raise SystemExit("not labelled yet: " + ", ".join(missing))
    if missing:
        print(f"partial: {len(missing)} pages not labelled yet")
    with open(os.path.join(HERE, os.path.basename(args.labels)), "w", encoding="utf-8") as f:
        for rec in out:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with_rel = sum(1 for r in out if r["related"])
    print(f"{len(out)} pages, {with_rel} with related links, "
          f"{sum(len(r['related']) for r in out)} links")


if __name__ == "__main__":
    main()

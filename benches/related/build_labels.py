#!/usr/bin/env python3
"""Builds labels.jsonl from the selection rule and the hand decisions in decisions.tsv.

    python3 benches/related/build_labels.py [CORPUS_DIR]      (default ../shared/corpus/extraction)

Selection rule (fixed, decided before labelling): in each corpus folder, list the page files
in sorted (byte) order and take every 12th one starting with the first: trafilatura-eval/html/
(990 files -> 83 pages) and wcxb-test-articles/html/ (257 files -> 22 pages). Pages with no
usable URL (neither a URL key in evaldata.json / the WCXB ground truth nor a canonical/og:url
in the page) are left out. The decisions name link indices as candidates.py prints them; the
URLs are taken from the same parse, so labels.jsonl can be rebuilt from the corpus at any time.
Python standard library only.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import candidates  # noqa: E402

STEP = 12
FOLDERS = [("trafilatura", "trafilatura-eval/html"), ("wcxb", "wcxb-test-articles/html")]


def selection(corpus):
    for tag, folder in FOLDERS:
        names = sorted(os.listdir(os.path.join(corpus, folder)))
        for name in names[::STEP]:
            yield tag, folder + "/" + name


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/corpus/extraction")
    decisions = {}
    for line in open(os.path.join(HERE, "decisions.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        path, idx, notes = line.rstrip("\n").split("\t", 2)
        decisions[path] = (idx, notes)
    out = []
    missing = []
    for tag, path in selection(corpus):
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
    if missing:
        raise SystemExit("not labelled yet: " + ", ".join(missing))
    with open(os.path.join(HERE, "labels.jsonl"), "w", encoding="utf-8") as f:
        for rec in out:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with_rel = sum(1 for r in out if r["related"])
    print(f"{len(out)} pages, {with_rel} with related links, "
          f"{sum(len(r['related']) for r in out)} links")


if __name__ == "__main__":
    main()

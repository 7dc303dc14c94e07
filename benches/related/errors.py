#!/usr/bin/env python3
"""Every false positive and every miss of kiosque's related links on the labelled set, with
its context, so errors can be grouped by kind rather than fixed page by page.

    KIOSQUE_BIN=... python3 benches/related/errors.py [CORPUS_DIR] [--labels FILE] [--only SUBSTRING]

For each page with errors it prints, per wrong link: FP (kiosque listed it, the labels do not)
or FN (labelled, kiosque missed it), the label kiosque gave (FP), the anchor's text, the
nearest heading-like text before it, and its ancestors (tag#id.class). Uses the parse of
candidates.py and the normalisation of score.py. Python standard library only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import gzip

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import candidates  # noqa: E402
from score import norm  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def extract(binary, corpus, rec, tmp):
    src = os.path.join(corpus, rec["file"])
    raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    page = os.path.join(tmp, "page.html")
    with open(page, "wb") as f:
        f.write(raw)
    env = dict(os.environ, KIOSQUE_DATA_DIR=os.path.join(tmp, "data"))
    p = subprocess.run([binary, "extract", page, "--url", rec["url"], "--json"],
                       capture_output=True, env=env, timeout=120)
    if p.returncode != 0:
        return []
    return json.loads(p.stdout).get("related") or []


def context(links, text, url):
    """Where `url` sits in the page: anchor text, heading before it, ancestors."""
    key = norm(url)
    out = []
    for l in links:
        if norm(l["url"]) != key:
            continue
        h = candidates.heading_before(text, l["start"], max(0, l["start"] - 400))
        path = ">".join(candidates.desc(n) for n in l["ctx"][-7:-1])
        out.append(f"      text {l['text'][:70]!r}\n      before {h[-90:]!r}\n      path {path[-200:]}")
        if len(out) >= 2:
            break
    return out or ["      (no anchor with this URL in the page)"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?",
                    default=os.path.join(REPO, "..", "shared", "corpus", "extraction"))
    ap.add_argument("--labels", default=os.path.join(HERE, "labels.jsonl"))
    ap.add_argument("--only")
    args = ap.parse_args()
    binary = os.environ.get("KIOSQUE_BIN", os.path.join(REPO, "target", "release", "kiosque"))
    labels = [json.loads(l) for l in open(args.labels, encoding="utf-8") if l.strip()]
    if args.only:
        labels = [r for r in labels if args.only in r["file"]]
    with tempfile.TemporaryDirectory(prefix="kiosque-related-") as tmp:
        for rec in labels:
            found = extract(binary, args.corpus, rec, tmp)
            gold = {norm(u): u for u in rec["related"]}
            pred = {}
            for r in found:
                pred.setdefault(norm(r["url"]), r)
            fps = [r for k, r in pred.items() if k not in gold]
            fns = [u for k, u in gold.items() if k not in pred]
            if not fps and not fns:
                continue
            _, _, text, links = candidates.load(args.corpus, rec["file"])
            print(f"== {rec['file']}  ({len(gold)} labelled, {len(pred)} found)")
            print(f"   notes: {rec.get('notes', '')[:200]}")
            for r in fps:
                print(f"  FP [{r.get('label')}] {r['url']}")
                print("\n".join(context(links, text, r["url"])))
            for u in fns:
                print(f"  FN {u}")
                print("\n".join(context(links, text, u)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Every false positive and every miss of kiosque's related links on the labelled set, with
its context, so errors can be grouped by kind rather than fixed page by page.

    KIOSQUE_BIN=... python3 benches/related/errors.py [CORPUS_DIR] [--labels FILE] [--only SUBSTRING]
    KIOSQUE_BIN=... python3 benches/related/errors.py --by-evidence --labels A.jsonl --labels B.jsonl

--by-evidence instead counts true and false links (and misses) by the evidence that found
them (kiosque tags each label when KIOSQUE_RELATED_EVIDENCE is set: "[tie-heading] Related")
and by where the link sits in the page: in the body (between the corpus ground truth's first
and last snippets), right after it (within 1,500 characters of page text), later, before the
body, or in a rail (among its nearest eight ancestors an `aside` outside the article, a
sidebar, a rail, a widget area); one table
per label file and one pooled over all of them.

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
import re

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import candidates  # noqa: E402
from score import norm  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def extract(binary, corpus, rec, tmp, evidence=False):
    src = os.path.join(corpus, rec["file"])
    raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    page = os.path.join(tmp, "page.html")
    with open(page, "wb") as f:
        f.write(raw)
    env = dict(os.environ, KIOSQUE_DATA_DIR=os.path.join(tmp, "data"))
    if evidence:
        env["KIOSQUE_RELATED_EVIDENCE"] = "1"
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


RAIL_RE = re.compile(r"sidebar|(^|[\s_-])rail([\s_-]|$)|complementary|widget-area|widget_area")
AFTER_BODY_CHARS = 1500


def position(links, url, span):
    """Where the first visible anchor to `url` sits (see --by-evidence), preferring anchors
    that are not site chrome."""
    key = norm(url)
    anchors = [l for l in links if norm(l["url"]) == key]
    if not anchors:
        return "absent"
    anchors.sort(key=lambda l: (candidates.chrome(l), l["start"]))
    l = anchors[0]
    in_article = any(n.tag in ("article", "main") for n in l["ctx"][:-8])
    # The nearest eight ancestors (as kiosque's `in_rail`): a page-wide wrapper's
    # "has-sidebar" says nothing about where the link sits.
    for n in l["ctx"][-8:]:
        if n.tag in ("body", "html"):
            continue
        if n.tag in ("article", "main"):
            in_article = True
        names = (n.attrs.get("class", "") + " " + n.attrs.get("id", "") + " "
                 + n.attrs.get("role", "")).lower()
        if (n.tag == "aside" and not in_article) or RAIL_RE.search(names):
            return "rail"
    if span is None:
        return "unknown"
    bs, be = span
    if l["start"] < bs:
        return "before body"
    if l["start"] <= be:
        return "in body"
    if l["start"] - be <= AFTER_BODY_CHARS:
        return "right after"
    return "later"


def evidence_of(label):
    m = re.match(r"\[([a-z-]+)\] ", label or "")
    return m.group(1) if m else "untagged"


def by_evidence(binary, corpus, label_files):
    """Tables of true / false links by evidence and by position, per set and pooled."""
    pooled = {}
    with tempfile.TemporaryDirectory(prefix="kiosque-related-") as tmp:
        for lf in label_files:
            name = os.path.basename(lf)
            counts = {}
            for line in open(lf, encoding="utf-8"):
                if not line.strip():
                    continue
                rec = json.loads(line)
                found = extract(binary, corpus, rec, tmp, evidence=True)
                gold = {norm(u): u for u in rec["related"]}
                pred = {}
                for r in found:
                    pred.setdefault(norm(r["url"]), r)
                _, _, text, links = candidates.load(corpus, rec["file"])
                try:
                    span = candidates.body_span(text, corpus, rec["file"])
                except (AttributeError, KeyError, TypeError):
                    span = None  # a ground truth without a main text
                for k, r in pred.items():
                    kind = "true" if k in gold else "false"
                    where = position(links, r["url"], span)
                    ev = evidence_of(r.get("label"))
                    for key in ((ev, "all"), ("all", where), (ev, where), ("all", "all")):
                        for table in (counts, pooled):
                            c = table.setdefault(key, {"true": 0, "false": 0, "missed": 0})
                            c[kind] += 1
                for k, u in gold.items():
                    if k in pred:
                        continue
                    where = position(links, u, span)
                    for key in (("missed", "all"), ("all", where), ("missed", where),
                                ("all", "all")):
                        for table in (counts, pooled):
                            table.setdefault(key, {"true": 0, "false": 0, "missed": 0})
                            table[key]["missed"] += 1
            print_table(name, counts)
        if len(label_files) > 1:
            print_table("pooled", pooled)


def print_table(name, counts):
    wheres = ["in body", "right after", "later", "before body", "rail", "unknown", "absent"]
    evs = sorted({e for e, w in counts if e not in ("all", "missed")},
                 key=lambda e: -counts[(e, "all")]["true"] - counts[(e, "all")]["false"])
    print(f"\n## {name}: true / false links by evidence and by position (misses by position)")
    print("| evidence | all T / F | " + " | ".join(wheres) + " |")
    print("|---|---:|" + "---:|" * len(wheres))

    def cell(c, missed=False):
        if not c:
            return ""
        return str(c["missed"]) if missed else f"{c['true']} / {c['false']}"
    for e in evs + ["all"]:
        row = [cell(counts.get((e, w))) for w in wheres]
        print(f"| {e} | {cell(counts.get((e, 'all')))} | " + " | ".join(row) + " |")
    row = [cell(counts.get(("missed", w)), True) for w in wheres]
    print(f"| missed | {cell(counts.get(('missed', 'all')), True)} | " + " | ".join(row) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?",
                    default=os.path.join(REPO, "..", "shared", "corpus", "extraction"))
    ap.add_argument("--labels", action="append")
    ap.add_argument("--only")
    ap.add_argument("--by-evidence", action="store_true")
    args = ap.parse_args()
    binary = os.environ.get("KIOSQUE_BIN", os.path.join(REPO, "target", "release", "kiosque"))
    label_files = args.labels or [os.path.join(HERE, "labels.jsonl")]
    if args.by_evidence:
        by_evidence(binary, args.corpus, label_files)
        return 0
    args.labels = label_files[0]
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

#!/usr/bin/env python3
"""Scores kiosque's related-link detection against the hand labels in labels.jsonl.

    python3 benches/related/score.py [CORPUS_DIR] [--labels FILE] [--verbose] [--json FILE] [--only SUBSTRING]

--labels picks the label set: labels.jsonl (default, the tuning set) or
labels_validation.jsonl (the validation set nobody tuned on; see README.md).

CORPUS_DIR defaults to ../shared/corpus/extraction beside the repository. The binary is
$KIOSQUE_BIN (default target/release/kiosque). For every labelled page it runs
`kiosque extract FILE --url URL --json` (the page is gunzipped to a temporary file first) and
compares the `related[].url` it prints with the labelled URLs, both normalised: fragment
dropped, scheme ignored (http = https), host lower-cased and IDNA-encoded, a leading "www."
kept, trailing slash dropped, `utm_*` query parameters dropped.

Prints micro precision / recall / F1 over all links, mean per-page recall (over pages with
labelled links), and counts; --verbose adds a per-page table of misses and false positives.
Python standard library only.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def norm(url):
    url = url.strip()
    try:
        s = urlsplit(url)
    except ValueError:
        return url
    host = (s.hostname or "").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if s.port and s.port not in (80, 443):
        host += f":{s.port}"
    path = quote(unquote(s.path), safe="/%:@!$&'()*+,;=~-._") or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(s.query, keep_blank_values=True)
             if not k.lower().startswith("utm_")]
    q = urlencode(query)
    if path == "/" and not q:
        path = ""
    return urlunsplit(("", host, path, q, ""))


def run_extract(binary, corpus, rec, tmpdir, timeout):
    src = os.path.join(corpus, rec["file"])
    raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    page = os.path.join(tmpdir, "page.html")
    with open(page, "wb") as f:
        f.write(raw)
    env = dict(os.environ, KIOSQUE_DATA_DIR=os.path.join(tmpdir, "data"))
    t0 = time.monotonic()
    p = subprocess.run([binary, "extract", page, "--url", rec["url"], "--json"],
                       capture_output=True, env=env, timeout=timeout)
    ms = (time.monotonic() - t0) * 1000
    if p.returncode != 0:
        return None, ms, p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["exit %d" % p.returncode]
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return None, ms, [f"bad JSON: {e}"]
    return [r.get("url", "") for r in doc.get("related") or []], ms, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.path.join(REPO, "..", "shared", "corpus", "extraction"))
    ap.add_argument("--labels", default=os.path.join(HERE, "labels.jsonl"))
    ap.add_argument("--verbose", "-v", action="store_true", help="per-page misses and false positives")
    ap.add_argument("--json", metavar="FILE", help="write totals and per-page results as JSON")
    ap.add_argument("--only", metavar="SUBSTRING", help="only pages whose file contains SUBSTRING")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per page (default 60)")
    args = ap.parse_args()

    corpus = os.path.normpath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"corpus not found at {corpus}: nothing to score (skipped)")
        return 0
    binary = os.environ.get("KIOSQUE_BIN", os.path.join(REPO, "target", "release", "kiosque"))
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"kiosque binary not found at {binary}: build it or set KIOSQUE_BIN", file=sys.stderr)
        return 2

    labels = [json.loads(l) for l in open(args.labels, encoding="utf-8") if l.strip()]
    if args.only:
        labels = [r for r in labels if args.only in r["file"]]

    tp = fp = fn = 0
    recalls, rows, errors, times = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="kiosque-related-") as tmp:
        for rec in labels:
            try:
                found, ms, err = run_extract(binary, corpus, rec, tmp, args.timeout)
            except subprocess.TimeoutExpired:
                found, ms, err = None, args.timeout * 1000, ["timeout"]
            times.append(ms)
            if err:
                errors.append((rec["file"], err[0]))
                found = []
            gold = {}
            for u in rec["related"]:
                gold.setdefault(norm(u), u)
            pred = {}
            for u in found:
                pred.setdefault(norm(u), u)
            hit = [k for k in gold if k in pred]
            miss = [gold[k] for k in gold if k not in pred]
            extra = [pred[k] for k in pred if k not in gold]
            tp += len(hit)
            fn += len(miss)
            fp += len(extra)
            if gold:
                recalls.append(len(hit) / len(gold))
            rows.append({"file": rec["file"], "url": rec["url"], "labelled": len(gold),
                         "found": len(hit), "missed": miss, "false_positives": extra,
                         "notes": rec.get("notes", ""), "error": err[0] if err else None})

    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    mean_r = sum(recalls) / len(recalls) if recalls else 1.0
    pages_fp = sum(1 for row in rows if row["false_positives"])
    times.sort()
    print(f"related links on {len(rows)} labelled pages ({len(recalls)} with related links, "
          f"{tp + fn} links labelled)")
    print(f"precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  mean per-page recall {mean_r:.3f}")
    print(f"found {tp} of {tp + fn}; false positives {fp} (on {pages_fp} pages); "
          f"errors {len(errors)}; median {times[len(times) // 2]:.0f} ms/page" if times else "")
    for f, e in errors:
        print(f"  error: {f}: {e}")
    if args.verbose:
        print()
        print("| page | labelled | found | missed | false positives | notes |")
        print("|---|---:|---:|---|---|---|")
        for row in rows:
            if not row["missed"] and not row["false_positives"]:
                continue
            print(f"| {row['file']} | {row['labelled']} | {row['found']} | "
                  f"{' '.join(row['missed'])} | {' '.join(row['false_positives'])} | {row['notes']} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"pages": len(rows), "pages_with_related": len(recalls),
                       "labelled": tp + fn, "found": tp, "false_positives": fp,
                       "precision": p, "recall": r, "f1": f1, "mean_page_recall": mean_r,
                       "errors": len(errors), "per_page": rows}, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

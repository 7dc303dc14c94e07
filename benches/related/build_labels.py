#!/usr/bin/env python3
"""Builds labels.jsonl from the selection rule and the hand decisions in decisions.tsv.

    python3 benches/related/build_labels.py [CORPUS_DIR]      (default ../shared/corpus/extraction)
    python3 benches/related/build_labels.py --labels labels_validation.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_test.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev2.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev3.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_dev4.jsonl [CORPUS_DIR]
    python3 benches/related/build_labels.py --labels labels_moz.jsonl [CORPUS_DIR]
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
index 10, decisions in decisions_dev4.tsv) or labels_moz.jsonl (the moz set, from another
corpus: see below; decisions in decisions_moz.tsv); a relative name is taken beside this script.

Selection rule (fixed, decided before labelling): in each corpus folder, list the page files
in sorted (byte) order and take every 12th one starting with the first: trafilatura-eval/html/
(990 files -> 83 pages) and wcxb-test-articles/html/ (257 files -> 22 pages). Pages with no
usable URL (neither a URL key in evaldata.json / the WCXB ground truth nor a canonical/og:url
in the page) are left out. The decisions name link indices as candidates.py prints them; the
URLs are taken from the same parse, so labels.jsonl can be rebuilt from the corpus at any time.
Python standard library only.

Moz set rule (labels_moz.jsonl; fixed and written here before any page's links were looked
at): the folders of mozilla-readability/test-pages/ (130), in sorted (byte) order; the page is
each folder's source.html.gz (source.html when not gzipped). A folder is taken when both hold:
  1. the page has a usable URL, checked mechanically (candidates.moz_page_url): the first of
     <link rel=canonical href>, <meta property=og:url>, <meta name=twitter:url>,
     <meta name=parsely-link>, a JSON-LD "mainEntityOfPage" (string or its "@id") or "url"
     of the page's own Article/NewsArticle/BlogPosting object, the browser's
     "<!-- saved from url=(NNNN)URL -->" comment, <link rel=shortlink href>, that is an
     absolute http(s) URL whose host is not a placeholder (fakehost, localhost, example.*).
     Pages with none are left out.
  2. it is a real site's page, not one of readability's synthetic test cases, decided from the
     folder name and the page's <title> only (never from its body or links): folder names
     that name a site or publication (bbc-1, nytimes-1, lemonde-1, wapo-1, ...) are real;
     names that number a case (001, 002, ...) or name a parser feature (base-url, replace-brs,
     hidden-nodes, lazy-image-1, ...) are synthetic unless the <title> shows a real site's
     page. The synthetic folders are listed in MOZ_SYNTHETIC with the reason.
Every page so taken is labelled (no sampling). Base URL: the usable URL above; a <base href>
in the page resolves links, as for the other sets. The jsonl lines carry corpus "mozilla" and
file "mozilla-readability/test-pages/FOLDER/source.html.gz" (relative to the corpus dir).
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

MOZ_SET = "labels_moz.jsonl"
MOZ_DECISIONS = "decisions_moz.tsv"
MOZ_DIR = "mozilla-readability/test-pages"
# readability's synthetic test cases, judged from the folder name and <title> only (rule 2 above)
_FEATURE = "folder names a parser feature, <title> a test's"
MOZ_SYNTHETIC = {
    "003-metadata-preferred": "numbered case, <title> 'Title Element'",
    "004-metadata-space-separated-properties": "numbered case, <title> 'Title Element'",
    "005-unescape-html-entities": "numbered case, no <title>",
    "article-author-tag": "folder names a parser feature, empty <title>",
    "base-url": _FEATURE, "base-url-base-element": _FEATURE,
    "base-url-base-element-relative": _FEATURE, "basic-tags-cleaning": _FEATURE,
    "comment-inside-script-parsing": _FEATURE, "data-url-image": "feature, <title> 'Document'",
    "dev418": "<title> 'Readability Test'", "embedded-videos": _FEATURE,
    "hidden-nodes": "feature, <title> lorem ipsum", "invalid-attributes": "feature, <title> 'Lorem Ipsum'",
    "js-link-replacement": _FEATURE, "lazy-image-3": _FEATURE,
    "metadata-content-missing": "feature, <title> 'Title Element'",
    "missing-paragraphs": "feature, <title> lorem ipsum", "normalize-spaces": _FEATURE,
    "ol": "feature, no <title>", "parsely-metadata": "feature, no <title>",
    "remove-aria-hidden": _FEATURE, "remove-extra-brs": _FEATURE, "remove-extra-paragraphs": _FEATURE,
    "remove-script-tags": _FEATURE, "reordering-paragraphs": "feature, no <title>",
    "replace-brs": _FEATURE, "replace-font-tags": _FEATURE,
    "rtl-1": "<title> 'RTL Test'", "rtl-2": "<title> 'RTL Test'", "rtl-3": "<title> 'RTL Test'",
    "rtl-4": "<title> 'RTL Test'", "social-buttons": _FEATURE, "style-tags-removal": _FEATURE,
    "svg-parsing": _FEATURE, "title-and-h1-discrepancy": "feature, <title> a test sentence",
    "title-en-dash": "feature, <title> lorem ipsum", "visibility-hidden": _FEATURE,
}


def moz_source(corpus, folder):
    rel = MOZ_DIR + "/" + folder + "/source.html"
    return rel + ".gz" if os.path.exists(os.path.join(corpus, rel + ".gz")) else rel


def moz_selection(corpus):
    """The moz set: real sites' pages with a usable URL, in sorted folder order (rule above)."""
    for folder in sorted(os.listdir(os.path.join(corpus, MOZ_DIR))):
        if folder in MOZ_SYNTHETIC:
            continue
        rel = moz_source(corpus, folder)
        if candidates.moz_page_url(candidates.read_html(os.path.join(corpus, rel))):
            yield "mozilla", rel


def selection(corpus, start=0, step=STEP):
    for tag, folder in FOLDERS:
        names = sorted(os.listdir(os.path.join(corpus, folder)))
        for name in names[start::step]:
            yield tag, folder + "/" + name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.path.join(HERE, "../../../shared/corpus/extraction"))
    ap.add_argument("--labels", default="labels.jsonl", choices=sorted(SETS) + [MOZ_SET],
                    help="which set to build (its decisions file and start index follow)")
    ap.add_argument("--list", action="store_true", help="print the selected pages and stop")
    ap.add_argument("--partial", action="store_true",
                    help="write the pages labelled so far instead of stopping on unlabelled ones "
                         "(for committing a set while it is being labelled)")
    args = ap.parse_args()
    corpus = args.corpus
    if os.path.basename(args.labels) == MOZ_SET:
        decisions_name = MOZ_DECISIONS
        pages = list(moz_selection(corpus))
    else:
        decisions_name, start, step = SETS[os.path.basename(args.labels)]
        pages = list(selection(corpus, start, step))
    if args.list:
        for _tag, path in pages:
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
    for tag, path in pages:
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

#!/usr/bin/env python3
"""List the boilerplate ("without") snippets of trafilatura-eval that an extraction run left in
its text, one a line: page, snippet, and the chain of elements (tag.class#id, innermost last)
that holds the snippet in the source page, so leaks can be grouped by structure, not phrase.

Usage: benches/extraction_leaks.py BENCH_OUT [OTHER_BENCH_OUT]
  BENCH_OUT is the BENCH_OUT of a `benches/extraction.sh trafilatura` run; with a second run,
  only the leaks of the first that the second does not have are listed.
Needs ../shared/corpus/extraction beside the repository."""
import html.parser
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "corpus", "extraction"))
import score  # noqa: E402  (the corpus's scorer: its loaders and text normalisation)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}


class Chains(html.parser.HTMLParser):
    """The page's text, and for each text run the element chain above it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.runs, self.length, self.skip = [], [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        label = tag + "".join("." + c for c in (a.get("class") or "").split()[:3])
        label += "#" + a["id"] if a.get("id") else ""
        label += "[itemprop=" + a["itemprop"] + "]" if a.get("itemprop") else ""
        self.stack.append((tag, label))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.skip -= tag in ("script", "style") and self.skip > 0
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.skip:
            return
        self.runs.append((self.length, [label for _, label in self.stack]))
        self.text.append(data)
        self.length += len(data)


def chain_of(page, snippet):
    parser = Chains()
    parser.feed(score._read_gz_text(page.html))
    at = "".join(parser.text).find(snippet[:40])
    if at < 0:
        return "?"
    chain = []
    for start, labels in parser.runs:
        if start > at:
            break
        chain = labels
    return " > ".join(chain[-6:])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    preds = [os.path.join(d, "trafilatura", "pred") for d in sys.argv[1:3]]
    pages, _ = score.load("trafilatura")
    count = 0
    for page in pages:
        texts = [score.norm_ws(score.read_pred(p, page.id, ".txt") or "") for p in preds]
        for snippet in page.without:
            s = score.norm_ws(snippet)
            if s in texts[0] and (len(texts) == 1 or s not in texts[1]):
                count += 1
                print(f"{page.id}\t{s[:90]!r}\t{chain_of(page, s)}")
    print(f"{count} leaked", file=sys.stderr)


if __name__ == "__main__":
    main()

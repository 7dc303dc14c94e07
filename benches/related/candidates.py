#!/usr/bin/env python3
"""Labelling aid for the related-links set: lists a page's candidate link blocks.

It does not decide anything: it prints, for one corpus page, the links a labeller has to
look at (in-body lines and boxes with few words besides their links, label-led lines, and
every link after the article body grouped under the nearest heading), each with a stable
index. The labeller reads them (and the HTML where in doubt) and writes the chosen indices
in decisions.txt; build_labels.py turns indices into URLs with the same code.

    python3 benches/related/candidates.py CORPUS_DIR FILE [--all]

FILE is relative to CORPUS_DIR (wcxb-test-articles/html/ID.html.gz or
trafilatura-eval/html/NAME.html.gz). Python standard library only.
"""
import gzip
import html
import json
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "select", "button"}
BLOCK = {"p", "li", "div", "section", "article", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
         "ul", "ol", "dl", "dd", "dt", "table", "tr", "td", "blockquote", "figure", "header",
         "footer", "nav", "main", "form", "figcaption", "center"}
LABEL_RE = re.compile(
    r"(read (also|more|next)|see also|related|more on|more:|via\b|source|sources|originally|"
    r"provided by|explore further|more information|recommended|further reading|"
    r"à lire|a lire|lire aussi|voir aussi|sur le même|même thème|"
    r"lesen sie|lesen auch|mehr zum|mehr zu|siehe auch|weitere|auch interessant|das könnte|quelle|"
    r"leia|veja|saiba mais|relacionad|lee también|lea también|ver también|fuente|"
    r"leggi anche|vedi anche|correlat|fonte|czytaj|zobacz|читайте|по теме|материалы|источник|"
    r"baca juga|관련)", re.I)


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.children, self.parent = tag, attrs, [], parent


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in ("p", "li", "option") and self.cur.tag == tag:
            self.cur = self.cur.parent
        n = Node(tag, a, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: (v or "") for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def read_html(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    m = re.search(rb'<meta[^>]+charset=["\']?\s*([\w-]+)', raw[:4096], re.I)
    enc = m.group(1).decode("ascii", "replace").lower() if m else "utf-8"
    try:
        return raw.decode(enc)
    except (LookupError, UnicodeDecodeError):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")


def hidden(n):
    if "hidden" in n.attrs:
        return True
    st = n.attrs.get("style", "").replace(" ", "").lower()
    return "display:none" in st or "visibility:hidden" in st


def desc(n):
    """tag.class#id, short."""
    s = n.tag
    if n.attrs.get("id"):
        s += "#" + n.attrs["id"][:30]
    if n.attrs.get("class"):
        s += "." + ".".join(n.attrs["class"].split()[:3])[:50]
    return s


PLACEHOLDER_HOST = re.compile(r"(^|\.)(fakehost|localhost|example\.(com|org|net))$", re.I)


def moz_page_url(doc):
    """The page's own absolute URL for mozilla-readability pages (rule in build_labels.py)."""
    def attr_pats(tag, key, val, want):
        return [rf'<{tag}[^>]+{key}=["\']{val}["\'][^>]*{want}=["\']([^"\']+)',
                rf'<{tag}[^>]+{want}=["\']([^"\']+)["\'][^>]*{key}=["\']{val}["\']']
    found = []
    for tag, key, val, want in (("link", "rel", "canonical", "href"),
                                ("meta", "property", "og:url", "content"),
                                ("meta", "name", "twitter:url", "content"),
                                ("meta", "name", "parsely-link", "content")):
        found += [m.group(1) for p in attr_pats(tag, key, val, want)
                  for m in [re.search(p, doc, re.I)] if m]
    for blob in re.findall(r'<script[^>]+application/ld\+json[^>]*>(.*?)</script>', doc, re.I | re.S):
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        for obj in (data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []):
            if not isinstance(obj, dict) or not re.search(r"Article|BlogPosting|Report", str(obj.get("@type", ""))):
                continue
            me = obj.get("mainEntityOfPage")
            found += [me if isinstance(me, str) else (me or {}).get("@id", "") if isinstance(me, dict) else "",
                      obj.get("url") if isinstance(obj.get("url"), str) else ""]
    m = re.search(r"<!-- saved from url=\(\d+\)(\S+?) -->", doc)
    found += [m.group(1)] if m else []
    found += [m.group(1) for p in attr_pats("link", "rel", "shortlink", "href") for m in [re.search(p, doc, re.I)] if m]
    for u in found:
        u = html.unescape(u or "").strip()
        su = urlsplit(u)
        if su.scheme in ("http", "https") and su.hostname and not PLACEHOLDER_HOST.search(su.hostname):
            return u
    return None


def page_url(corpus, rel, doc):
    if rel.startswith("mozilla-readability/"):
        return moz_page_url(doc)
    if rel.startswith("wcxb-test-articles/"):
        fid = os.path.basename(rel).split(".")[0]
        gt = json.load(open(os.path.join(corpus, "wcxb-test-articles/ground-truth", fid + ".json")))
        return gt.get("url") or None
    ev = json.load(open(os.path.join(corpus, "trafilatura-eval/evaldata.json")))
    name = os.path.basename(rel)[:-3] if rel.endswith(".gz") else os.path.basename(rel)
    for k, v in ev.items():
        if v["file"] == name and k.startswith(("http://", "https://")):
            return k
    # hard:: pages: the page's own canonical link or og:url
    for pat in (r'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)',
                r'<link[^>]+href=["\']([^"\']+)["\'][^>]*rel=["\']canonical',
                r'<meta[^>]+property=["\']og:url["\'][^>]*content=["\']([^"\']+)',
                r'<meta[^>]+content=["\']([^"\']+)["\'][^>]*property=["\']og:url'):
        m = re.search(pat, doc, re.I)
        if m and m.group(1).startswith("http"):
            return html.unescape(m.group(1))
    return None


def snippets(corpus, rel):
    """Text known to be in the article body (first and last), from the corpus ground truth."""
    if rel.startswith("mozilla-readability/"):
        exp = os.path.join(corpus, os.path.dirname(rel), "expected.html")
        raw = gzip.open(exp + ".gz").read() if os.path.exists(exp + ".gz") else open(exp, "rb").read()
        paras = [norm(html.unescape(re.sub(r"<[^>]+>", " ", p))) for p in
                 re.split(r"</?(?:p|h[1-6]|li|pre|blockquote|td)\b[^>]*>", raw.decode("utf-8", "replace"))]
        paras = [p for p in paras if len(p) > 30]
        return paras[:3] + paras[-6:], []
    if rel.startswith("wcxb-test-articles/"):
        fid = os.path.basename(rel).split(".")[0]
        gt = json.load(open(os.path.join(corpus, "wcxb-test-articles/ground-truth", fid + ".json")))
        paras = [p.strip() for p in gt["ground_truth"]["main_content"].split("\n") if len(p.strip()) > 30]
        return paras[:3] + paras[-6:], gt["ground_truth"].get("with", [])
    ev = json.load(open(os.path.join(corpus, "trafilatura-eval/evaldata.json")))
    name = os.path.basename(rel)[:-3]
    for v in ev.values():
        if v["file"] == name:
            return [], v["with"]
    return [], []


def linearise(root, base):
    """Text of the page (whitespace-collapsed) plus every visible link with its offsets."""
    out, links, blocks = [], [], []
    pos = [0]

    def emit(s):
        s = re.sub(r"\s+", " ", s)
        if s.strip():
            out.append(s)
            pos[0] += len(s)

    def walk(n, ctx):
        for c in n.children:
            if isinstance(c, str):
                emit(c)
                continue
            if c.tag in SKIP or hidden(c):
                continue
            if c.tag in ("head", "title"):
                continue
            if c.tag in BLOCK:
                emit(" \n ")
            if c.tag == "img" and c.attrs.get("alt"):
                emit(" [img:" + c.attrs["alt"][:40] + "] ")
            if c.tag == "a" and c.attrs.get("href"):
                start = pos[0]
                walk(c, ctx + [c])
                href = html.unescape(c.attrs["href"]).strip()
                if re.match(r"(javascript|mailto|tel|data):", href, re.I) or href.startswith("#"):
                    continue
                txt = "".join(out)[start:] if False else None
                try:
                    absu = urljoin(base, href)
                except ValueError:
                    continue
                links.append({"start": start, "end": pos[0], "href": href,
                              "url": absu, "ctx": ctx + [c]})
                continue
            walk(c, ctx + [c])
            if c.tag in BLOCK:
                emit(" \n ")
    walk(root, [])
    text = "".join(out)
    for l in links:
        l["text"] = re.sub(r"\s+", " ", text[l["start"]:l["end"]]).strip()
    return text, links


def load(corpus, rel):
    doc = read_html(os.path.join(corpus, rel))
    url = page_url(corpus, rel, doc)
    t = Tree()
    try:
        t.feed(doc)
        t.close()
    except Exception:
        pass
    base = url or "http://unknown.invalid/"
    for n in iter_nodes(t.root):
        if n.tag == "base" and n.attrs.get("href"):
            base = urljoin(base, html.unescape(n.attrs["href"]))
            break
    text, links = linearise(t.root, base)
    return doc, url, text, links


def iter_nodes(n):
    for c in n.children:
        if not isinstance(c, str):
            yield c
            yield from iter_nodes(c)


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def body_span(text, corpus, rel):
    paras, withs = snippets(corpus, rel)
    flat = text.replace("\n", " ")
    flat = re.sub(r" {2,}", " ", flat)
    # map offsets: search in the original text with a whitespace-tolerant regex
    hits = []
    for s in paras + withs:
        s = norm(s)[:80]
        if len(s) < 12:
            continue
        pat = r"\s*".join(re.escape(w) for w in s.split(" "))
        for m in re.finditer(pat, text):
            hits.append((m.start(), m.end()))
    if not hits:
        return None
    return min(h[0] for h in hits), max(h[1] for h in hits)


def block_of(l):
    for n in reversed(l["ctx"][:-1]):
        if n.tag in ("p", "li", "h2", "h3", "h4", "h5", "h6", "dd", "figcaption", "td", "blockquote"):
            return n
    return l["ctx"][-2] if len(l["ctx"]) > 1 else None


def heading_before(text, at, lo):
    """Nearest short heading-like line before offset `at` (not before lo)."""
    seg = text[lo:at]
    lines = [norm(x) for x in seg.split("\n")]
    lines = [x for x in lines if x]
    return " / ".join(lines[-2:])[-120:] if lines else ""


def chrome(l):
    """Site chrome: nav, menus, breadcrumbs, the page footer (not an article's own footer)."""
    in_article = False
    for n in l["ctx"]:
        if n.tag in ("article", "main"):
            in_article = True
        cls = (n.attrs.get("class", "") + " " + n.attrs.get("id", "")).lower()
        if n.tag == "nav" or re.search(r"breadcrumb|\bmenu|navbar|navigation|site-footer|share|social", cls):
            return True
        if n.tag == "footer" and not in_article:
            return True
    return False


def main():
    corpus, rel = sys.argv[1], sys.argv[2]
    show_all = "--all" in sys.argv
    doc, url, text, links = load(corpus, rel)
    span = body_span(text, corpus, rel)
    lang = re.search(r'<html[^>]*\blang=["\']?([\w-]+)', doc, re.I)
    print(f"== {rel}  url={url}  lang={lang.group(1) if lang else '?'}  links={len(links)} "
          f"body={span}")
    if span is None:
        span = (0, 0)
        show_all = True
    bs, be = span
    host = urlsplit(url or "").netloc
    prev_end = be
    collapsed = 0
    skipped = 0
    last_shown = None
    for i, l in enumerate(links):
        if (l["start"] > be or show_all) and not (bs <= l["start"] <= be) and chrome(l):
            collapsed += 1
            continue
        u = l["url"]
        su = urlsplit(u)
        shown = (su.path + ("?" + su.query if su.query else "")) if su.netloc == host else u
        shown = shown[:110]
        path = ">".join(desc(n) for n in l["ctx"][-5:-1])[-110:]
        inbody = bs <= l["start"] <= be
        if l["start"] < bs and not show_all and not chrome(l):
            # before the body: only links under a related-looking heading (left columns, asides)
            seg = text[max(0, l["start"] - 120):l["start"]]
            if LABEL_RE.search(seg):
                print(f"  P[{i}] {norm(l['text'])[:70]!r} -> {shown}   ({path[-60:]})\n        before: {norm(seg)[-80:]!r}")
            continue
        if inbody:
            b = block_of(l)
            btxt = ""
            if b is not None:
                # text of the block
                s, e = l["start"], l["end"]
                line_s = text.rfind("\n", 0, s) + 1
                line_e = text.find("\n", e)
                btxt = norm(text[line_s:line_e if line_e >= 0 else None])
            ltxt = norm(l["text"])
            dens = len(ltxt) / max(1, len(btxt))
            labelled = bool(LABEL_RE.search(btxt[:60]))
            if show_all or dens >= 0.45 or labelled or any(n.tag == "aside" for n in l["ctx"]):
                print(f"  B[{i}] {ltxt[:70]!r} -> {shown}\n        line: {btxt[:160]!r}  ({path})")
        elif l["start"] > be or show_all:
            if l["start"] > prev_end:
                h = heading_before(text, l["start"], prev_end)
                if h:
                    print(f"   -- {h}")
            prev_end = l["end"]
            if u == last_shown or re.search(r"/(author|autor|tags?|category|kategorie|themen?|topics?|user)/|#comment|#respond", u, re.I) or re.fullmatch(r"\d+", norm(l["text"])):
                skipped += 1
                continue
            last_shown = u
            print(f"  A[{i}] {norm(l['text'])[:70]!r} -> {shown}   ({path[-60:]})")
    print(f"  ({collapsed} nav/menu/footer/share links after the body not shown; {skipped} repeats/author/tag/count links)")


if __name__ == "__main__":
    main()

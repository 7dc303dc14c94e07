//! Main-content extraction from an article page: input guards, metadata, boilerplate
//! pre-clean, the readability scorer (dom_smoothie, a Readability.js port), the post-clean and
//! the related-links split.

use super::plaintext::ImageMarkers;
use super::{Article, Source, block_classifier, boilerplate, metadata, related};
use crate::text::collapse_whitespace;
use dom_query::{Document, NodeData, NodeRef};
use std::cell::OnceCell;
use url::Url;

/// Only the first 2 MB of a page are read: the corpora's largest article page is 1.6 MB, and
/// every pass is linear, so this bounds the cost (a 5 MB page of text took over 300 ms).
pub const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;
/// Fewer words than this in the cleaned text: not an article (paywall, index page, video).
pub const MIN_ARTICLE_WORDS: usize = 25;
/// Above these sizes the scorer is skipped (see `extract_article_with`). The corpora's
/// largest article pages have about 10,000 elements and 1.6 MB.
const SCORER_MAX_ELEMENTS: usize = 11_000;
const SCORER_MAX_BYTES: usize = 2_000_000;
/// Element nesting kept; deeper elements are unwrapped so no later pass goes that deep.
const MAX_DEPTH: usize = 256;
/// More elements than this: the page is not a plain article and is trimmed to its body's
/// first elements, so the scorer's cost stays bounded.
const MAX_ELEMENTS: usize = 60_000;

/// Why extraction gave nothing usable (the caller falls back to the feed's content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error(
        "the page has too little article text ({words} words): maybe a paywall or not an article"
    )]
    TooLittle { words: usize },
    #[error("not an HTML page")]
    NotHtml,
}

/// Which cleaning passes run (all by default; the corpus bench turns them off one at a time to
/// measure what each is worth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractOptions {
    pub pre_clean: bool,
    pub post_clean: bool,
    pub json_ld_body: bool,
    pub baseline: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            pre_clean: true,
            post_clean: true,
            json_ld_body: true,
            baseline: true,
        }
    }
}

/// Extract the article from a page (already decoded to UTF-8). `page_url` resolves relative
/// links. The result has `source: Extracted` and related links already split out.
pub fn extract_article(html: &str, page_url: &Url) -> Result<Article, ExtractError> {
    extract_article_with(html, page_url, ExtractOptions::default())
}

/// [`extract_article`] with a choice of cleaning passes.
pub fn extract_article_with(
    html: &str,
    page_url: &Url,
    options: ExtractOptions,
) -> Result<Article, ExtractError> {
    let html = cap_input(html);
    if !looks_like_html(html) {
        return Err(ExtractError::NotHtml);
    }
    let html = super::prescan::bound_markup(html);
    let doc = Document::from(html.as_ref());
    let survey = bound_tree(&doc);
    let elements = survey.elements;
    let inlined = inline_html_templates(&survey.scripts);
    // Pages far larger than any article: the scorer's cost grows faster than the page, so
    // only the linear block classifier runs.
    let over_budget = elements > SCORER_MAX_ELEMENTS || html.len() > SCORER_MAX_BYTES;

    let meta = metadata::read_metadata(&doc, page_url);
    // Read before any pass removes it: the standfirst often sits in the header, beside the
    // headline, outside the container the scorer keeps.
    let standfirst = meta
        .description
        .as_deref()
        .and_then(|description| standfirst_block(&doc, description));
    // Links resolve against the page's `<base href>` when it has one, as in a browser.
    let original_url = page_url;
    let link_base = base_url(&doc, &survey.bases, inlined, page_url);
    let page_url = &link_base;
    // Related-stories blocks are often asides or `.related` boxes that the pre-clean and the
    // scorer drop as boilerplate: take them out of the page first so they reach `related`.
    let early_related = related::take_related(&doc, page_url);
    // Sign-up and comment boxes by their structure (a small form, an e-mail field): on every
    // pass, including the retry without the class/id pre-clean.
    boilerplate::remove_form_boxes(&doc);
    boilerplate::remove_page_footers(&doc);
    if options.pre_clean {
        boilerplate::pre_clean(&doc);
    }

    let (baseline_html, baseline_words) = block_classifier::baseline(&doc);
    let config = dom_smoothie::Config {
        // JSON-LD was read above; the scorer needs only the body.
        disable_json_ld: true,
        ..Default::default()
    };
    // Over the budget the scorer's answer would be thrown away below: it does not run.
    let scored = (!over_budget)
        .then(|| {
            dom_smoothie::Readability::with_document(doc, Some(page_url.as_str()), Some(config))
                .ok()
                .and_then(|mut r| r.parse().ok())
        })
        .flatten();

    let (scored_html, scored_words, scored_title, scored_byline) = match scored {
        Some(a) => (
            a.content.to_string(),
            text_words(&a.text_content),
            Some(a.title),
            a.byline,
        ),
        None => (String::new(), 0, None, None),
    };

    // The scorer keeps one container (and its close siblings): when the page's content blocks
    // hold much more text, the article was split over several containers.
    // The scorer's pick parsed once, when `prefer_baseline` reads its text: the later passes
    // then work on that parse if the pick stays.
    let scored_doc = OnceCell::new();
    let baseline_chosen = over_budget
        || (options.baseline
            && prefer_baseline(
                &scored_html,
                &scored_doc,
                scored_words,
                &baseline_html,
                baseline_words,
            ));
    let (scored_html, content) = if baseline_chosen {
        let html = block_classifier::absolutise(&baseline_html, page_url);
        let content = Document::fragment(html.as_str());
        (html, content)
    } else {
        let content = scored_doc
            .into_inner()
            .unwrap_or_else(|| Document::fragment(scored_html.as_str()));
        (scored_html, content)
    };
    // The later passes share one parse of the chosen HTML, serialised once at the end.
    let late_related = related::split_related_in(&content, &scored_html, page_url);
    let mut related = early_related;
    for link in late_related {
        if !related.iter().any(|r| r.url == link.url) {
            related.push(link);
        }
    }
    if options.post_clean {
        boilerplate::post_clean_in(&content);
    }
    // The scorer's byline is the text of a block named "byline" or "dateline": names only.
    let byline = meta
        .byline
        .clone()
        .or_else(|| scored_byline.as_deref().and_then(metadata::clean_byline));
    let title = meta.title.clone();
    // The scorer's title is the `<title>` too: a page title, not a headline.
    let page_title = meta
        .page_title
        .clone()
        .or_else(|| scored_title.filter(|t| !t.trim().is_empty()));
    if options.post_clean {
        boilerplate::strip_leading_repeats_in(
            &content,
            title.as_deref().or(page_title.as_deref()),
            byline.as_deref(),
        );
    }
    if let Some(standfirst) = standfirst {
        prepend_standfirst(&content, &standfirst);
    }
    let mut words = words_in(&content);
    let mut content_html = content.html().to_string();

    // The publisher's own text, when the scorer found much less of it.
    if let Some(body) = meta
        .article_body
        .as_deref()
        .filter(|_| options.json_ld_body)
    {
        let body_words = text_words(body);
        if body_words >= MIN_ARTICLE_WORDS && words * 2 < body_words {
            content_html = paragraphs_html(body);
            words = body_words;
        }
    }
    if words < MIN_ARTICLE_WORDS {
        // The pre-clean judges blocks by their class and id alone; on a page whose article
        // wrapper carries a furniture-like name it can take everything. Once more without it
        // (the second pass costs only on pages that would otherwise be refused).
        if options.pre_clean && !over_budget {
            let retry = ExtractOptions {
                pre_clean: false,
                ..options
            };
            if let Ok(article) = extract_article_with(html.as_ref(), original_url, retry) {
                return Ok(article);
            }
        }
        return Err(ExtractError::TooLittle { words });
    }

    let url = meta.canonical.unwrap_or_else(|| original_url.to_string());
    Ok(Article {
        title,
        page_title,
        byline,
        published: meta.published,
        lang: meta.lang,
        url,
        lead_image: meta.lead_image,
        content_html,
        related,
        source: Source::Extracted,
    })
}

/// A page summary shorter than this (characters) is a tagline, not a standfirst.
const STANDFIRST_MIN_CHARS: usize = 60;
/// Text a standfirst's block may hold beyond the summary (characters): a kicker, a date.
const STANDFIRST_SLACK_CHARS: usize = 40;

/// The standfirst: the block of the page's body that shows the page's own summary (its meta
/// description) in full, as text. A summary cut short ("…") is a teaser of the text, not a
/// block of it. Structure only: the publisher's metadata names the text, in any language.
fn standfirst_block(doc: &Document, description: &str) -> Option<String> {
    let description = collapse_whitespace(description);
    if description.chars().count() < STANDFIRST_MIN_CHARS
        || description.ends_with("...")
        || description.ends_with('…')
    {
        return None;
    }
    let head: String = description.chars().take(STANDFIRST_MIN_CHARS).collect();
    let first = description.chars().next();
    let body = doc.body()?;
    for text in body.descendants_it().filter(|n| n.is_text()) {
        // Most text nodes differ at their first character: read in place, no copy for those.
        let starts_alike = text
            .tree
            .query_node(&text.id, |node| match &node.data {
                NodeData::Text { contents } => contents.trim_start().chars().next() == first,
                _ => false,
            })
            .unwrap_or(false);
        if !starts_alike {
            continue;
        }
        let own = text.text();
        let own_head = collapse_whitespace(&own);
        let own_head: String = own_head.chars().take(20).collect();
        if own_head.chars().count() < 10 || !description.starts_with(own_head.as_str()) {
            continue;
        }
        // The nearest block around the text: the standfirst, when it holds the summary and
        // little more, and is not inside a script, a link or the page's head furniture.
        let Some(block) = text.ancestors_it(None).find(|a| {
            matches!(
                a.node_name().as_deref().unwrap_or(""),
                "p" | "div" | "h2" | "h3" | "section" | "header" | "span" | "strong"
            )
        }) else {
            continue;
        };
        if block
            .ancestors_it(None)
            .chain(std::iter::once(block))
            .any(|a| {
                matches!(
                    a.node_name().as_deref().unwrap_or(""),
                    "a" | "script" | "noscript" | "template" | "nav" | "footer" | "aside"
                )
            })
        {
            continue;
        }
        let shown = collapse_whitespace(&block.text());
        if shown.contains(head.as_str())
            && shown.contains(description.as_str())
            && shown.chars().count() <= description.chars().count() + STANDFIRST_SLACK_CHARS
        {
            return Some(shown);
        }
    }
    None
}

/// Put the standfirst at the top of the article, unless the article already holds it.
fn prepend_standfirst(content: &Document, standfirst: &str) {
    let head: String = standfirst.chars().take(STANDFIRST_MIN_CHARS).collect();
    let text = visible_text(content);
    let text = collapse_whitespace(&text);
    if text.contains(head.as_str()) {
        return;
    }
    let Some(top) = content.root().first_element_child() else {
        return;
    };
    top.prepend_html(format!("<p>{}</p>", escape_text(standfirst)));
}

/// The page's first `<base href>` resolved against its URL (web URLs only), else its URL.
/// `bases`: the page's `base` elements as [`bound_tree`] found them, unless HTML was inlined
/// since (`inlined`), which may hold one.
fn base_url(doc: &Document, bases: &[NodeRef<'_>], inlined: bool, page_url: &Url) -> Url {
    let searched;
    let bases = if inlined {
        searched = doc.select("base");
        searched.nodes()
    } else {
        bases
    };
    // The first with an `href`: what `base[href]` finds.
    bases
        .iter()
        .find_map(|base| base.attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// The first [`MAX_INPUT_BYTES`] of the page, cut at a character boundary.
fn cap_input(html: &str) -> &str {
    if html.len() <= MAX_INPUT_BYTES {
        return html;
    }
    let mut end = MAX_INPUT_BYTES;
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    &html[..end]
}

/// Binary data (NUL bytes, many replacement or control characters) or text with no markup.
fn looks_like_html(html: &str) -> bool {
    let sample: Vec<char> = html.chars().take(4096).collect();
    if sample.is_empty() {
        return false;
    }
    let bad = sample
        .iter()
        .filter(|&&c| {
            c == '\u{0}'
                || c == '\u{FFFD}'
                || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{C}'))
        })
        .count();
    if sample.contains(&'\u{0}') || bad * 20 > sample.len() {
        return false;
    }
    // Some markup: a tag opening (`<p`, `<!doctype`, `</div`) somewhere near the start.
    let head: String = sample.iter().collect();
    head.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'!' || w[1] == b'/'))
}

/// What [`bound_tree`] found on its walk of the page, in document order: the elements kept,
/// and the `script` and `base` elements kept, which the next steps would otherwise look for
/// in walks of their own.
struct TreeSurvey<'a> {
    elements: usize,
    scripts: Vec<NodeRef<'a>>,
    bases: Vec<NodeRef<'a>>,
}

/// Keep the tree within [`MAX_DEPTH`] levels and [`MAX_ELEMENTS`] elements: hostile pages
/// (10,000 nested divs, millions of empty elements) must cost no more than ordinary ones.
fn bound_tree(doc: &Document) -> TreeSurvey<'_> {
    let root = doc.root();
    let mut scripts = Vec::new();
    let mut bases = Vec::new();
    // Iterative walk with depths; elements deeper than the limit are unwrapped afterwards.
    let mut too_deep: Vec<dom_query::NodeId> = Vec::new();
    let mut stack: Vec<(NodeRef<'_>, usize)> = vec![(root, 0)];
    let mut elements = 0usize;
    let mut overflow: Vec<dom_query::NodeId> = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if node.is_element() {
            elements += 1;
            if elements > MAX_ELEMENTS {
                overflow.push(node.id);
                continue;
            }
            if depth > MAX_DEPTH {
                too_deep.push(node.id);
            } else if let Some(name) = node.qual_name_ref() {
                // Kept (neither cut off nor unwrapped below).
                match name.local.as_ref() {
                    "script" => scripts.push(node),
                    "base" => bases.push(node),
                    _ => {}
                }
            }
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push((c, depth + 1));
        }
    }
    let kept = elements.min(MAX_ELEMENTS);
    for id in overflow {
        NodeRef::new(id, &doc.tree).remove_from_parent();
    }
    // Deepest first, so each unwrap moves only the children left after the deeper unwraps.
    for id in too_deep.into_iter().rev() {
        NodeRef::new(id, &doc.tree).unwrap_node();
    }
    TreeSurvey {
        elements: kept,
        scripts,
        bases,
    }
}

/// Scripts whose type says they hold HTML to insert later (`text/template`, Blogger's posts):
/// when that HTML has paragraphs, it is the page's text, so it replaces the script.
/// `scripts`: the page's `script` elements in document order. Whether any HTML was inlined.
fn inline_html_templates(scripts: &[NodeRef<'_>]) -> bool {
    let mut inlined = false;
    // Those with a `type` saying so (what `script[type]` and this filter keep).
    let templates: Vec<NodeRef<'_>> = scripts
        .iter()
        .copied()
        .filter(|node| {
            node.attr("type").is_some_and(|t| {
                let t = t.trim().to_ascii_lowercase();
                t == "text/template" || t == "text/x-template" || t == "text/html"
            })
        })
        .collect();
    let class_of = |node: &NodeRef<'_>| {
        node.attr("class")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
    };
    for node in &templates {
        // Templates of one class are variants of one widget (an A/B-tested box): a script
        // shows one of them, or none, so none is the page's text.
        if let Some(class) = class_of(node)
            && templates
                .iter()
                .any(|other| other.id != node.id && class_of(other).as_ref() == Some(&class))
        {
            continue;
        }
        let inner = node.text();
        if inner.contains("<p") {
            node.replace_with_html(inner.to_string());
            inlined = true;
        }
    }
    inlined
}

/// The content blocks hold much more text than the scorer's pick, and most of the pick's
/// paragraphs are among them (so they describe the same article, not comments or a sidebar).
/// `scored_doc`: the parse of `scored_html`, made here if it is needed and not made yet.
fn prefer_baseline(
    scored_html: &str,
    scored_doc: &OnceCell<Document>,
    scored_words: usize,
    baseline_html: &str,
    baseline_words: usize,
) -> bool {
    // Measured on the corpora: 1.5 to 3 gave the same F1 within 0.003; 2.5 leaks the least.
    let ratio = 2.5;
    let min_cover = 0.3;
    // A baseline that holds nearly every paragraph of the scorer's pick is the same article
    // plus the sections the scorer cut (listicles, one container per section): a smaller
    // surplus is enough then.
    let superset_ratio = SUPERSET_RATIO;
    let superset_cover = 0.9;
    if (baseline_words as f32) <= scored_words as f32 * superset_ratio + 20.0 {
        return false;
    }
    let clear_surplus = (baseline_words as f32) > scored_words as f32 * ratio + 20.0;
    if scored_words < MIN_ARTICLE_WORDS {
        return clear_surplus;
    }
    let scored_doc = scored_doc.get_or_init(|| Document::fragment(scored_html));
    let (scored_text, _) = super::plaintext::plain_text_of(scored_doc, ImageMarkers::LinksOnly);
    let (baseline_text, _) = super::plaintext::plain_text(baseline_html);
    let paragraphs: Vec<&str> = scored_text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| p.chars().count() >= 40)
        .collect();
    if paragraphs.is_empty() {
        return clear_surplus;
    }
    let covered = paragraphs
        .iter()
        .filter(|p| baseline_text.contains(*p))
        .count() as f32;
    let total = paragraphs.len() as f32;
    // The cut sections come with their own subheadings; a surplus without any is more often
    // teasers or comments after the article.
    let headings = |html: &str| html.matches("<h2").count() + html.matches("<h3").count();
    let more_sections = headings(baseline_html) >= headings(scored_html) + 2;
    (clear_surplus && covered >= total * min_cover)
        || (more_sections && covered >= total * superset_cover)
}

const SUPERSET_RATIO: f32 = 1.3;

/// Words of text in an HTML fragment (a parse and a text walk, no layout).
#[cfg(test)]
fn count_words(html: &str) -> usize {
    words_in(&Document::fragment(html))
}

/// Words of a parsed article, outside scripts, styles, templates and noscript blocks: their
/// text is never shown (an "article" of one ad script is empty). Counted as the text is read,
/// without copying it.
fn words_in(doc: &Document) -> usize {
    let mut words = WordCounter::default();
    for_visible_text(doc, |text| words.push(text));
    words.finish()
}

/// The text of a parsed article outside scripts, styles, templates and noscript blocks.
fn visible_text(doc: &Document) -> String {
    let mut text = String::new();
    for_visible_text(doc, |piece| text.push_str(piece));
    text
}

/// Each text node of a parsed article outside scripts, styles, templates and noscript blocks,
/// in document order, read in place.
fn for_visible_text(doc: &Document, mut read: impl FnMut(&str)) {
    let mut stack = vec![doc.root()];
    while let Some(node) = stack.pop() {
        if node.is_text() {
            node.query(|n| {
                if let NodeData::Text { contents } = &n.data {
                    read(contents);
                }
            });
            continue;
        }
        let hidden = node.is_element()
            && matches!(
                node.node_name().as_deref(),
                Some("script" | "style" | "template" | "noscript")
            );
        if hidden {
            continue;
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push(c);
        }
    }
}

/// Words in a text, where scripts written without spaces (Chinese, Japanese, Korean) count
/// one word per two characters: otherwise a whole CJK article is "4 words" and refused.
pub(crate) fn text_words(text: &str) -> usize {
    let mut words = WordCounter::default();
    words.push(text);
    words.finish()
}

/// Bytes [`WordCounter::push`] reads at once when they are all ASCII.
const ASCII_RUN: usize = 64;

/// [`text_words`] over a text given in pieces: a word may run on from one piece into the
/// next, as in the pieces joined.
#[derive(Default)]
struct WordCounter {
    words: usize,
    /// Inside a word (a run of characters that are not whitespace).
    in_word: bool,
    /// CJK characters of the current word.
    cjk: usize,
}

impl WordCounter {
    fn push(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut at = 0;
        // Where the next run of ASCII may start (past the last non-ASCII byte seen).
        let mut next_run_at = 0;
        while let Some(&b) = bytes.get(at) {
            // Runs of 64 ASCII bytes (most text) counted without branches, which the compiler
            // turns into vector instructions; the rest a byte or a character at a time.
            if at >= next_run_at {
                match bytes.get(at..at + ASCII_RUN) {
                    Some(run) => match run.iter().position(|b| !b.is_ascii()) {
                        None => {
                            self.push_ascii_run(run);
                            at += ASCII_RUN;
                            continue;
                        }
                        Some(wide) => next_run_at = at + wide + 1,
                    },
                    None => next_run_at = usize::MAX,
                }
            }
            // ASCII (most text) a byte at a time: whitespace for `char::is_whitespace` is tab
            // to carriage return, and space; no ASCII character is CJK.
            if b.is_ascii() {
                if b == b' ' || (b'\t'..=b'\r').contains(&b) {
                    self.end_word();
                } else {
                    self.in_word = true;
                }
                at += 1;
                continue;
            }
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            if c.is_whitespace() {
                self.end_word();
            } else {
                self.in_word = true;
                if matches!(u32::from(c),
                    0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
                {
                    self.cjk += 1;
                }
            }
        }
    }

    /// [`WordCounter::push`] of [`ASCII_RUN`] ASCII bytes: the words that end in the run
    /// (a byte that is not whitespace followed by one that is), the first of which may have
    /// begun before it with CJK characters.
    fn push_ascii_run(&mut self, run: &[u8]) {
        let mut spaces = [0u8; ASCII_RUN];
        for (space, &b) in spaces.iter_mut().zip(run) {
            *space = u8::from(b == b' ' || b.wrapping_sub(b'\t') < 5);
        }
        let mut ends = u8::from(self.in_word) & spaces[0];
        for pair in spaces.windows(2) {
            ends += (1 - pair[0]) & pair[1];
        }
        if ends > 0 {
            // The first word to end is the one carried in (its CJK characters, if any), or
            // one that began in the run (none).
            self.words += (self.cjk / 2).max(1) + usize::from(ends - 1);
            self.cjk = 0;
        }
        self.in_word = spaces[ASCII_RUN - 1] == 0;
    }

    fn end_word(&mut self) {
        if self.in_word {
            self.words += (self.cjk / 2).max(1);
            self.in_word = false;
            self.cjk = 0;
        }
    }

    fn finish(mut self) -> usize {
        self.end_word();
        self.words
    }
}

/// Plain text (JSON-LD `articleBody`) as HTML paragraphs, one per line of the text.
fn paragraphs_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&escape_text(para));
        out.push_str("</p>");
    }
    out
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://news.example/2024/story.html").unwrap()
    }

    fn paragraph(n: usize) -> String {
        format!(
            "<p>Paragraph {n} of the story says something long enough to count as real \
             article text, with commas, clauses and more than a few words in it.</p>"
        )
    }

    fn article_page(extra_body: &str) -> String {
        format!(
            "<html lang=\"en\"><head><title>Story headline | News</title>\
             <meta property=\"og:title\" content=\"Story headline\"></head><body>\
             <nav><a href=\"/\">Home</a></nav><article><h1>Story headline</h1>{}{}</article>\
             <footer>Footer</footer></body></html>",
            (1..8).map(paragraph).collect::<String>(),
            extra_body
        )
    }

    #[test]
    fn extracts_title_text_and_absolute_links() {
        let page = article_page("<p>More at <a href=\"/more\">our page</a> today and more.</p>");
        let a = extract_article(&page, &url()).unwrap();
        assert_eq!(a.title.as_deref(), Some("Story headline"));
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert_eq!(a.source, Source::Extracted);
        assert!(a.content_html.contains("Paragraph 3 of the story"));
        assert!(a.content_html.contains("https://news.example/more"));
        assert!(!a.content_html.contains("Footer"));
    }

    #[test]
    fn captions_stay() {
        let page = article_page(
            "<figure><img src=\"/cat.jpg\"><figcaption>A cat sleeping on the keyboard.</figcaption></figure>",
        );
        let a = extract_article(&page, &url()).unwrap();
        assert!(a.content_html.contains("A cat sleeping on the keyboard."));
    }

    #[test]
    fn boilerplate_in_several_languages_goes() {
        let page = article_page(
            "<p>Abonnez-vous gratuitement à la newsletter</p>\
             <div class=\"share-tools\">Partager sur Facebook</div>\
             <p>Jetzt Newsletter abonnieren!</p><p>Deja un comentario</p>\
             <p>Lascia un commento</p><p>Tags : Xiaomi, Android</p>",
        );
        let a = extract_article(&page, &url()).unwrap();
        for gone in [
            "Abonnez-vous",
            "Partager",
            "abonnieren",
            "Deja un",
            "Lascia",
            "Tags",
        ] {
            assert!(!a.content_html.contains(gone), "{gone} kept");
        }
        assert!(a.content_html.contains("Paragraph 7"));
    }

    #[test]
    fn words_are_counted_as_in_the_joined_text() {
        // The former definition: whitespace-separated tokens, CJK ones by pairs of characters.
        let reference = |text: &str| -> usize {
            text.split_whitespace()
                .map(|token| {
                    let cjk = token
                        .chars()
                        .filter(|c| matches!(u32::from(*c), 0x3040..=0x30FF | 0x4E00..=0x9FFF))
                        .count();
                    (cjk / 2).max(1)
                })
                .sum()
        };
        for text in [
            "",
            "  ",
            "one two\u{a0}three\u{2003}four",
            " lead and trail ",
            "日本語のテキスト　全角 mixed日本 語",
            "tab\tline\nvt\u{b}ff\u{c}cr\rus\u{1f}nel\u{85}nbsp\u{a0}end",
        ] {
            assert_eq!(text_words(text), reference(text), "{text:?}");
        }
        // Long texts, read in runs of ASCII: words across the runs' edges, CJK words
        // running into ASCII, and non-ASCII text on either side of a run.
        for unit in [
            "word ",
            "ab",
            " ",
            "日本語",
            "日本語ab ",
            "é ",
            "a\u{a0}",
            "x\ty\n",
            "long-word-without-spaces",
        ] {
            for len in [1, 10, 63, 64, 65, 127, 128, 129, 300] {
                for prefix in ["", "日本", "語 ", "a"] {
                    let text = format!("{prefix}{}", unit.repeat(len));
                    assert_eq!(text_words(&text), reference(&text), "{text:?}");
                    let mut split = WordCounter::default();
                    let cut = (0..=text.len() / 2)
                        .rev()
                        .find(|&i| text.is_char_boundary(i))
                        .unwrap_or(0);
                    split.push(&text[..cut]);
                    split.push(&text[cut..]);
                    assert_eq!(split.finish(), reference(&text), "{text:?} cut at {cut}");
                }
            }
        }
        // A word split over two text nodes counts once, as in the joined text.
        let doc =
            Document::fragment("<p>split<b>word</b> and<script>x y z</script> 日本<i>語の</i></p>");
        assert_eq!(words_in(&doc), reference("splitword and 日本語の"));
        assert_eq!(words_in(&doc), 4);
    }

    #[test]
    fn too_little_text_is_an_error() {
        let page =
            "<html><body><h1>Subscribe</h1><p>Subscribe to read this article.</p></body></html>";
        assert!(matches!(
            extract_article(page, &url()),
            Err(ExtractError::TooLittle { .. })
        ));
    }

    #[test]
    fn json_ld_article_body_rescues_a_thin_page() {
        let body = "Sentence one of the real story. ".repeat(20);
        let page = format!(
            "<html><head><script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\
             \"headline\":\"H\",\"articleBody\":\"{body}\"}}</script></head>\
             <body><div id=\"app\"></div></body></html>"
        );
        let a = extract_article(&page, &url()).unwrap();
        assert!(a.content_html.contains("Sentence one of the real story."));
        assert_eq!(a.title.as_deref(), Some("H"));
    }

    #[test]
    fn baseline_with_the_cut_sections_is_preferred() {
        let scored: String = (1..4).map(paragraph).collect();
        let scored_words = count_words(&scored);
        let sections = format!(
            "<h2>Second pick</h2>{}<h2>Third pick</h2>{}",
            paragraph(4),
            paragraph(5)
        );
        let baseline = format!("{scored}{sections}");
        let baseline_words = count_words(&baseline);
        assert!(baseline_words * 10 < scored_words * 25);
        assert!(prefer_baseline(
            &scored,
            &OnceCell::new(),
            scored_words,
            &baseline,
            baseline_words
        ));
        // The same surplus with no subheadings (teasers, comments): the scorer's pick stays.
        let trailing = format!("{scored}{}{}", paragraph(4), paragraph(5));
        assert!(!prefer_baseline(
            &scored,
            &OnceCell::new(),
            scored_words,
            &trailing,
            count_words(&trailing)
        ));
    }

    #[test]
    fn article_html_kept_in_a_template_script_is_read() {
        let page = format!(
            "<html><body><div class=\"post\"><script type=\"text/template\">{}</script>\
             </div><script>var ads = 'one two three four five six seven eight nine ten \
             eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen \
             twenty twentyone twentytwo twentythree twentyfour twentyfive';</script>\
             </body></html>",
            (1..6).map(paragraph).collect::<String>()
        );
        let a = extract_article(&page, &url()).unwrap();
        assert!(a.view().text.contains("Paragraph 3 of the story"));
        assert!(!a.content_html.contains("twentyfive"));
    }

    #[test]
    fn variants_of_one_template_widget_are_not_read() {
        // Two templates of one class: an A/B-tested box a script shows one of, in any language.
        let page = format!(
            "<html><body><article><h1>Story</h1>{}</article>\
             <script class=\"bottom-box\" type=\"text/html\"><p>Support our journalism with a \
             monthly contribution today.</p></script>\
             <script class=\"bottom-box\" type=\"text/html\"><p>Unterstützen Sie unseren \
             Journalismus mit einem monatlichen Beitrag.</p></script></body></html>",
            (1..6).map(paragraph).collect::<String>()
        );
        let a = extract_article(&page, &url()).unwrap();
        let text = a.view().text;
        assert!(text.contains("Paragraph 3 of the story"), "{text}");
        assert!(!text.contains("journalism"), "{text}");
        assert!(!text.contains("Journalismus"), "{text}");
    }

    #[test]
    fn content_streamed_hidden_is_shown() {
        // React/Next.js streaming: the article arrives in a hidden div a script reveals.
        let page = format!(
            "<html><body><nav><a href=\"/\">Home</a></nav><div hidden id=\"S:0\">\
             <main><h1>Story</h1>{}</main></div><p hidden>Menu label</p></body></html>",
            (1..6).map(paragraph).collect::<String>()
        );
        let a = extract_article(&page, &url()).unwrap();
        assert!(a.content_html.contains("Paragraph 3 of the story"));
        assert!(!a.content_html.contains("Menu label"));
    }

    #[test]
    fn article_in_a_furniture_named_wrapper_is_kept() {
        // The only wrapper of the text has a class the pre-clean reads as a sidebar, and no
        // block holds half the page's text.
        let furniture = "Contact, imprint and the other pages of this site. ".repeat(8);
        let page = format!(
            "<html><body><div class=\"sidebar-layout\">{}</div>\
             <aside>{furniture}</aside><footer>{furniture}</footer></body></html>",
            (1..6).map(paragraph).collect::<String>(),
        );
        let a = extract_article(&page, &url()).unwrap();
        assert!(a.content_html.contains("Paragraph 3 of the story"));
    }

    #[test]
    fn hostile_inputs_return_without_panic() {
        let deep = format!(
            "<html><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        assert!(extract_article(&deep, &url()).is_err());

        let huge = format!(
            "<html><body><p>{}</p></body></html>",
            "word ".repeat(1_300_000)
        );
        assert!(huge.len() > MAX_INPUT_BYTES);
        let _ = extract_article(&huge, &url());

        let binary: String = (0..20_000u32)
            .map(|i| char::from_u32(i % 256).unwrap_or('a'))
            .collect();
        assert_eq!(extract_article(&binary, &url()), Err(ExtractError::NotHtml));
        assert_eq!(
            extract_article("{\"json\": true}", &url()),
            Err(ExtractError::NotHtml)
        );
        assert_eq!(extract_article("", &url()), Err(ExtractError::NotHtml));
        let _ = extract_article("<<<<>>>><//><!-- <p", &url());
    }

    #[test]
    fn the_standfirst_beside_the_headline_is_kept() {
        let standfirst = "The council voted on Tuesday to close the old bridge to cars from May, \
             after engineers found cracks in two of its piers.";
        let page = |description: &str| {
            format!(
                "<html><head><meta name=\"description\" content=\"{description}\"></head><body>\
                 <header class=\"hero\"><h1>Bridge to close</h1><div class=\"dek\"><p>{standfirst}\
                 </p></div></header><div class=\"story\">{}</div></body></html>",
                (1..8).map(paragraph).collect::<String>()
            )
        };
        let a = extract_article(&page(standfirst), &url()).unwrap();
        let text = a.view().text;
        assert!(text.starts_with("The council voted on Tuesday"), "{text}");
        assert_eq!(text.matches("The council voted").count(), 1, "{text}");
        // A description cut short is a teaser of the text, not a block of it.
        let cut = "The council voted on Tuesday to close the old bridge to cars from May, after…";
        let text = extract_article(&page(cut), &url()).unwrap().view().text;
        assert!(!text.contains("The council voted"), "{text}");
    }

    #[test]
    fn a_base_href_inlined_from_a_template_counts() {
        // The `base` found on the first walk of the page is not the only one: the template's
        // HTML, inlined afterwards, holds an earlier one.
        let page = format!(
            "<html><body><script type=\"text/template\"><base href=\"https://cdn.example.org/t/\">\
             {}<p>Lire aussi : <a href=\"news/other-story.html\">Another story</a></p></script>\
             <base href=\"https://late.example.org/\"></body></html>",
            (1..6).map(paragraph).collect::<String>()
        );
        let a = extract_article(&page, &url()).unwrap();
        let related: Vec<&str> = a.related.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(related, ["https://cdn.example.org/t/news/other-story.html"]);
    }

    #[test]
    fn links_resolve_against_the_pages_base_href() {
        let page = format!(
            "<html><head><base href=\"https://cdn.example.org/site/\"></head><body><article>\
             {}<p>Lire aussi : <a href=\"news/other-story.html\">Another story</a></p>\
             </article></body></html>",
            (1..6).map(paragraph).collect::<String>()
        );
        let a = extract_article(&page, &url()).unwrap();
        let related: Vec<&str> = a.related.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            related,
            ["https://cdn.example.org/site/news/other-story.html"]
        );
        assert_eq!(a.url, url().as_str());
    }
}

//! A second opinion on the main content, jusText-style: every leaf text block of the page is
//! classified by its length and link density; long, link-poor blocks are content, and short
//! blocks between two content blocks are kept too. It finds articles split over several
//! containers, which a single-candidate scorer cuts short; `extract` compares the two.

use dom_query::{Document, NodeRef};
use url::Url;

/// Blocks that hold text in their own right.
const LEAF_BLOCKS: &[&str] = &[
    "p",
    "pre",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dd",
    "dt",
    "td",
    "figcaption",
    "div",
    "section",
    "article",
];

/// A block this long (characters) with few links is content.
const GOOD_CHARS: usize = 80;
/// Above this share of linked characters a block is navigation.
const MAX_LINK_DENSITY: f32 = 0.3;
/// A short paragraph before the first content block is kept as the lead from this many words.
const LEAD_MIN_WORDS: usize = 10;
/// A link around blocks holding at most this much text (characters) is a teaser card made
/// clickable as a whole (a title, a kicker, an excerpt): its blocks are linked text. A longer
/// one is more likely an `<a>` left open that the parser stretched over the article.
const CARD_LINK_MAX_CHARS: usize = 600;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Good,
    Short,
    Bad,
}

struct Block {
    id: dom_query::NodeId,
    tag: &'static str,
    words: usize,
    class: Class,
    heading: bool,
}

/// The content blocks of a (pre-cleaned) document as HTML, and their word count. Links and
/// images are left as the page wrote them: [`absolutise`] the HTML once it is chosen (most
/// pages keep the scorer's pick, and only the text of this one is read).
pub fn baseline(doc: &Document) -> (String, usize) {
    let Some(body) = doc.body() else {
        return (String::new(), 0);
    };
    // Pre-order list of elements with their parent's index; then, bottom-up, which ones
    // contain a block. A leaf block is a block element with no block element inside.
    // Each element also says whether it sits in a teaser card's link (see
    // [`CARD_LINK_MAX_CHARS`]).
    let mut nodes: Vec<(NodeRef<'_>, Option<usize>, bool)> = Vec::new();
    let mut in_card_link: Vec<bool> = Vec::new();
    let mut stack: Vec<(NodeRef<'_>, Option<usize>, bool)> = vec![(body, None, false)];
    while let Some((node, parent, in_link)) = stack.pop() {
        if !node.is_element() {
            continue;
        }
        let name = node.node_name();
        let name = name.as_deref().unwrap_or("");
        if matches!(
            name,
            "script" | "style" | "noscript" | "template" | "svg" | "h1"
        ) {
            continue;
        }
        let index = nodes.len();
        nodes.push((node, parent, LEAF_BLOCKS.contains(&name)));
        in_card_link.push(in_link);
        let children_in_link = in_link
            || (name == "a"
                && node.has_attr("href")
                && super::text_size::text_chars(&node) <= CARD_LINK_MAX_CHARS);
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push((c, Some(index), children_in_link));
        }
    }
    let mut contains_block = vec![false; nodes.len()];
    for i in (0..nodes.len()).rev() {
        if let Some(parent) = nodes[i].1
            && (nodes[i].2 || contains_block[i])
        {
            contains_block[parent] = true;
        }
    }
    let mut blocks: Vec<Block> = Vec::new();
    for (i, (node, _, is_block)) in nodes.iter().enumerate() {
        if *is_block && !contains_block[i] {
            let name = node.node_name();
            if let Some(block) = classify(node, name.as_deref().unwrap_or("p"), in_card_link[i]) {
                blocks.push(block);
            }
        }
    }

    // Short blocks between content blocks (subheadings, short paragraphs) are content too.
    // Nearest non-short class before and after each block, in two linear sweeps.
    let mut prev_class: Vec<Option<Class>> = Vec::with_capacity(blocks.len());
    let mut last = None;
    for block in &blocks {
        prev_class.push(last);
        if block.class != Class::Short {
            last = Some(block.class);
        }
    }
    let mut next_class: Vec<Option<Class>> = vec![None; blocks.len()];
    let mut last = None;
    for (i, block) in blocks.iter().enumerate().rev() {
        next_class[i] = last;
        if block.class != Class::Short {
            last = Some(block.class);
        }
    }
    let mut html = String::new();
    let mut words = 0;
    for (i, block) in blocks.iter().enumerate() {
        let keep = match block.class {
            Class::Good => true,
            Class::Bad => false,
            Class::Short => {
                (prev_class[i] == Some(Class::Good)
                    && (next_class[i] == Some(Class::Good)
                        || (block.heading && next_class[i].is_some())))
                    // A short lead: a sentence-long paragraph opening the article, with
                    // nothing but short blocks before it.
                    || (prev_class[i].is_none()
                        && next_class[i] == Some(Class::Good)
                        && block.tag == "p"
                        && block.words >= LEAD_MIN_WORDS)
            }
        };
        if keep {
            // Serialised only when kept: most leaf blocks of a page are navigation.
            let inner = NodeRef::new(block.id, &doc.tree).inner_html();
            let tag = block.tag;
            if tag == "li" {
                html.push_str(&format!("<ul><li>{inner}</li></ul>"));
            } else {
                html.push_str(&format!("<{tag}>{inner}</{tag}>"));
            }
            words += block.words;
        }
    }
    (html, words)
}

/// A leaf block's class from its length and link density; `in_card_link`: the block sits in
/// a teaser card's link, so all its text is linked.
fn classify(node: &NodeRef<'_>, name: &str, in_card_link: bool) -> Option<Block> {
    let text = node.text();
    let chars = super::text_size::non_whitespace_chars(&text);
    if chars == 0 {
        return None;
    }
    let density = if in_card_link {
        1.0
    } else {
        let linked: usize = node
            .descendants_it()
            .filter(|d| d.has_name("a"))
            .map(|a| super::text_size::text_chars(&a))
            .sum();
        linked as f32 / chars as f32
    };
    let words = text.split_whitespace().count();
    // Only a short block can be boilerplate by its text (the folded text is at least as long
    // as its characters that are not whitespace).
    let boilerplate = density <= MAX_LINK_DENSITY
        && chars <= super::boilerplate::BOILERPLATE_TEXT_MAX_CHARS
        && super::boilerplate::is_boilerplate_text(&crate::text::collapse_whitespace(&text));
    let class = if density > MAX_LINK_DENSITY || boilerplate {
        Class::Bad
    } else if chars >= GOOD_CHARS && words >= 10 {
        Class::Good
    } else {
        Class::Short
    };
    let heading = name.starts_with('h');
    let tag = match name {
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "pre" => "pre",
        "blockquote" => "blockquote",
        "li" => "li",
        "figcaption" => "figcaption",
        _ => "p",
    };
    Some(Block {
        id: node.id,
        tag,
        words,
        class,
        heading,
    })
}

/// Links and images made absolute against the page URL.
pub fn absolutise(html: &str, page_url: &Url) -> String {
    let doc = Document::fragment(html);
    for (selector, attr) in [("a[href]", "href"), ("img[src]", "src")] {
        for node in doc.select(selector).nodes() {
            if let Some(value) = node.attr(attr)
                && let Ok(absolute) = page_url.join(value.trim())
            {
                node.set_attr(attr, absolute.as_str());
            }
        }
    }
    doc.html().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_long_paragraphs_across_containers_and_drops_link_lists() {
        let long = "A sentence that is long enough to be content, with several words in it, and then some more words.";
        let html = format!(
            "<body><div class=a><p>{long} One.</p><h2>Sub</h2><p>{long} Two.</p></div>\
             <div class=b><p>{long} Three <a href=\"/x\">link</a>.</p></div>\
             <ul><li><a href=\"/1\">Nav one</a></li><li><a href=\"/2\">Nav two</a></li></ul></body>"
        );
        let url = Url::parse("https://s.example/p").unwrap();
        let (out, words) = baseline(&Document::from(html));
        let out = absolutise(&out, &url);
        assert!(out.contains("One.") && out.contains("Two.") && out.contains("Three"));
        assert!(out.contains("<h2>Sub</h2>"));
        assert!(out.contains("https://s.example/x"));
        assert!(!out.contains("Nav one"));
        assert!(words > 30);
    }

    #[test]
    fn keeps_a_one_sentence_lead_but_not_a_short_line_before_the_article() {
        let long = "A sentence that is long enough to be content, with several words in it, and then some more words after those.";
        let html = format!(
            "<body><p>Updated 3 March</p><p>The lead sentence opens the report in a few words.</p>\
             <p>{long}</p><p>{long}</p></body>"
        );
        let (out, _) = baseline(&Document::from(html));
        assert!(out.contains("The lead sentence"), "{out}");
        assert!(!out.contains("Updated 3 March"), "{out}");
    }

    #[test]
    fn blocks_inside_a_teaser_cards_link_are_linked_text() {
        let long = "A sentence that is long enough to be content, with several words in it, and then some more words.";
        // A whole card made clickable: its title and excerpt are blocks inside one link.
        let card = "<a href=\"/other\"><div class=card><h3>Another story</h3>\
             <p>The excerpt of another story on the site, long enough to pass for content text.</p>\
             </div></a>";
        // An `<a>` left open stretches over the article: its text is still content.
        let open_link: String = (1..=8)
            .map(|n| format!("<p>{long} Part {n}.</p>"))
            .collect();
        let html = format!(
            "<body><p>{long} One.</p><p>{long} Two.</p>{card}<a href=\"/x\">{open_link}</a></body>"
        );
        let (out, _) = baseline(&Document::from(html));
        assert!(out.contains("One.") && out.contains("Two."), "{out}");
        assert!(!out.contains("excerpt of another story"), "{out}");
        assert!(out.contains("Part 8."), "{out}");
    }
}

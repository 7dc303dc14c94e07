//! Where a related block sits against the article's prose (in it, right after it, far after
//! it, before it, in a rail), measured in letters and digits of page text by one bounded walk
//! of the page: the gate of `related_blocks` keeps blocks found far from the body only on
//! strong evidence.
//!
//! The body is the page's longest run of prose paragraphs (elements whose own unlinked text is
//! long), outside navigation, headers, footers, asides and comment sections; two paragraphs
//! belong to one run when less than [`MAX_PROSE_GAP`] characters of other text part them.

use dom_query::{NodeId, NodeRef};
use std::collections::HashMap;

/// Letters and digits of an element's own unlinked text (its inline descendants' included)
/// that make it a prose paragraph.
const MIN_PROSE_CHARS: usize = 150;
/// Characters of other text between two prose paragraphs of one body.
const MAX_PROSE_GAP: usize = 1_500;
/// Nodes visited by the walk.
const MAX_WALK_NODES: usize = 200_000;

/// Where a block sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// No prose found, or the block's nodes not met by the walk.
    Unknown,
    /// It ends before the body starts.
    Before,
    /// It starts before the body ends.
    InBody,
    /// It starts this many characters after the body's end.
    After(usize),
}

/// Elements whose text is gathered by the nearest block element above them.
const INLINE_TAGS: &[&str] = &[
    "a", "b", "strong", "i", "em", "span", "u", "s", "small", "sup", "sub", "mark", "abbr", "cite",
    "q", "code", "time", "font", "br", "wbr", "img", "label", "del", "ins", "dfn", "kbd", "var",
    "bdi", "bdo", "data",
];

/// Elements whose text is never page text.
const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "svg", "iframe", "select", "button",
];

/// Elements (by tag) whose paragraphs are never the body's.
const FURNITURE_TAGS: &[&str] = &["nav", "header", "footer", "aside", "form"];

/// One element open on the walk's stack.
struct Open {
    /// Offset (characters of text before it) where it starts.
    start: usize,
    /// Unlinked letters and digits gathered by it (block elements only).
    own_unlinked: usize,
    block: bool,
    link: bool,
    furniture: bool,
}

/// The place of each block (by the ids of its nodes, first and last), in one walk from `body`.
pub(crate) fn places(body: &NodeRef<'_>, blocks: &[(NodeId, NodeId)]) -> Vec<Place> {
    // Start and end offsets of the blocks' first and last nodes.
    let mut wanted: HashMap<NodeId, (Option<usize>, Option<usize>)> = HashMap::new();
    for (first, last) in blocks {
        wanted.insert(*first, (None, None));
        wanted.insert(*last, (None, None));
    }
    let mut prose: Vec<(usize, usize, usize)> = Vec::new();
    let mut offset = 0usize;
    let mut open: Vec<Open> = Vec::new();
    let mut furniture_depth = 0usize;
    let mut link_depth = 0usize;
    // Entries: (node, entering). Leaving an element closes its `Open`.
    let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(*body, true)];
    let mut visited = 0usize;
    while let Some((node, entering)) = stack.pop() {
        if !entering {
            let Some(closed) = open.pop() else { break };
            if closed.furniture {
                furniture_depth -= 1;
            }
            if closed.link {
                link_depth -= 1;
            }
            if closed.block
                && closed.own_unlinked >= MIN_PROSE_CHARS
                && furniture_depth == 0
                && !closed.furniture
            {
                prose.push((closed.start, offset, closed.own_unlinked));
            }
            if let Some(entry) = wanted.get_mut(&node.id) {
                entry.1 = Some(offset);
            }
            continue;
        }
        visited += 1;
        if visited > MAX_WALK_NODES {
            break;
        }
        if node.is_text() {
            let chars = node.query_or(0, |n| match &n.data {
                dom_query::NodeData::Text { contents } => {
                    contents.chars().filter(|c| c.is_alphanumeric()).count()
                }
                _ => 0,
            });
            offset += chars;
            if link_depth == 0
                && let Some(block) = open.iter_mut().rev().find(|o| o.block)
            {
                block.own_unlinked += chars;
            }
            continue;
        }
        if !node.is_element() {
            continue;
        }
        let Some(name) = node.node_name() else {
            continue;
        };
        let name = name.as_ref();
        if SKIPPED_TAGS.contains(&name) {
            continue;
        }
        if let Some(entry) = wanted.get_mut(&node.id) {
            entry.0 = Some(offset);
        }
        let furniture = FURNITURE_TAGS.contains(&name) || names_comments(&node);
        let link = name == "a";
        if furniture {
            furniture_depth += 1;
        }
        if link {
            link_depth += 1;
        }
        open.push(Open {
            start: offset,
            own_unlinked: 0,
            block: !INLINE_TAGS.contains(&name),
            link,
            furniture,
        });
        stack.push((node, false));
        let at = stack.len();
        stack.extend(node.children_it(false).map(|c| (c, true)));
        stack[at..].reverse();
    }
    let body = body_span(&prose);
    blocks
        .iter()
        .map(|(first, last)| {
            let start = wanted.get(first).and_then(|e| e.0);
            let end = wanted.get(last).and_then(|e| e.1);
            match (body, start, end) {
                (Some((body_start, body_end)), Some(start), Some(end)) => {
                    if end <= body_start {
                        Place::Before
                    } else if start < body_end {
                        Place::InBody
                    } else {
                        Place::After(start - body_end)
                    }
                }
                _ => Place::Unknown,
            }
        })
        .collect()
}

/// Does the element's class or id name comments (`div#comments`, `section.comment-list`)?
fn names_comments(node: &NodeRef<'_>) -> bool {
    ["class", "id"].iter().any(|attr| {
        node.attr(attr).is_some_and(|names| {
            names
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|t| t.len() >= 7 && t[..7].eq_ignore_ascii_case("comment"))
        })
    })
}

/// The run of prose paragraphs (start, end, unlinked characters; in document order) with the
/// most prose: its start and end.
fn body_span(prose: &[(usize, usize, usize)]) -> Option<(usize, usize)> {
    // Nested block elements both count as prose (a `div` around its `p`s): keep the
    // innermost, which close first; an enclosing one starts before the last kept one.
    let mut paragraphs: Vec<(usize, usize, usize)> = Vec::new();
    for &(start, end, chars) in prose {
        while paragraphs.last().is_some_and(|p| p.0 >= start) {
            paragraphs.pop();
        }
        if paragraphs.last().is_none_or(|p| p.1 <= start) {
            paragraphs.push((start, end, chars));
        }
    }
    let mut best: Option<(usize, usize, usize)> = None;
    let mut run: Option<(usize, usize, usize)> = None;
    for (start, end, chars) in paragraphs {
        run = match run {
            Some((run_start, run_end, total)) if start.saturating_sub(run_end) <= MAX_PROSE_GAP => {
                Some((run_start, end, total + chars))
            }
            _ => Some((start, end, chars)),
        };
        if let Some(r) = run
            && best.is_none_or(|b| r.2 > b.2)
        {
            best = Some(r);
        }
    }
    best.map(|(start, end, _)| (start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    fn place_of(html: &str, selector: &str) -> Place {
        let doc = Document::from(html);
        let body = doc.select("body").nodes()[0];
        let node = doc.select(selector).nodes()[0];
        places(&body, &[(node.id, node.id)])[0]
    }

    fn para(n: usize) -> String {
        format!(
            "<p>{}</p>",
            "Lorem ipsum dolor sit amet consectetur. ".repeat(n)
        )
    }

    #[test]
    fn a_block_is_placed_against_the_longest_run_of_prose() {
        let page = format!(
            "<body><div id=early><a href=/x>Early link</a></div><article>{}{}<p>Short.</p>\
             </article><ul id=right><li><a href=/a>A</a></ul>{}\
             <ul id=far><li><a href=/b>B</a></ul></body>",
            para(5),
            para(5),
            // Short lines, none of them prose: 3,000 letters between the body and `#far`.
            "<div>filler text</div>".repeat(300)
        );
        assert_eq!(place_of(&page, "#early"), Place::Before);
        let right = place_of(&page, "#right");
        assert!(matches!(right, Place::After(d) if d < 20), "{right:?}");
        assert!(matches!(place_of(&page, "#far"), Place::After(d) if d > MAX_PROSE_GAP));
        assert_eq!(place_of(&page, "article p"), Place::InBody);
        // A short line after the last paragraph is not the body.
        assert_eq!(place_of(&page, "article p:last-child"), Place::After(0));
    }

    #[test]
    fn comments_and_furniture_are_not_the_body() {
        let page = format!(
            "<body><article>{}</article><ul id=right><li><a href=/a>A</a></ul>\
             <div id=comments>{}</div><footer>{}</footer></body>",
            para(6),
            para(30),
            para(30)
        );
        let right = place_of(&page, "#right");
        assert!(matches!(right, Place::After(d) if d < 20), "{right:?}");
    }

    #[test]
    fn a_page_without_prose_places_nothing() {
        let page = "<body><ul id=l><li><a href=/a>A</a></ul></body>";
        assert_eq!(place_of(page, "#l"), Place::Unknown);
    }
}

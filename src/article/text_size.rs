//! How much text a part of the page holds, read in place: characters that are not whitespace
//! under a node, and the same for every element of a document in one walk. The cleaning
//! passes ask this thousands of times a page; `NodeRef::text` would copy the text each time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use dom_query::{Document, NodeData, NodeId, NodeRef, Tree};

/// Characters of `s` that are not whitespace: `s.chars().filter(|c| !c.is_whitespace())
/// .count()`, by bytes when the text is ASCII (most of a page).
pub(crate) fn non_whitespace_chars(s: &str) -> usize {
    if s.is_ascii() {
        // ASCII whitespace for `char::is_whitespace`: tab to carriage return, and space.
        s.bytes()
            .filter(|b| !matches!(b, b'\t'..=b'\r' | b' '))
            .count()
    } else {
        s.chars().filter(|c| !c.is_whitespace()).count()
    }
}

/// The node's own text characters (a text node's), and its first child and next sibling and
/// parent: one look into the tree per node.
fn step(tree: &Tree, id: NodeId) -> (usize, Option<NodeId>, Option<NodeId>, Option<NodeId>) {
    tree.query_node(&id, |node| {
        let chars = match &node.data {
            NodeData::Text { contents } => non_whitespace_chars(contents),
            _ => 0,
        };
        (chars, node.first_child, node.next_sibling, node.parent)
    })
    .unwrap_or((0, None, None, None))
}

/// Characters that are not whitespace in the text under `node` (itself included): the same
/// count as `node.text()` filtered, without copying the text.
pub(crate) fn text_chars(node: &NodeRef<'_>) -> usize {
    let tree = node.tree;
    let start = node.id;
    let (mut total, first, _, _) = step(tree, start);
    let Some(mut current) = first else {
        return total;
    };
    loop {
        let (chars, first_child, next_sibling, parent) = step(tree, current);
        total += chars;
        if let Some(child) = first_child {
            current = child;
            continue;
        }
        // Up until a node with a next sibling, stopping at the start.
        let (mut next, mut up) = (next_sibling, parent);
        loop {
            if let Some(sibling) = next {
                current = sibling;
                break;
            }
            match up {
                Some(p) if p != start => {
                    let (_, _, sibling, parent) = step(tree, p);
                    next = sibling;
                    up = parent;
                }
                _ => return total,
            }
        }
    }
}

/// A hasher for node ids (small integers): the default SipHash costs more than the work the
/// passes do per node.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by node id.
pub(crate) type IdMap<V> = HashMap<NodeId, V, BuildHasherDefault<IdHasher>>;

/// Characters that are not whitespace under every element of the document, in one bottom-up
/// pass (asking each block for its text is quadratic in the nesting depth).
pub(crate) fn text_lengths(doc: &Document) -> IdMap<usize> {
    let tree = &doc.tree;
    // Pre-order: (node, index of its parent in `order`, element?, own characters).
    let mut order: Vec<(NodeId, usize, bool, usize)> = Vec::new();
    let mut stack: Vec<(NodeId, usize)> = vec![(doc.root().id, usize::MAX)];
    let mut children: Vec<NodeId> = Vec::new();
    while let Some((id, parent)) = stack.pop() {
        let index = order.len();
        let (is_element, chars, first) = tree
            .query_node(&id, |node| {
                let chars = match &node.data {
                    NodeData::Text { contents } => non_whitespace_chars(contents),
                    _ => 0,
                };
                (node.is_element(), chars, node.first_child)
            })
            .unwrap_or((false, 0, None));
        order.push((id, parent, is_element, chars));
        // Children pushed last first, so they pop in document order.
        children.clear();
        let mut child = first;
        while let Some(c) = child {
            children.push(c);
            child = tree.query_node(&c, |node| node.next_sibling).flatten();
        }
        stack.extend(children.iter().rev().map(|&c| (c, index)));
    }
    let mut lengths: Vec<usize> = order.iter().map(|o| o.3).collect();
    for i in (1..order.len()).rev() {
        let parent = order[i].1;
        if parent != usize::MAX {
            lengths[parent] += lengths[i];
        }
    }
    let mut map = IdMap::with_capacity_and_hasher(order.len(), Default::default());
    for ((id, _, is_element, _), len) in order.iter().zip(lengths) {
        if *is_element {
            map.insert(*id, len);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_len(node: &NodeRef<'_>) -> usize {
        node.text().chars().filter(|c| !c.is_whitespace()).count()
    }

    #[test]
    fn counts_match_the_copied_text() {
        let doc = Document::from(
            "<html><head><title>T i</title><style>p{}</style></head><body>\
             <div id=a> one <b>two\u{a0}three</b><p>é è\u{2003}ü</p></div><p></p>\
             <ul><li>x\u{b}y\u{1c}</li><li><!-- c --> z </li></ul>tail</body></html>",
        );
        let lengths = text_lengths(&doc);
        let mut elements = 0;
        for node in doc.root().descendants_it() {
            assert_eq!(text_chars(&node), slow_len(&node));
            if node.is_element() {
                elements += 1;
                assert_eq!(lengths.get(&node.id).copied(), Some(slow_len(&node)));
            } else {
                assert!(!lengths.contains_key(&node.id));
            }
        }
        assert!(elements > 10);
        assert_eq!(text_chars(&doc.root()), slow_len(&doc.root()));
    }

    #[test]
    fn ascii_and_unicode_whitespace_are_both_skipped() {
        assert_eq!(non_whitespace_chars(" a\tb\n\u{b}\u{c}\rc "), 3);
        assert_eq!(non_whitespace_chars("\u{1c}x"), 2);
        assert_eq!(non_whitespace_chars("é\u{a0}\u{2003}ü"), 2);
    }
}

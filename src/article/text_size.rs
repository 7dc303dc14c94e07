//! How much text a part of the page holds, read in place: characters that are not whitespace
//! under a node, and the same for every element of a document in one walk. The cleaning
//! passes ask this thousands of times a page; `NodeRef::text` would copy the text each time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use dom_query::{Document, NodeData, NodeId, NodeRef, Tree};

/// Characters of `s` that are not whitespace: `s.chars().filter(|c| !c.is_whitespace())
/// .count()`, counted over the bytes, since pages hold long scripts and every cleaning pass
/// asks for these counts. Runs of 64 bytes are summed in a byte-wide counter with branch-free
/// tests, which the compiler turns into vector instructions (a word-wide sum with `matches!`
/// stayed near one byte per cycle); only the runs holding a possible non-ASCII space decode it.
pub(crate) fn non_whitespace_chars(s: &str) -> usize {
    // A character starts at each byte that is not a continuation byte (0b10xx_xxxx); ASCII
    // whitespace for `char::is_whitespace` is tab to carriage return, and space.
    fn counts(b: u8) -> bool {
        (b as i8) >= -0x40 && !(b == b' ' || b.wrapping_sub(b'\t') < 5)
    }
    // Whitespace beyond ASCII (U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000) starts with
    // one of these bytes (0xC2, 0xE1, 0xE2, 0xE3): decoded only where they occur.
    fn is_lead(b: u8) -> bool {
        (b == 0xC2) | (b.wrapping_sub(0xE1) < 3)
    }
    // A lead byte at `at`: is the character there whitespace?
    let wide_space_at = |at: usize| s[at..].chars().next().is_some_and(char::is_whitespace);
    let bytes = s.as_bytes();
    let mut counted = 0usize;
    let mut wide_spaces = 0usize;
    let mut runs = bytes.chunks_exact(64);
    for (run_index, run) in (&mut runs).enumerate() {
        let (mut starts, mut leads) = (0u8, 0u8);
        for &b in run {
            starts += u8::from(counts(b));
            leads |= u8::from(is_lead(b));
        }
        counted += usize::from(starts);
        // Only the runs that hold a lead byte are decoded (Latin text has few).
        if leads != 0 {
            let start = run_index * 64;
            wide_spaces += (start..start + 64)
                .filter(|&at| is_lead(bytes[at]) && wide_space_at(at))
                .count();
        }
    }
    let start = bytes.len() - runs.remainder().len();
    for (at, &b) in runs.remainder().iter().enumerate() {
        counted += usize::from(counts(b));
        if is_lead(b) && wide_space_at(start + at) {
            wide_spaces += 1;
        }
    }
    counted - wide_spaces
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

/// A dense index for a node: its place in the tree's node list, plus one. `NodeId` keeps the
/// place private but hashes it (as its one `u32`), which this hasher keeps as it is; a unit
/// test fails if dom_query ever hashes it otherwise.
pub(crate) fn node_index(id: NodeId) -> usize {
    #[derive(Default)]
    struct Keep(u64);
    impl Hasher for Keep {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 << 8) | u64::from(b);
            }
        }
        fn write_u32(&mut self, n: u32) {
            self.0 = u64::from(n);
        }
    }
    let mut keep = Keep::default();
    id.hash(&mut keep);
    keep.0 as usize
}

/// Characters that are not whitespace under each element of a document (see
/// [`text_lengths`]), by node index.
pub(crate) struct TextLengths {
    /// By [`node_index`]; `usize::MAX` for nodes that are not elements (or not seen).
    lengths: Vec<usize>,
}

impl TextLengths {
    /// The length under an element; None for other nodes and nodes made after the count.
    pub(crate) fn get(&self, id: &NodeId) -> Option<&usize> {
        self.lengths
            .get(node_index(*id))
            .filter(|&&len| len != usize::MAX)
    }
}

/// Characters that are not whitespace under every element of the document, in one bottom-up
/// pass (asking each block for its text is quadratic in the nesting depth).
pub(crate) fn text_lengths(doc: &Document) -> TextLengths {
    let tree = &doc.tree;
    let mut lengths = vec![usize::MAX; tree.len() + 1];
    // The nodes open on the way down from the root, in pre-order: (node index, is an element,
    // characters so far, next sibling). A node's sum goes to its parent when it closes, so
    // each node is looked at once.
    let mut open: Vec<(usize, bool, usize, Option<NodeId>)> = Vec::new();
    let mut current = Some(doc.root().id);
    while let Some(id) = current {
        let (is_element, chars, first_child, next_sibling) = tree
            .query_node(&id, |node| {
                let chars = match &node.data {
                    NodeData::Text { contents } => non_whitespace_chars(contents),
                    _ => 0,
                };
                (
                    node.is_element(),
                    chars,
                    node.first_child,
                    node.next_sibling,
                )
            })
            .unwrap_or((false, 0, None, None));
        let index = node_index(id);
        if index >= lengths.len() {
            lengths.resize(index + 1, usize::MAX);
        }
        open.push((index, is_element, chars, next_sibling));
        if first_child.is_some() {
            current = first_child;
            continue;
        }
        // Close nodes up to the first with a next sibling (the root has none to go to).
        current = None;
        while let Some((index, is_element, sum, next)) = open.pop() {
            if is_element {
                lengths[index] = sum;
            }
            let Some(parent) = open.last_mut() else {
                break;
            };
            parent.2 += sum;
            if next.is_some() {
                current = next;
                break;
            }
        }
    }
    TextLengths { lengths }
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
                assert!(lengths.get(&node.id).is_none());
            }
        }
        assert!(elements > 10);
        assert_eq!(text_chars(&doc.root()), slow_len(&doc.root()));
    }

    #[test]
    fn node_indices_are_the_places_in_the_tree() {
        let doc = Document::from("<html><body><p>a<b>b</b></p><div>c</div></body></html>");
        let mut seen: Vec<usize> = std::iter::once(doc.root())
            .chain(doc.root().descendants_it())
            .map(|n| node_index(n.id))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), doc.tree.len());
        assert!(seen.iter().all(|&i| (1..=doc.tree.len()).contains(&i)));
    }

    #[test]
    fn counts_match_chars_for_every_kind_of_character() {
        let reference = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        let mut all = String::new();
        for c in (0..0x3100u32)
            .chain([0xFEFF, 0x1F600, 0x10FFFF])
            .filter_map(char::from_u32)
        {
            all.push(c);
            all.push('x');
        }
        assert_eq!(non_whitespace_chars(&all), reference(&all));
        for sample in [
            "",
            " ",
            "l\u{2019}été « à » \u{a0}\u{2009}\u{202f}\u{3000}\u{85}\u{1680}",
            "\u{2018}quoted\u{201d} \u{2014} dash\u{2028}\u{2029}\u{205f}",
            "日本語のテキスト　全角スペース",
        ] {
            assert_eq!(
                non_whitespace_chars(sample),
                reference(sample),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn counts_across_the_runs_of_64_bytes() {
        let reference = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        for len in [1, 21, 63, 64, 65, 127, 128, 129, 1_000] {
            for unit in ["a", " ", "é", "\u{a0}", "x \u{3000}", "日"] {
                let text: String = unit.repeat(len);
                assert_eq!(
                    non_whitespace_chars(&text),
                    reference(&text),
                    "{unit:?} x {len}"
                );
            }
        }
        let full = "a".repeat(64 * 3 + 5);
        assert_eq!(non_whitespace_chars(&full), 64 * 3 + 5);
    }

    #[test]
    fn ascii_and_unicode_whitespace_are_both_skipped() {
        assert_eq!(non_whitespace_chars(" a\tb\n\u{b}\u{c}\rc "), 3);
        assert_eq!(non_whitespace_chars("\u{1c}x"), 2);
        assert_eq!(non_whitespace_chars("é\u{a0}\u{2003}ü"), 2);
    }
}

//! Boilerplate removal around the main-content scorer: before scoring, blocks whose
//! class/id/role say what they are (share bars, newsletter boxes, comments, cookie banners, ads,
//! "most read" lists, author boxes, tags) and links styled as buttons; after scoring, short
//! blocks whose text is a known pitch or prompt in fr/en/de/es/it/pt/nl or a copyright line,
//! credits at the end of captions, and link lists trailing the article.
//!
//! Every rule is generic (words in attributes, phrases in text, link density): no site lists.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use dom_query::{Document, NodeRef};

use super::elements::select_among;
use super::phrases::{
    BODY_MARKERS, BOILERPLATE_LABELS, BOILERPLATE_PHRASES, BOILERPLATE_ROLES, CREDIT_LABELS,
    CREDIT_WORDS, END_LABELS, HINT_PREFIXES, HINT_WORDS, NOTICE_PHRASES, POSITIVE_WORDS,
    PhraseMatcher, fold,
};
use super::text_size::text_lengths;

/// Elements that are never article text (`form` is not here: some sites wrap the whole page
/// in one).
const FURNITURE_TAGS: &str = "nav, button, input, select, textarea, iframe, dialog, \
     noscript, template, svg, canvas, object, embed";

/// The words of an element's class and id, lowercased: (whole tokens, words of tokens).
fn hint_tokens(node: &NodeRef<'_>) -> Vec<String> {
    let mut tokens = Vec::new();
    if let Some(class) = node.attr("class") {
        tokens.extend(class.split_whitespace().map(str::to_ascii_lowercase));
    }
    if let Some(id) = node.attr("id") {
        tokens.extend(id.split_whitespace().map(str::to_ascii_lowercase));
    }
    tokens
}

/// Whether `haystack` contains `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if haystack.len() < needle.len() {
        return false;
    }
    (0..=haystack.len() - needle.len()).any(|i| {
        haystack[i].eq_ignore_ascii_case(&first)
            && haystack[i + 1..i + needle.len()].eq_ignore_ascii_case(rest)
    })
}

fn words_of(token: &str) -> impl Iterator<Item = &str> {
    token.split(['-', '_', ':']).filter(|w| !w.is_empty())
}

/// True when the class/id says "boilerplate" and nothing says "article body".
fn has_negative_hint(tokens: &[String]) -> bool {
    let mut negative = false;
    for token in tokens {
        // "has-comments", "is-sticky-share", "no-sidebar": states of a wrapper, not names.
        if ["has-", "is-", "with-", "no-", "show-", "enable"]
            .iter()
            .any(|p| token.starts_with(p))
        {
            continue;
        }
        // BEM: "report__section--ads" is a section (that holds ads), "list--related" a list:
        // the modifier after "--" qualifies the name, it does not name the block.
        let name = match token.split_once("--") {
            Some((name, _)) if !name.is_empty() => name,
            _ => token.as_str(),
        };
        if starts_with_hint_prefix(name) || words_of(name).any(|w| HINT_WORD_SET.contains(w)) {
            negative = true;
            break;
        }
    }
    if !negative {
        return false;
    }
    // "content-sidebar-wrap", "article-comments-enabled": a wrapper of the article. Inside a
    // name, "wrap" and "wrapper" name the wrapper of what the other words say: "footer-wrap",
    // "tdc-footer-wrap" and "sidebar-wrapper" are furniture.
    !tokens.iter().any(|t| {
        POSITIVE_WORD_SET.contains(t.as_str())
            || words_of(t).any(|w| {
                POSITIVE_WORD_SET.contains(w) && !matches!(w, "text" | "post" | "wrap" | "wrapper")
            }) && !starts_with_hint_prefix(t)
    })
}

/// Whether `token` starts with one of [`HINT_PREFIXES`] (looked up by its first byte).
fn starts_with_hint_prefix(token: &str) -> bool {
    let by_first = &*HINT_PREFIXES_BY_FIRST_BYTE;
    let candidates = token
        .as_bytes()
        .first()
        .map_or(&[][..], |&b| by_first[usize::from(b)].as_slice());
    by_first[256]
        .iter()
        .chain(candidates)
        .any(|p| token.starts_with(p))
}

/// [`HINT_PREFIXES`] grouped by their first byte; the empty prefix, if any, at 256.
static HINT_PREFIXES_BY_FIRST_BYTE: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
    let mut groups = vec![Vec::new(); 257];
    for prefix in HINT_PREFIXES.iter() {
        let slot = prefix.as_bytes().first().map_or(256, |&b| usize::from(b));
        groups[slot].push(prefix.as_str());
    }
    groups
});

/// [`HINT_WORDS`] and [`POSITIVE_WORDS`] as sets: every element's class and id words are
/// looked up in them.
static HINT_WORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| HINT_WORDS.iter().map(String::as_str).collect());
static POSITIVE_WORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| POSITIVE_WORDS.iter().map(String::as_str).collect());

/// Folded text length of a node (characters that are not whitespace).
fn text_len(node: &NodeRef<'_>) -> usize {
    super::text_size::text_chars(node)
}

/// Remove page furniture from the whole document before the scorer sees it.
pub fn pre_clean(doc: &Document) {
    doc.select(FURNITURE_TAGS).remove();
    let Some(body) = doc.body() else {
        return;
    };
    let lengths = text_lengths(doc);
    let body_len = lengths.get(&body.id).copied().unwrap_or(0).max(1);

    // Elements hidden from readers.
    let mut hidden = Vec::new();
    let hidable = select_among(
        doc,
        "[hidden], [aria-hidden=true], [style]",
        &[],
        &["hidden", "aria-hidden", "style"],
    );
    for node in hidable.as_ref().map_or(&[][..], |s| s.nodes()) {
        if super::plaintext::is_hidden(node) || node.attr("aria-hidden").is_some() {
            // A block with the `hidden` attribute holding a third of the page's text is the
            // content itself, streamed hidden and revealed by a script (React/Next.js
            // `<div hidden id="S:0">`): shown, not removed. Hidden by style, it stays hidden.
            if node.has_attr("hidden")
                && !node.has_attr("style")
                && lengths.get(&node.id).copied().unwrap_or(0) * 3 > body_len
            {
                node.remove_attr("hidden");
                node.remove_attr("aria-hidden");
                continue;
            }
            hidden.push(node.id);
        }
    }
    remove_ids(doc, &hidden);

    // By role, class or id: collect first (the tree changes as we remove), then remove the
    // outermost ones that do not hold the article.
    let mut doomed = Vec::new();
    let mut markers_below: Option<super::text_size::IdMap<bool>> = None;
    // Every element under the body, in document order (a walk: the selector "body *" checks
    // each element's ancestors).
    let candidates: Vec<NodeRef<'_>> = body.descendants_it().filter(|n| n.is_element()).collect();
    for node in &candidates {
        let name = node.node_name();
        let name = name.as_deref().unwrap_or("");
        // A paragraph is judged too: "postmetadata", "author-bio" and "credit" name what a
        // `<p>` holds as well as they do a `<div>`'s.
        if matches!(name, "html" | "body" | "main" | "article" | "h1") {
            continue;
        }
        let by_role = node
            .attr("role")
            .is_some_and(|r| BOILERPLATE_ROLES.contains(&r.trim().to_ascii_lowercase()));
        // A `<form>` can wrap a whole page (ASP.NET): judged like the others.
        let by_tag = matches!(name, "footer" | "aside" | "form");
        let by_hint = has_negative_hint(&hint_tokens(node));
        if !(by_role || by_tag || by_hint) {
            continue;
        }
        let len = lengths.get(&node.id).copied().unwrap_or(0);
        // Whether a marker is below: looked up in one pass over the body, made when first
        // needed (a descendant walk per candidate is quadratic in the nesting).
        let holds = len * 2 > body_len
            || markers_below
                .get_or_insert_with(|| article_markers_below(body))
                .get(&node.id)
                .copied()
                .unwrap_or_else(|| holds_article_marker(node));
        if holds {
            continue;
        }
        doomed.push(node.id);
    }
    remove_ids(doc, &doomed);
    remove_after_main(doc);
    remove_button_links(doc);
    remove_teaser_cards(doc);
    remove_author_boxes(doc);
    super::captions::remove_captions_repeating_title(doc);
}

/// The page's main landmark holds at least this share of the body's text (in tenths) for
/// what follows it to be judged outside the article.
const MAIN_SHARE_TENTHS: usize = 5;

/// Remove what follows the page's main landmark (`<main>`, `role="main"`): when the page has
/// one, holding the article and most of the text, the blocks after it in the document (a
/// site's contact strip, a sidebar placed after it, teasers) are not the article, in any
/// language. Blocks before it (a hero with the headline and the standfirst) stay.
fn remove_after_main(doc: &Document) {
    let Some(body) = doc.body() else {
        return;
    };
    let Some(landmarks) = select_among(doc, "main, [role=main]", &["main"], &["role"]) else {
        return;
    };
    let landmarks = landmarks.nodes();
    // The outermost landmark; nested ones (a `<main>` in a `role="main"` wrapper) are the same.
    let outermost: Vec<&NodeRef<'_>> = landmarks
        .iter()
        .filter(|m| {
            !m.ancestors_it(None)
                .any(|a| landmarks.iter().any(|other| other.id == a.id))
        })
        .collect();
    let [main] = outermost.as_slice() else {
        return;
    };
    // Sizes after the class/id pass: the menus it took are not the page's text.
    let main_len = text_len(main);
    if main_len * 10 < text_len(&body) * MAIN_SHARE_TENTHS || !holds_article_marker(main) {
        return;
    }
    let mut doomed = Vec::new();
    let mut node = **main;
    while node.id != body.id {
        let mut next = node.next_element_sibling();
        while let Some(sibling) = next {
            next = sibling.next_element_sibling();
            doomed.push(sibling.id);
        }
        let Some(parent) = node.parent().filter(|p| p.is_element()) else {
            return;
        };
        node = parent;
    }
    remove_ids(doc, &doomed);
}

/// Remove the page's footer: a `<footer>` outside any `<article>`, or the block whose ARIA
/// role is `contentinfo`, unless it holds the headline or an article container. Unlike the
/// class/id pre-clean, a footer is not kept for holding most of the page's text: on a page
/// with no article (an error page, a paywall) the footer's legal lines are all the text
/// there is, and they are still not an article. Runs on every pass, the retry without the
/// class/id pre-clean included: the markup says what the block is, in every language.
pub fn remove_page_footers(doc: &Document) {
    let Some(footers) = select_among(doc, "footer, [role=contentinfo]", &["footer"], &["role"])
    else {
        return;
    };
    let doomed: Vec<dom_query::NodeId> = footers
        .nodes()
        .iter()
        .filter(|footer| {
            let by_role = footer
                .attr("role")
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("contentinfo"));
            // An article's own footer (its tags, its author) is left to the other rules.
            let in_article = footer.ancestors_it(None).any(|a| a.has_name("article"));
            (by_role || !in_article) && !holds_article_marker(footer)
        })
        .map(|footer| footer.id)
        .collect();
    remove_ids(doc, &doomed);
}

/// At least this many sibling cards of one kind make a teaser list.
const CARD_MIN: usize = 3;
/// A teaser card holds at most this much text (characters): a title and an excerpt.
const CARD_MAX_CHARS: usize = 600;
/// A card's title link holds at least this much text (characters).
const CARD_TITLE_MIN_CHARS: usize = 12;

/// Remove lists of teaser cards after the article: three or more sibling elements of the same
/// tag and class (the site's template repeated), each a short block whose first text is a
/// link to a different page (a title) or whose heading is a link, with no paragraph of text
/// after them. Other stories, events or products shown as cards, in any language; the
/// article's own lists (items with no class, longer than a teaser, or followed by more of
/// the article, as a product round-up is) stay.
fn remove_teaser_cards(doc: &Document) {
    let Some(body) = doc.body() else {
        return;
    };
    let lengths = text_lengths(doc);
    let len_of = |n: &NodeRef<'_>| lengths.get(&n.id).copied().unwrap_or(0);
    let mut groups_found: Vec<Vec<dom_query::NodeId>> = Vec::new();
    for container in body.descendants_it().filter(|n| n.is_element()) {
        // Most elements have fewer children than a card list: counted before any is listed.
        let mut count = 0;
        let mut kid = container.first_element_child();
        while let Some(k) = kid.filter(|_| count < CARD_MIN) {
            count += 1;
            kid = k.next_element_sibling();
        }
        if count < CARD_MIN {
            continue;
        }
        let kids = container.element_children();
        let mut groups: HashMap<(String, String), Vec<NodeRef<'_>>> = HashMap::new();
        for kid in kids {
            let Some(class) = kid.attr("class").filter(|c| !c.trim().is_empty()) else {
                continue;
            };
            let name = kid.node_name().map(|n| n.to_string()).unwrap_or_default();
            groups
                .entry((name, class.trim().to_string()))
                .or_default()
                .push(kid);
        }
        for cards in groups.values().filter(|g| g.len() >= CARD_MIN) {
            let mut targets: Vec<String> = Vec::new();
            let mut long_titles = 0;
            let all_teasers = cards.iter().all(|card| {
                let len = len_of(card);
                if len == 0 || len > CARD_MAX_CHARS || is_article_frame(card) {
                    return false;
                }
                match title_link(card) {
                    Some((href, title_len)) => {
                        targets.push(href);
                        long_titles += usize::from(title_len >= CARD_TITLE_MIN_CHARS);
                        true
                    }
                    None => false,
                }
            });
            targets.sort();
            targets.dedup();
            // A title is a few words: a rare short one ("Lego Fun", one in ten at most) among
            // the template's others is still a title. More short links are a menu, or the
            // items of a listicle ("2. Drake", "9. Scientist"): not teasers.
            let titled = long_titles >= CARD_MIN && long_titles * 10 >= cards.len() * 9;
            if all_teasers && titled && targets.len() >= CARD_MIN {
                groups_found.push(cards.iter().map(|c| c.id).collect());
            }
        }
    }
    if groups_found.is_empty() {
        return;
    }
    let after = after_the_text(doc, &groups_found, false);
    let mut doomed = Vec::new();
    for (cards, after) in groups_found.into_iter().zip(after) {
        if after {
            doomed.extend(cards);
        }
    }
    remove_ids(doc, &doomed);
}

/// For each group of blocks, whether it starts after the page's last paragraph of text
/// (a link-poor `p` of [`LONG_PARAGRAPH_CHARS`] or more outside every group): what comes
/// after the article, not inside it. With `text_required`, a page with no such paragraph
/// outside the groups has nothing the groups could come after.
fn after_the_text(
    doc: &Document,
    groups: &[Vec<dom_query::NodeId>],
    text_required: bool,
) -> Vec<bool> {
    let Some(body) = doc.body() else {
        return vec![false; groups.len()];
    };
    let in_groups: super::text_size::IdMap<()> =
        groups.iter().flatten().map(|&id| (id, ())).collect();
    let mut order: super::text_size::IdMap<usize> = Default::default();
    let mut last_paragraph = None;
    let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(body, false)];
    while let Some((node, inside_group)) = stack.pop() {
        if !node.is_element() {
            continue;
        }
        let position = order.len();
        order.insert(node.id, position);
        let inside_group = inside_group || in_groups.contains_key(&node.id);
        if !inside_group && node.has_name("p") {
            let len = text_len(&node);
            if len >= LONG_PARAGRAPH_CHARS && link_density(&node, len) < 0.3 {
                last_paragraph = Some(position);
            }
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push((c, inside_group));
        }
    }
    groups
        .iter()
        .map(|group| {
            group
                .iter()
                .filter_map(|id| order.get(id))
                .min()
                .is_some_and(|first| match last_paragraph {
                    Some(last) => *first > last,
                    None => !text_required,
                })
        })
        .collect()
}

/// The target of a card's title link (a link that holds the card's first text, or that is
/// or sits in a heading) and the length of its text (characters).
fn title_link(card: &NodeRef<'_>) -> Option<(String, usize)> {
    let first_text = card
        .descendants_it()
        .find(|d| d.is_text() && !d.text().trim().is_empty())?;
    let in_link = first_text
        .ancestors_it(None)
        .take_while(|a| a.id != card.id)
        .find(|a| a.has_name("a"));
    let link = in_link.or_else(|| {
        card.descendants_it().find(|d| {
            d.has_name("a")
                && (d.descendants_it().any(|h| is_heading(&h))
                    || d.ancestors_it(None)
                        .take_while(|a| a.id != card.id)
                        .any(|a| is_heading(&a)))
        })
    })?;
    let href = link.attr("href")?.trim().to_string();
    let len = text_len(&link);
    (!href.is_empty() && !href.starts_with('#') && len > 0).then_some((href, len))
}

/// An author box holds at most this much text (characters): a name, a photo, a short bio.
const AUTHOR_BOX_MAX_CHARS: usize = 700;
/// Beyond the author's name, a box holds at least this much text (a bio), else it is a
/// byline and left to the byline passes.
const AUTHOR_BIO_MIN_CHARS: usize = 60;
/// A paragraph this long (characters) and link-poor is article text: author boxes come after.
const LONG_PARAGRAPH_CHARS: usize = 200;

/// Remove author boxes by their markup: the small block around an author named by microdata
/// (`itemprop="author"`, a schema.org `Person` item) or `rel="author"` that also holds a bio, when it comes after the
/// article's last paragraph. Works in every language: nothing is read but the structure.
fn remove_author_boxes(doc: &Document) {
    let Some(marks) = select_among(
        doc,
        "[itemprop~=author]:not(meta, link), a[rel~=author], [itemscope][itemtype$=\"/Person\"]",
        &[],
        &["itemprop", "rel", "itemscope"],
    ) else {
        return;
    };
    let lengths = text_lengths(doc);
    let len_of = |n: &NodeRef<'_>| lengths.get(&n.id).copied().unwrap_or(0);
    let mut boxes: Vec<Vec<dom_query::NodeId>> = Vec::new();
    for mark in marks.nodes() {
        // The author's name: the mark itself, or its `itemprop="name"` when the mark is the
        // whole box (a `Person` item with its description).
        let anchor_len = mark
            .descendants_it()
            .find(|d| {
                d.attr("itemprop")
                    .is_some_and(|p| p.split_whitespace().any(|w| w == "name"))
            })
            .map_or_else(|| len_of(mark), |name| len_of(&name));
        // A `Person` item with its description is a box whose bio is that description, even
        // when its name went with a furniture-named link ("vcard author") before this pass.
        let description_len = mark
            .descendants_it()
            .find(|d| {
                d.attr("itemprop")
                    .is_some_and(|p| p.split_whitespace().any(|w| w == "description"))
            })
            .map_or(0, |description| len_of(&description));
        let anchor_len = if description_len >= AUTHOR_BIO_MIN_CHARS {
            anchor_len.min(len_of(mark).saturating_sub(description_len))
        } else {
            anchor_len
        };
        // A mark with no name shown is metadata (an empty `Person` item in a paragraph).
        if anchor_len == 0 && description_len < AUTHOR_BIO_MIN_CHARS {
            continue;
        }
        let mut bx = *mark;
        for _ in 0..5 {
            let Some(parent) = bx.parent().filter(|p| p.is_element()) else {
                break;
            };
            // Paragraphs of text beside the box: one is its bio while the box has none yet;
            // more, or one beside a box that has its bio, are the article (a short one).
            let paragraphs_beside: usize = parent
                .children()
                .iter()
                .filter(|c| c.id != bx.id)
                .map(|c| {
                    std::iter::once(*c)
                        .chain(c.descendants_it())
                        .filter(|d| {
                            d.has_name("p") && {
                                let len = len_of(d);
                                len >= LONG_PARAGRAPH_CHARS && link_density(d, len) < 0.3
                            }
                        })
                        .count()
                })
                .sum();
            let has_bio = len_of(&bx) >= anchor_len + AUTHOR_BIO_MIN_CHARS;
            let holds_text = paragraphs_beside > 1 || (paragraphs_beside == 1 && has_bio);
            if len_of(&parent) > AUTHOR_BOX_MAX_CHARS || is_article_frame(&parent) || holds_text {
                break;
            }
            bx = parent;
        }
        if len_of(&bx) < anchor_len + AUTHOR_BIO_MIN_CHARS
            || len_of(&bx) > AUTHOR_BOX_MAX_CHARS
            || is_article_frame(&bx)
            || boxes.iter().any(|b| b[0] == bx.id)
        {
            continue;
        }
        boxes.push(vec![bx.id]);
    }
    // Only after the article's text: a byline and lead above it, or a short post signed in
    // a thread (a forum, a Q&A site) with more posts below, stay. After the page's last
    // paragraph, or after the last one of the text the box closes (a sidebar's or the
    // comments' paragraphs further down the page do not keep it).
    let after = after_the_text(doc, &boxes, true);
    let doomed: Vec<dom_query::NodeId> = boxes
        .into_iter()
        .zip(after)
        .filter(|(bx, after)| {
            *after
                || bx
                    .first()
                    .is_some_and(|&id| closes_its_text(NodeRef::new(id, &doc.tree)))
        })
        .flat_map(|(bx, _)| bx)
        .collect();
    remove_ids(doc, &doomed);
}

/// Whether `node` comes after the text it belongs to: its nearest ancestor that holds a long,
/// link-poor paragraph besides `node` holds none after it (in document order).
fn closes_its_text(node: NodeRef<'_>) -> bool {
    let is_long_paragraph = |d: &NodeRef<'_>| {
        d.has_name("p") && {
            let len = text_len(d);
            len >= LONG_PARAGRAPH_CHARS && link_density(d, len) < 0.3
        }
    };
    for ancestor in node.ancestors_it(None).filter(|a| a.is_element()) {
        let mut seen_node = false;
        let mut before = false;
        let mut stack = vec![ancestor];
        while let Some(d) = stack.pop() {
            if d.id == node.id {
                seen_node = true;
                continue;
            }
            if !d.is_element() {
                continue;
            }
            if is_long_paragraph(&d) {
                if seen_node {
                    return false;
                }
                before = true;
                continue;
            }
            let mut child = d.last_child();
            while let Some(c) = child {
                child = c.prev_sibling();
                stack.push(c);
            }
        }
        if before {
            return true;
        }
    }
    false
}

/// A link styled as a button holds at most this many characters ("Schedule a call", "Get
/// started for free"): a call to action, never the article's text.
const BUTTON_MAX_CHARS: usize = 40;

/// Remove calls to action: links that the page marks as buttons (`role="button"`, or a
/// class/id word `button`, `btn`, `cta`) with a few words of text and no picture, alone in
/// their block, with that block.
fn remove_button_links(doc: &Document) {
    let Some(links) = doc.try_select("a") else {
        return;
    };
    let mut doomed = Vec::new();
    for link in links.nodes() {
        let by_role = link
            .attr("role")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("button"));
        // Tokens are split only when the class or id has one of the words in it somewhere.
        let may_name_button = ["class", "id"].iter().any(|attr| {
            link.attr(attr).is_some_and(|v| {
                ["btn", "cta", "button"]
                    .iter()
                    .any(|w| contains_ignore_ascii_case(&v, w))
            })
        });
        let by_name = may_name_button
            && hint_tokens(link)
                .iter()
                .any(|t| words_of(t).any(|w| matches!(w, "button" | "btn" | "cta")));
        if !(by_role || by_name) {
            continue;
        }
        let len = text_len(link);
        if len == 0 || len > BUTTON_MAX_CHARS || link.descendants_it().any(|d| d.has_name("img")) {
            continue;
        }
        // Only a button alone in its block: one inside a sentence ("We want to hear from
        // you. <a>Submit a letter</a>") is left to the link-density trim, which takes the
        // sentence with it.
        let alone = |n: &NodeRef<'_>| {
            n.is_element()
                && matches!(
                    n.node_name().as_deref().unwrap_or(""),
                    "p" | "div" | "span" | "li" | "strong" | "b" | "em"
                )
                && text_len(n) == len
                && !n.descendants_it().any(|d| d.has_name("img"))
        };
        let Some(mut target) = link.parent().filter(alone) else {
            // A button set among blocks (a card's heading and summary, then the button) is
            // a line of its own, not part of a sentence: the link goes alone.
            if stands_among_blocks(link) {
                doomed.push(link.id);
            }
            continue;
        };
        while let Some(parent) = target.parent().filter(alone) {
            target = parent;
        }
        if is_article_frame(&target) {
            continue;
        }
        doomed.push(target.id);
    }
    // A call to action is often a small section of its own: a heading, a pitch and the
    // button ("<h2>Work with me</h2><p>I offer…</p><p><a class=button>Book a call</a></p>").
    // When it comes after the article's text, its heading and pitch go with the button.
    // Several such sections are the article's own (a product round-up, each pick with its
    // "buy" button): only a page's one call to action goes. Buttons under one heading are
    // one section.
    let mut pitches: Vec<Vec<dom_query::NodeId>> = doomed
        .iter()
        .filter_map(|&id| heading_and_pitch_before(NodeRef::new(id, &doc.tree), &doomed))
        .collect();
    pitches.sort_by_key(|pitch| pitch.last().copied());
    pitches.dedup_by_key(|pitch| pitch.last().copied());
    if pitches.len() > 1 {
        pitches.clear();
    }
    let after = after_the_text(doc, &pitches, true);
    for (pitch, after) in pitches.into_iter().zip(after) {
        if after {
            doomed.extend(pitch);
        }
    }
    remove_ids(doc, &doomed);
}

/// A link whose siblings are blocks and blank text only: a line of its own between blocks,
/// not a word of a sentence.
fn stands_among_blocks(link: &NodeRef<'_>) -> bool {
    let Some(parent) = link.parent() else {
        return false;
    };
    let mut has_block_sibling = false;
    for sibling in parent.children() {
        if sibling.id == link.id {
            continue;
        }
        if sibling.is_text() {
            if !sibling.text().trim().is_empty() {
                return false;
            }
        } else if sibling.is_element() {
            let name = sibling.node_name();
            let block = matches!(
                name.as_deref().unwrap_or(""),
                "div"
                    | "p"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "ul"
                    | "ol"
                    | "section"
                    | "figure"
                    | "header"
            );
            if !block {
                return false;
            }
            has_block_sibling = true;
        }
    }
    has_block_sibling
}

/// A call to action's pitch holds at most this much text (characters) a block, and all its
/// blocks together at most [`CTA_MAX_CHARS`].
const CTA_BLOCK_MAX_CHARS: usize = 400;
const CTA_MAX_CHARS: usize = 700;
/// Blocks of pitch between a call to action's heading and its button.
const CTA_MAX_BLOCKS: usize = 3;

/// The heading and the few short blocks between it and a button's block (other buttons and
/// empty blocks skipped), when the button's siblings before it reach a heading that soon.
fn heading_and_pitch_before(
    button: NodeRef<'_>,
    buttons: &[dom_query::NodeId],
) -> Option<Vec<dom_query::NodeId>> {
    let mut blocks = Vec::new();
    let mut total = 0;
    let mut sibling = button.prev_element_sibling();
    while let Some(prev) = sibling {
        sibling = prev.prev_element_sibling();
        let has_picture = prev.has_name("img")
            || prev.has_name("figure")
            || prev
                .descendants_it()
                .any(|d| d.has_name("img") || d.has_name("picture"));
        let len = text_len(&prev);
        if buttons.contains(&prev.id) || (len == 0 && !has_picture) {
            continue;
        }
        total += len;
        if has_picture || len > CTA_BLOCK_MAX_CHARS || total > CTA_MAX_CHARS {
            return None;
        }
        blocks.push(prev.id);
        if is_heading(&prev) {
            return Some(blocks);
        }
        if blocks.len() > CTA_MAX_BLOCKS {
            return None;
        }
    }
    None
}

/// Text this long (characters) or shorter around a form is part of its box: a heading, one
/// pitch sentence, a privacy line.
const FORM_BOX_EXTRA_CHARS: usize = 300;
/// A form holding more text than this is not a sign-up box (some sites wrap a whole page in
/// one `<form>`).
const FORM_MAX_CHARS: usize = 400;

/// Remove sign-up, comment and login boxes by their structure: a small `<form>` that asks for
/// the reader's own data (an e-mail address, a password, a comment), or such a field outside
/// any form, together with the small block around it (its heading and pitch sentence), in
/// any language. Search boxes and forms of the article's own (a recipe's servings, a
/// calculator) are left to the other rules. A box is never a block that holds the headline or
/// the article body.
pub fn remove_form_boxes(doc: &Document) {
    let Some(anchors) = doc.try_select("form, input, textarea") else {
        return;
    };
    let anchors: Vec<NodeRef<'_>> = anchors
        .nodes()
        .iter()
        .filter(|n| {
            if n.has_name("form") {
                n.descendants_it().any(|d| asks_for_reader_data(&d))
            } else {
                // A field with no form around it (script-driven sign-up boxes).
                asks_for_reader_data(n) && !n.ancestors_it(None).any(|a| a.has_name("form"))
            }
        })
        .copied()
        .collect();
    if anchors.is_empty() {
        return;
    }
    let lengths = text_lengths(doc);
    let len_of = |n: &NodeRef<'_>| lengths.get(&n.id).copied().unwrap_or(0);
    let mut doomed = Vec::new();
    for anchor in anchors {
        let anchor_len = len_of(&anchor);
        if anchor_len > FORM_MAX_CHARS {
            continue;
        }
        let mut bx = anchor;
        for _ in 0..6 {
            let Some(parent) = bx.parent().filter(|p| p.is_element()) else {
                break;
            };
            if len_of(&parent) > anchor_len + FORM_BOX_EXTRA_CHARS || is_article_frame(&parent) {
                break;
            }
            bx = parent;
        }
        if is_article_frame(&bx) {
            continue;
        }
        doomed.push(bx.id);
        // A box with no heading of its own: its heading and pitch may be the blocks just
        // before it ("<h2>Newsletter</h2><p>Every day…</p><form>").
        if !is_heading(&bx) && !bx.descendants_it().any(|d| is_heading(&d)) {
            let mut before = Vec::new();
            let mut sibling = bx.prev_element_sibling();
            while let Some(prev) = sibling {
                if before.len() == 2
                    || len_of(&prev) > 200
                    || prev.has_name("figure")
                    || prev.descendants_it().any(|d| d.has_name("img"))
                {
                    break;
                }
                before.push(prev.id);
                if is_heading(&prev) {
                    doomed.extend(before.iter().copied());
                    break;
                }
                sibling = prev.prev_element_sibling();
            }
        }
    }
    remove_ids(doc, &doomed);
}

/// A field for the reader's own data: an e-mail address (by its type, or a text field whose
/// name, id, placeholder or autocomplete says "mail"), a password, a comment (`textarea`).
fn asks_for_reader_data(node: &NodeRef<'_>) -> bool {
    if node.has_name("textarea") {
        return true;
    }
    if !node.has_name("input") {
        return false;
    }
    let kind = node
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match kind.as_str() {
        "email" | "password" => true,
        "" | "text" => ["name", "id", "placeholder", "autocomplete"]
            .iter()
            .any(|a| {
                node.attr(a)
                    .is_some_and(|v| v.to_lowercase().contains("mail"))
            }),
        _ => false,
    }
}

/// The page's frame or the article's container: never taken as part of a form's box.
fn is_article_frame(node: &NodeRef<'_>) -> bool {
    let name = node.node_name();
    matches!(
        name.as_deref().unwrap_or(""),
        "html" | "body" | "main" | "article"
    ) || node
        .attr("itemprop")
        .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
        || names_article_body(node)
        || node.descendants_it().any(|d| d.has_name("h1"))
}

/// A heading: `h2`–`h6`, or a short line that is all bold ("<p><strong>Newsletter</strong></p>").
fn is_heading(node: &NodeRef<'_>) -> bool {
    let name = node.node_name();
    if matches!(
        name.as_deref().unwrap_or(""),
        "h2" | "h3" | "h4" | "h5" | "h6"
    ) {
        return true;
    }
    let kids = node.element_children();
    let len = text_len(node);
    len > 0
        && len <= 80
        && kids.len() == 1
        && (kids[0].has_name("strong") || kids[0].has_name("b"))
        && text_len(&kids[0]) == len
}

/// [`remove_form_boxes`] on an HTML fragment (a feed's content): the same boxes go whether
/// the text comes from the page or from the feed.
pub fn remove_form_boxes_html(html: &str) -> Option<String> {
    // Only at each `<` (a fast scan): a feed's text can be tens of megabytes.
    let has_field = html.match_indices('<').any(|(i, _)| {
        let tag = html.as_bytes().get(i + 1..).unwrap_or_default();
        ["form", "input", "textarea"].iter().any(|name| {
            tag.get(..name.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(name.as_bytes()))
        })
    });
    if !has_field {
        return None;
    }
    let doc = Document::fragment(html);
    remove_form_boxes(&doc);
    doc.select(FURNITURE_TAGS).remove();
    Some(doc.html().to_string())
}

fn names_article_body(node: &NodeRef<'_>) -> bool {
    // Most elements name no marker's word at all: only those are split into tokens.
    let may_name = ["class", "id"]
        .iter()
        .any(|attr| node.attr(attr).is_some_and(|v| holds_body_marker_piece(&v)));
    if !may_name {
        return false;
    }
    // "c-article__content", "article_body": BEM and snake_case spellings too.
    hint_tokens(node).iter().any(|t| {
        let t = t.replace('_', "-").replace("--", "-");
        BODY_MARKERS.iter().any(|m| t.contains(m.as_str()))
    })
}

/// For each body marker, its longest part without a hyphen (pieces that hold a shorter one
/// dropped): a class or id names a marker only if it holds one of these, in any case, since
/// the spellings `names_article_body` accepts differ only in `-` and `_`.
static BODY_MARKER_PIECES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut pieces: Vec<String> = BODY_MARKERS
        .iter()
        .map(|m| {
            m.split('-')
                .fold("", |best, piece| {
                    if piece.len() > best.len() {
                        piece
                    } else {
                        best
                    }
                })
                .to_string()
        })
        .collect();
    pieces.sort();
    pieces.dedup();
    let all = pieces.clone();
    pieces.retain(|p| !all.iter().any(|q| q != p && p.contains(q.as_str())));
    pieces
});

/// Whether `value` holds one of [`BODY_MARKER_PIECES`], ASCII case ignored: one scan of the
/// value by an automaton (a search per piece was most of `names_article_body`, which looks at
/// every element's class and id).
fn holds_body_marker_piece(value: &str) -> bool {
    match &*BODY_MARKER_PIECE_FINDER {
        Some(finder) => finder.is_match(value),
        None => BODY_MARKER_PIECES
            .iter()
            .any(|piece| contains_ignore_ascii_case(value, piece)),
    }
}

static BODY_MARKER_PIECE_FINDER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(BODY_MARKER_PIECES.iter())
        .ok()
});

/// Contains the headline or an explicit article container (comments are often `<article
/// class="comment">` each: those do not count).
fn holds_article_marker(node: &NodeRef<'_>) -> bool {
    node.descendants_it().any(|d| is_article_marker(&d))
}

/// The headline, or an explicit article container: what [`holds_article_marker`] looks for.
fn is_article_marker(d: &NodeRef<'_>) -> bool {
    d.is_element()
        && (d.has_name("h1")
            || (d.has_name("article") && !has_negative_hint(&hint_tokens(d)))
            || d.has_name("main")
            || d.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
            || names_article_body(d))
}

/// [`holds_article_marker`] for every element under `root` (itself included), in one
/// bottom-up pass.
fn article_markers_below(root: NodeRef<'_>) -> super::text_size::IdMap<bool> {
    // Pre-order elements with the index of their parent element.
    let mut order: Vec<(NodeRef<'_>, usize)> = Vec::new();
    let mut stack: Vec<(NodeRef<'_>, usize)> = vec![(root, usize::MAX)];
    while let Some((node, parent)) = stack.pop() {
        if !node.is_element() {
            continue;
        }
        let index = order.len();
        order.push((node, parent));
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push((c, index));
        }
    }
    let mut below = vec![false; order.len()];
    for i in (0..order.len()).rev() {
        let (node, parent) = order[i];
        if parent != usize::MAX && (below[i] || is_article_marker(&node)) {
            below[parent] = true;
        }
    }
    order
        .iter()
        .zip(below)
        .map(|((node, _), below)| (node.id, below))
        .collect()
}

fn remove_ids(doc: &Document, ids: &[dom_query::NodeId]) {
    for id in ids {
        let node = NodeRef::new(*id, &doc.tree);
        // Already detached with an ancestor: removing again is harmless.
        node.remove_from_parent();
    }
}

/// Blocks this long (characters) or shorter may be removed for a notice phrase.
const NOTICE_BLOCK_CHARS: usize = 450;
/// [`is_boilerplate_text`] is false for a text longer than this (characters).
pub(crate) const BOILERPLATE_TEXT_MAX_CHARS: usize = NOTICE_BLOCK_CHARS;

/// Blocks this short (characters) or shorter may be removed for a phrase they contain.
const SHORT_BLOCK_CHARS: usize = 160;

const TEXT_BLOCKS: &str = "p, div, li, ul, ol, section, aside, h2, h3, h4, h5, h6, \
     header, footer, dl, table";

/// Built once: the phrase lists as prefix tables.
static PHRASE_MATCHER: LazyLock<PhraseMatcher> =
    LazyLock::new(|| PhraseMatcher::new(BOILERPLATE_PHRASES.iter()));
static NOTICE_MATCHER: LazyLock<PhraseMatcher> =
    LazyLock::new(|| PhraseMatcher::new(NOTICE_PHRASES.iter()));

/// A phrase automaton built as a contiguous NFA: the default (a DFA for small lists) costs
/// more to build than a short page takes to extract, and every process builds it once.
pub(crate) fn phrase_automaton<P: AsRef<[u8]>>(
    phrases: impl IntoIterator<Item = P>,
) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(phrases)
        .ok()
}

fn folded_text(node: &NodeRef<'_>) -> String {
    crate::text::collapse_whitespace(&node.text())
}

/// Characters of text inside links, over all characters of text.
fn link_density(node: &NodeRef<'_>, total: usize) -> f32 {
    if total == 0 {
        return 0.0;
    }
    let mut linked = 0;
    for a in node.descendants_it() {
        if a.has_name("a") {
            linked += text_len(&a);
        }
    }
    linked as f32 / total as f32
}

/// A short block of known boilerplate (a pitch, a prompt, a label), from its folded text.
pub(crate) fn is_boilerplate_text(text: &str) -> bool {
    // The three tests below, on one folding of the text; each refuses an empty text and
    // one longer than its limit (the largest is the notice block's).
    let chars = text.chars().count();
    if chars == 0 || chars > NOTICE_BLOCK_CHARS {
        return false;
    }
    let lower = fold(text);
    is_boilerplate_phrase_block_folded(&lower, chars)
        || (chars <= END_LABEL_MAX_CHARS && is_end_label_folded(&lower))
        || (chars <= CREDIT_MAX_CHARS && is_credit_folded(&lower))
}

fn is_boilerplate_phrase_block(text: &str) -> bool {
    let chars = text.chars().count();
    if chars == 0 || chars > NOTICE_BLOCK_CHARS {
        return false;
    }
    is_boilerplate_phrase_block_folded(&fold(text), chars)
}

/// [`is_boilerplate_phrase_block`] on the folded text of a block of `chars` characters
/// (1 to [`NOTICE_BLOCK_CHARS`]).
fn is_boilerplate_phrase_block_folded(lower: &str, chars: usize) -> bool {
    let is_notice = NOTICE_MATCHER.is_match(lower);
    if is_notice || is_copyright_notice(lower) {
        return true;
    }
    if chars > SHORT_BLOCK_CHARS {
        return false;
    }
    let has_phrase = PHRASE_MATCHER.is_match(lower);
    if has_phrase {
        return true;
    }
    // "Tags : a, b, c", "Kommentare (12)", "Publicité": a label leading a short block.
    let head = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    BOILERPLATE_LABELS.iter().any(|label| {
        head.strip_prefix(label.as_str()).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty()
                || rest.starts_with(':')
                || (rest.starts_with('(') && rest.len() < 12)
                || (chars < 24 && rest.chars().all(|c| !c.is_alphabetic()))
        })
    })
}

/// A block that opens with a copyright sign ("© 2016 Company, Inc. All rights reserved…"):
/// the page's legal line, in every language, whatever its length.
fn is_copyright_notice(folded: &str) -> bool {
    let head = folded.trim_start();
    let head = head.strip_prefix("copyright").map_or(head, str::trim_start);
    // "(c) 2021 …", not the third item of an enumeration ("(c) the tenant…").
    head.starts_with('©')
        || head
            .strip_prefix("(c) ")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Clean the scorer's article HTML: short pitch/prompt blocks, empty wrappers, link lists at
/// the start and end. Returns the cleaned HTML.
pub fn post_clean(article_html: &str) -> String {
    let doc = Document::fragment(article_html);
    post_clean_in(&doc);
    doc.html().to_string()
}

/// [`post_clean`] on an article already parsed as a fragment, in place.
pub(crate) fn post_clean_in(doc: &Document) {
    // Short blocks made of a known phrase. Innermost first (reverse document order), so a
    // wrapper is judged on what is left of it once its pitch is gone.
    let blocks: Vec<dom_query::NodeId> = doc
        .select(TEXT_BLOCKS)
        .nodes()
        .iter()
        .map(|n| n.id)
        .collect();
    let lengths = text_lengths(doc);
    for id in blocks.into_iter().rev() {
        if lengths
            .get(&id)
            .is_some_and(|&len| len > NOTICE_BLOCK_CHARS)
        {
            continue;
        }
        let node = NodeRef::new(id, &doc.tree);
        let text = folded_text(&node);
        if is_boilerplate_phrase_block(&text) {
            node.remove_from_parent();
        }
    }

    remove_credits(doc);
    super::captions::strip_caption_credits(doc);
    remove_link_lists(doc);
    remove_leading_datelines(doc);
    remove_labelled_link_lines(doc);
    cut_at_end_label(doc);
    trim_link_lists(doc);
    remove_trailing_headings(doc);
}

/// A short block that starts with an end label.
fn is_end_label(text: &str) -> bool {
    if text.is_empty() || text.chars().count() > END_LABEL_MAX_CHARS {
        return false;
    }
    is_end_label_folded(&fold(text))
}

/// An end label is at most this long (characters).
const END_LABEL_MAX_CHARS: usize = 100;

/// [`is_end_label`] on a folded text.
fn is_end_label_folded(lower: &str) -> bool {
    let head = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    END_LABELS.iter().any(|label| {
        head.strip_prefix(label.as_str()).is_some_and(|rest| {
            label.ends_with(':') || !rest.starts_with(|c: char| c.is_alphanumeric())
        })
    })
}

/// Cut the article at the first end label found in its second half: the label and everything
/// after it go. A label earlier in the text (a box in mid-article) goes alone.
fn cut_at_end_label(doc: &Document) {
    let root = doc.root();
    let total = text_len(&root);
    if total == 0 {
        return;
    }
    // Block elements in document order, with the text length seen before each.
    let lengths = text_lengths(doc);
    let mut seen = 0usize;
    let mut stack = vec![root];
    let mut cut: Option<NodeRef<'_>> = None;
    let mut lone: Vec<NodeRef<'_>> = Vec::new();
    while let Some(node) = stack.pop() {
        if node.is_text() {
            seen += text_len(&node);
            continue;
        }
        let is_block = node.is_element()
            && matches!(
                node.node_name().as_deref().unwrap_or(""),
                "p" | "div"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "li"
                    | "section"
                    | "strong"
                    | "b"
                    | "dt"
                    | "header"
                    | "span"
            );
        if is_block && lengths.get(&node.id).is_some_and(|&len| len <= 100) {
            let text = folded_text(&node);
            if is_end_label(&text) {
                if seen * 10 >= total * 5 {
                    cut = Some(node);
                    break;
                }
                lone.push(node);
                seen += text.chars().filter(|c| !c.is_whitespace()).count();
                continue;
            }
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push(c);
        }
    }
    for node in lone {
        node.remove_from_parent();
    }
    if let Some(node) = cut {
        // Everything after the label: its following siblings, then its ancestors' ones.
        let mut following = Vec::new();
        let mut current = Some(node);
        while let Some(n) = current {
            let mut next = n.next_sibling();
            while let Some(sibling) = next {
                next = sibling.next_sibling();
                following.push(sibling);
            }
            current = n.parent().filter(|p| p.id != root.id);
        }
        // An inline "Read more: <link>" in the middle of the text is followed by more of
        // the article: then only the label line goes. An author bio is one paragraph.
        let long_paragraphs: usize = following.iter().map(count_long_paragraphs).sum();
        if long_paragraphs <= 1 {
            for n in following {
                n.remove_from_parent();
            }
        }
        node.remove_from_parent();
    }
}

/// Remove, among the first blocks of the article, the headline and byline repeated as body
/// text (the pane shows them above the text).
pub fn strip_leading_repeats(
    article_html: &str,
    title: Option<&str>,
    byline: Option<&str>,
) -> String {
    let doc = Document::fragment(article_html);
    if strip_leading_repeats_in(&doc, title, byline) {
        doc.html().to_string()
    } else {
        article_html.to_string()
    }
}

/// [`strip_leading_repeats`] on an article already parsed as a fragment, in place. Whether
/// anything went.
pub(crate) fn strip_leading_repeats_in(
    doc: &Document,
    title: Option<&str>,
    byline: Option<&str>,
) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let title = title.map(fold).filter(|t| !t.is_empty());
    let byline = byline.map(fold).filter(|b| b.chars().count() >= 4);
    if title.is_none() && byline.is_none() {
        return false;
    }
    let mut doomed = Vec::new();
    let leading = leading_leaf_blocks(
        doc,
        "h1, h2, h3, p, div, span, address, time",
        &["p", "div", "h1", "h2", "h3"],
        4,
    );
    for (node, text) in leading {
        let text = text.to_lowercase();
        let is_title = title.as_deref() == Some(text.as_str());
        let is_byline = byline
            .as_deref()
            .is_some_and(|b| text.contains(b) && text.chars().count() <= b.chars().count() + 40);
        if is_title || is_byline {
            doomed.push(node.id);
        }
    }
    if doomed.is_empty() {
        return false;
    }
    remove_ids(doc, &doomed);
    true
}

/// The first `limit` blocks matching `selector` that have text and hold no child element
/// named in `nested`, with their whitespace-folded text.
fn leading_leaf_blocks<'a>(
    doc: &'a Document,
    selector: &str,
    nested: &[&str],
    limit: usize,
) -> Vec<(NodeRef<'a>, String)> {
    let mut found = Vec::new();
    for node in doc.select(selector).nodes() {
        let holds_nested = node
            .element_children()
            .iter()
            .any(|c| c.node_name().is_some_and(|name| nested.contains(&&*name)));
        if holds_nested {
            continue;
        }
        let text = folded_text(node);
        if text.is_empty() {
            continue;
        }
        found.push((*node, text));
        if found.len() == limit {
            break;
        }
    }
    found
}

/// Paragraphs of running text (not link lists) in and under `node`.
fn count_long_paragraphs(node: &NodeRef<'_>) -> usize {
    let is_long = |p: &NodeRef<'_>| {
        let len = text_len(p);
        len >= 150 && link_density(p, len) < 0.3
    };
    if node.has_name("p") {
        return usize::from(is_long(node));
    }
    node.descendants_it()
        .filter(|d| d.has_name("p") && is_long(d))
        .count()
}

/// A short line that is a date, a time or a reading time: "23.10.2018", "7. Oktober 2020,
/// 14:05", "4 min read".
fn is_dateline(text: &str) -> bool {
    let chars = text.chars().count();
    if chars == 0 || chars > 60 || text.split_whitespace().count() > 8 {
        return false;
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let has_year = text
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() == 4 && (run.starts_with("19") || run.starts_with("20")));
    let lower = text.to_lowercase();
    let reading_time = digits > 0
        && (lower.contains("min read")
            || lower.contains("min. lesezeit")
            || lower.contains("min de lecture"));
    // A year plus another number ("3, 2021", "23.10.2018"), and mostly digits.
    let numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .count();
    reading_time
        || (has_year
            && numbers >= 2
            && digits * 3 >= chars.saturating_sub(text.matches(' ').count()) / 2)
}

/// A line of links holds at most this much text (characters).
const LINK_LINE_MAX_CHARS: usize = 150;
/// A label announcing links holds at most this much text (characters).
const LINK_LABEL_MAX_CHARS: usize = 60;

/// Remove a short label ending in a colon followed by lines that are each nothing but links
/// to other pages shown by their titles ("Read on:" and two headlines), wherever they sit in
/// the text: a box of further reading with no markup of its own, in any language. Blocks
/// only (a `p`, `div` or heading each): an inline "See: <link>" inside a paragraph stays, and
/// so do links shown as their address (cited sources) and links within the page (a table
/// of contents).
fn remove_labelled_link_lines(doc: &Document) {
    let is_block = |n: &NodeRef<'_>| {
        n.node_name()
            .is_some_and(|name| matches!(&*name, "p" | "div" | "h2" | "h3" | "h4" | "h5" | "h6"))
    };
    let is_link_line = |n: &NodeRef<'_>| {
        let len = text_len(n);
        len > 0
            && len <= LINK_LINE_MAX_CHARS
            && is_block(n)
            && text_all_in_links(n)
            && n.descendants_it().filter(|d| d.has_name("a")).all(|a| {
                let href = a.attr("href").unwrap_or_default();
                let href = href.trim();
                let text = a.text();
                let text = text.trim();
                !href.is_empty()
                    && !href.starts_with('#')
                    && !text.contains("://")
                    && !text.starts_with("www.")
            })
    };
    // Labels are found from their text (a run ending in a colon is rare): no walk over every
    // element's children, no table of sizes.
    let mut labels: Vec<NodeRef<'_>> = Vec::new();
    for text in doc
        .root()
        .descendants_it()
        .filter(|n| n.is_text() && n.text().trim_end().ends_with(':'))
    {
        for block in text.ancestors_it(None).filter(|a| a.is_element()) {
            if text_len(&block) > LINK_LABEL_MAX_CHARS {
                break;
            }
            if is_block(&block)
                && !labels.iter().any(|l| l.id == block.id)
                && folded_text(&block).ends_with(':')
                && !is_link_line(&block)
            {
                labels.push(block);
            }
        }
    }
    let mut doomed = Vec::new();
    for label in labels {
        // The blocks after the label at its level; loose text between them ends the run.
        let mut run = Vec::new();
        let mut next = label.next_sibling();
        while let Some(sibling) = next {
            next = sibling.next_sibling();
            if sibling.is_element() {
                if !is_link_line(&sibling) {
                    break;
                }
                run.push(sibling.id);
            } else if sibling.is_text() && !sibling.text().trim().is_empty() {
                break;
            }
        }
        if !run.is_empty() {
            doomed.push(label.id);
            doomed.extend(run);
        }
    }
    remove_ids(doc, &doomed);
}

/// Whether every piece of text in `node` sits inside a link below it (and there is some).
fn text_all_in_links(node: &NodeRef<'_>) -> bool {
    let mut stack = vec![*node];
    let mut any = false;
    while let Some(n) = stack.pop() {
        if n.is_text() {
            if !n.text().trim().is_empty() {
                return false;
            }
            continue;
        }
        if n.id != node.id && n.has_name("a") {
            any |= !n.text().trim().is_empty();
            continue;
        }
        let mut child = n.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push(c);
        }
    }
    any
}

/// Datelines among the first blocks of the article (the pane shows the date above the text).
fn remove_leading_datelines(doc: &Document) {
    let mut doomed = Vec::new();
    let leading = leading_leaf_blocks(
        doc,
        "p, div, span, time, li, h2, h3, h4, h5, h6",
        &["p", "div", "li", "ul", "ol"],
        5,
    );
    for (node, text) in leading {
        if is_dateline(&text) {
            doomed.push(node.id);
        }
    }
    remove_ids(doc, &doomed);
}

fn is_credit(text: &str) -> bool {
    let chars = text.chars().count();
    if chars == 0 || chars > CREDIT_MAX_CHARS {
        return false;
    }
    is_credit_folded(&fold(text))
}

/// A credit is at most this long (characters).
const CREDIT_MAX_CHARS: usize = 80;

/// [`is_credit`] on a folded text.
fn is_credit_folded(lower: &str) -> bool {
    let head = lower.trim_start_matches(|c: char| c.is_whitespace() || c == '(' || c == '[');
    if CREDIT_LABELS.iter().any(|l| head.starts_with(l.as_str())) {
        return true;
    }
    let words = lower.split_whitespace().count();
    words <= 5
        && CREDIT_WORDS.iter().any(|w| {
            lower
                .match_indices(w.as_str())
                .any(|(i, _)| is_word_boundary(lower, i, i + w.len()))
        })
}

fn is_word_boundary(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start].chars().next_back();
    let after = s[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Lists inside the article whose every item is a link (related stories, "more on this"
/// boxes): removed unless they are a large part of the article (a list of resources).
fn remove_link_lists(doc: &Document) {
    let total = text_len(&doc.root()).max(1);
    let mut doomed = Vec::new();
    for list in doc.select("ul, ol").nodes() {
        let items = list.element_children();
        if items.len() < 3 || items.iter().any(|i| !i.has_name("li")) {
            continue;
        }
        let len = text_len(list);
        if len == 0 || len * 10 > total * 3 {
            continue;
        }
        let all_links = items.iter().all(|item| {
            let item_len = text_len(item);
            item_len > 0 && link_density(item, item_len) >= 0.8
        });
        if all_links {
            doomed.push(list.id);
        }
    }
    remove_ids(doc, &doomed);
}

/// Photo credits and source lines: short elements that are nothing but a credit.
fn remove_credits(doc: &Document) {
    let ids: Vec<dom_query::NodeId> = doc
        .select("p, div, span, small, cite, figcaption, em, i, li")
        .nodes()
        .iter()
        .map(|n| n.id)
        .collect();
    let lengths = text_lengths(doc);
    for id in ids.into_iter().rev() {
        if lengths.get(&id).is_some_and(|&len| len > 80) {
            continue;
        }
        let node = NodeRef::new(id, &doc.tree);
        if is_credit(&folded_text(&node)) {
            node.remove_from_parent();
        }
    }
}

/// Leaf blocks: the elements that hold text in their own right (no block inside).
const LEAF_TEXT_BLOCKS: &str = "p, h2, h3, h4, h5, h6, li, div, dt, dd, blockquote, \
     figcaption, td, th, pre, section";

/// Headings and labels ("Mehr zum Thema:") with nothing after them: after the article's last
/// paragraph, a heading announces something that is not there (a teaser box or a form already
/// removed).
fn remove_trailing_headings(doc: &Document) {
    for _ in 0..4 {
        let Some(blocks) = doc.try_select(LEAF_TEXT_BLOCKS) else {
            return;
        };
        let last = blocks.nodes().iter().rev().copied().find(|n| {
            let has_block_inside = n.descendants_it().any(|d| {
                d.is_element()
                    && matches!(
                        d.node_name().as_deref().unwrap_or(""),
                        "p" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "div" | "section"
                    )
            });
            !has_block_inside && text_len(n) > 0
        });
        let Some(last) = last else {
            return;
        };
        // A heading of two lines of text is a paragraph set in a heading's style.
        let len = text_len(&last);
        let is_label = folded_text(&last).ends_with(':');
        if len > 100 || !(is_heading(&last) || is_label) || last.has_name("figcaption") {
            return;
        }
        last.remove_from_parent();
    }
}

/// Remove link-dense blocks at the end (and start) of the article: related lists, tag lines,
/// breadcrumbs. Stops at the first block that reads like text.
fn trim_link_lists(doc: &Document) {
    // Descend through single-child wrappers to the level where the blocks are.
    let mut container = doc.root();
    loop {
        let kids: Vec<NodeRef<'_>> = container
            .children()
            .into_iter()
            .filter(|c| c.is_element() || c.is_nonempty_text())
            .collect();
        match kids.as_slice() {
            [only] if only.is_element() => container = *only,
            _ => break,
        }
    }
    trim_edge(container, false);
    // From the end, also inside the last block when it is a wrapper of blocks (the related
    // list often sits at the end of the article's inner container).
    let mut level = container;
    for _ in 0..4 {
        trim_edge(level, true);
        match level.element_children().last() {
            Some(last) if last.element_children().len() > 1 && !last.has_name("p") => level = *last,
            _ => break,
        }
    }
}

/// Remove empty and link-dense (or label-like) blocks from one edge of `container`.
fn trim_edge(container: NodeRef<'_>, from_end: bool) {
    loop {
        let kids = container.element_children();
        let candidate = if from_end { kids.last() } else { kids.first() };
        let Some(node) = candidate else { break };
        let len = text_len(node);
        if len == 0 {
            if node.has_name("img") || node.has_name("figure") || node.has_name("picture") {
                break;
            }
            node.remove_from_parent();
            continue;
        }
        // A trailing label ("Mehr zum Thema:") or a short linked line is furniture.
        let text = if len < 120 {
            folded_text(node)
        } else {
            String::new()
        };
        let label_like = !text.is_empty() && (text.ends_with(':') || text.contains('©'));
        let density = link_density(node, len);
        if (len < 400 && density > 0.6) || (len < 120 && (density > 0.3 || label_like)) {
            node.remove_from_parent();
            continue;
        }
        break;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_main_landmark_go_when_it_holds_the_article() {
        let story = "<p>The council voted on Tuesday to keep the old bridge open to walkers and \
             cyclists while the new one is built, after a long evening of debate.</p>";
        let page = |main_paragraphs: usize| {
            format!(
                "<body><div class=\"hero\"><p>A standfirst above the story.</p></div>\
                 <main><h1>Bridge stays open</h1>{}</main>\
                 <div id=\"bottom\"><h3>ACME Media</h3><p>12 High Street, Springfield</p></div>\
                 </body>",
                story.repeat(main_paragraphs)
            )
        };
        let doc = Document::from(page(3));
        remove_after_main(&doc);
        let html = doc.html();
        assert!(html.contains("A standfirst above the story."), "{html}");
        assert!(html.contains("Bridge stays open"), "{html}");
        assert!(!html.contains("High Street"), "{html}");
        // A landmark holding less than half of the text is not where the whole article is.
        let doc = Document::from(page(3).replace(
            "<div id=\"bottom\">",
            &format!("<div id=\"bottom\">{}", story.repeat(4)),
        ));
        remove_after_main(&doc);
        assert!(doc.html().contains("High Street"));
        // Two landmarks side by side: neither is the page's one.
        let doc = Document::from(page(3).replace("<div id=\"bottom\">", "<div role=\"main\">"));
        remove_after_main(&doc);
        assert!(doc.html().contains("High Street"));
    }

    #[test]
    fn a_label_and_the_link_lines_after_it_go() {
        let story = "<p>The council voted on Tuesday to keep the old bridge open to walkers and \
             cyclists while the new one is built, after a long evening of debate.</p>";
        let html = format!(
            "<div>{story}<p>Weiterlesen:</p>\
             <p><a href=\"/roadtrip\">Ein Roadtrip entlang der Route 66</a></p>\
             <p><a href=\"/herbst\">Herbstlicher Ausflug in die Steiermark</a></p>{story}</div>"
        );
        let doc = Document::fragment(html.as_str());
        remove_labelled_link_lines(&doc);
        let out = doc.html();
        assert!(!out.contains("Weiterlesen"), "{out}");
        assert!(!out.contains("Roadtrip"), "{out}");
        assert!(!out.contains("Herbstlicher"), "{out}");
        assert_eq!(out.matches("The council voted").count(), 2, "{out}");
        // Kept: a label inside a paragraph, sources shown as their address, a table of
        // contents, a label followed by text.
        for (kept, text) in [
            (
                "<p><strong>See:</strong> <a href=\"/rag\">What is RAG?</a></p>",
                "What is RAG?",
            ),
            (
                "<p>Sources:</p><p><a href=\"https://example.org/a\">https://example.org/a</a></p>",
                "Sources:",
            ),
            (
                "<p>Best overall:</p><p><a href=\"#review-1\">Jump to review</a></p>",
                "Jump to review",
            ),
            (
                "<p>Note:</p><p>The figures are from <a href=\"/report\">the report</a>.</p>",
                "Note:",
            ),
        ] {
            let html = format!("<div>{story}{kept}{story}</div>");
            let doc = Document::fragment(html.as_str());
            remove_labelled_link_lines(&doc);
            let out = doc.html();
            assert!(out.contains(text), "{kept} -> {out}");
        }
    }

    #[test]
    fn page_footers_go_even_when_they_hold_most_of_the_text() {
        let legal = "<p>Every trademark named here belongs to its owner, registered in the United \
             States and in other countries, and is used with permission of that owner.</p>";
        let doc = Document::from(format!(
            "<body><div class=\"error\"><p>Back soon.</p></div>\
             <footer>{legal}{legal}</footer><div role=\"contentinfo\">Impressum</div></body>"
        ));
        remove_page_footers(&doc);
        let html = doc.html();
        assert!(html.contains("Back soon."), "{html}");
        assert!(!html.contains("trademark"), "{html}");
        assert!(!html.contains("Impressum"), "{html}");
        // An article's own footer is left to the other rules; a footer holding the headline
        // is the page's frame.
        let doc = Document::from(
            "<body><article><p>Text.</p><footer>Filed under science</footer></article>\
             <footer><h1>Headline</h1><p>Misplaced story text.</p></footer></body>",
        );
        remove_page_footers(&doc);
        let html = doc.html();
        assert!(html.contains("Filed under science"), "{html}");
        assert!(html.contains("Misplaced story text."), "{html}");
    }

    #[test]
    fn notices_go_even_when_a_few_sentences_long() {
        let notice = "This article is the copyrighted property of the publisher. Written \
             permission must be obtained before reprint in online or print media, and any \
             other use of it, in part or in whole, is refused without that permission.";
        assert!(notice.len() > SHORT_BLOCK_CHARS);
        assert!(is_boilerplate_text(notice));
        assert!(is_boilerplate_text(
            "Für Links auf dieser Seite erhält ggf. eine Provision vom Händler."
        ));
        assert!(is_boilerplate_text("Kontakt:"));
        let prose = "The court heard that the company had copied the design without written \
             consent, and the judge said the damages would be set at a later hearing.";
        assert!(!is_boilerplate_text(prose));
    }

    #[test]
    fn copyright_notices_go_whatever_their_length() {
        let notice = "© 2007–2016 Example Credit, Inc. Example Credit is a registered trademark \
             of Example Credit, Inc. All Rights Reserved. Product names, logos, brands and other \
             trademarks featured or referred to are the property of their respective holders.";
        assert!(notice.chars().count() > SHORT_BLOCK_CHARS);
        assert!(is_boilerplate_text(notice));
        assert!(is_boilerplate_text("Copyright © 2021 Zeitung GmbH"));
        assert!(is_boilerplate_text(
            "(c) 2019 Verlag, alle Rechte vorbehalten"
        ));
        assert!(!is_boilerplate_text(
            "(c) the tenant shall keep the premises in good repair and return them clean at the \
             end of the lease, as the parties agreed when they signed it."
        ));
        assert!(!is_boilerplate_text(
            "The © sign was first used in 1909, after the law changed how works were registered."
        ));
    }

    #[test]
    fn a_button_on_its_own_line_among_blocks_goes_alone() {
        let doc = Document::from(
            "<body><article><h1>T</h1><p>Body text of the article, long enough.</p>\
             <div class=\"card\"><h3>Salmon bites</h3><div>A short summary of the dish.</div>\
             <a class=\"recipe-link-button\" href=\"/salmon\">Get the recipe</a></div>\
             <div><span>Next:</span> <a class=\"btn\" href=\"/n\">Another page</a></div>\
             </article></body>",
        );
        pre_clean(&doc);
        let html = doc.html();
        assert!(!html.contains("Get the recipe"), "{html}");
        assert!(html.contains("A short summary of the dish."), "{html}");
        // Beside inline text, the link is part of a line: left to the other rules.
        assert!(html.contains("Another page"), "{html}");
    }

    #[test]
    fn buttons_alone_in_their_block_go_but_links_in_a_sentence_stay() {
        let doc = Document::from(
            "<body><article><h1>T</h1><p>Body text of the article, long enough.</p>\
             <p class=\"button-wrapper\"><a class=\"button primary\" href=\"/book\">\
             <span>Schedule a call</span></a></p>\
             <div><a role=\"button\" href=\"/go\">Get started</a></div>\
             <p>Read the <a class=\"btn-inline\" href=\"/r\">report</a> for details.</p>\
             <p><a class=\"c-letters-cta__link\" href=\"/l\">Write to us</a> today.</p>\
             </article></body>",
        );
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("Body text of the article"), "{html}");
        assert!(!html.contains("Schedule a call"), "{html}");
        assert!(!html.contains("button-wrapper"), "{html}");
        assert!(!html.contains("Get started"), "{html}");
        assert!(html.contains("Read the"), "{html}");
        assert!(html.contains(">report</a>"), "{html}");
        assert!(html.contains("Write to us"), "{html}");
    }

    #[test]
    fn a_call_to_action_after_the_text_goes_with_its_heading_and_pitch() {
        let text = long_paragraph("The article's own paragraph");
        for (heading, pitch, button) in [
            (
                "Would you rather have help?",
                "I offer short consultations on your investments.",
                "Book a call",
            ),
            (
                "Lieber mit Beratung?",
                "Ich biete kurze Gespräche zu Ihren Geldanlagen an.",
                "Termin buchen",
            ),
        ] {
            let doc = Document::from(format!(
                "<body><article><h1>T</h1>{text}{text}<h2>{heading}</h2><p>{pitch}</p>\
                 <p class=\"button-wrapper\"><a class=\"button\" href=\"/b\">{button}</a></p>\
                 <p></p><p class=\"button-wrapper\"><a class=\"button\" href=\"/c\">{button}!</a>\
                 </p></article></body>"
            ));
            pre_clean(&doc);
            let html = doc.html();
            assert!(html.contains("own paragraph"), "{html}");
            for gone in [heading, pitch, button] {
                assert!(!html.contains(gone), "{gone} kept: {html}");
            }
        }
    }

    #[test]
    fn sections_with_buttons_in_the_text_or_in_a_round_up_stay() {
        let text = long_paragraph("The article's own paragraph");
        let pick = |n: u32| {
            format!(
                "<h3>Pick {n}</h3><p>Why pick {n} is good.</p>\
                 <p><a class=\"btn\" href=\"/buy/{n}\">Buy</a></p>"
            )
        };
        // Each pick of a round-up has its button: several such sections are the article.
        let doc = Document::from(format!(
            "<body><article><h1>T</h1>{text}{}{}</article></body>",
            pick(1),
            pick(2)
        ));
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("Why pick 1 is good."), "{html}");
        assert!(html.contains("Why pick 2 is good."), "{html}");
        // One section followed by more of the article: in the text, it stays.
        let doc = Document::from(format!(
            "<body><article><h1>T</h1>{text}{}{text}</article></body>",
            pick(1)
        ));
        pre_clean(&doc);
        assert!(doc.html().contains("Why pick 1 is good."));
    }

    #[test]
    fn post_clean_cuts_the_credit_off_a_caption_and_keeps_the_caption() {
        let out = post_clean(
            "<div><p>Article text that stays, long enough to be the article.</p>\
             <figure><img src=\"a.jpg\"><figcaption>GdP-Vize René Klemmer. Foto: GdP/Hagen \
             Immel</figcaption></figure><p>More text of the article.</p></div>",
        );
        assert!(out.contains("GdP-Vize René Klemmer."), "{out}");
        assert!(!out.contains("Hagen"), "{out}");
        assert!(!out.contains("Foto"), "{out}");
        assert!(out.contains("More text of the article."), "{out}");
    }

    #[test]
    fn comments_made_of_article_elements_go() {
        let doc = Document::from(
            "<body><div class=\"story\"><h1>T</h1><p>Body text.</p></div>\
             <section id=\"comments\"><article class=\"comment\"><p>First!</p></article>\
             </section><p>Footer text that is long enough to matter here.</p></body>",
        );
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("Body text."));
        assert!(!html.contains("First!"));
    }

    #[test]
    fn lists_of_links_inside_the_article_go() {
        let para = "<p>A paragraph of the article that is long enough to outweigh the list \
             below it, with several clauses and a good number of words in it.</p>";
        let html = format!(
            "<div>{para}{para}<ul><li><a href=\"/a\">Other story one</a></li>\
             <li><a href=\"/b\">Other story two</a></li><li><a href=\"/c\">Other story \
             three</a></li></ul>{para}<ul><li>Flour, 200 g</li><li>Sugar, 100 g</li>\
             <li>Two eggs</li></ul>{para}</div>"
        );
        let out = post_clean(&html);
        assert!(!out.contains("Other story two"));
        assert!(out.contains("Sugar, 100 g"));
    }

    #[test]
    fn negative_hints_need_no_positive_ones() {
        let t = |s: &str| vec![s.to_string()];
        assert!(has_negative_hint(&t("share-bar")));
        assert!(has_negative_hint(&t("comments-area")));
        assert!(has_negative_hint(&t("ad")));
        assert!(!has_negative_hint(&t("content-sidebar-wrap")));
        assert!(!has_negative_hint(&t("has-comments")));
        assert!(!has_negative_hint(&t("header")));
        assert!(!has_negative_hint(&t("headline")));
        // Donation boxes, by the name the markup gives them ("inline-box -donate").
        assert!(has_negative_hint(&t("-donate")));
        assert!(has_negative_hint(&t("donation-box")));
        // A post's metadata line, a news site's recirculation box; an "advanced heading"
        // (kt-adv-heading) and a Liferay portlet (which holds the article) are not furniture.
        assert!(has_negative_hint(&t("postmetadata")));
        assert!(has_negative_hint(&t("img-metadata")));
        assert!(has_negative_hint(&t("wp-block-mmo-recirculation-box")));
        assert!(!has_negative_hint(&t("kt-adv-heading14114")));
        assert!(!has_negative_hint(&t("portlet-body")));
    }

    #[test]
    fn pre_clean_removes_furniture_but_keeps_the_article() {
        let doc = Document::from(
            "<body><div class=\"page-with-sidebar\"><article><h1>T</h1><p>Body text.</p>\
             <div class=\"share-buttons\">Share</div></article>\
             <div id=\"comments\">Comment 1</div></div>\
             <div class=\"cookie-banner\">We use cookies</div></body>",
        );
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("Body text."));
        assert!(!html.contains("Share"));
        assert!(!html.contains("Comment 1"));
        assert!(!html.contains("cookies"));
    }

    #[test]
    fn post_clean_removes_pitches_in_several_languages() {
        for pitch in [
            "Abonnez-vous gratuitement à la newsletter",
            "Sign up for our daily newsletter",
            "Jetzt Newsletter abonnieren!",
            "Suscríbete a nuestro boletín",
            "Iscriviti alla newsletter",
            "Réagissez à cet article !",
            "Lascia un commento",
        ] {
            let html = format!("<div><p>Real article text that stays.</p><p>{pitch}</p></div>");
            let out = post_clean(&html);
            assert!(out.contains("Real article text"), "{out}");
            assert!(!out.contains(pitch), "{pitch} kept: {out}");
        }
    }

    #[test]
    fn long_paragraphs_mentioning_a_phrase_stay() {
        let long = format!(
            "<div><p>{} the newsletter was a success {}</p><p>x</p></div>",
            "word ".repeat(30),
            "word ".repeat(30)
        );
        assert!(post_clean(&long).contains("the newsletter was a success"));
    }

    #[test]
    fn headline_and_byline_repeated_at_the_top_go() {
        let out = strip_leading_repeats(
            "<div><h2>The  Headline</h2><p>By Ada Lovelace, 3 May</p><p>The text starts here.</p></div>",
            Some("The headline"),
            Some("Ada Lovelace"),
        );
        assert!(!out.contains("Headline"));
        assert!(!out.contains("Ada"));
        assert!(out.contains("The text starts here."));
    }

    #[test]
    fn end_label_cuts_the_tail_but_not_a_mid_article_line() {
        let para = |n: usize| format!("<p>Paragraph {n} {}</p>", "word ".repeat(40));
        let tail = format!(
            "<div>{}{}<h3>Lesen Sie auch</h3><p>Other story teaser</p></div>",
            para(1),
            para(2)
        );
        let out = post_clean(&tail);
        assert!(out.contains("Paragraph 2"));
        assert!(!out.contains("Lesen Sie auch") && !out.contains("Other story"));

        let middle = format!(
            "<div>{}{}<p>Read more: another story</p>{}{}</div>",
            para(1),
            para(2),
            para(3),
            para(4)
        );
        let out = post_clean(&middle);
        assert!(!out.contains("Read more"));
        assert!(out.contains("Paragraph 3") && out.contains("Paragraph 4"));
    }

    #[test]
    fn photo_credits_go_captions_stay() {
        let out = post_clean(
            "<div><p>Body text of the article that is long enough.</p><figure><figcaption>             A cat on a mat. <span>Foto: Getty Images</span></figcaption></figure></div>",
        );
        assert!(out.contains("A cat on a mat."));
        assert!(!out.contains("Getty"));
    }

    #[test]
    fn datelines_are_recognised() {
        for d in [
            "23.10.2018",
            "7. Oktober 2020, 14:05",
            "4 min read",
            "March 3, 2021",
        ] {
            assert!(is_dateline(d), "{d}");
        }
        for t in [
            "In 2020 the city grew faster than anyone expected.",
            "The 1990s",
            "Chapter one",
        ] {
            assert!(!is_dateline(t), "{t}");
        }
    }

    #[test]
    fn a_heading_with_nothing_after_it_goes() {
        let para = format!("<p>Paragraph of the article {}</p>", "word ".repeat(40));
        let out = post_clean(&format!(
            "<div>{para}<h2>A section</h2>{para}<h3>Heute empfehlen wir</h3>\
             <p><strong>Das Kleingedruckte</strong></p></div>"
        ));
        assert!(
            out.contains("A section"),
            "a heading with text after it stays"
        );
        assert!(!out.contains("Heute empfehlen") && !out.contains("Kleingedruckte"));
        // A paragraph set as a heading is text.
        let out = post_clean(&format!(
            "<div>{para}<h3>All these products and many more are in the shop, and the big \
             sale has already started: last-minute buyers can go straight there.</h3></div>"
        ));
        assert!(out.contains("last-minute buyers"), "{out}");
    }

    #[test]
    fn sign_up_boxes_go_by_their_form_in_any_language() {
        let para = "<p>A paragraph of the article that is long enough to be its text, with \
             clauses and commas, and more words than any pitch would need to have.</p>";
        for (name, bx) in [
            (
                "a box around the form",
                "<section class=\"encart\"><h2>La lettre du matin</h2><p>Chaque jour, le \
                 meilleur du site.</p><form action=\"/s\"><input type=\"email\"><button>OK\
                 </button></form></section>",
            ),
            (
                "heading and pitch before the form",
                "<h3>Der Morgen</h3><p>Jeden Tag das Beste der Redaktion.</p><form><input \
                 type=\"text\" name=\"user_email\"><button>Los</button></form>",
            ),
            (
                "an e-mail field with no form",
                "<div><h4>Le Matin</h4><p>Ogni giorno il meglio.</p><div><input \
                 type=\"email\"><button>Iscriviti</button></div></div>",
            ),
        ] {
            let doc = Document::from(
                format!("<html><body><article><h1>T</h1>{para}{para}{bx}</article></body></html>")
                    .as_str(),
            );
            remove_form_boxes(&doc);
            let html = doc.html();
            assert!(
                html.contains("A paragraph of the article"),
                "{name}: {html}"
            );
            for gone in [
                "lettre",
                "meilleur",
                "Morgen",
                "Jeden Tag",
                "Le Matin",
                "Ogni",
            ] {
                assert!(!html.contains(gone), "{name}: {gone} kept in {html}");
            }
        }
        // A form of the article's own (a recipe's servings) is not a sign-up box.
        let doc = Document::from(
            "<html><body><h2>Zutaten</h2><form><input type=\"number\" name=\"portions\">\
             <ul><li>200 g Mehl</li></ul></form></body></html>",
        );
        remove_form_boxes(&doc);
        assert!(doc.html().contains("200 g Mehl") && doc.html().contains("Zutaten"));
    }

    fn long_paragraph(words: &str) -> String {
        format!("<p>{}</p>", format!("{words} ").repeat(12))
    }

    #[test]
    fn teaser_cards_of_one_template_go_in_any_language() {
        for (lang, titles) in [
            (
                "en",
                [
                    "Storytime for the family",
                    "Lego club for teenagers",
                    "Meet a zookeeper today",
                ],
            ),
            (
                "de",
                [
                    "Vorlesestunde für Familien",
                    "Lego-Club für Jugendliche",
                    "Triff eine Tierpflegerin",
                ],
            ),
        ] {
            let cards: String = titles
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    format!(
                        "<div class=\"event-card\"><div class=\"title\"><a href=\"/e/{i}\">{t}</a>\
                         </div><div class=\"excerpt\">Short excerpt of the event number {i}.</div></div>"
                    )
                })
                .collect();
            let doc = Document::from(
                format!(
                    "<html><body><article><h1>T</h1>{}</article><div class=\"list\">{cards}</div>\
                     </body></html>",
                    long_paragraph("The article's own text, long enough to count.")
                )
                .as_str(),
            );
            pre_clean(&doc);
            let html = doc.html();
            assert!(html.contains("article's own text"), "{lang}: {html}");
            for t in titles {
                assert!(!html.contains(t), "{lang}: {t} kept in {html}");
            }
        }
    }

    #[test]
    fn a_rare_short_title_is_still_a_card_but_a_listicle_of_short_ones_is_not() {
        let page = |titles: &[&str]| {
            let cards: String = titles
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    format!(
                        "<div class=\"event\"><div class=\"title\"><a href=\"/e/{i}\">{t}</a></div>\
                         <div class=\"when\">Tue, Mar {i}, 3:30pm</div></div>"
                    )
                })
                .collect();
            let doc = Document::from(format!(
                "<html><body><article><h1>T</h1>{}</article><div class=\"list\">{cards}</div>\
                 </body></html>",
                long_paragraph("The article's own text, long enough to count.")
            ));
            remove_teaser_cards(&doc);
            doc.html().to_string()
        };
        let mut titles = vec!["Storytime for the whole family"; 9];
        titles.push("Lego Fun");
        let html = page(&titles);
        assert!(!html.contains("Lego Fun"), "{html}");
        assert!(!html.contains("Storytime"), "{html}");
        // Three short titles in ten: the numbered items of a listicle, not teasers.
        let mut titles = vec!["1. Sabrina Spellman from the series"; 7];
        titles.extend(["2. Drake", "9. Scientist", "15. Barbie"]);
        let html = page(&titles);
        assert!(html.contains("2. Drake"), "{html}");
        assert!(html.contains("Sabrina Spellman"), "{html}");
    }

    #[test]
    fn the_articles_own_lists_and_long_cards_stay() {
        // List items with no class (the author's list), and cards as long as sections.
        let items = "<ul><li><a href=\"/a\">First resource of the list</a> and why.</li>\
             <li><a href=\"/b\">Second resource of the list</a> and why.</li>\
             <li><a href=\"/c\">Third resource of the list</a> and why.</li></ul>";
        let section = |i: usize| {
            format!(
                "<div class=\"pick\"><h2><a href=\"/p/{i}\">Pick number {i} of the year</a></h2>{}{}</div>",
                long_paragraph("Ein langer Absatz über dieses Produkt und seine Vorzüge."),
                long_paragraph("A second paragraph on what the product does well.")
            )
        };
        let doc = Document::from(
            format!(
                "<html><body><div>{items}{}{}{}</div></body></html>",
                section(1),
                section(2),
                section(3)
            )
            .as_str(),
        );
        remove_teaser_cards(&doc);
        let html = doc.html();
        assert!(html.contains("Second resource"), "{html}");
        assert!(html.contains("Pick number 2"), "{html}");
    }

    #[test]
    fn author_boxes_go_by_microdata_or_rel_after_the_text() {
        for (name, bx) in [
            (
                "rel=author",
                "<div class=\"profile\"><b><a rel=\"author\" href=\"/au/kathy\">Kathy Owen</a></b>\
                 <p>Kathy founded this blog in 2011, where she shares tutorials on furniture.</p></div>",
            ),
            (
                "itemprop=author",
                "<div itemprop=\"author\" itemscope><span itemprop=\"name\">Inga Buller</span>\
                 <p>Inga Buller ist Head of Social bei der Redaktion und testet gerne Geräte.</p></div>",
            ),
            (
                "a Person item beside its bio",
                "<section class=\"quote\"><figure itemscope itemtype=\"http://schema.org/Person\">\
                 <img src=\"/p.jpg\"><figcaption><p itemprop=\"name\">Inga Buller</p></figcaption>\
                 </figure><blockquote>Inga Buller ist Head of Social bei der Redaktion und testet \
                 gerne neue Geräte.</blockquote></section>",
            ),
            (
                "a Person item in English",
                "<div itemscope itemtype=\"https://schema.org/Person\"><b itemprop=\"name\">Kathy \
                 Owen</b> writes tutorials on painted furniture and has run this blog from her \
                 workshop since 2011.</div>",
            ),
        ] {
            let doc = Document::from(
                format!(
                    "<html><body><div class=\"story\"><h1>T</h1>{}{bx}</div></body></html>",
                    long_paragraph("Der Text des Artikels, lang genug, um zu zählen.")
                )
                .as_str(),
            );
            pre_clean(&doc);
            let html = doc.html();
            assert!(html.contains("Der Text des Artikels"), "{name}: {html}");
            assert!(
                !html.contains("tutorials") && !html.contains("Head of Social"),
                "{name}: {html}"
            );
        }
        // A byline above the text, with a lead sentence beside it, stays.
        let doc = Document::from(
            format!(
                "<html><body><div><p class=\"meta\">By <a rel=\"author\" href=\"/au/a\">Ada</a>, \
                 the lead sentence of the story that says what happened yesterday.</p>{}</div>\
                 </body></html>",
                long_paragraph("The text of the article, long enough to count.")
            )
            .as_str(),
        );
        remove_author_boxes(&doc);
        assert!(doc.html().contains("lead sentence"), "{}", doc.html());
    }

    #[test]
    fn an_author_box_closing_its_text_goes_with_a_sidebar_further_down() {
        // The Person item's name link is named "author" (gone with the class/id pass), its
        // bio is its description, and a sidebar's long paragraph follows on the page.
        let page = format!(
            "<html><body><div class=\"col\"><article class=\"contentarea\">{}\
             <div itemscope itemtype=\"http://schema.org/Person\" itemprop=\"author\">\
             <a class=\"vcard author\" rel=\"author\" href=\"/au/p\"><span itemprop=\"name\">\
             Paddy</span></a><div itemprop=\"description\"><p>Fotograf aus Hamburg, Gründer \
             dieses Blogs, mag jede Art von Fotografie mit Menschen.</p></div></div>\
             </article></div><div class=\"col-right\">{}</div></body></html>",
            long_paragraph("Der Text des Artikels, lang genug, um zu zählen."),
            long_paragraph("Ein Absatz der Seitenleiste, der weiter unten auf der Seite steht.")
        );
        let doc = Document::from(page.as_str());
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("Der Text des Artikels"), "{html}");
        assert!(!html.contains("Fotograf aus Hamburg"), "{html}");
        // Before the text of its container, the same box is a byline block and stays.
        let page = format!(
            "<html><body><article><div itemscope itemtype=\"http://schema.org/Person\">\
             <span itemprop=\"name\">Paddy</span><div itemprop=\"description\">Fotograf aus \
             Hamburg, Gründer dieses Blogs, mag jede Art von Fotografie.</div></div>{}\
             </article><div>{}</div></body></html>",
            long_paragraph("Der Text des Artikels, lang genug, um zu zählen."),
            long_paragraph("Ein Absatz der Seitenleiste, der weiter unten auf der Seite steht.")
        );
        let doc = Document::from(page.as_str());
        remove_author_boxes(&doc);
        assert!(
            doc.html().contains("Fotograf aus Hamburg"),
            "{}",
            doc.html()
        );
    }

    #[test]
    fn a_paragraph_and_a_wrapper_are_judged_by_their_names_too() {
        let doc = Document::from(format!(
            "<html><body><div class=\"story\"><h1>T</h1>{}\
             <p class=\"postmetadata alt\">Posted on Wednesday in All, 3 comments.</p></div>\
             <div class=\"tdc-footer-wrap\"><ul><li>Other story one</li></ul></div>\
             <div class=\"content-sidebar-wrap\"><p>Kept wrapper text.</p></div></body></html>",
            long_paragraph("The text of the article, long enough to count.")
        ));
        pre_clean(&doc);
        let html = doc.html();
        assert!(html.contains("The text of the article"), "{html}");
        assert!(!html.contains("Posted on Wednesday"), "{html}");
        assert!(!html.contains("Other story one"), "{html}");
        assert!(html.contains("Kept wrapper text."), "{html}");
    }

    #[test]
    fn body_markers_are_found_in_any_spelling_behind_their_pieces() {
        assert!(!BODY_MARKER_PIECES.is_empty());
        for marker in BODY_MARKERS.iter() {
            for class in [
                marker.clone(),
                marker.to_uppercase(),
                marker.replace('-', "_"),
                marker.replace('-', "__"),
                format!("c-{}--wide", marker.replace('-', "_")),
            ] {
                let doc = Document::from(format!("<div class=\"x {class}\">t</div>"));
                let div = doc.select("div").nodes()[0];
                assert!(names_article_body(&div), "{class}");
                assert!(
                    BODY_MARKER_PIECES
                        .iter()
                        .any(|p| contains_ignore_ascii_case(&class, p))
                );
                assert!(
                    holds_body_marker_piece(&class.to_ascii_uppercase()),
                    "{class}"
                );
            }
        }
        for value in [
            "sidebar",
            "Comments",
            "",
            "ARTIC",
            "x-ArTiclE-y",
            "é-article",
        ] {
            assert_eq!(
                holds_body_marker_piece(value),
                BODY_MARKER_PIECES
                    .iter()
                    .any(|p| contains_ignore_ascii_case(value, p)),
                "{value}"
            );
        }
        let doc = Document::from("<div class=\"sidebar\" id=\"Comments\">t</div>");
        assert!(!names_article_body(&doc.select("div").nodes()[0]));
        assert!(contains_ignore_ascii_case("xArTiclEy", "article"));
        assert!(!contains_ignore_ascii_case("artic", "article"));
    }

    #[test]
    fn bem_modifiers_qualify_a_block_they_do_not_name_it() {
        let t = |s: &str| vec![s.to_string()];
        // A report section that holds ads is a section of the report.
        assert!(!has_negative_hint(&t("testreport__section--ads")));
        assert!(!has_negative_hint(&t("layout--sidebar")));
        // The block's own name still counts.
        assert!(has_negative_hint(&t("share-bar--sticky")));
        assert!(has_negative_hint(&t("c-comments--open")));
    }

    #[test]
    fn cards_followed_by_more_of_the_article_stay() {
        // A product round-up inside the text: the cards have the teaser shape, but the
        // article goes on after them.
        let cards: String = (1..4)
            .map(|i| {
                format!(
                    "<div class=\"roundup-item\"><h2><a href=\"/p/{i}\">Nähmaschine Modell {i}</a>\
                     </h2><p>Kurze Beschreibung des Modells {i}.</p></div>"
                )
            })
            .collect();
        let doc = Document::from(
            format!(
                "<html><body><div>{}{cards}{}</div></body></html>",
                long_paragraph("The introduction of the round-up, long enough to count."),
                long_paragraph("The conclusion of the round-up comes after the cards.")
            )
            .as_str(),
        );
        remove_teaser_cards(&doc);
        assert!(
            doc.html().contains("Nähmaschine Modell 2"),
            "{}",
            doc.html()
        );
    }

    #[test]
    fn trailing_link_lists_go() {
        let out = post_clean(
            "<div><p>Article body with enough words to stay here.</p>\
             <ul><li><a href=\"https://x/1\">Other story one</a></li>\
             <li><a href=\"https://x/2\">Other story two</a></li></ul></div>",
        );
        assert!(out.contains("Article body"));
        assert!(!out.contains("Other story"));
    }
}

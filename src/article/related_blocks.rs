//! Related-stories blocks found by page structure: a heading (or a container named for
//! related reading) followed by a list or grid of links to other articles of the site, in or
//! after the article body, taken out of the page before scoring and returned as
//! [`RelatedLink`]s.
//!
//! The heading's words are one signal; the others are structural: what follows the heading is
//! mostly links (by text), those links point at article-like URLs (a slug or an id, not the
//! home page, a section front or a tag/author page) mostly on the page's own site, there are
//! few of them, and the block sits outside navigation, footers, comments and ad widgets.
//! Site-wide rivers ("More from SITE", "Latest news", "Most read") are refused by their
//! heading. Titles of image-only or "Read more" links come from the card's headline, the
//! image's `alt`, or the URL's slug.
//!
//! Every walk is bounded (node budgets, sibling and link caps), so hostile pages (10,000
//! links, 1,000-deep nesting) cost linear time at most.

use super::phrases::{
    BLOCK_RIVER_PHRASES, BLOCK_TIE_HEADINGS, BLOCK_TIE_PHRASES, GENERIC_ANCHORS, PhraseList,
    RECOMMENDATION_PHRASES,
};
use crate::model::RelatedLink;
use crate::text::{collapse_whitespace, sanitize_line};
use dom_query::{Document, NodeId, NodeRef};
use std::collections::HashSet;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use url::Url;

/// Class or id words of containers that hold related reading (WordPress plugins and common
/// theme names): a structural signal used when the heading says little.
const RELATED_CLASS_WORDS: &[&str] = &[
    "related",
    "yarpp",
    "rp4wp",
    "crp_related",
    "similar",
    "more-like-this",
    "morelikethis",
    "see-also",
    "seealso",
    "serial-post",
    "serialpost",
    "post-series",
    "seriesbox",
    "series-toc",
    "verwandt",
    "relacionad",
    "correlat",
];

/// Class or id names that are related-reading widgets by themselves (WordPress plugins and
/// theme parts), even without a heading.
const STRONG_RELATED_CLASS_WORDS: &[&str] = &[
    "related-post",
    "related_post",
    "relatedpost",
    "related-article",
    "related_article",
    "relatedarticle",
    "related-stor",
    "related_stor",
    "related-news",
    "related_news",
    "yarpp",
    "rp4wp",
    "crp_related",
    "jp-relatedposts",
    // Series plugins: the other parts of a series the article belongs to.
    "serial-post",
    "serialpost",
    "post-series",
    "seriesbox",
    "series-toc",
];

/// Class or id words of containers that are never the article's further reading.
const FOREIGN_CLASS_WORDS: &[&str] = &[
    "taboola",
    "outbrain",
    "plista",
    "ligatus",
    "comment",
    "newsletter",
    "share",
    "social",
    "popular",
    "trending",
    "mostread",
    "meistgelesen",
    "latest",
    "breadcrumb",
    "menu",
    "cookie",
];

/// Social networks and share endpoints: never further reading.
const SHARE_HOSTS: &[&str] = &[
    "facebook.com",
    "twitter.com",
    "x.com",
    "t.co",
    "linkedin.com",
    "pinterest.com",
    "reddit.com",
    "whatsapp.com",
    "wa.me",
    "t.me",
    "telegram.me",
    "xing.com",
    "vk.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "flipboard.com",
    "getpocket.com",
    "addtoany.com",
    "sharethis.com",
    // Photo hosts: a picture's credit, not a story.
    "flickr.com",
    "unsplash.com",
    "pixabay.com",
    "pexels.com",
    // A picture's licence.
    "creativecommons.org",
];

/// Path segments of taxonomy and author pages.
const TAXONOMY_SEGMENTS: &[&str] = &[
    "tag",
    "tags",
    "category",
    "categories",
    "kategorie",
    "categoria",
    "author",
    "authors",
    "autor",
    "autoren",
    "auteur",
    "topic",
    "topics",
    "thema",
    "themen",
    "schlagwort",
    "schlagworte",
    "stichwort",
    "etiqueta",
    "etiquetas",
];

/// Path segments of account and utility pages.
const NON_ARTICLE_SEGMENTS: &[&str] = &[
    "search",
    "suche",
    "login",
    "register",
    "account",
    "subscribe",
    "newsletter",
    "abo",
    "feed",
    "rss",
    "page",
    "wp-login.php",
    "profile",
    "profil",
    "user",
    "users",
    "people",
    "cart",
    "checkout",
    "signup",
    "sign-up",
    "contact",
    "kontakt",
    // Affiliate and tracking redirects (`/out/mailerlite`, `/go/offer`): never reading.
    "out",
    "go",
    "goto",
    "recommends",
    "affiliate",
];

/// Headings longer than this (characters) are sentences, not block headings.
const MAX_HEADING_CHARS: usize = 80;
/// A heading-like element other than `h2`–`h6` has at most this many nodes.
const MAX_HEADING_NODES: usize = 12;
/// Nodes visited per page by the main walk; pages are bounded before this runs (60,000
/// elements), this is a second guard.
const MAX_PAGE_NODES: usize = 200_000;
/// Nodes looked at per block (all its siblings together).
const MAX_BLOCK_NODES: usize = 4_000;
/// Siblings after a heading looked at.
const MAX_BLOCK_SIBLINGS: usize = 40;
/// How far up from a heading its block may start (heading wrapped in title divs).
const MAX_CLIMB: usize = 4;
/// More distinct article links than this in one block: a river or an archive, not suggestions.
const MAX_BLOCK_LINKS: usize = 24;
/// Share of a block's text (letters and digits) that must be link text (titles and alts).
const MIN_BLOCK_LINK_SHARE: f32 = 0.3;
/// Unlinked text (letters and digits) per link that card blurbs may have.
const MAX_UNLINKED_PER_LINK: usize = 300;
/// The same for the cards of a container named for related reading (a teaser each).
const MAX_UNLINKED_PER_CARD: usize = 450;
/// A block sibling with this much unlinked text (letters) and little link text is prose: the
/// block ends there.
const PROSE_CHARS: usize = 120;
/// Ancestors looked at when checking whether a node is inside a block already taken.
const MAX_ANCESTORS: usize = 512;
/// Tab panels looked up per page (each lookup is a selector query over the page).
const MAX_TAB_LOOKUPS: usize = 4;
/// Blocks taken per page.
const MAX_BLOCKS: usize = 12;

/// Find related-stories blocks in the page (outside navigation, footers and comments), remove
/// them from it, and return their links in reading order. `known` are URLs already found by
/// the label-led pass: they are not repeated.
pub fn take_related_blocks(
    page: &Document,
    base_url: &Url,
    known: &[RelatedLink],
) -> Vec<RelatedLink> {
    let Some(body) = page.select("body").nodes().first().copied() else {
        return Vec::new();
    };
    let mut seen: HashSet<String> = known.iter().map(|l| url_key_str(&l.url)).collect();
    let mut found: Vec<RelatedLink> = Vec::new();
    let mut taken: Vec<Vec<NodeRef<'_>>> = Vec::new();
    let mut taken_ids: HashSet<NodeId> = HashSet::new();

    let article_date = article_date(page, base_url);
    let own_url = own_url(page, base_url);
    let article_id = url_id(own_url.as_ref().unwrap_or(base_url));
    let mut first_story: Option<NodeId> = None;
    let mut pointer_lines: Vec<Block<'_>> = Vec::new();
    // Each node with whether it sits in a page sidebar (an `aside` outside the article, a
    // `role=complementary` region): there only a block under a heading that ties it to the
    // article ("Related posts", "Mehr zum Thema") is taken, never recommendations or rivers.
    let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(body, false)];
    let mut visited = 0usize;
    let mut tab_lookups = 0usize;
    while let Some((node, in_sidebar)) = stack.pop() {
        visited += 1;
        if visited > MAX_PAGE_NODES || taken.len() >= MAX_BLOCKS {
            break;
        }
        if !node.is_element() {
            continue;
        }
        // A tab or accordion control ("Related" over a panel elsewhere in the page).
        if let Some(block) = block_from_tab(&node, page, base_url, &mut tab_lookups)
            && !block.nodes.iter().any(|n| taken_ids.contains(&n.id))
        {
            for link in tagged_links(block.links, block.evidence) {
                if seen.insert(url_key_str(&link.url)) {
                    found.push(link);
                }
            }
            taken_ids.extend(block.nodes.iter().map(|n| n.id));
            taken.push(block.nodes);
            continue;
        }
        if is_foreign(&node) && !is_block_header(&node) {
            if !in_sidebar && is_sidebar(&node) {
                push_children(&mut stack, &node, &taken_ids, true);
            }
            continue;
        }
        // An endless page appends the next stories, each an `<article>` with its own `h1`:
        // their related blocks are theirs, not this article's.
        if node.has_name("article") && has_h1(&node) && is_story_sized(&node) {
            match first_story {
                None => first_story = Some(node.id),
                // A story inside the first one (a page-wide `<article>` wrapping the
                // stream) is the first story itself, seen closer.
                Some(first) => {
                    if node
                        .ancestors_it(Some(MAX_ANCESTORS))
                        .any(|a| a.id == first)
                    {
                        first_story = Some(node.id);
                    } else {
                        continue;
                    }
                }
            }
        }
        // Inside a block already taken? Blocks are removed whole, so only the wrappers a
        // heading climbed to (a few levels up) can hold nodes still waiting on the stack.
        if !taken_ids.is_empty()
            && (taken_ids.contains(&node.id)
                || node
                    .ancestors_it(Some(MAX_CLIMB + 2))
                    .any(|a| taken_ids.contains(&a.id)))
        {
            continue;
        }
        let mut refused = false;
        let found_block = if in_sidebar {
            // A list, not one link: a sidebar's single teaser is a promotion.
            block_from_container(&node, base_url, &mut refused)
                .filter(|b| b.tied && b.links.len() >= 2)
                .or_else(|| {
                    block_from_heading(&node, base_url).filter(|b| b.tied && b.links.len() >= 2)
                })
        } else {
            block_from_container(&node, base_url, &mut refused)
                .or_else(|| block_from_announced_lines(&node, base_url))
                .or_else(|| block_from_heading(&node, base_url))
                .or_else(|| block_from_lead_in(&node, base_url))
                .or_else(|| block_from_article_aside(&node, base_url))
                .or_else(|| block_from_story_card(&node, base_url))
                .or_else(|| block_from_source_credit(&node, base_url))
        };
        if let Some(block) = found_block
            && !block.nodes.iter().any(|n| taken_ids.contains(&n.id))
        {
            let mut block = block;
            // Links back to the page itself (a filter box's `?category=…` variants, skip
            // links) are not reading elsewhere.
            if let Some(own) = &own_url {
                block.links.retain(|l| {
                    Url::parse(&l.url).map_or(true, |u| {
                        u.host_str() != own.host_str() || u.path() != own.path()
                    })
                });
            }
            // Posts published after the article, newest first: the site's river, whatever
            // its heading or name says. Left in the page, and nothing inside it is taken.
            // Numbered after the article under a heading that ties them to it ("Mehr zum
            // Thema"): the subject's later stories, kept up to date by the site; a river's
            // numbers say nothing under such a heading.
            if block.links.is_empty()
                || article_date.is_some_and(|date| is_later_stream(&block.links, date))
                || article_id.is_some_and(|article| {
                    numbers_like(&block.links, article).is_some_and(|ids| {
                        (!block.tied && is_later_by_id(&ids, article))
                            || is_neighbour_stream_by_id(&ids, article)
                    })
                })
                || is_news_of_the_day(&block.links)
                || is_recent_text_dated_stream(&block.nodes)
            {
                taken_ids.extend(block.nodes.iter().map(|n| n.id));
                continue;
            }
            for link in tagged_links(block.links, block.evidence) {
                if seen.insert(url_key_str(&link.url)) {
                    found.push(link);
                }
            }
            taken_ids.extend(block.nodes.iter().map(|n| n.id));
            taken.push(block.nodes);
            continue;
        }
        if refused {
            continue;
        }
        if !in_sidebar && let Some(block) = block_from_pointer_line(&node, base_url) {
            pointer_lines.push(block);
            continue;
        }
        push_children(&mut stack, &node, &taken_ids, in_sidebar);
    }
    // A few pointers between paragraphs are the editor's; a run of them is a listicle's
    // items linking their own pages ("Learn how to sew it here!").
    if pointer_lines.len() <= MAX_POINTER_LINES {
        for block in pointer_lines {
            for link in tagged_links(block.links, block.evidence) {
                if seen.insert(url_key_str(&link.url)) {
                    found.push(link);
                }
            }
            taken.push(block.nodes);
        }
    }
    for nodes in &taken {
        for n in nodes {
            n.remove_from_parent();
        }
    }
    found
}

/// Pointer lines (see [`block_from_pointer_line`]) a page may have before they are taken for
/// a listicle's own links.
const MAX_POINTER_LINES: usize = 3;

/// One related block: its links and the nodes that make it up (removed from the page).
struct Block<'a> {
    links: Vec<RelatedLink>,
    nodes: Vec<NodeRef<'a>>,
    /// Found under a heading whose words tie it to the article (not by name, shape or a
    /// recommendation alone).
    tied: bool,
    /// What found it.
    evidence: Evidence,
}

/// The evidence a block was found by: one class per `block_from_*` pass (and its heading's
/// kind), so errors can be counted by class (`benches/related/errors.py --by-evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// A tab or accordion control whose words tie it to the article, over its panel.
    TabPanel,
    /// A container named for related reading under a heading that ties it to the article.
    TieContainer,
    /// A container named for related reading under a recommendation ("You might also like").
    RecommendationContainer,
    /// A container with a strong related-reading name, no heading or a neutral one.
    NamedContainer,
    /// A heading that ties the block to the article ("More on this story").
    TieHeading,
    /// A recommendation heading ("Recommended for you") over a list or cards.
    RecommendationHeading,
    /// A colon lead-in paragraph over lines of links.
    AnnouncedLines,
    /// A short lead-in line over a list (colon or sentence).
    LeadInList,
    /// A heading of any words over a list of the site's articles closing the body.
    HeadingOverSiteArticles,
    /// An `<aside>` set into the story.
    ArticleAside,
    /// A story card between paragraphs.
    StoryCard,
    /// A one-link paragraph between paragraphs.
    PointerParagraph,
    /// A small element named for the article's source.
    SourceCredit,
}

impl Evidence {
    fn as_str(self) -> &'static str {
        match self {
            Evidence::TabPanel => "tab-panel",
            Evidence::TieContainer => "tie-container",
            Evidence::RecommendationContainer => "recommendation-container",
            Evidence::NamedContainer => "named-container",
            Evidence::TieHeading => "tie-heading",
            Evidence::RecommendationHeading => "recommendation-heading",
            Evidence::AnnouncedLines => "announced-lines",
            Evidence::LeadInList => "lead-in-list",
            Evidence::HeadingOverSiteArticles => "heading-over-site-articles",
            Evidence::ArticleAside => "article-aside",
            Evidence::StoryCard => "story-card",
            Evidence::PointerParagraph => "pointer-paragraph",
            Evidence::SourceCredit => "source-credit",
        }
    }
}

/// Set (to anything) in the environment, `KIOSQUE_RELATED_EVIDENCE` makes every related
/// link's label start with the evidence that found it in brackets ("[tie-heading] Related
/// articles"): a measuring aid for `benches/related/errors.py --by-evidence`, read once.
pub(crate) static TAG_EVIDENCE: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("KIOSQUE_RELATED_EVIDENCE").is_some());

/// The block's links, their labels tagged with its evidence when [`TAG_EVIDENCE`] is on.
fn tagged_links(block_links: Vec<RelatedLink>, evidence: Evidence) -> Vec<RelatedLink> {
    if !*TAG_EVIDENCE {
        return block_links;
    }
    block_links
        .into_iter()
        .map(|mut l| {
            l.label = format!("[{}] {}", evidence.as_str(), l.label);
            l
        })
        .collect()
}

/// Navigation, page header and footer, comments, ad widgets, forms, scripts: skipped whole.
fn is_foreign(node: &NodeRef<'_>) -> bool {
    let Some(name) = node.node_name() else {
        return true;
    };
    // An article's own footer and asides often hold its related posts; the page's footer and
    // sidebars do not.
    if matches!(name.as_ref(), "footer" | "aside") {
        let in_article = node
            .ancestors_it(Some(MAX_ANCESTORS))
            .any(|a| a.has_name("article"))
            || (name.as_ref() == "aside" && in_article_container(node))
            || (name.as_ref() == "footer" && names_the_article(node));
        return !in_article;
    }
    if matches!(
        name.as_ref(),
        "nav"
            | "header"
            | "form"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "iframe"
            | "select"
            | "button"
            | "head"
    ) {
        // An article's own header or footer may hold a credit, but never a related block;
        // a page-level header/footer holds navigation.
        return true;
    }
    if let Some(role) = node.attr("role")
        && matches!(
            role.to_ascii_lowercase().as_str(),
            "navigation"
                | "contentinfo"
                | "banner"
                | "search"
                | "menu"
                | "menubar"
                | "complementary"
        )
    {
        return true;
    }
    // The page's and the article's wrappers carry all sorts of state classes ("has-menu").
    if matches!(name.as_ref(), "body" | "html" | "main" | "article") {
        return false;
    }
    if node.attr("style").is_some_and(|st| {
        let st = st.to_ascii_lowercase().replace(' ', "");
        st.contains("display:none") || st.contains("visibility:hidden")
    }) {
        return true;
    }
    if node.has_attr("hidden")
        || node
            .attr("aria-hidden")
            .is_some_and(|v| v.as_ref() == "true")
        || is_hidden_by_class(node)
    {
        return true;
    }
    // Every element of the page comes here: the class and id are read in place, not copied
    // and lowercased (tokens split at anything not an ASCII letter or digit, as before).
    let furniture_name = ["class", "id"].iter().any(|attr| {
        node.attr(attr).is_some_and(|names| {
            names
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|token| {
                    FOREIGN_CLASS_WORDS.iter().any(|w| {
                        token
                            .as_bytes()
                            .get(..w.len())
                            .is_some_and(|start| start.eq_ignore_ascii_case(w.as_bytes()))
                    })
                })
        })
    });
    // A page wrapper's state classes ("st_menu_under", "has-comments") name no furniture:
    // what holds the page's title is not a menu.
    furniture_name && !holds_page_title(node)
}

/// A block's own `<header>` holding nothing but its heading's words (`<section><header><p>
/// Weiterführende Links</p></header><ul>…`): no link, picture or page title in it, and
/// something after it. Walked like any element, so its heading is seen; a page's header has
/// a logo, links or a menu.
fn is_block_header(node: &NodeRef<'_>) -> bool {
    if !node.has_name("header") || node.next_element_sibling().is_none() {
        return false;
    }
    let mut text = 0usize;
    for (i, d) in node.descendants_it().enumerate() {
        if i > MAX_HEADING_NODES * 4 {
            return false;
        }
        if d.is_text() {
            text += alnum_count(&d.text());
        } else if tag_is(
            &d,
            &[
                "a", "img", "picture", "svg", "nav", "form", "button", "h1", "ul", "ol", "input",
            ],
        ) {
            return false;
        }
    }
    (3..=MAX_HEADING_CHARS).contains(&text)
}

/// Nodes looked at for a page title under an element named like furniture.
const MAX_TITLE_PROBE_NODES: usize = 20_000;

/// Does the element hold the page's title (an `h1`)?
fn holds_page_title(node: &NodeRef<'_>) -> bool {
    node.descendants_it()
        .take(MAX_TITLE_PROBE_NODES)
        .any(|d| d.has_name("h1"))
}

/// [`is_foreign`] for an element inside a block already bounded: a card's own `<header>`
/// and `<footer>` (its headline, its date) are parts of the card, not page furniture.
fn is_foreign_in_block(node: &NodeRef<'_>) -> bool {
    !tag_is(node, &["header", "footer"]) && is_foreign(node)
}

/// Utility class names (whole tokens) that hide an element on every screen: a card's full
/// text kept for a script (`div.hide`), not something a reader sees.
const HIDDEN_CLASS_NAMES: &[&str] = &["hide", "hidden", "d-none", "is-hidden", "u-hidden"];

/// Is the element hidden by one of [`HIDDEN_CLASS_NAMES`]?
fn is_hidden_by_class(node: &NodeRef<'_>) -> bool {
    node.attr("class").is_some_and(|names| {
        names.split_ascii_whitespace().any(|token| {
            HIDDEN_CLASS_NAMES
                .iter()
                .any(|h| token.eq_ignore_ascii_case(h))
        })
    })
}

/// A page sidebar: an `aside` outside the article, or a `role=complementary` region. Skipped
/// as furniture, except for blocks under a heading that ties them to the article.
fn is_sidebar(node: &NodeRef<'_>) -> bool {
    node.has_name("aside")
        || node
            .attr("role")
            .is_some_and(|r| r.eq_ignore_ascii_case("complementary"))
}

/// Is the node (an `aside`) part of the article's own container rather than a page sidebar:
/// named for related reading itself, or a few levels under an element whose class or id
/// names the article or its entry (`div.article-body`, `div.entry-content`) without the `<article>`
/// tag?
fn in_article_container(node: &NodeRef<'_>) -> bool {
    let own = class_and_id(node);
    if !own.is_empty() && RELATED_CLASS_WORDS.iter().any(|w| own.contains(w)) {
        return true;
    }
    node.ancestors_it(Some(6)).any(|a| {
        a.is_element()
            && !a.has_name("body")
            && class_and_id(&a).split_ascii_whitespace().any(|t| {
                [
                    "article-",
                    "article_",
                    "entry-",
                    "entry_",
                    "post-body",
                    "post-content",
                ]
                .iter()
                .any(|p| t.starts_with(p))
            })
    })
}

/// Does the element's class or id name the article or story it closes
/// (`footer.endofarticle`, `footer.entry-footer`), not the page?
fn names_the_article(node: &NodeRef<'_>) -> bool {
    let names = class_and_id(node);
    ["article", "entry", "story"]
        .iter()
        .any(|w| names.contains(w))
}

/// The element's class and id, lowercase, space-separated.
fn class_and_id(node: &NodeRef<'_>) -> String {
    let mut out = String::new();
    if let Some(c) = node.attr("class") {
        out.push_str(&c.to_ascii_lowercase());
    }
    if let Some(i) = node.attr("id") {
        out.push(' ');
        out.push_str(&i.to_ascii_lowercase());
    }
    out
}

/// Class names of one slide of a slider or carousel.
const SLIDE_NAMES: &[&str] = &[
    "swiper-slide",
    "slick-slide",
    "carousel-item",
    "owl-item",
    "glide__slide",
    "splide__slide",
];

/// Is the node inside one slide of a slider (an image gallery's closing "more galleries"
/// card), rather than holding a slider of its own?
fn in_slide(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(Some(12)).any(|a| {
        a.attr("class").is_some_and(|c| {
            c.to_ascii_lowercase()
                .split_ascii_whitespace()
                .any(|t| SLIDE_NAMES.contains(&t))
        })
    })
}

/// The elements of a block's nodes and their descendants, in document order, among the
/// first [`MAX_BLOCK_NODES`] nodes of any kind.
fn block_elements<'a>(nodes: &'a [NodeRef<'a>]) -> impl Iterator<Item = NodeRef<'a>> + 'a {
    nodes
        .iter()
        .flat_map(|node| std::iter::once(*node).chain(node.descendants_it()))
        .take(MAX_BLOCK_NODES)
        .filter(|d| d.is_element())
}

/// Do the block's items carry dates that make it a stream of the site's latest posts: at
/// least three dated items, newest first, all within a week of each other (or relative dates
/// such as "Yesterday", "2 hours ago")? A block of suggestions on the subject mixes years.
fn is_dated_stream(nodes: &[NodeRef<'_>]) -> bool {
    let mut days: Vec<i64> = Vec::new();
    let mut relative = 0usize;
    for d in block_elements(nodes) {
        if d.has_name("time")
            && let Some(day) = d.attr("datetime").and_then(|v| day_number(&v))
        {
            days.push(day);
            continue;
        }
        // A small element whose whole text is a relative date.
        if d.children_it(false).all(|c| c.is_text()) {
            let text = fold(&d.text(), 40);
            if is_relative_date(&text) {
                relative += 1;
            }
        }
    }
    if relative >= 3 {
        return true;
    }
    days.len() >= 3
        && days.windows(2).all(|w| w[0] >= w[1])
        && days
            .first()
            .zip(days.last())
            .is_some_and(|(a, b)| a - b <= 7)
}

/// Dated items a block must show to be judged a stream by the dates printed on its cards.
const MIN_TEXT_DATED_ITEMS: usize = 4;
/// Days such a stream spans at most.
const MAX_TEXT_DATED_SPAN: i64 = 3;

/// Do the block's cards print dates ("27.01.22", "02.02.2022") that make it the site's
/// newest posts: four or more, newest first and not all the same day, all within a few days?
/// Reading on a subject mixes older pieces; a box that only tracks the last days is a river
/// whatever its heading or name says.
fn is_recent_text_dated_stream(nodes: &[NodeRef<'_>]) -> bool {
    let mut days: Vec<i64> = Vec::new();
    for d in block_elements(nodes) {
        if d.children_it(false).all(|c| c.is_text())
            && let Some(day) = numeric_date(&d.text())
        {
            days.push(day);
        }
    }
    days.len() >= MIN_TEXT_DATED_ITEMS
        && days.windows(2).all(|w| w[0] >= w[1])
        && days
            .first()
            .zip(days.last())
            .is_some_and(|(a, b)| a > b && a - b <= MAX_TEXT_DATED_SPAN)
}

/// A day number from a leading numeric date "DD.MM.YY" or "DD.MM.YYYY" (a card's dateline,
/// maybe followed by more words), else `None`.
fn numeric_date(text: &str) -> Option<i64> {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let mut parts = t[..end].trim_end_matches('.').split('.');
    let d: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let y_text = parts.next()?;
    if parts.next().is_some() || !(y_text.len() == 2 || y_text.len() == 4) {
        return None;
    }
    let y: i64 = y_text.parse().ok()?;
    let y = if y < 100 { 2000 + y } else { y };
    ((1..=31).contains(&d) && (1..=12).contains(&m)).then_some(y * 372 + m * 31 + d)
}

/// The page's own address as it names it (`link[rel=canonical]`, `og:url`), when it differs
/// from the base links resolve against (a `<base href>` of the site's root).
fn own_url(page: &Document, base_url: &Url) -> Option<Url> {
    let canonical = page
        .select("link[rel=\"canonical\"]")
        .nodes()
        .first()
        .and_then(|n| n.attr("href"))
        .or_else(|| {
            page.select("meta[property=\"og:url\"]")
                .nodes()
                .first()
                .and_then(|n| n.attr("content"))
        })?;
    let url = base_url.join(canonical.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Paragraphs an `<article>` must hold to be a story rather than a teaser card (a "most
/// read" list made of `<article>`s with an `h1` each, before the page's own story).
const MIN_STORY_PARAGRAPHS: usize = 3;

/// Is the `<article>` a whole story (a few paragraphs), not a teaser card?
fn is_story_sized(node: &NodeRef<'_>) -> bool {
    node.descendants_it()
        .take(MAX_BLOCK_NODES)
        .filter(|d| d.has_name("p"))
        .take(MIN_STORY_PARAGRAPHS)
        .count()
        >= MIN_STORY_PARAGRAPHS
}

/// Does the element hold a page title (`h1`) near its start?
fn has_h1(node: &NodeRef<'_>) -> bool {
    node.descendants_it().take(400).any(|d| d.has_name("h1"))
}

/// A publication date as year, month and (when known) day.
type PostDate = (i64, i64, Option<i64>);

/// The article's own date: from its URL (`/2022/04/26/…`), else from
/// `article:published_time`.
fn article_date(page: &Document, base_url: &Url) -> Option<PostDate> {
    url_date(base_url).or_else(|| {
        let meta = page
            .select("meta[property=\"article:published_time\"]")
            .nodes()
            .first()
            .copied()?;
        let value = meta.attr("content")?;
        let date = value.trim().get(..10)?;
        let mut parts = date.split('-');
        let y: i64 = parts.next()?.parse().ok()?;
        let m: i64 = parts.next()?.parse().ok()?;
        let d: i64 = parts.next()?.parse().ok()?;
        ((1990..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m, Some(d)))
    })
}

/// The date in a URL's path: a year segment followed by a month (and a day) segment.
fn url_date(url: &Url) -> Option<PostDate> {
    let segments: Vec<&str> = url.path_segments()?.take(12).collect();
    let in_segments = segments.windows(2).enumerate().find_map(|(i, pair)| {
        let number = |s: &str, max_len: usize| -> Option<i64> {
            (!s.is_empty() && s.len() <= max_len && s.chars().all(|c| c.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let y = number(pair[0], 4).filter(|y| (1990..=2100).contains(y))?;
        let m = number(pair[1], 2).filter(|m| (1..=12).contains(m))?;
        let d = segments
            .get(i + 2)
            .and_then(|s| number(s, 2))
            .filter(|d| (1..=31).contains(d));
        Some((y, m, d))
    });
    // A slug that opens with its date (`/2019-03-29-leader-spotlight/`).
    in_segments.or_else(|| segments.iter().find_map(|s| slug_date(s)))
}

/// The date a path segment opens with, "YYYY-MM-DD" followed by a dash or nothing.
fn slug_date(segment: &str) -> Option<PostDate> {
    let head = segment.get(..10)?;
    let rest = &segment[10..];
    if !(rest.is_empty() || rest.starts_with('-')) {
        return None;
    }
    let mut parts = head.split('-');
    let mut number = |len: usize| -> Option<i64> {
        let p = parts.next()?;
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = (number(4)?, number(2)?, number(2)?);
    ((1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((
        y,
        m,
        Some(d),
    ))
}

/// Are a block's links at least three posts, each dated in its URL, none older than the
/// article and some newer: what the site published after it (its latest news), not reading
/// about the article's subject, which was written before or along with it.
fn is_later_stream(links: &[RelatedLink], article: PostDate) -> bool {
    if links.len() < 3 {
        return false;
    }
    let mut later = 0usize;
    let mut undated = 0usize;
    for link in links {
        let Some(date) = Url::parse(&link.url).ok().and_then(|u| url_date(&u)) else {
            // A river may mix in links to indexes (`/talks/`); half of the links undated
            // at most, and three dated ones at least.
            undated += 1;
            if undated * 2 > links.len() || links.len() - undated < 3 {
                return false;
            }
            continue;
        };
        let order = match (date.2, article.2) {
            (Some(d), Some(a)) => (date.0, date.1, d).cmp(&(article.0, article.1, a)),
            _ => (date.0, date.1).cmp(&(article.0, article.1)),
        };
        match order {
            std::cmp::Ordering::Less => return false,
            std::cmp::Ordering::Greater => later += 1,
            std::cmp::Ordering::Equal => {}
        }
    }
    later > 0
}

/// Links a block must have to be judged a news-of-the-day river by the dates in its URLs.
const MIN_DAY_STREAM_LINKS: usize = 10;
/// Days the posts of such a river span at most.
const MAX_DAY_STREAM_SPAN: i64 = 2;

/// Are a block's links many posts, every one dated to the day in its URL, all from the same
/// two or three days: the site's news of the day, whatever the block's heading says.
/// Reading on a subject gathers what was written on it over weeks and years.
fn is_news_of_the_day(links: &[RelatedLink]) -> bool {
    if links.len() < MIN_DAY_STREAM_LINKS {
        return false;
    }
    let mut days: Vec<i64> = Vec::with_capacity(links.len());
    for link in links {
        match Url::parse(&link.url).ok().and_then(|u| url_date(&u)) {
            Some((y, m, Some(d))) => days.push(y * 372 + m * 31 + d),
            _ => return false,
        }
    }
    match (days.iter().min(), days.iter().max()) {
        (Some(lo), Some(hi)) => hi - lo <= MAX_DAY_STREAM_SPAN,
        _ => false,
    }
}

/// A URL's article number: the longest run of 5 to 12 digits in its last two path segments
/// (`/artikel/310144/slug/`, `/slug-5287894`), with its length (ids of one site have one
/// length), or `None`. A date is not an id: runs of 8 digits that read as a date are skipped.
fn url_id(url: &Url) -> Option<(u64, usize)> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let tail = &segments[segments.len().saturating_sub(2)..];
    tail.iter()
        .flat_map(|s| s.split(|c: char| !c.is_ascii_digit()))
        .filter(|run| (5..=12).contains(&run.len()))
        .filter(|run| !(run.len() == 8 && run.starts_with("20")))
        .max_by_key(|run| run.len())
        .and_then(|run| Some((run.parse().ok()?, run.len())))
}

/// The article numbers of a block's links when every link has one of the same length as the
/// article's (ids of one site have one length), in link order; `None` when any link has none:
/// such a link keeps the block from being judged by numbers.
fn numbers_like(links: &[RelatedLink], article: (u64, usize)) -> Option<Vec<u64>> {
    links
        .iter()
        .map(|link| {
            let (id, len) = url_id(&Url::parse(&link.url).ok()?)?;
            (len == article.1).then_some(id)
        })
        .collect()
}

/// Are a block's links (their numbers, from [`numbers_like`]) at least three articles
/// numbered higher than the article: posts the site published after it (its river), not
/// reading on its subject, which came before or along with it.
fn is_later_by_id(ids: &[u64], article: (u64, usize)) -> bool {
    ids.len() >= 3 && ids.iter().all(|&id| id > article.0)
}

/// Links a block must have to be judged the article's neighbours in the site's stream by
/// their numbers.
const MIN_NEIGHBOUR_LINKS: usize = 4;
/// How far (in article numbers, per link of the block) a neighbour's number may sit from the
/// article's.
const NEIGHBOUR_SPAN_PER_LINK: u64 = 5;

/// Are a block's links (their numbers, from [`numbers_like`]) four or more articles numbered
/// right around the article, a few numbers per link either side: the posts published just
/// before and after it (the site's stream at that hour, "Neueste Artikel" under a related
/// name), not reading on its subject, which a site gathers over weeks and years. A tying
/// heading keeps such a block no more than the other rules of this kind.
fn is_neighbour_stream_by_id(ids: &[u64], article: (u64, usize)) -> bool {
    let reach = NEIGHBOUR_SPAN_PER_LINK.saturating_mul(ids.len() as u64);
    ids.len() >= MIN_NEIGHBOUR_LINKS && ids.iter().all(|&id| id.abs_diff(article.0) <= reach)
}

/// "2026-03-14…" as a day count (months taken as 31 days: spans come out a little long).
fn day_number(value: &str) -> Option<i64> {
    let date = value.trim().get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    Some(y * 372 + m * 31 + d)
}

/// "yesterday", "today", "3 hours ago", "gestern", "vor 2 Stunden"… (folded text).
fn is_relative_date(folded: &str) -> bool {
    let t = folded.trim();
    matches!(
        t,
        "yesterday"
            | "today"
            | "gestern"
            | "heute"
            | "hier"
            | "aujourd'hui"
            | "ayer"
            | "hoy"
            | "ontem"
            | "hoje"
            | "ieri"
            | "oggi"
    ) || (t.len() <= 24
        && t.split_whitespace()
            .any(|w| w.chars().all(|c| c.is_ascii_digit()))
        && ["ago", "vor ", "il y a", "hace", "ha ", "fa"]
            .iter()
            .any(|w| t.contains(w))
        && [
            "min", "hour", "hora", "stund", "heure", "ora", "day", "tag", "jour", "dia",
        ]
        .iter()
        .any(|w| t.contains(w)))
}

/// Does the heading recommend ("You might also like") rather than tie?
fn heading_recommends(text: &str) -> bool {
    let folded = fold(text, MAX_HEADING_CHARS + 1);
    RECOMMENDATIONS.any(&folded, whole_phrase_at)
}

fn tag_is(node: &NodeRef<'_>, tags: &[&str]) -> bool {
    node.node_name()
        .is_some_and(|n| tags.iter().any(|t| n.eq_ignore_ascii_case(t)))
}

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// The headings below a page's title: a section's or a block's.
const SUBHEADINGS: &[&str] = &["h2", "h3", "h4", "h5", "h6"];

/// Fold text for phrase matching: lowercase, accents off, `ß` as `ss`, curly quotes straight,
/// whitespace collapsed. At most `max_chars` characters are read.
fn fold(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    let mut space = true;
    for c in text.chars().take(max_chars) {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        match c {
            'ß' => out.push_str("ss"),
            '’' | '‘' | 'ʼ' | '´' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => {
                for lower in c.to_lowercase() {
                    out.extend(
                        std::iter::once(lower)
                            .nfd()
                            .filter(|d| !is_combining_mark(*d)),
                    );
                }
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Is the match of `phrase` at `start..start + phrase.len()` in `folded` a whole phrase:
/// starting a word, and ending one unless it is a long stem ("relacionad", "correlat") or in a
/// script without spaces?
fn whole_phrase_at(folded: &str, start: usize, phrase: &str) -> bool {
    if phrase.chars().any(|c| c as u32 >= 0x1100) {
        return true;
    }
    let end = start + phrase.len();
    word_starts_at(folded, start)
        && (phrase.chars().count() >= 8
            || folded[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric()))
}

fn word_starts_at(folded: &str, start: usize) -> bool {
    folded[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// All the phrases of a list in one pass over a text.
struct PhraseSet {
    phrases: &'static [String],
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl PhraseSet {
    /// The phrases of a list from `assets/phrases/`, already folded as page text is folded
    /// here (Hangul and Cyrillic change under decomposition), so the comparison is like for
    /// like.
    fn new(list: &'static PhraseList) -> PhraseSet {
        let phrases: &'static [String] = list;
        let matcher = super::boilerplate::phrase_automaton(phrases);
        PhraseSet { phrases, matcher }
    }

    /// Does a phrase occur in `folded` with `accept(folded, start, phrase)`?
    fn any(&self, folded: &str, accept: impl Fn(&str, usize, &str) -> bool) -> bool {
        match &self.matcher {
            Some(m) => m
                .find_overlapping_iter(folded)
                .any(|hit| accept(folded, hit.start(), &self.phrases[hit.pattern().as_usize()])),
            None => false,
        }
    }
}

static TIES: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(&BLOCK_TIE_PHRASES));
static RIVERS: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(&BLOCK_RIVER_PHRASES));
static RECOMMENDATIONS: LazyLock<PhraseSet> =
    LazyLock::new(|| PhraseSet::new(&RECOMMENDATION_PHRASES));

/// Does a heading's text tie what follows to the article? `None` for rivers and furniture.
fn heading_ties(text: &str) -> bool {
    let folded = fold(text, MAX_HEADING_CHARS + 1);
    if folded.is_empty() || folded.chars().count() > MAX_HEADING_CHARS {
        return false;
    }
    if RIVERS.any(&folded, |f, start, _| word_starts_at(f, start)) {
        return false;
    }
    let whole = folded.trim_matches(|c: char| !c.is_alphanumeric());
    BLOCK_TIE_HEADINGS.iter().any(|h| h == whole) || TIES.any(&folded, whole_phrase_at)
}

/// Is the heading a river's ("Latest news", "More from SITE")?
fn heading_is_river(text: &str) -> bool {
    let folded = fold(text, MAX_HEADING_CHARS + 1);
    RIVERS.any(&folded, |f, start, _| word_starts_at(f, start))
}

/// The text of a small heading-like element, or `None` if the element is not one: `h1`–`h6`
/// of any size up to [`MAX_HEADING_CHARS`], other elements only when tiny (a few nodes, no
/// block children).
fn heading_text(node: &NodeRef<'_>) -> Option<String> {
    let is_h = tag_is(node, SUBHEADINGS);
    if !is_h
        && !tag_is(
            node,
            &[
                "div", "p", "span", "strong", "b", "dt", "label", "summary", "legend", "header",
                "em",
            ],
        )
    {
        return None;
    }
    // Emphasis inside a line is not a heading of its own: its line is the candidate.
    if tag_is(node, &["span", "strong", "b", "em", "label"])
        && node.parent().is_some_and(|p| {
            tag_is(
                &p,
                &[
                    "p", "li", "a", "span", "strong", "b", "em", "label", "h1", "h2", "h3", "h4",
                    "h5", "h6", "td",
                ],
            )
        })
    {
        return None;
    }
    let mut text = String::new();
    let mut count = 0usize;
    for d in node.descendants_it() {
        count += 1;
        if count > MAX_HEADING_NODES * if is_h { 4 } else { 1 } {
            return None;
        }
        if d.is_text() {
            text.push_str(&d.text());
            if text.len() > MAX_HEADING_CHARS * 4 {
                return None;
            }
        } else if d.is_element() {
            if !is_h
                && tag_is(
                    &d,
                    &["p", "ul", "ol", "li", "table", "section", "article", "img"],
                )
            {
                return None;
            }
            // An ad slot's script is no heading's text.
            if tag_is(&d, &["script", "style", "noscript", "template"]) {
                return None;
            }
            text.push(' ');
        }
    }
    let text = collapse_whitespace(&text);
    let chars = text.chars().count();
    (3..=MAX_HEADING_CHARS).contains(&chars).then_some(text)
}

/// The label of a lead-in: its last sentence of at least `min_words` words (the whole text
/// when none is that long), its colon dropped.
fn lead_in_label(text: &str, min_words: usize) -> String {
    let last_sentence = text
        .trim_end_matches(':')
        .rsplit(['.', '?', '!', '…'])
        .map(str::trim)
        .find(|t| t.split_whitespace().filter(|w| alnum_count(w) > 0).count() >= min_words)
        .unwrap_or(text);
    label_from(last_sentence)
}

/// The label shown for a block: its heading as written, without trailing colons and dots.
fn label_from(heading: &str) -> String {
    let label = sanitize_line(heading);
    let label = label
        .trim_end_matches(|c: char| c == ':' || c == '.' || c == '…' || c.is_whitespace())
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    if label.is_empty() {
        "Related".to_string()
    } else {
        label.to_string()
    }
}

/// A tab or accordion control whose words tie it to the article (`<a href="#pane-related">See
/// also</a>`, `<button aria-controls="x">Related</button>`): the panel it controls.
fn block_from_tab<'a>(
    node: &NodeRef<'a>,
    page: &'a Document,
    base_url: &Url,
    lookups: &mut usize,
) -> Option<Block<'a>> {
    if !tag_is(node, &["a", "button", "li"]) || *lookups >= MAX_TAB_LOOKUPS {
        return None;
    }
    let target = node
        .attr("aria-controls")
        .map(|t| t.to_string())
        .or_else(|| {
            ["href", "data-target", "data-bs-target"]
                .iter()
                .find_map(|a| {
                    node.attr(a)
                        .and_then(|h| h.strip_prefix('#').map(|t| t.to_string()))
                })
        })?;
    if target.is_empty()
        || target.len() > 100
        || !target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
    {
        return None;
    }
    let text = collapse_whitespace(&bounded_text(node, MAX_HEADING_NODES));
    if text.chars().count() > MAX_HEADING_CHARS || !heading_ties(&text) {
        return None;
    }
    *lookups += 1;
    let panel = page
        .select(&format!("[id=\"{target}\"]"))
        .nodes()
        .first()
        .copied()?;
    if panel.id == node.id
        || node
            .ancestors_it(Some(MAX_ANCESTORS))
            .any(|a| a.id == panel.id)
    {
        return None;
    }
    let label = label_from(&text);
    let links = collect_links(&[panel], base_url, &label, BlockShape::Named)?;
    Some(Block {
        links,
        nodes: vec![panel],
        tied: !heading_recommends(&text),
        evidence: Evidence::TabPanel,
    })
}

/// A container named for related reading (`div.related-posts`, `#yarpp…`): its own links.
/// A container named for related reading that is refused as a whole (a stream of the latest
/// posts, a gallery slide) sets `refused`: nothing inside it is the article's either.
fn block_from_container<'a>(
    node: &NodeRef<'a>,
    base_url: &Url,
    refused: &mut bool,
) -> Option<Block<'a>> {
    if !tag_is(node, &["div", "section", "aside", "ul", "ol", "article"]) {
        return None;
    }
    // Most boxes have no such name: ruled out without copying their class and id.
    if !["class", "id"].iter().any(|attr| {
        node.attr(attr)
            .is_some_and(|v| RELATED_CLASS_WORDS.iter().any(|w| contains_ascii_ci(&v, w)))
    }) {
        return None;
    }
    let names = class_and_id(node);
    if names.is_empty() || !RELATED_CLASS_WORDS.iter().any(|w| names.contains(w)) {
        return None;
    }
    // "related-tags", "related-topics": taxonomy, not stories; files and products neither.
    if [
        "tag", "topic", "categor", "product", "shop", "file", "download", "gallery", "slider",
    ]
    .iter()
    .any(|w| names.contains(w))
    {
        return None;
    }
    // The block's heading comes before its first link; a river heading anywhere in it
    // ("Latest", "Most read" tabs) refuses it.
    let (heading, rivers) = container_headings(node);
    if rivers {
        return None;
    }
    let strong_name = STRONG_RELATED_CLASS_WORDS.iter().any(|w| names.contains(w));
    let label = match heading.as_deref() {
        Some(h) if heading_ties(h) || strong_name => label_from(h),
        // A neutral heading ("Kontakt", "Downloads") on a loosely named box: not a related
        // block.
        Some(_) => return None,
        None if strong_name => "Related".to_string(),
        None => return None,
    };
    if in_slide(node)
        || (heading.as_deref().is_some_and(heading_recommends) && is_dated_stream(&[*node]))
    {
        *refused = true;
        return None;
    }
    // A series box lists every part, this one too, and so may a box whose heading ties it
    // to the subject ("Leé también" over the subject's stories, this one among them). A box
    // with only a recommendation or a name over it that holds the page itself is the site's
    // latest or most-read river, which shows every new story.
    let series = ["serial", "series"].iter().any(|w| names.contains(w));
    let tied_heading = heading
        .as_deref()
        .is_some_and(|h| heading_ties(h) && !heading_recommends(h));
    if !series && !tied_heading && lists_page_itself(&[*node], base_url) {
        *refused = true;
        return None;
    }
    let links = collect_links(&[*node], base_url, &label, BlockShape::Named)?;
    let tied = heading
        .as_deref()
        .is_some_and(|h| heading_ties(h) && !heading_recommends(h));
    let evidence = if tied {
        Evidence::TieContainer
    } else if heading.as_deref().is_some_and(heading_ties) {
        Evidence::RecommendationContainer
    } else {
        Evidence::NamedContainer
    };
    Some(Block {
        links,
        nodes: vec![*node],
        tied,
        evidence,
    })
}

/// Push the children of `node` not already taken onto the walk's stack, in document order
/// (the stack pops the last pushed first), each marked as in a page sidebar or not.
fn push_children<'a>(
    stack: &mut Vec<(NodeRef<'a>, bool)>,
    node: &NodeRef<'a>,
    taken_ids: &HashSet<NodeId>,
    in_sidebar: bool,
) {
    let start = stack.len();
    stack.extend(
        node.children_it(false)
            .filter(|c| !taken_ids.contains(&c.id))
            .map(|c| (c, in_sidebar)),
    );
    stack[start..].reverse();
}

/// Is the text a date ("September 28, 2025", "12.11.2021", "2024-05-01"): a card's dateline,
/// not a heading? Two groups of digits or more and at most two words besides them.
fn is_date_text(text: &str) -> bool {
    let groups = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .count();
    let words = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .count();
    (groups >= 2 && words <= 2) || (groups >= 1 && words == 0)
}

/// The heading-like text before the first link of a container (if any), and whether any
/// heading in it (looked at within a budget) names a river.
fn container_headings(node: &NodeRef<'_>) -> (Option<String>, bool) {
    let mut heading = None;
    let mut seen_link = false;
    let mut stack: Vec<NodeRef<'_>> = node.children_it(true).collect();
    let mut budget = 600usize;
    while let Some(n) = stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        // A block's own `<header>` holds its heading; only a page header is furniture.
        if !n.is_element() || (is_foreign(&n) && !n.has_name("header")) {
            continue;
        }
        if n.has_name("a") {
            // A tab's caption is often an `<a>` without a target: a heading, not a link.
            if !n.has_attr("href") && !seen_link && heading.is_none() {
                let t = collapse_whitespace(&bounded_text(&n, MAX_HEADING_NODES));
                if (3..=MAX_HEADING_CHARS).contains(&t.chars().count()) {
                    if heading_is_river(&t) {
                        return (None, true);
                    }
                    heading = Some(t);
                }
            }
            seen_link |= n.has_attr("href");
            continue;
        }
        if let Some(t) = heading_text(&n).filter(|t| alnum_count(t) > 0 && !is_date_text(t)) {
            // A card's linked headline ("Die Top 7 Deals der Woche") titles a story, not
            // the box: its words say nothing about the box being a river, and it is not
            // the box's heading.
            let card_title = n
                .descendants_it()
                .take(60)
                .any(|d| d.has_name("a") && d.has_attr("href"));
            if card_title {
                seen_link = true;
                continue;
            }
            if heading_is_river(&t) {
                return (heading, true);
            }
            if !seen_link && heading.is_none() {
                heading = Some(t);
            }
            continue;
        }
        stack.extend(n.children_it(true));
    }
    (heading, false)
}

/// A heading whose words tie it to the article, followed by a list or cards of links.
fn block_from_heading<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    let text = heading_text(node)?;
    if !heading_ties(&text) {
        return None;
    }
    // A heading that is itself a link to somewhere (a section front) is still a heading; one
    // with several links is a line of links, handled by the label-led pass.
    let heading_links = node.descendants_it().filter(|d| d.has_name("a")).count();
    if heading_links > 1 {
        return None;
    }
    if in_slide(node) {
        return None;
    }
    if is_empty_related_widget(node) {
        return None;
    }
    let label = label_from(&text);
    let level = heading_level(node);
    let mut anchor = *node;
    for _ in 0..=MAX_CLIMB {
        let siblings = block_siblings(&anchor, level);
        if !siblings.is_empty() {
            let shape = if heading_recommends(&text) {
                BlockShape::UnderHeading
            } else {
                BlockShape::UnderTie
            };
            let Some(links) = collect_links(&siblings, base_url, &label, shape) else {
                // A heading row's own button ("View all" to the section): the cards follow
                // the row, one level up.
                if is_button_row(&siblings) && !text_before(&anchor) {
                    anchor = anchor
                        .parent()
                        .filter(|p| p.is_element() && !p.has_name("body") && !p.has_name("html"))?;
                    continue;
                }
                return None;
            };
            if shape != BlockShape::UnderTie && lists_page_itself(&siblings, base_url) {
                return None;
            }
            if heading_recommends(&text) && is_dated_stream(&siblings) {
                return None;
            }
            let mut nodes = vec![anchor];
            nodes.extend(siblings);
            return Some(Block {
                links,
                nodes,
                tied: !heading_recommends(&text),
                evidence: if heading_recommends(&text) {
                    Evidence::RecommendationHeading
                } else {
                    Evidence::TieHeading
                },
            });
        }
        // Climb out of title wrappers only: nothing with text may precede the heading.
        let parent = anchor.parent()?;
        if !parent.is_element() || parent.has_name("body") || parent.has_name("html") {
            return None;
        }
        // A widget named for related reading that holds nothing after its heading is empty
        // (filled by a script, not in the page): what follows it is another block.
        if is_empty_related_widget(&parent) {
            return None;
        }
        if text_before(&anchor) {
            return None;
        }
        anchor = parent;
    }
    None
}

/// Letters and digits a heading row's button may have ("View all", "See all articles").
const MAX_BUTTON_ROW_CHARS: usize = 24;

/// Are the siblings after a heading only a button or two of a few words (a heading row's
/// "View all" link), not a block of their own?
fn is_button_row(siblings: &[NodeRef<'_>]) -> bool {
    let mut budget = MAX_CARD_NODES;
    let mut text = 0usize;
    let mut links = 0usize;
    for s in siblings {
        let stats = text_stats(s, &mut budget);
        text += stats.text;
        links += stats.links;
    }
    budget > 0 && links <= 2 && text <= MAX_BUTTON_ROW_CHARS
}

/// A widget named for related reading (not its title wrapper) without a single link: empty,
/// filled by a script that did not run. What follows it is another block.
fn is_empty_related_widget(node: &NodeRef<'_>) -> bool {
    if !tag_is(node, &["div", "section", "aside", "ul", "ol"]) {
        return false;
    }
    let names = class_and_id(node);
    RELATED_CLASS_WORDS.iter().any(|w| names.contains(w))
        && !["title", "head"].iter().any(|w| names.contains(w))
        && !node
            .descendants_it()
            .take(MAX_BLOCK_NODES)
            .any(|d| d.has_name("a") && d.has_attr("href"))
}

/// A list of links right after a short lead-in line: an editor's reading list. Every item
/// is essentially one link to an article. A lead-in that ends with a colon ("Allow us to
/// tempt you further with our previous lists:") announces it, and the links need only be
/// mostly on the page's site; after any other short line ("For popular recipes you can make
/// at home", "Want more inspiration? Check out…") every link must be an article of the site.
/// The list may sit in a wrapper of its own (`<div><ul>…</ul></div>`) after the lead-in.
fn block_from_lead_in<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !tag_is(node, &["ul", "ol"]) {
        return None;
    }
    // Climb out of wrappers that hold only the list, to the element after the lead-in.
    let mut list_box = *node;
    let mut lead = list_box.prev_element_sibling();
    for _ in 0..2 {
        if lead.is_some() {
            break;
        }
        let parent = list_box.parent()?;
        if !tag_is(&parent, &["div", "blockquote"])
            || parent.children_it(false).any(|c| {
                (c.is_element() && c.id != list_box.id)
                    || (c.is_text() && alnum_count(&c.text()) > 0)
            })
        {
            return None;
        }
        list_box = parent;
        lead = list_box.prev_element_sibling();
    }
    let lead_box = lead?;
    // A lead-in paragraph in a wrapper of its own (`<div><p>Links zur Sendung:</p></div>`).
    let lead = if lead_box.has_name("div")
        && let Some(only) = only_element_child(&lead_box).filter(|c| c.has_name("p"))
    {
        only
    } else {
        lead_box
    };
    if !tag_is(&lead, &["p", "div", "h2", "h3", "h4", "h5", "h6"])
        || lead
            .descendants_it()
            .take(200)
            .any(|d| tag_is(&d, &["a", "ul", "ol", "table", "img", "p", "li"]))
    {
        return None;
    }
    // Nothing but blank text between the lead-in and the list.
    let mut between = list_box.prev_sibling();
    while let Some(b) = between {
        if b.id == lead_box.id {
            break;
        }
        if b.is_text() && alnum_count(&b.text()) > 0 {
            return None;
        }
        between = b.prev_sibling();
    }
    let text = collapse_whitespace(&bounded_text(&lead, 200));
    // A heading of the body over the list ("Additional resources", "La rédaction vous
    // conseille :"), whatever its words, when the two close the body right after its prose:
    // held to the strict test below (every item an article of the site, not in a rail). A
    // widget's title between paragraphs ("Top posts and pages") has prose after it.
    let heading_lead = tag_is(&lead, SUBHEADINGS);
    let announced = text.ends_with(':') && !heading_lead;
    // A river's title starts the line ("Popular posts:", "Latest from us:"); a sentence may
    // say "popular" further on ("For popular recipes you can make at home").
    let river = if announced {
        heading_is_river(&text)
    } else {
        let folded = fold(&text, MAX_HEADING_CHARS + 1);
        RIVERS.any(&folded, |f, start, _| {
            start == f.find(|c: char| c.is_alphanumeric()).unwrap_or(0)
        })
    };
    if text.split_whitespace().count() < if heading_lead { 1 } else { 3 }
        || text.chars().count() > 2 * MAX_HEADING_CHARS
        || river
        || (announced && !lead.has_name("p"))
    {
        return None;
    }
    // Each item one link that carries its line.
    let mut items = 0usize;
    let mut budget = MAX_BLOCK_NODES;
    for li in node.children_it(false).filter(|c| c.is_element()) {
        if !li.has_name("li") {
            return None;
        }
        let stats = text_stats(&li, &mut budget);
        if budget == 0 || stats.links != 1 || stats.link_text * 10 < stats.text * 6 {
            return None;
        }
        items += 1;
        if items > MAX_BLOCK_LINKS {
            return None;
        }
    }
    if items < 2 {
        return None;
    }
    // The label is the lead-in's last sentence of a few words ("… light? Allow us to tempt
    // you…"; "Want more inspiration? Check out…" gives "Want more inspiration").
    let label = lead_in_label(&text, 3);
    // Without a colon, only a line of the body: not a widget's title in a rail.
    if !announced
        && ((!heading_lead && !tag_is(&lead, &["p", "div"]))
            || in_rail(&lead)
            || !in_prose(&list_box)
            || (heading_lead && (!prose_before(&lead) || text_after(&list_box))))
    {
        return None;
    }
    let links = collect_links(&[*node], base_url, &label, BlockShape::UnderHeading)?;
    // Without a colon, every item an article of the site under a headline of a few words
    // (a list of glossary terms after "Possible side effects are" is the text's own), one
    // item in five at most left out as a section link.
    if !announced
        && (links.len() * 5 < items * 4
            || !links.iter().all(|l| {
                l.title.split_whitespace().count() >= 2
                    && link_target(&l.url, base_url)
                        .is_some_and(|(url, slug_like)| slug_like && same_site(&url, base_url))
            }))
    {
        return None;
    }
    Some(Block {
        links,
        nodes: vec![lead_box, list_box],
        tied: false,
        evidence: if heading_lead {
            Evidence::HeadingOverSiteArticles
        } else {
            Evidence::LeadInList
        },
    })
}

/// An `<aside>` inside the article (its `<article>` element or body container) made of a
/// list or cards of at least two articles of the site under headlines, whatever its heading
/// says unless it names a river: the editor's box of further reading set into the story.
fn block_from_article_aside<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !node.has_name("aside") || in_rail(node) || !prose_on_both_sides(node) {
        return None;
    }
    let in_article = node
        .ancestors_it(Some(MAX_ANCESTORS))
        .any(|a| a.has_name("article"))
        || in_article_container(node);
    if !in_article {
        return None;
    }
    let (heading, rivers) = container_headings(node);
    if rivers || heading.as_deref().is_some_and(heading_is_river) {
        return None;
    }
    let label = heading
        .as_deref()
        .map_or_else(|| "Related".to_string(), label_from);
    let links = collect_links(&[*node], base_url, &label, BlockShape::UnderHeading)?;
    let articles = links
        .iter()
        .filter(|l| {
            l.title.split_whitespace().count() >= 3
                && link_target(&l.url, base_url)
                    .is_some_and(|(url, slug_like)| slug_like && same_site(&url, base_url))
        })
        .count();
    if links.len() < 2
        || links.len() > MAX_LINE_LINKS_IN_BOX
        || articles < links.len()
        || lists_page_itself(&[*node], base_url)
    {
        return None;
    }
    Some(Block {
        links,
        nodes: vec![*node],
        tied: false,
        evidence: Evidence::ArticleAside,
    })
}

/// Links a box set into the story holds at most.
const MAX_LINE_LINKS_IN_BOX: usize = 6;

/// Is the node set after prose (text of a paragraph's length before it), with prose after it
/// too or nothing at all (the end of the body), among its siblings or (inside a paragraph)
/// its paragraph's?
fn prose_on_both_sides(node: &NodeRef<'_>) -> bool {
    let side = |first: Option<NodeRef<'_>>, forward: bool| -> bool {
        let mut budget = 400usize;
        let mut sib = first;
        for _ in 0..3 {
            let Some(s) = sib else {
                return false;
            };
            sib = if forward {
                s.next_sibling()
            } else {
                s.prev_sibling()
            };
            if let Some(prose) = sibling_is_prose(&s, &mut budget) {
                return prose;
            }
        }
        false
    };
    let mut at = Some(*node);
    // Inside a paragraph (`<p>text<aside>…</aside></p>`): the paragraph's neighbours count.
    for _ in 0..2 {
        let Some(n) = at else {
            return false;
        };
        if side(n.prev_sibling(), false) && (side(n.next_sibling(), true) || !text_after(&n)) {
            return true;
        }
        at = n.parent().filter(|p| p.has_name("p"));
    }
    false
}

/// What a neighbour says about prose: `None` when it shows no text worth a look (a short text
/// node, a comment, a foreign element, an empty element: look further), else whether it is
/// prose (a paragraph's length of unlinked text, links under a third of it).
fn sibling_is_prose(sibling: &NodeRef<'_>, budget: &mut usize) -> Option<bool> {
    if sibling.is_text() {
        return (alnum_count(&sibling.text()) >= MIN_PROSE_NEIGHBOUR).then_some(true);
    }
    if !sibling.is_element() || is_foreign(sibling) {
        return None;
    }
    let stats = text_stats(sibling, budget);
    if stats.text == 0 {
        return None;
    }
    let unlinked = stats.text.saturating_sub(stats.link_text);
    Some(unlinked >= MIN_PROSE_NEIGHBOUR && stats.link_text * 3 < stats.text)
}

/// Is the node the next thing after the body's prose: the first element before it (or, when
/// nothing precedes it, before its wrapper, two levels up at most) that shows text is a
/// paragraph or a text block of prose, not a story container (`<article>`, `<section>`) the
/// node follows, nor a panel of links?
fn prose_before(node: &NodeRef<'_>) -> bool {
    let mut at = *node;
    for _ in 0..3 {
        let mut budget = 400usize;
        let mut sib = at.prev_sibling();
        while let Some(s) = sib {
            sib = s.prev_sibling();
            if let Some(prose) = sibling_is_prose(&s, &mut budget) {
                return prose && !tag_is(&s, &["article", "section", "main", "aside"]);
            }
        }
        match at.parent() {
            Some(p) if p.is_element() && !p.has_name("body") => at = p,
            _ => return false,
        }
    }
    false
}

/// Does any text follow the node among its siblings (within a budget)?
fn text_after(node: &NodeRef<'_>) -> bool {
    text_among_siblings(node, |n| n.next_sibling())
}

/// Does any sibling `step` reaches from `node`, or a descendant of one, hold text? Past a
/// budget of nodes the answer is yes: the order the nodes are looked at does not change it.
/// The code of a script or a style is no text (an ad slot's loader after the list).
fn text_among_siblings<'a>(
    node: &NodeRef<'a>,
    step: impl Fn(&NodeRef<'a>) -> Option<NodeRef<'a>>,
) -> bool {
    let mut budget = 200usize;
    let mut sib = step(node);
    while let Some(s) = sib {
        for d in std::iter::once(s).chain(s.descendants_it()) {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return true;
            }
            if d.is_text()
                && d.text().chars().any(|c| c.is_alphanumeric())
                && !d
                    .parent()
                    .is_some_and(|p| tag_is(&p, &["script", "style", "noscript", "template"]))
            {
                return true;
            }
        }
        sib = step(&s);
    }
    false
}

/// Lines of links a colon lead-in may announce.
const MAX_ANNOUNCED_LINES: usize = 8;

/// A short paragraph of the body that ends with a colon and holds no link ("Weiterführende
/// Links:", "The full programme and registration:"), followed by paragraphs that are each
/// essentially one or two links: the links it announces. The label is the lead-in's last
/// sentence.
fn block_from_announced_lines<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !node.has_name("p") {
        return None;
    }
    if node
        .descendants_it()
        .take(MAX_HEADING_NODES * 4)
        .any(|d| tag_is(&d, &["a", "img", "br", "ul", "ol", "table"]))
    {
        return None;
    }
    let text = collapse_whitespace(&bounded_text(node, MAX_HEADING_NODES * 4));
    if !text.ends_with(':')
        || text.chars().count() > 2 * MAX_HEADING_CHARS
        || text.split_whitespace().count() < 2
        || heading_is_river(&text)
    {
        return None;
    }
    let mut lines: Vec<NodeRef<'a>> = Vec::new();
    let mut budget = MAX_BLOCK_NODES;
    let mut sib = node.next_element_sibling();
    while let Some(s) = sib {
        if lines.len() >= MAX_ANNOUNCED_LINES || !tag_is(&s, &["p", "div"]) || is_foreign(&s) {
            break;
        }
        if s.descendants_it()
            .take(MAX_CARD_NODES)
            .any(|d| tag_is(&d, &["img", "picture", "ul", "ol", "table", "p"]))
        {
            break;
        }
        let stats = text_stats(&s, &mut budget);
        if budget == 0 || !(1..=2).contains(&stats.links) || stats.link_text * 10 < stats.text * 6 {
            break;
        }
        lines.push(s);
        sib = s.next_element_sibling();
    }
    // The lines close the body or a part of it: prose after them makes them the text's own
    // examples ("… stories on our feeds:" and a linked headline, then the story goes on).
    let prose_after = lines
        .last()
        .and_then(|l| l.next_element_sibling())
        .is_some_and(|next| {
            let mut budget = 400usize;
            let stats = text_stats(&next, &mut budget);
            stats.text.saturating_sub(stats.link_text) >= MIN_PROSE_NEIGHBOUR
                && stats.link_text * 3 < stats.text
        });
    if lines.is_empty() || prose_after || !in_prose(node) || in_rail(node) {
        return None;
    }
    let label = lead_in_label(&text, 2);
    let links = collect_links(&lines, base_url, &label, BlockShape::Announced)?;
    let mut nodes = vec![*node];
    nodes.extend(lines);
    Some(Block {
        links,
        nodes,
        tied: false,
        evidence: Evidence::AnnouncedLines,
    })
}

/// The element's one element child, when it has no other element and no text of its own.
fn only_element_child<'a>(node: &NodeRef<'a>) -> Option<NodeRef<'a>> {
    let mut only = None;
    for c in node.children_it(false) {
        if c.is_element() {
            if only.is_some() {
                return None;
            }
            only = Some(c);
        } else if c.is_text() && alnum_count(&c.text()) > 0 {
            return None;
        }
    }
    only
}

/// Is the node inside a sidebar or one of its widgets (`div.sidebar`, `div.widget_recent`),
/// a few levels up? (Blogger's main column is a `div.widget.Blog`: a bare "widget" is not a
/// rail.)
fn in_rail(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(Some(8)).any(|a| {
        class_and_id(&a)
            .split_ascii_whitespace()
            .any(|t| t.contains("sidebar") || t.starts_with("widget_") || t.starts_with("widget-"))
    })
}

/// Does the node sit among prose: an ancestor a few levels up whose text is mostly unlinked
/// and long (an article body), rather than a panel of links (a menu)?
fn in_prose(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(Some(3)).any(|a| {
        let mut budget = MAX_BLOCK_NODES;
        let stats = text_stats(&a, &mut budget);
        stats.text.saturating_sub(stats.link_text) >= MIN_BODY_PROSE
            && stats.link_text * 3 < stats.text
    })
}

/// Letters and digits of unlinked text around a reading list that make it part of a body.
const MIN_BODY_PROSE: usize = 600;

/// Class or id words that name an embedded story card (on the card, or inside it).
const CARD_CLASS_WORDS: &[&str] = &[
    "related",
    "embed",
    "read-more",
    "readmore",
    "also-read",
    "further",
];
/// Nodes a story card may have.
const MAX_CARD_NODES: usize = 150;
/// Letters and digits of a story card's text outside its links (a short blurb).
const MAX_CARD_BLURB: usize = 300;
/// Letters and digits of unlinked text that make a neighbour prose.
const MIN_PROSE_NEIGHBOUR: usize = 100;

/// A story card embedded between the paragraphs of the body (CNN's embedded story, a
/// "related post" teaser box): one element beside prose, named for embedding or related
/// reading (on itself or inside), holding one article of the site (its image and its headline
/// may both link to it) under a headline, with at most a short blurb. A listicle's items have
/// a picture and a headline too, but no such name.
fn block_from_story_card<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !tag_is(node, &["aside", "div", "figure", "section", "article"]) {
        return None;
    }
    // Every `div` of the page comes here: first the cheap part of the verdict (small enough,
    // named for a card somewhere inside), without the text and allocations of the full look.
    // A small `<article>` between the story's paragraphs is a card by its tag.
    let article_card = node.has_name("article");
    if !(if article_card {
        small_card(node)
    } else {
        small_and_card_named(node)
    }) {
        return None;
    }
    let mut anchors: Vec<NodeRef<'_>> = Vec::new();
    let mut has_picture = false;
    let mut has_heading = false;
    let mut named = false;
    for (n, d) in std::iter::once(*node)
        .chain(node.descendants_it())
        .enumerate()
    {
        if n >= MAX_CARD_NODES {
            return None;
        }
        if !d.is_element() {
            continue;
        }
        if !named {
            let names = class_and_id(&d);
            named = CARD_CLASS_WORDS.iter().any(|w| names.contains(w));
        }
        if d.has_name("a") && d.has_attr("href") {
            anchors.push(d);
            if anchors.len() > 3 {
                return None;
            }
        } else if tag_is(&d, &["img", "picture"]) {
            has_picture = true;
        } else if tag_is(&d, HEADINGS) {
            has_heading = true;
        } else if tag_is(&d, &["p", "ul", "ol", "table", "blockquote"])
            && alnum_count(&bounded_text(&d, 60)) > MAX_CARD_BLURB
        {
            return None;
        }
    }
    let first = anchors.first()?;
    let href = first.attr("href")?;
    if !(named || article_card) || !has_prose_neighbour(node) || anchors.iter().all(is_button) {
        return None;
    }
    if anchors
        .iter()
        .any(|a| a.attr("href").is_none_or(|h| h.trim() != href.trim()))
    {
        return None;
    }
    let (url, slug_like) = link_target(&href, base_url)?;
    if !slug_like || !same_site(&url, base_url) || is_file_url(&url) {
        return None;
    }
    let (rank, title) = anchors
        .iter()
        .map(|a| anchor_title(a, &url))
        .min_by_key(|(rank, _)| *rank)?;
    // A card, not a linked sentence: a picture or a heading, and a headline of a few words.
    if !(has_picture || has_heading) || rank > 3 || title.split_whitespace().count() < 3 {
        return None;
    }
    let mut budget = MAX_CARD_NODES;
    let stats = text_stats(node, &mut budget);
    if stats.text.saturating_sub(stats.link_text) > MAX_CARD_BLURB {
        return None;
    }
    let title = sanitize_line(&title);
    Some(Block {
        links: vec![RelatedLink {
            label: "Related".to_string(),
            title,
            url: url.to_string(),
        }],
        nodes: vec![*node],
        tied: false,
        evidence: Evidence::StoryCard,
    })
}

/// Is the link styled as a button (`a.btn`, `a.button-primary`, `div.cta > a`): a call to
/// act (sign up, buy, try, download), not a story to read?
fn is_button(a: &NodeRef<'_>) -> bool {
    std::iter::once(*a)
        .chain(a.parent().filter(|p| p.is_element()))
        .any(|n| {
            class_and_id(&n)
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|t| t.starts_with("btn") || t.starts_with("button") || t == "cta")
        })
}

/// The necessary conditions of [`block_from_story_card`] that need no text: the element and
/// its descendants are at most [`MAX_CARD_NODES`] nodes, and one of those elements has a class
/// or id with a [`CARD_CLASS_WORDS`] word in it. Allocates nothing.
fn small_and_card_named(node: &NodeRef<'_>) -> bool {
    // Counting first, reading no attribute: most `div`s are larger than a card.
    let nodes = std::iter::once(*node)
        .chain(node.descendants_it())
        .take(MAX_CARD_NODES + 1)
        .count();
    if nodes > MAX_CARD_NODES {
        return false;
    }
    std::iter::once(*node)
        .chain(node.descendants_it())
        .filter(|d| d.is_element())
        .any(|d| {
            ["class", "id"].iter().any(|attr| {
                d.attr(attr)
                    .is_some_and(|v| CARD_CLASS_WORDS.iter().any(|w| contains_ascii_ci(&v, w)))
            })
        })
}

/// Is the element and its descendants at most [`MAX_CARD_NODES`] nodes?
fn small_card(node: &NodeRef<'_>) -> bool {
    std::iter::once(*node)
        .chain(node.descendants_it())
        .take(MAX_CARD_NODES + 1)
        .count()
        <= MAX_CARD_NODES
}

/// Does `haystack` contain `needle` (lowercase ASCII) ignoring ASCII case? The same answer as
/// `haystack.to_ascii_lowercase().contains(needle)`, without the copy when (as in most class
/// names) there is no capital to fold.
fn contains_ascii_ci(haystack: &str, needle: &str) -> bool {
    if !haystack.bytes().any(|b| b.is_ascii_uppercase()) {
        return haystack.contains(needle);
    }
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Letters and digits a pointer line's link must have (a headline, "Lesen Sie hier mehr").
const MIN_POINTER_CHARS: usize = 12;

/// A paragraph of the body that is one link and nothing else, to another article of the
/// site, between paragraphs of prose: an editor's pointer ("Beachte auch diese 6 Fehler, die
/// fast alle beim Wiegen machen"). A link inside a sentence is never one.
fn block_from_pointer_line<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !node.has_name("p") {
        return None;
    }
    let mut anchor: Option<NodeRef<'_>> = None;
    for (n, d) in node.descendants_it().enumerate() {
        if n >= MAX_CARD_NODES || !d.is_element() {
            if n >= MAX_CARD_NODES {
                return None;
            }
            continue;
        }
        if d.has_name("a") {
            if anchor.is_some() {
                return None;
            }
            anchor = Some(d);
        } else if tag_is(&d, &["img", "picture", "br", "ul", "ol", "table"]) {
            return None;
        }
    }
    let anchor = anchor?;
    if is_button(&anchor) {
        return None;
    }
    let mut budget = MAX_CARD_NODES;
    let stats = text_stats(node, &mut budget);
    let (url, slug_like) = link_target(&anchor.attr("href")?, base_url)?;
    if !same_site(&url, base_url) || is_file_url(&url) {
        return None;
    }
    // The link is the whole line, up to a mark ("»", "→") or a closing stop.
    if stats.link_text < MIN_POINTER_CHARS || stats.link_text + 2 < stats.text {
        return None;
    }
    if !slug_like || !has_prose_neighbour(node) {
        return None;
    }
    let (rank, title) = anchor_title(&anchor, &url);
    if rank > 1 && rank != 5 {
        return None;
    }
    let title = sanitize_line(&title);
    // A one-link line that ends in a colon is a promotion's lead-in ("Dann hilft unser
    // Trainingsplan:"): not further reading, but not the story's text either. It leaves the
    // page without a link.
    let promotion = title.trim().ends_with(':');
    (promotion || is_pointer_headline(&title)).then(|| Block {
        links: if promotion {
            Vec::new()
        } else {
            vec![RelatedLink {
                label: "Related".to_string(),
                title,
                url: url.to_string(),
            }]
        },
        nodes: vec![*node],
        tied: false,
        evidence: Evidence::PointerParagraph,
    })
}

/// Words a pointer line's link text must have to be a headline.
const MIN_POINTER_WORDS: usize = 5;

/// Is a pointer line's link text a headline: a few words, not the address itself
/// ("http://www.facebook.com/…"), not a lead-in that announces something else ("Dann hilft
/// unser Trainingsplan:")? Calls to act ("Download citation", "Follow the case", "Get the
/// pattern here") are shorter. On unlabelled corpus pages most one-link paragraphs that fail
/// this are downloads, buttons and bare addresses.
fn is_pointer_headline(title: &str) -> bool {
    let words = title
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    let trimmed = title.trim();
    words >= MIN_POINTER_WORDS
        && !trimmed.contains("://")
        && !trimmed.to_ascii_lowercase().starts_with("www.")
        && !trimmed.ends_with(':')
}

/// Class names (whole tokens) of an element that credits the story's source: a syndication
/// credit with the original publisher's name or logo.
const SOURCE_CREDIT_NAMES: &[&str] = &[
    "source",
    "article-source",
    "post-source",
    "story-source",
    "news-source",
    "source-logo",
    "syndication",
    "syndication-credit",
];
/// Nodes a source credit may have.
const MAX_CREDIT_NODES: usize = 30;
/// Letters and digits of a source credit's text (with its logo's `alt`).
const MAX_CREDIT_CHARS: usize = 80;

/// A source credit by structure: a small element named for the article's source (`div.
/// article-source`) holding one link, often only the publisher's logo. Listed as `source`,
/// titled by the logo's `alt`, the link's text or the host.
fn block_from_source_credit<'a>(node: &NodeRef<'a>, base_url: &Url) -> Option<Block<'a>> {
    if !tag_is(node, &["div", "p", "cite", "span", "section", "aside"]) {
        return None;
    }
    // Every name of the list holds one of these words: most elements are ruled out here
    // without copying their class and id.
    if !["class", "id"].iter().any(|attr| {
        node.attr(attr).is_some_and(|v| {
            contains_ascii_ci(&v, "source") || contains_ascii_ci(&v, "syndication")
        })
    }) {
        return None;
    }
    let names = class_and_id(node);
    if !names
        .split_ascii_whitespace()
        .any(|t| SOURCE_CREDIT_NAMES.contains(&t))
    {
        return None;
    }
    let mut href: Option<String> = None;
    let mut alt = String::new();
    for (n, d) in node.descendants_it().enumerate() {
        if n >= MAX_CREDIT_NODES {
            return None;
        }
        if d.has_name("a") {
            let h = d.attr("href")?.trim().to_string();
            match &href {
                Some(seen) if *seen != h => return None,
                _ => href = Some(h),
            }
        } else if d.has_name("img")
            && let Some(a) = d.attr("alt")
        {
            alt = collapse_whitespace(&a);
        }
    }
    let href = href?;
    let url = base_url.join(&href).ok()?;
    // A picture's own file (a gallery's "source" wrapper) credits nothing.
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || is_file_url(&url) {
        return None;
    }
    let text = collapse_whitespace(&bounded_text(node, MAX_CREDIT_NODES));
    if alnum_count(&text) + alnum_count(&alt) > MAX_CREDIT_CHARS {
        return None;
    }
    let title = [alt.as_str(), text.as_str()]
        .into_iter()
        .map(sanitize_line)
        .find(|t| alnum_count(t) >= 2)
        .or_else(|| {
            url.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })?;
    Some(Block {
        links: vec![RelatedLink {
            label: "source".to_string(),
            title,
            url: url.to_string(),
        }],
        nodes: vec![*node],
        tied: false,
        evidence: Evidence::SourceCredit,
    })
}

/// Is a sibling next to `node` (the nearest element with text before or after it) a
/// paragraph of prose: enough unlinked text, few links?
fn has_prose_neighbour(node: &NodeRef<'_>) -> bool {
    let before = std::iter::successors(node.prev_element_sibling(), |s| s.prev_element_sibling());
    let after = std::iter::successors(node.next_element_sibling(), |s| s.next_element_sibling());
    [
        before.take(3).collect::<Vec<_>>(),
        after.take(3).collect::<Vec<_>>(),
    ]
    .into_iter()
    .any(|side| {
        let mut budget = 400usize;
        side.iter()
            .find_map(|sib| {
                if is_foreign(sib) {
                    return Some(false);
                }
                let stats = text_stats(sib, &mut budget);
                if stats.text == 0 {
                    return None;
                }
                let unlinked = stats.text.saturating_sub(stats.link_text);
                Some(unlinked >= MIN_PROSE_NEIGHBOUR && stats.link_text * 3 < stats.text)
            })
            .unwrap_or(false)
    })
}

/// A link to a picture, a document or a media file rather than a page.
fn is_file_url(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".pdf", ".mp3", ".mp4", ".zip",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

fn heading_level(node: &NodeRef<'_>) -> usize {
    node.node_name()
        .and_then(|n| {
            let n = n.to_ascii_lowercase();
            n.strip_prefix('h').and_then(|d| d.parse::<usize>().ok())
        })
        .filter(|l| (1..=6).contains(l))
        .unwrap_or(7)
}

/// Does any sibling before `node` show text?
fn text_before(node: &NodeRef<'_>) -> bool {
    text_among_siblings(node, |n| n.prev_sibling())
}

/// The siblings after a heading that make up its block: those with links, and empty ones
/// (ad slots, spacers) between them, up to the next heading of the same or a higher rank,
/// prose, or furniture.
fn block_siblings<'a>(anchor: &NodeRef<'a>, level: usize) -> Vec<NodeRef<'a>> {
    let mut out: Vec<NodeRef<'a>> = Vec::new();
    let mut sib = anchor.next_sibling();
    let mut budget = MAX_BLOCK_NODES;
    let mut count = 0usize;
    let mut title_line = false;
    while let Some(s) = sib {
        sib = s.next_sibling();
        if s.is_text() {
            if alnum_count(&s.text()) > 20 {
                break;
            }
            continue;
        }
        if !s.is_element() {
            continue;
        }
        count += 1;
        if count > MAX_BLOCK_SIBLINGS || is_foreign(&s) {
            break;
        }
        // A heading right after the heading, without a link, is its second line (a kicker
        // "Related" over the title "Read further in …"), whatever its rank.
        if count == 1
            && tag_is(&s, SUBHEADINGS)
            && heading_text(&s).is_some_and(|t| !heading_is_river(&t))
            && !s.descendants_it().any(|d| d.has_name("a"))
        {
            title_line = true;
            out.push(s);
            continue;
        }
        if level <= 6 && heading_level(&s) <= level {
            break;
        }
        if level > 6 && tag_is(&s, HEADINGS) {
            break;
        }
        // A sibling that is itself a heading with other words starts another block.
        if heading_text(&s).is_some_and(|t| heading_is_river(&t) || heading_ties(&t)) {
            break;
        }
        let stats = text_stats(&s, &mut budget);
        if budget == 0 {
            break;
        }
        if stats.links == 0 {
            if stats.text > PROSE_CHARS / 4 {
                break;
            }
            continue;
        }
        if stats.text.saturating_sub(stats.link_text) > PROSE_CHARS
            && !link_list_density(stats.text, stats.link_text, stats.links)
        {
            break;
        }
        out.push(s);
    }
    // A title line with nothing after it is no block: the caller looks further up.
    if title_line && out.len() == 1 {
        out.clear();
    }
    out
}

/// Does a link in the nodes lead to the page itself (same host, path and query, no fragment)?
fn lists_page_itself(nodes: &[NodeRef<'_>], base_url: &Url) -> bool {
    let mut budget = MAX_BLOCK_NODES;
    for node in nodes {
        for d in std::iter::once(*node).chain(node.descendants_it()) {
            if budget == 0 {
                return false;
            }
            budget -= 1;
            if !d.has_name("a") {
                continue;
            }
            let Some(href) = d.attr("href") else {
                continue;
            };
            let href = href.trim();
            if href.is_empty() || href.contains('#') {
                continue;
            }
            if let Ok(url) = base_url.join(href)
                && url.host_str() == base_url.host_str()
                && url.path().trim_end_matches('/') == base_url.path().trim_end_matches('/')
                && url.query() == base_url.query()
            {
                return true;
            }
        }
    }
    false
}

/// Letters and digits of an element's text, of its link text, and its number of links.
struct TextStats {
    text: usize,
    link_text: usize,
    links: usize,
}

fn text_stats(node: &NodeRef<'_>, budget: &mut usize) -> TextStats {
    let mut stats = TextStats {
        text: 0,
        link_text: 0,
        links: 0,
    };
    walk_text(node, false, budget, &mut stats);
    stats
}

fn walk_text(node: &NodeRef<'_>, in_link: bool, budget: &mut usize, stats: &mut TextStats) {
    // Iterative over siblings, recursive over depth only through a bounded stack.
    let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(*node, in_link)];
    while let Some((n, in_link)) = stack.pop() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if n.is_text() {
            let c = alnum_count(&n.text());
            stats.text += c;
            if in_link {
                stats.link_text += c;
            }
            continue;
        }
        if !n.is_element() || is_foreign_in_block(&n) {
            continue;
        }
        let is_link = n.has_name("a") && n.has_attr("href");
        if is_link {
            stats.links += 1;
        }
        let mut kids: Vec<NodeRef<'_>> = n.children_it(false).collect();
        kids.reverse();
        stack.extend(kids.into_iter().map(|k| (k, in_link || is_link)));
    }
}

/// Is a piece of page with this much text and link text (letters and digits) and this many
/// links a list of links rather than prose? Either links carry enough of the text, or the
/// unlinked text is short per link (cards with a blurb each).
fn link_list_density(text: usize, link_text: usize, links: usize) -> bool {
    cards_density(text, link_text, links, MAX_UNLINKED_PER_LINK)
}

/// [`link_list_density`] with a given allowance of unlinked text per link.
fn cards_density(text: usize, link_text: usize, links: usize, per_link: usize) -> bool {
    if text == 0 {
        return true;
    }
    if link_text as f32 >= MIN_BLOCK_LINK_SHARE * text as f32 {
        return true;
    }
    links >= 1 && text.saturating_sub(link_text) <= per_link * links
}

fn alnum_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Where a block's bounds come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockShape {
    /// A container or tab panel named for related reading: its own bounds.
    Named,
    /// The siblings after a heading: bounds inferred, so held to stricter density.
    UnderHeading,
    /// The same after a heading whose words tie the block to the article ("Weiterführende
    /// Links", "Further reading"), not merely recommend: its links may lead to other sites.
    UnderTie,
    /// Lines of links in the body after a colon lead-in: as [`BlockShape::UnderTie`], and
    /// another site's home page may be one of them ("Zur Website von SportScheck").
    Announced,
}

/// The block's article links (one per URL, in order) with titles, if the block passes:
/// enough of them, mostly on the page's site, links making up enough of the text, few links
/// to non-articles.
fn collect_links(
    nodes: &[NodeRef<'_>],
    base_url: &Url,
    label: &str,
    shape: BlockShape,
) -> Option<Vec<RelatedLink>> {
    let mut budget = MAX_BLOCK_NODES;
    let mut text = 0usize;
    let mut link_text = 0usize;
    let mut other_links = 0usize;
    let mut order: Vec<Url> = Vec::new();
    let mut titles: Vec<(u8, String)> = Vec::new();
    for node in nodes {
        let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(*node, false)];
        while let Some((n, in_link)) = stack.pop() {
            if budget == 0 {
                return None;
            }
            budget -= 1;
            if n.is_text() {
                let c = alnum_count(&n.text());
                text += c;
                if in_link {
                    link_text += c;
                }
                continue;
            }
            // A tab panel may be hidden until its tab is chosen: only its insides are judged.
            if !n.is_element() || (n.id != node.id && is_foreign_in_block(&n)) {
                continue;
            }
            if n.has_name("a") && n.has_attr("href") {
                // A document or picture file is not an article to read next.
                let target = n
                    .attr("href")
                    .and_then(|h| link_target(&h, base_url))
                    .filter(|(url, _)| !is_file_url(url));
                // A slug or an id in the URL, or a headline as the link's text.
                let article = target.and_then(|(url, slug_like)| {
                    let (rank, title) = anchor_title(&n, &url);
                    let home = url.path() == "/" && url.query().is_none();
                    // The lead-in of announced lines says what they are: any page, another
                    // site's home page too ("Zur Website von X", a bare URL).
                    if shape == BlockShape::Announced && (home || !same_site(&url, base_url)) {
                        return Some((url, rank, title));
                    }
                    if home {
                        return None;
                    }
                    let words = title
                        .split_whitespace()
                        .filter(|w| w.chars().any(char::is_alphanumeric))
                        .count();
                    (slug_like
                        || (rank <= 1 && words >= 4)
                        || (two_word_slug(&url) && ((rank == 0 && words >= 2) || words >= 3)))
                        .then_some((url, rank, title))
                });
                match article {
                    Some((url, rank, title)) => {
                        // Image-only cards: their alt counts as link text.
                        if rank >= 3 {
                            link_text += alnum_count(&title).min(80);
                            text += alnum_count(&title).min(80);
                        }
                        match order.iter().position(|u| u == &url) {
                            Some(i) => {
                                // A card's kicker ("Politik") and its headline may both
                                // link to the story: the longer text is the headline.
                                let kept = titles[i].1.split_whitespace().count();
                                let longer = rank == titles[i].0
                                    && kept <= 2
                                    && title.split_whitespace().count() > kept;
                                if rank < titles[i].0 || longer {
                                    titles[i] = (rank, title);
                                }
                            }
                            None => {
                                if order.len() >= MAX_BLOCK_LINKS {
                                    return None;
                                }
                                order.push(url);
                                titles.push((rank, title));
                            }
                        }
                    }
                    // Script, mail and in-page targets are furniture, not links elsewhere.
                    None if n.attr("href").is_some_and(|h| {
                        let h = h.trim().to_ascii_lowercase();
                        h.is_empty()
                            || h.starts_with('#')
                            || h.starts_with("javascript:")
                            || h.starts_with("data:")
                            || h.starts_with("mailto:")
                    }) => {}
                    // A card's tags and its author: furniture of the card, not a link to
                    // somewhere else the block leads.
                    None if is_taxonomy_link(&n, base_url) => {}
                    None => other_links += 1,
                }
                let mut kids: Vec<NodeRef<'_>> = n.children_it(false).collect();
                kids.reverse();
                stack.extend(kids.into_iter().map(|k| (k, true)));
                continue;
            }
            let mut kids: Vec<NodeRef<'_>> = n.children_it(false).collect();
            kids.reverse();
            stack.extend(kids.into_iter().map(|k| (k, in_link)));
        }
    }
    let same_site = order.iter().filter(|u| same_site(u, base_url)).count();
    if order.is_empty() {
        return None;
    }
    if other_links > 2 * order.len() + 2 {
        return None;
    }
    let cards = match shape {
        BlockShape::Named => order.len(),
        // One link after a heading must carry its line: a link in a sentence is not related.
        BlockShape::UnderHeading | BlockShape::UnderTie | BlockShape::Announced
            if order.len() < 2 =>
        {
            0
        }
        BlockShape::UnderHeading | BlockShape::UnderTie | BlockShape::Announced => order.len(),
    };
    // A container named for related reading has its bounds from its name: its cards may
    // carry a teaser each (a blog's excerpt of 50-odd words).
    let per_link = match shape {
        BlockShape::Named => MAX_UNLINKED_PER_CARD,
        BlockShape::UnderHeading | BlockShape::UnderTie | BlockShape::Announced => {
            MAX_UNLINKED_PER_LINK
        }
    };
    if !cards_density(text, link_text, cards, per_link) {
        return None;
    }
    if same_site * 2 < order.len() && !matches!(shape, BlockShape::UnderTie | BlockShape::Announced)
    {
        return None;
    }
    // Cards without any title of their own get one from their card's headline.
    let links: Vec<RelatedLink> = order
        .into_iter()
        .zip(titles)
        .filter_map(|(url, (_, title))| {
            let title = sanitize_line(&title);
            (alnum_count(&title) > 0).then(|| RelatedLink {
                label: label.to_string(),
                title,
                url: url.to_string(),
            })
        })
        .collect();
    (!links.is_empty()).then_some(links)
}

/// A link to a tag, topic, category or author page (`rel="tag"` or such a path segment).
fn is_taxonomy_link(a: &NodeRef<'_>, base_url: &Url) -> bool {
    if a.attr("rel").is_some_and(|r| {
        r.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("tag"))
    }) {
        return true;
    }
    a.attr("href")
        .and_then(|h| base_url.join(h.trim()).ok())
        .is_some_and(|url| {
            url.path_segments().is_some_and(|mut segments| {
                segments.any(|s| TAXONOMY_SEGMENTS.iter().any(|t| s.eq_ignore_ascii_case(t)))
            })
        })
}

/// The best title one anchor gives for its URL, with a rank (lower is better): a headline
/// inside the link, its text, its `title`, the card's headline, an image `alt`, the slug.
fn anchor_title(a: &NodeRef<'_>, url: &Url) -> (u8, String) {
    if let Some(h) = a
        .descendants_it()
        .take(200)
        .find(|d| tag_is(d, HEADINGS))
        .map(|h| collapse_whitespace(&h.text()))
        .filter(|t| alnum_count(t) > 0)
    {
        return (0, h);
    }
    let text = collapse_whitespace(&bounded_text(a, 200));
    if alnum_count(&text) >= 4 && !is_generic(&text) {
        return (1, text);
    }
    if let Some(t) = a
        .attr("title")
        .map(|t| collapse_whitespace(&t))
        .filter(|t| alnum_count(t) >= 4)
    {
        return (2, t);
    }
    if let Some(h) = card_headline(a) {
        return (3, h);
    }
    if let Some(alt) = a
        .descendants_it()
        .take(50)
        .find(|d| d.has_name("img"))
        .and_then(|img| img.attr("alt"))
        .map(|t| collapse_whitespace(&t))
        .filter(|t| alnum_count(t) >= 4)
    {
        return (4, alt);
    }
    (5, slug_title(url))
}

/// Text under a node, visiting at most `max_nodes` nodes.
fn bounded_text(node: &NodeRef<'_>, max_nodes: usize) -> String {
    let mut out = String::new();
    for d in node.descendants_it().take(max_nodes) {
        if d.is_text() {
            // An ad slot's script is code, not words (a lead-in of "googletag.cmd.push(…)").
            if d.parent()
                .is_some_and(|p| tag_is(&p, &["script", "style", "noscript", "template"]))
            {
                continue;
            }
            out.push_str(&d.text());
        } else if d.is_element() {
            out.push(' ');
        }
    }
    out
}

fn is_generic(text: &str) -> bool {
    let folded = fold(text, 40);
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
    GENERIC_ANCHORS.iter().any(|g| g == folded)
}

/// The headline of the card an image-only or "Read more" link sits in: the nearest ancestor
/// (a few levels up) that holds a heading or a title-classed element.
fn card_headline(a: &NodeRef<'_>) -> Option<String> {
    let href = a.attr("href")?;
    let mut node = *a;
    for _ in 0..3 {
        node = node.parent()?;
        if !node.is_element() {
            return None;
        }
        // The card of this link only: no link elsewhere inside it.
        let other_link = node.descendants_it().take(300).any(|d| {
            d.has_name("a") && d.attr("href").is_some_and(|h| h.as_ref() != href.as_ref())
        });
        if other_link {
            return None;
        }
        let found = node.descendants_it().take(120).find_map(|d| {
            if !d.is_element() {
                return None;
            }
            let titled = tag_is(&d, HEADINGS)
                || d.attr("class")
                    .is_some_and(|c| c.to_ascii_lowercase().contains("title"));
            if !titled {
                return None;
            }
            let t = collapse_whitespace(&bounded_text(&d, 60));
            (alnum_count(&t) >= 4 && !is_generic(&t)).then_some(t)
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// A title from the URL's last meaningful path segment: "my-story-title-123.html" →
/// "My story title".
fn slug_title(url: &Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut s| s.rfind(|s| !s.is_empty()))
        .unwrap_or("");
    let segment = percent_decode(segment);
    let stem = segment
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|(s, _)| s)
        .unwrap_or(&segment);
    let words: Vec<&str> = stem
        .split(['-', '_', '+'])
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let mut title = words.join(" ");
    if let Some(first) = title.chars().next() {
        let upper: String = first.to_uppercase().collect();
        title.replace_range(..first.len_utf8(), &upper);
    }
    title
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// The URL of a link that may be an article: http(s), not the page itself, not the home
/// page, a taxonomy or account page or a share button; with whether its path looks like an
/// article's (a slug or an id) rather than a section front's.
fn link_target(href: &str, base_url: &Url) -> Option<(Url, bool)> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') || href.len() > 2048 {
        return None;
    }
    let mut url = base_url.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    // An action behind a one-time token (`/flag/like/123?destination&token=…`): a button.
    if url
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("token=")))
    {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let bare = host.trim_start_matches("www.");
    if SHARE_HOSTS
        .iter()
        .any(|h| bare == *h || bare.ends_with(&format!(".{h}")))
    {
        return None;
    }
    // The page itself, also behind path parameters (a print view's `;art12,345,PRINT`).
    if super::related::is_page_itself(&url, base_url) {
        return None;
    }
    if is_section_of(&url, base_url) {
        return None;
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if segments.iter().any(|s| {
        NON_ARTICLE_SEGMENTS
            .iter()
            .any(|t| s.eq_ignore_ascii_case(t))
    }) || is_taxonomy_path(&segments)
    {
        return None;
    }
    // A home page: the site's own is never further reading; another site's is, as a
    // pointer under a label that ties it ("Weiterführende Links:"), judged by the caller.
    if segments.is_empty() && url.query().is_none() {
        return (!same_site(&url, base_url)).then_some((url, false));
    }
    let slug_like = looks_like_article_path(&segments, url.query());
    Some((url, slug_like))
}

/// Is `url` a front of the page's own section: on the page's host, no query, its path a
/// proper leading part of the page's path (`/blog` above `/blog/a-post`, `/news/world`
/// above `/news/world/2023/a-story`)? A heading row's "View all" or a card's kicker leads
/// there; it is the site's furniture, never reading on the article's subject.
fn is_section_of(url: &Url, base_url: &Url) -> bool {
    if url.host_str() != base_url.host_str() || url.query().is_some() {
        return false;
    }
    let path = url.path().trim_end_matches('/');
    !path.is_empty()
        && base_url
            .path()
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
}

/// A tag, topic, category or author page: such a segment with at most one segment after it
/// (`/tag/markets/`, `/autor/ada-lovelace`). Deeper, the word names a section that holds
/// articles (`/themen/umwelt/radon/messen.html`, `/themen/detail/nachricht/a-story.html`).
fn is_taxonomy_path(segments: &[&str]) -> bool {
    segments.iter().enumerate().any(|(i, s)| {
        segments.len() - i <= 2 && TAXONOMY_SEGMENTS.iter().any(|t| s.eq_ignore_ascii_case(t))
    })
}

/// A slug of several words, a long segment, an id of several digits, or a page file: an
/// article. One or two bare words ("/sport/football/") are a section front.
fn looks_like_article_path(segments: &[&str], query: Option<&str>) -> bool {
    let digits_in_query = query.is_some_and(|q| {
        q.split('&').any(|kv| {
            kv.split_once('=')
                .is_some_and(|(_, v)| v.len() >= 2 && v.chars().all(|c| c.is_ascii_digit()))
        })
    });
    if digits_in_query {
        return true;
    }
    let Some(last) = segments.last() else {
        return false;
    };
    let decoded = percent_decode(last);
    let stem = decoded.rsplit_once('.').map(|(s, _)| s).unwrap_or(&decoded);
    let words = stem
        .split(['-', '_', '+', ' '])
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .count();
    let digits = segments
        .iter()
        .map(|s| s.chars().filter(|c| c.is_ascii_digit()).count())
        .max()
        .unwrap_or(0);
    words >= 3 || stem.chars().count() >= 25 || (digits >= 4 && segments.len() >= 2) || digits >= 5
}

/// A path of two segments or more whose last is a slug of two words (`/guides/typescript-
/// enums`): an article when a headline links it, though too short a slug to say so alone.
fn two_word_slug(url: &Url) -> bool {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    segments.len() >= 2
        && segments.last().is_some_and(|last| {
            last.split(['-', '_'])
                .filter(|w| w.chars().any(|c| c.is_alphabetic()))
                .count()
                >= 2
        })
}

/// Same registrable site, roughly: the hosts share their last two labels (three when the
/// second-level label is short, as in `co.uk` or `com.br`).
fn same_site(url: &Url, base_url: &Url) -> bool {
    match (url.host_str(), base_url.host_str()) {
        (Some(a), Some(b)) => site_of(a) == site_of(b),
        _ => false,
    }
}

fn site_of(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.rsplit('.').collect();
    let keep = if labels.len() >= 3 && labels[1].len() <= 3 && labels[0].len() == 2 {
        3
    } else {
        2
    };
    let mut site: Vec<&str> = labels.into_iter().take(keep).collect();
    site.reverse();
    site.join(".")
}

/// A URL as compared for repeats: scheme, fragment and a trailing slash ignored.
fn url_key_str(url: &str) -> String {
    let s = url.split('#').next().unwrap_or(url);
    let s = s
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    s.trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_words_are_found_whatever_their_case() {
        for (names, word, expected) in [
            ("post related-box", "related", true),
            ("Post RELATED-Box", "related", true),
            ("post-relat", "related", false),
            ("Émbed-Card", "embed", false),
            ("émbed-card", "embed", false),
            ("x-EmBeD", "embed", true),
        ] {
            assert_eq!(contains_ascii_ci(names, word), expected, "{names}");
            assert_eq!(
                names.to_ascii_lowercase().contains(word),
                expected,
                "{names} as the lowercased copy sees it"
            );
        }
    }

    fn base() -> Url {
        Url::parse("https://news.example.org/world/2024/05/the-story-we-read.html").unwrap()
    }

    /// A page: article body, then `after` (what follows the article), then a page footer.
    fn page(after: &str) -> String {
        format!(
            r#"<html><body><nav><ul><li><a href="/world/">World</a></li></ul></nav>
            <main><article><h1>The story we read</h1><p>Body text of the story, long enough.</p></article>
            {after}</main>
            <footer><h3>Related sites</h3><ul><li><a href="https://partner.example.org/a-long-story-slug-here">A long story on a partner site</a></li></ul></footer>
            </body></html>"#
        )
    }

    fn take(html: &str) -> (Vec<RelatedLink>, String) {
        let doc = Document::from(html);
        let links = take_related_blocks(&doc, &base(), &[]);
        (links, doc.html().to_string())
    }

    #[test]
    fn card_grid_after_the_body_under_a_related_heading() {
        let html = page(
            r#"<section><div class="head"><h2>Related posts</h2></div>
            <div class="grid">
              <div class="card"><a href="/world/2024/04/rates-rise-again-in-spring"><img src="a.jpg"></a>
                <h3 class="card-title">Rates rise again in spring</h3><p>A blurb that says a little more about it.</p>
                <a href="/world/2024/04/rates-rise-again-in-spring">Read more</a></div>
              <div class="card"><a href="/world/2024/03/markets-fall-on-tuesday"><img src="b.jpg" alt="Markets fall on Tuesday"></a></div>
              <div class="card"><a href="/world/2024/02/a-slug-only-story-title"><img src="c.jpg"></a></div>
            </div></section>"#,
        );
        let (links, rest) = take(&html);
        let got: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.label.as_str(), l.title.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Related posts", "Rates rise again in spring"),
                ("Related posts", "Markets fall on Tuesday"),
                ("Related posts", "A slug only story title"),
            ]
        );
        assert_eq!(
            links[0].url,
            "https://news.example.org/world/2024/04/rates-rise-again-in-spring"
        );
        // Taken out of the page; the article and the page footer stay.
        assert!(
            !rest.contains("Related posts") && !rest.contains("blurb"),
            "{rest}"
        );
        assert!(rest.contains("Body text of the story") && rest.contains("Related sites"));
    }

    #[test]
    fn headings_in_other_languages_tie_blocks_too() {
        for heading in [
            "Mehr zum Thema",
            "Veja também",
            "CZYTAJ TAKŻE",
            "Artículos relacionados",
            "Материалы по теме",
            "관련 기사",
            "Auch auf example.org",
            "More on: Markets",
            "More",
            "Mehr zu Wärmepumpe",
        ] {
            let html = page(&format!(
                r#"<div><h3>{heading}</h3><ul>
                <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
                <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul></div>"#
            ));
            let (links, _) = take(&html);
            assert_eq!(links.len(), 2, "{heading}");
            assert_eq!(links[0].label, heading);
        }
    }

    #[test]
    fn rivers_furniture_and_ad_widgets_are_not_related() {
        let items = r#"<ul><li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul>"#;
        for block in [
            format!("<div><h3>More from News Example</h3>{items}</div>"),
            // "More" ties only as the whole heading.
            format!("<div><h3>More stories</h3>{items}</div>"),
            format!("<div><h3>Latest news</h3>{items}</div>"),
            format!("<div><h3>Most read</h3>{items}</div>"),
            format!("<div><h3>Trending</h3>{items}</div>"),
            format!(r#"<div class="taboola-below"><h3>Related stories</h3>{items}</div>"#),
            format!(r#"<div class="OUTBRAIN"><h3>You may also like</h3>{items}</div>"#),
            // A sidebar takes only a heading that ties its block to the article.
            format!(r#"<div role="complementary"><h3>You may also like</h3>{items}</div>"#),
            format!(r#"<nav><h3>Related</h3>{items}</nav>"#),
            format!(r#"<div id="comments"><h3>Related</h3>{items}</div>"#),
            format!(r#"<div style="display: none"><h3>Related</h3>{items}</div>"#),
            // A heading with no tie, on a box with no related name.
            format!("<div><h3>Weekend reads</h3>{items}</div>"),
            // Related, but prose follows the heading.
            "<div><h3>Related work</h3><p>Others have studied this at length, and the \
             field has a long history that we do not repeat here; see the papers cited \
             in the text and <a href=\"/world/2024/04/first-story-about-it\">one more</a> \
             for the details of how the method came about.</p></div>"
                .to_string(),
        ] {
            let (links, _) = take(&page(&block));
            assert!(links.is_empty(), "{block} -> {links:?}");
        }
    }

    #[test]
    fn home_section_taxonomy_share_and_script_links_are_dropped() {
        let html = page(
            r#"<div class="related-posts"><h3>Related stories</h3><ul>
            <li><a href="/">Home</a></li>
            <li><a href="/world/">World</a></li>
            <li><a href="/tag/markets/">Markets and more markets</a></li>
            <li><a href="/author/ada-lovelace/">Ada Lovelace the author</a></li>
            <li><a href="https://www.facebook.com/sharer/sharer.php?u=x">Share this story on Facebook</a></li>
            <li><a href="javascript:alert(1)">A story with a script target</a></li>
            <li><a href="data:text/html,hi">A story with a data target</a></li>
            <li><a href="/world/2024/04/the-one-real-story-here">The one real story here</a></li>
            <li><a href="/world/2024/04/and-another-real-story">And another real story</a></li>
            </ul></div>"#,
        );
        let (links, _) = take(&html);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://news.example.org/world/2024/04/the-one-real-story-here",
                "https://news.example.org/world/2024/04/and-another-real-story"
            ]
        );
    }

    #[test]
    fn related_plugin_box_without_heading_and_tab_panels() {
        let (links, _) = take(&page(
            r#"<div class="yarpp-related"><ol>
            <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ol></div>"#,
        ));
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].label, "Related");

        let (links, rest) = take(&page(
            r##"<div class="tabs"><a href="#pane-related" role="tab">See also</a><a href="#pane-author" role="tab">More by the author</a></div>
            <div id="pane-related" class="pane" hidden><ul>
            <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li></ul></div>
            <div id="pane-author" class="pane"><ul>
            <li><a href="/world/2024/04/other-story-by-author">Other story by the author</a></li></ul></div>"##,
        ));
        let titles: Vec<&str> = links.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, vec!["First story about it"]);
        assert_eq!(links[0].label, "See also");
        assert!(rest.contains("Other story by the author"));
    }

    #[test]
    fn labels_and_titles_are_sanitised() {
        let html = page(
            "<div><h3>Related \u{1b}[31mstories\u{1b}]0;pwned\u{7}</h3><ul>\
             <li><a href=\"/world/2024/04/first-story-about-it\">First \u{1b}[2Jstory \u{202e}about it</a></li></ul></div>",
        );
        let (links, _) = take(&html);
        assert_eq!(links.len(), 1, "{links:?}");
        for text in [&links[0].label, &links[0].title] {
            assert!(
                !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{text:?}"
            );
        }
        assert_eq!(links[0].title, "First story about it");
    }

    #[test]
    fn hostile_pages_stay_bounded_and_do_not_panic() {
        // 10,000 links under a related heading: a river or an archive, not suggestions.
        let many: String = (0..10_000)
            .map(|i| format!(r#"<li><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a></li>"#))
            .collect();
        let (links, _) = take(&page(&format!(
            "<div><h3>Related</h3><ul>{many}</ul></div>"
        )));
        assert!(links.is_empty());
        // Related blocks nested 1,000 deep.
        let deep = format!(
            "{}<h3>Related</h3><ul><li><a href=\"/world/2024/04/deep-story-title-here\">Deep story title here</a></li></ul>{}",
            "<div class=\"related\">".repeat(1000),
            "</div>".repeat(1000)
        );
        let (links, _) = take(&page(&deep));
        assert!(links.len() <= 1, "{links:?}");
        // 10,000 related headings.
        let headings = "<h3>Related</h3><p>x</p>".repeat(10_000);
        let _ = take(&page(&headings));
        for html in [
            "",
            "<html>",
            "<a href>Related</a>",
            "<h3>Related</h3>",
            "<<<>>>",
        ] {
            let _ = take(html);
        }
    }

    /// Cards with a title link and a date each.
    fn dated_cards(dates: &[&str]) -> String {
        dates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                format!(
                    r#"<div class="card"><h3><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a></h3><time datetime="{d}T10:00:00+00:00">{d}</time></div>"#
                )
            })
            .collect()
    }

    #[test]
    fn a_recommendation_box_that_is_a_stream_of_the_latest_posts_is_a_river() {
        let latest = dated_cards(&["2026-03-14", "2026-03-13", "2026-03-12", "2026-03-11"]);
        let (links, _) = take(&page(&format!(
            "<div><h4>You might also like</h4><div>{latest}</div></div>"
        )));
        assert!(links.is_empty(), "{links:?}");
        // Relative dates in a related-named box under a recommendation heading.
        let relative: String = (0..3)
            .map(|i| format!(r#"<div class="slide"><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a><div class="timestamp">Yesterday</div></div>"#))
            .collect();
        let (links, _) = take(&page(&format!(
            r#"<section class="related-articles"><div class="head"><span>You might like</span></div><div class="related-articles__swiper">{relative}</div></section>"#
        )));
        assert!(links.is_empty(), "{links:?}");
        // The same heading over suggestions from several years: the article's further reading.
        let mixed = dated_cards(&["2026-03-14", "2021-06-02", "2019-01-30"]);
        let (links, _) = take(&page(&format!(
            "<div><h4>You might also like</h4><div>{mixed}</div></div>"
        )));
        assert_eq!(links.len(), 3, "{links:?}");
        // A heading that ties the block to the story keeps it, however recent its items.
        let (links, _) = take(&page(&format!(
            "<div><h4>More on this story</h4><div>{latest}</div></div>"
        )));
        assert_eq!(links.len(), 4, "{links:?}");
    }

    #[test]
    fn a_related_card_inside_one_slide_of_a_gallery_is_not_the_article_s() {
        let (links, _) = take(&page(
            r#"<div class="swiper-container"><div class="swiper-wrapper">
            <div class="swiper-slide"><img src="1.jpg" alt="A photo"></div>
            <div class="swiper-slide"><div class="gallery-end"><p class="head">Auch interessant</p><div>
              <a href="/world/2024/04/first-story-about-it">First story about it</a>
              <a href="/world/2024/04/second-story-about-it">Second story about it</a></div></div></div>
            </div></div>"#,
        ));
        assert!(links.is_empty(), "{links:?}");
        // A slider of related cards under its heading is still a related block.
        let (links, _) = take(&page(
            r#"<div class="related-posts"><h4>Related Posts</h4><div class="owl-carousel">
            <div class="owl-item"><a href="/world/2024/04/first-story-about-it">First story about it</a></div>
            <div class="owl-item"><a href="/world/2024/04/second-story-about-it">Second story about it</a></div></div></div>"#,
        ));
        assert_eq!(links.len(), 2, "{links:?}");
    }

    #[test]
    fn a_list_of_article_links_after_a_lead_in_ending_with_a_colon_is_a_reading_list() {
        let list = r#"<ul><li><a href="/world/2024/04/the-best-books-of-2024">2024</a></li>
            <li><a href="/world/2023/04/the-best-books-of-2023">2023</a></li></ul>"#;
        let (links, rest) = take(&page(&format!(
            "<div><p>Still feeling light? Allow us to tempt you with our previous lists:</p>{list}</div>"
        )));
        let got: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.label.as_str(), l.title.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Allow us to tempt you with our previous lists", "2024"),
                ("Allow us to tempt you with our previous lists", "2023")
            ]
        );
        assert!(!rest.contains("previous lists"), "{rest}");
        for block in [
            // No colon: the list is the article's own.
            format!("<div><p>These were the lists of the previous years.</p>{list}</div>"),
            // Items that are sentences with a link in them.
            "<div><p>Here is what happened next:</p><ul>             <li>The council met on Monday and voted, as <a href='/world/2024/04/the-council-vote-story'>we reported</a>, against the plan.</li>             <li>The mayor resigned after <a href='/world/2024/04/the-mayor-resigns-story'>a long row</a> with the council over it.</li></ul></div>"
                .to_string(),
            // A river by its words.
            format!("<div><p>The latest news from our newsroom:</p>{list}</div>"),
        ] {
            let (links, _) = take(&page(&block));
            assert!(links.is_empty(), "{block} -> {links:?}");
        }
    }

    #[test]
    fn a_series_box_lists_the_other_parts() {
        let (links, _) = take(&page(
            r#"<div id="serial-posts-wrapper"><h3 class="serial-title">A Drinking Man's Intro to Wine</h3><ul class="serialposts">
            <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul></div>"#,
        ));
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].label, "A Drinking Man's Intro to Wine");
    }

    #[test]
    fn a_story_card_embedded_between_paragraphs() {
        let prose = "<p>The story goes on for a while here, with enough words in the paragraph to be \
                     read as the running text of the article, not as a caption or a label.</p>";
        let card = r#"<div class="el__embedded"><div class="teaser-image"><a href="/world/2024/04/the-earlier-story-on-this"><img src="a.jpg" alt="x"></a></div>
            <div class="caption"><span class="header"><a href="/world/2024/04/the-earlier-story-on-this">The earlier story on this subject</a></span></div></div>"#;
        let (links, rest) = take(&page(&format!("<div>{prose}{card}{prose}</div>")));
        let got: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.label.as_str(), l.title.as_str()))
            .collect();
        assert_eq!(got, vec![("Related", "The earlier story on this subject")]);
        assert!(!rest.contains("earlier story"), "{rest}");
        for block in [
            // A listicle's item: a picture and a linked headline, but no card name.
            r#"<div class="item"><h3><a href="/world/2024/04/the-first-dress-of-the-list">The first dress of the list</a></h3><img src="a.jpg"></div>"#,
            // A picture linking to its own file.
            r#"<figure class="embed"><a href="/uploads/2024/04/a-photo-of-the-scene-today.jpg"><img src="a.jpg"></a><figcaption>A photo of the scene</figcaption></figure>"#,
            // An embedded card to another site.
            r#"<div class="embed"><a href="https://elsewhere.example.com/2024/04/some-other-story-here"><img src="a.jpg"></a><h4>Some other story here today</h4></div>"#,
            // Two stories: a box of links, not one card (and no heading ties it).
            r#"<div class="embed"><img src="a.jpg"><a href="/world/2024/04/first-story-about-it">First story about it</a><a href="/world/2024/04/second-story-about-it">Second story about it</a></div>"#,
        ] {
            let (links, _) = take(&page(&format!("<div>{prose}{block}{prose}</div>")));
            assert!(links.is_empty(), "{block} -> {links:?}");
        }
        // Without prose around it: a grid cell somewhere on the page.
        let (links, _) = take(&page(&format!("<div><div>{card}</div></div>")));
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn a_syndication_credit_with_the_publisher_s_logo_is_a_source() {
        let (links, rest) = take(&page(
            r#"<div class="article-source"><cite><a href="https://r.example.net/abc123"><img src="logo.png" alt="Ciekawostki Historyczne"></a></cite></div>"#,
        ));
        let got: Vec<(&str, &str, &str)> = links
            .iter()
            .map(|l| (l.label.as_str(), l.title.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(
                "source",
                "Ciekawostki Historyczne",
                "https://r.example.net/abc123"
            )]
        );
        assert!(!rest.contains("logo.png"), "{rest}");
        for block in [
            // Two different links: not one credit.
            r#"<div class="source"><a href="https://a.example.net/x">A</a> <a href="https://b.example.net/y">B</a></div>"#,
            // A script target.
            r#"<div class="source"><a href="javascript:alert(1)">Example Source</a></div>"#,
            // A gallery picture's own file.
            r#"<span class="source"><a href="/SharedDocs/Bilder/bild_001_cover.jpg?__blob=panorama"><img src="a.jpg" alt="Cover"></a></span>"#,
            // A paragraph that merely has the class.
            r#"<p class="source">A long paragraph of text that explains where the figures of the story come from and how they were gathered, with <a href="https://a.example.net/x">a link</a>.</p>"#,
        ] {
            let (links, _) = take(&page(block));
            assert!(links.is_empty(), "{block} -> {links:?}");
        }
    }

    #[test]
    fn slug_titles() {
        let url = |p: &str| Url::parse(&format!("https://x.example{p}")).unwrap();
        assert_eq!(
            slug_title(&url("/a/my-story-title-123.html")),
            "My story title"
        );
        assert_eq!(slug_title(&url("/a/über_die-brücke/")), "Über die brücke");
        assert_eq!(slug_title(&url("/")), "");
    }

    fn urls(links: &[RelatedLink]) -> Vec<&str> {
        links.iter().map(|l| l.url.as_str()).collect()
    }

    const TWO_ITEMS: &str = r#"<ul><li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
        <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul>"#;

    #[test]
    fn a_related_aside_inside_the_article_container_is_the_article_s_but_a_page_sidebar_is_not() {
        // No <article> tag: the body is a div named for the article, its related box an aside.
        let in_body = format!(
            r#"<html><body><div class="article-body"><p>Body text of the story, long enough.</p>
            <aside class="story-box"><h3>Sur le même sujet</h3>{TWO_ITEMS}</aside></div></body></html>"#
        );
        let (links, html) = take(&in_body);
        assert_eq!(links.len(), 2, "{links:?}");
        assert!(!html.contains("First story"), "the block leaves the page");
        // In a page sidebar only a heading that ties the block to the article counts: not a
        // recommendation, a neutral heading, or a box named for related reading alone.
        let sidebar = |inside: &str| {
            format!(
                r#"<html><body><div class="article-body"><p>Body text of the story, long enough.</p></div>
                <aside class="sidebar">{inside}</aside><div role="complementary">{inside}</div></body></html>"#
            )
        };
        let (links, _) = take(&sidebar(&format!("<h3>Sur le même sujet</h3>{TWO_ITEMS}")));
        assert_eq!(links.len(), 2, "{links:?}");
        for inside in [
            format!("<h3>You may also like</h3>{TWO_ITEMS}"),
            format!("<h3>Weekend reads</h3>{TWO_ITEMS}"),
            format!(r#"<div class="related-posts">{TWO_ITEMS}</div>"#),
            format!(r#"<div class="related-posts"><h3>News</h3>{TWO_ITEMS}</div>"#),
            r#"<p><a href="/world/2024/04/first-story-about-it">First story about it</a></p>"#
                .to_string(),
        ] {
            let (links, _) = take(&sidebar(&inside));
            assert!(links.is_empty(), "{inside} -> {links:?}");
        }
    }

    #[test]
    fn a_related_container_s_heading_inside_its_own_header_element_labels_it() {
        let (links, _) = take(&page(&format!(
            r#"<section class="carousel related-carousel"><header><p>Leé también</p></header>
            <div class="carousel-content">{TWO_ITEMS}</div></section>"#
        )));
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].label, "Leé también");
    }

    #[test]
    fn tag_links_inside_related_cards_do_not_refuse_the_block() {
        let cards: String = (1..=5)
            .map(|i| {
                format!(
                    r#"<li><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a>
                    <ul class="tags"><li><a href="/thema/unfall" rel="tag">Unfall</a></li>
                    <li><a href="/thema/polizei">Polizei</a></li><li><a href="/tag/ort">Ort</a></li></ul></li>"#
                )
            })
            .collect();
        let (links, _) = take(&page(&format!(
            "<div><h3>Das könnte Sie auch interessieren</h3><ul>{cards}</ul></div>"
        )));
        assert_eq!(links.len(), 5, "{links:?}");
        assert!(links.iter().all(|l| !l.url.contains("/thema/")));
    }

    #[test]
    fn cards_with_a_teaser_each_in_a_box_named_related() {
        let excerpt = "This is the teaser of the post, the first fifty or so words that a blog \
            shows under the title of each of its related posts, cut short with an ellipsis at the \
            end of it. The reader sees what the post is about and decides whether to follow the \
            link to it or to read on here, or to go back to the list of all the posts the blog \
            has published on the subject over the years, which is what a teaser is for [...]";
        let cards: String = (1..=3)
            .map(|i| {
                format!(
                    r#"<li><h3><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a></h3>
                    <p>Monday | 22 July 2019</p><div class="excerpt"><p>{excerpt}</p></div>
                    <a href="/world/2024/04/story-number-{i}-title">Read more</a></li>"#
                )
            })
            .collect();
        let (links, _) = take(&page(&format!(
            r#"<div id="related_posts"><h3>Related Posts</h3><ul>{cards}</ul></div>"#
        )));
        assert_eq!(links.len(), 3, "{links:?}");
        // Under a bare heading, the same cards are too much prose for a list of links.
        let (links, _) = take(&page(&format!(
            "<div><h3>Related Posts</h3><ul>{cards}</ul></div>"
        )));
        assert!(links.is_empty(), "{links:?}");
    }

    /// A body of two long paragraphs with `inside` between them, in a container named `class`.
    fn body_with(class: &str, inside: &str) -> String {
        let prose = "The council met on Monday evening and, after a long debate about the budget \
            for the coming year, voted to keep the library open on Sundays. Several residents \
            spoke in favour of the plan, and the mayor said the town would find the money by \
            cutting back on other projects that had been planned for the spring.";
        format!(
            r#"<html><body><div class="{class}"><p>{prose}</p><p>{prose}</p>{inside}<p>{prose}</p></div></body></html>"#
        )
    }

    #[test]
    fn an_editor_s_list_of_the_site_s_articles_after_a_short_lead_in_line() {
        // The lead-in in a div of its own, the list in its own wrapper (Blogger).
        let (links, html) = take(&body_with(
            "entry-content",
            &format!(
                "<div><b>For popular recipes you can make at home</b></div><div>{TWO_ITEMS}</div>"
            ),
        ));
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].label, "For popular recipes you can make at home");
        assert!(
            !html.contains("popular recipes"),
            "the lead-in leaves with the list"
        );
        // A question, then "Check out…" inside a quote box.
        let (links, _) = take(&body_with(
            "entry-content",
            &format!(
                "<blockquote><p><strong>Want more South East Asia inspiration? </strong>Check out…. </p>{TWO_ITEMS}</blockquote>"
            ),
        ));
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].label, "Want more South East Asia inspiration");
        // Without a colon: one link elsewhere or to a section front, a widget of a rail, a
        // menu panel without prose, a widget title: left alone.
        let lead = "<p>Some places we went to last year</p>";
        for (class, inside) in [
            (
                "entry-content",
                format!(
                    r#"{lead}<ul><li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
                    <li><a href="https://elsewhere.example.com/2024/04/a-story-on-another-site">A story on another site</a></li></ul>"#
                ),
            ),
            (
                "entry-content",
                format!(
                    r#"{lead}<ul><li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
                    <li><a href="/sport/">Sport news</a></li></ul>"#
                ),
            ),
            (
                "entry-content",
                format!("<div class=\"widget widget_text\">{lead}{TWO_ITEMS}</div>"),
            ),
            (
                "entry-content",
                format!("<h3>Top posts and pages</h3>{TWO_ITEMS}"),
            ),
        ] {
            let (links, _) = take(&body_with(class, &inside));
            assert!(links.is_empty(), "{inside} -> {links:?}");
        }
        let (links, _) = take(&format!(
            "<html><body><div class=\"panel\">{lead}{TWO_ITEMS}</div></body></html>"
        ));
        assert!(links.is_empty(), "a menu panel: {links:?}");
    }

    #[test]
    fn a_second_story_of_an_endless_page_keeps_its_related_block() {
        let story = |n: u8| {
            format!(
                r#"<div class="scrollblock"><article class="entry"><h1>Story {n}</h1><p>Body.</p><p>More.</p><p>End.</p>
                <div class="related-posts"><h3>Related</h3><ul>
                <li><a href="/world/2024/04/story-{n}-first-related-one">Story {n} first related one</a></li>
                <li><a href="/world/2024/04/story-{n}-second-related-one">Story {n} second related one</a></li></ul></div>
                </article></div>"#
            )
        };
        let (links, _) = take(&format!(
            r#"<html><body><article class="page"><div class="stream">{}{}</div></article></body></html>"#,
            story(1),
            story(2)
        ));
        assert_eq!(links.len(), 2, "{links:?}");
        assert!(
            links.iter().all(|l| l.url.contains("story-1-")),
            "{links:?}"
        );
    }

    #[test]
    fn teaser_cards_made_of_articles_with_an_h1_are_not_the_page_s_story() {
        // A "most viewed" list before the story, each teaser an `<article>` with an `h1`.
        let teaser = |n: u8| {
            format!(
                r#"<article class="news-summary"><h1><a href="/world/2024/04/most-viewed-number-{n}">Most viewed number {n}</a></h1></article>"#
            )
        };
        let (links, _) = take(&format!(
            r#"<html><body><section class="mod">{}{}</section>
            <article class="news-full"><h1>The story we read</h1><p>One.</p><p>Two.</p><p>Three.</p>
            <section><div class="mod-header"><h3>Lee también</h3></div><div class="mod-content">{TWO_ITEMS}</div></section>
            </article></body></html>"#,
            teaser(1),
            teaser(2)
        ));
        assert_eq!(links.len(), 2, "{links:?}");
    }

    #[test]
    fn a_topic_word_deep_in_a_path_is_a_section_not_a_tag_page() {
        let (links, _) = take(&page(
            r#"<div><h2>Zum Thema</h2><ul class="links">
            <li><a href="/DE/themen/umwelt/radon/was-ist-radon-und-woher-kommt-es.html">Was ist Radon?</a></li>
            <li><a href="/DE/themen/umwelt/radon/schutz/wie-kann-ich-radon-messen.html">Wie kann ich Radon messen?</a></li>
            <li><a href="/thema/energie/">Energie und mehr Energie</a></li>
            <li><a href="/report/radon-in-houses-and-the-law.pdf">Radon in houses and the law</a></li></ul></div>"#,
        ));
        assert_eq!(
            urls(&links),
            vec![
                "https://news.example.org/DE/themen/umwelt/radon/was-ist-radon-und-woher-kommt-es.html",
                "https://news.example.org/DE/themen/umwelt/radon/schutz/wie-kann-ich-radon-messen.html"
            ]
        );
    }

    #[test]
    fn further_links_under_a_tying_heading_may_lead_to_other_sites_but_recommendations_not() {
        let items = r#"<ul><li><a href="https://other.example.com/2021/02/10/a-paper-on-the-subject/">A paper on the subject</a></li>
            <li><a href="https://third.example.net/reports/the-study-on-the-subject.html">The study on the subject</a></li>
            <li><a href="/world/2024/04/our-own-dossier-on-it">Our own dossier on it</a></li></ul>"#;
        let (links, _) = take(&page(&format!(
            "<div><h3>Weiterführende Links</h3>{items}</div>"
        )));
        assert_eq!(links.len(), 3, "{links:?}");
        let (links, _) = take(&page(&format!(
            "<div><h3>You may also like</h3>{items}</div>"
        )));
        assert!(links.is_empty(), "{links:?}");
        // Like buttons behind a token are actions, not stories.
        let likes = r#"<ul><li><a href="/flag/like/121533?destination&amp;token=jDlYzunLsp2">Like this story about it</a></li>
            <li><a href="/flag/like/124899?destination&amp;token=OiY41zYlTG0">Like this other story</a></li></ul>"#;
        let (links, _) = take(&page(&format!(
            "<div><h3>Related stories</h3>{likes}</div>"
        )));
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn a_list_that_holds_this_very_article_is_the_site_s_river() {
        let items = r#"<ul><li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/05/the-story-we-read.html">The story we read</a></li>
            <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul>"#;
        for block in [
            format!("<div><h3>You may also like</h3>{items}</div>"),
            format!(r#"<div class="related-posts">{items}</div>"#),
            format!(r#"<div class="related-posts"><h3>Last news</h3>{items}</div>"#),
        ] {
            let (links, _) = take(&page(&block));
            assert!(links.is_empty(), "{block} -> {links:?}");
        }
        // Under a heading that ties the list to the subject, the article is one of its stories.
        let (links, _) = take(&page(&format!("<div><h3>Leé también</h3>{items}</div>")));
        assert_eq!(links.len(), 2, "{links:?}");
        // A series box lists every part, this one among them.
        let (links, _) = take(&page(&format!(r#"<div class="seriesbox">{items}</div>"#)));
        assert_eq!(links.len(), 2, "{links:?}");
    }

    #[test]
    fn an_empty_related_widget_does_not_take_the_block_after_it() {
        let (links, _) = take(&page(&format!(
            r#"<div id="jp-relatedposts" class="jp-relatedposts"><h3><em>Related</em></h3></div>
            <hr><div class="moreincategories">{TWO_ITEMS}</div>"#
        )));
        assert!(links.is_empty(), "{links:?}");
        // A heading named for the box it heads is no empty widget.
        let (links, _) = take(&page(&format!(
            r#"<div><h2 class="article-similar">Auch interessant</h2><div class="row">{TWO_ITEMS}</div></div>"#
        )));
        assert_eq!(links.len(), 2, "{links:?}");
    }

    #[test]
    fn buttons_and_affiliate_redirects_are_calls_to_act_not_reading() {
        let prose = "The council met on Monday evening and, after a long debate about the budget \
            for the coming year, voted to keep the library open on Sundays.";
        for line in [
            r#"<p><a class="btn btn-primary" href="/world/2024/04/try-the-premium-plan-today">Try the premium plan today</a></p>"#,
            r#"<p><a href="/out/mailerlite-free-trial-offer">Try MailerLite for free</a></p>"#,
        ] {
            let (links, _) = take(&format!(
                r#"<html><body><article><p>{prose}</p>{line}<p>{prose}</p></article></body></html>"#
            ));
            assert!(links.is_empty(), "{line} -> {links:?}");
        }
    }

    /// A page numbered 310144 whose following block, under `heading`, lists stories by id;
    /// the related links taken from it.
    fn related_of_numbered_block(heading: &str, ids: &[u32]) -> Vec<RelatedLink> {
        let items: String = ids
            .iter()
            .map(|id| {
                format!(r#"<li><a href="/artikel/{id}/a-story-numbered-{id}/">A story numbered {id}</a></li>"#)
            })
            .collect();
        let html = format!(
            r#"<html><body><article><p>Body.</p></article><div><h3>{heading}</h3><ul>{items}</ul></div></body></html>"#
        );
        let base =
            Url::parse("https://news.example.org/artikel/310144/the-story-we-read/").unwrap();
        take_related_blocks(&Document::from(html.as_str()), &base, &[])
    }

    #[test]
    fn articles_numbered_after_this_one_are_the_site_s_river() {
        let river = "Das könnte Sie auch interessieren";
        assert!(related_of_numbered_block(river, &[310154, 310152, 310149]).is_empty());
        assert_eq!(
            related_of_numbered_block(river, &[310154, 310102, 309149]).len(),
            3
        );
        // Under a heading that ties them to the article, later stories are the subject's
        // (the site keeps the box up to date), not a river.
        assert_eq!(
            related_of_numbered_block("Mehr zum Thema", &[310154, 310152, 310149]).len(),
            3
        );
    }

    #[test]
    fn articles_numbered_around_this_one_are_the_site_s_stream() {
        // Published just before and after the article: its hour's stream, whatever the
        // heading says.
        let around = [310154, 310152, 310149, 310141, 310139];
        assert!(related_of_numbered_block("Related", &around).is_empty());
        assert!(related_of_numbered_block("Mehr zum Thema", &around).is_empty());
        // One story from further back keeps the block; so do three links only.
        assert_eq!(
            related_of_numbered_block("Related", &[310154, 310152, 310149, 301141]).len(),
            4
        );
        assert_eq!(
            related_of_numbered_block("Mehr zum Thema", &[310154, 310152, 310141]).len(),
            3
        );
    }

    #[test]
    fn links_back_to_the_page_itself_are_not_related() {
        let doc = Document::from(
            r#"<html><head><base href="https://news.example.org/"><link rel="canonical" href="https://news.example.org/world/the-story-we-read.html"></head>
            <body><article><p>Body.</p></article><div><h3>Mehr zum Thema</h3><ul>
            <li><a href="world/the-story-we-read.html?categoryId=2&amp;value=943994">Ehrenamt und Helfer</a></li>
            <li><a href="world/the-story-we-read.html?categoryId=3&amp;value=930444">Technik und Fahrzeuge</a></li></ul></div></body></html>"#,
        );
        let base = Url::parse("https://news.example.org/").unwrap();
        assert!(take_related_blocks(&doc, &base, &[]).is_empty());
    }

    #[test]
    fn a_card_headline_with_a_river_word_does_not_make_the_box_a_river() {
        let (links, _) = take(&page(
            r#"<div id="related_posts"><h3>Related Posts</h3><ul>
            <li><h3><a href="/world/2024/04/the-top-deals-of-the-week">The top 7 deals of the week</a></h3></li>
            <li><h3><a href="/world/2024/04/the-latest-summer-dresses">The latest summer dresses</a></h3></li></ul></div>"#,
        ));
        assert_eq!(links.len(), 2, "{links:?}");
        // A river's own heading inside a related-named box still refuses it.
        let (links, _) = take(&page(&format!(
            r#"<div class="related-box"><h3>Latest news</h3>{TWO_ITEMS}</div>"#
        )));
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn a_paragraph_that_is_one_link_to_another_article_between_prose_is_a_pointer() {
        let pointer = r#"<p><strong><a href="/world/2024/04/six-mistakes-everyone-makes-when-weighing">Beachte auch diese 6 Fehler, die fast alle beim Wiegen machen</a></strong></p>"#;
        let (links, html) = take(&body_with("entry-content", pointer));
        assert_eq!(
            urls(&links),
            vec![
                "https://news.example.org/world/2024/04/six-mistakes-everyone-makes-when-weighing"
            ]
        );
        assert!(
            !html.contains("Beachte auch"),
            "the pointer leaves the text"
        );
        // A promotion's lead-in: no related link, and it leaves the text.
        let (links, html) = take(&body_with(
            "entry-content",
            r#"<p><a href="/world/2024/04/six-mistakes-everyone-makes-when-weighing">Want more than a few tricks? Then our eight-week plan helps:</a></p>"#,
        ));
        assert!(links.is_empty(), "{links:?}");
        assert!(
            !html.contains("eight-week plan"),
            "the promotion leaves the text"
        );
        for inside in [
            // Not a headline: a call to act, the address itself.
            r#"<p><a href="/world/2024/04/six-mistakes-everyone-makes-when-weighing">Get the pattern here</a></p>"#,
            r#"<p><a href="/world/2024/04/six-mistakes-everyone-makes-when-weighing">https://news.example.org/world/2024/04/six-mistakes</a></p>"#,
            // A link inside a sentence.
            r#"<p>We wrote <a href="/world/2024/04/six-mistakes-everyone-makes-when-weighing">about the six mistakes</a> last week.</p>"#,
            // Another site, a section front.
            r#"<p><a href="https://elsewhere.example.com/2024/04/six-mistakes-when-weighing">Six mistakes when weighing yourself</a></p>"#,
            r#"<p><a href="/fitness/">All our fitness stories</a></p>"#,
        ] {
            let (links, _) = take(&body_with("entry-content", inside));
            assert!(links.is_empty(), "{inside} -> {links:?}");
        }
        // A run of them: a listicle's items linking their own pages.
        let run: String = (1..=4)
            .map(|i| format!(r#"<h3>#{i}: Item</h3><p>This one is an easy piece to start with: a few straight seams, a simple hem and a pocket or two, done in a single afternoon at the machine.</p><p><a href="/blog/item-number-{i}-tutorial">Learn how to sew it here!</a></p>"#))
            .collect();
        let (links, html) = take(&body_with("entry-content", &run));
        assert!(links.is_empty(), "{links:?}");
        assert!(html.contains("Learn how to sew"));
    }

    #[test]
    fn posts_dated_after_the_article_are_the_site_s_river_whatever_the_heading() {
        // The article is of 2024/05 (its URL).
        let later = r#"<ul><li><a href="/world/2024/07/first-story-after-it">First story after it</a></li>
            <li><a href="/world/2024/06/second-story-after-it">Second story after it</a></li>
            <li><a href="/world/2024/05/third-story-the-same-month">Third story the same month</a></li></ul>"#;
        let (links, html) = take(&page(&format!(
            r#"<div class="related-posts"><h3>Related</h3>{later}</div>"#
        )));
        assert!(links.is_empty(), "{links:?}");
        assert!(
            html.contains("First story after it"),
            "a river stays in the page"
        );
        // One older post among them: reading on the subject, written before and after.
        let mixed = later.replace("/world/2024/05/third", "/world/2023/11/third");
        let (links, _) = take(&page(&format!(
            r#"<div class="related-posts"><h3>Related</h3>{mixed}</div>"#
        )));
        assert_eq!(urls(&links).len(), 3, "{links:?}");
        // The date from `article:published_time` when the URL has none.
        let doc = Document::from(format!(
            r#"<html><head><meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>
            <body><article><p>Body.</p></article><div class="related-posts"><h3>Related</h3>{later}</div></body></html>"#
        ));
        let undated = Url::parse("https://news.example.org/the-story-we-read").unwrap();
        assert!(take_related_blocks(&doc, &undated, &[]).is_empty());
        assert_eq!(
            url_date(&Url::parse("https://x.example/noticias/2022/04/27/a-b-c/").unwrap()),
            Some((2022, 4, Some(27)))
        );
        assert_eq!(
            url_date(&Url::parse("https://x.example/2021/09/24117/").unwrap()),
            Some((2021, 9, None))
        );
        assert_eq!(
            url_date(&Url::parse("https://x.example/a/12345/b").unwrap()),
            None
        );
        // A slug that opens with its date; digits that only look like one are not.
        assert_eq!(
            url_date(&Url::parse("https://x.example/2019-11-25-github-at-reinvent/").unwrap()),
            Some((2019, 11, Some(25)))
        );
        assert_eq!(
            url_date(&Url::parse("https://x.example/2019-11-250-items/").unwrap()),
            None
        );
        assert_eq!(
            url_date(&Url::parse("https://x.example/2019-13-01-a-post").unwrap()),
            None
        );
        // Posts dated so, all after the article: a river.
        let doc = Document::from(page(
            r#"<div class="related-posts"><h3>Related posts</h3><ul>
            <li><a href="/2024-07-02-first-story-after-it/">First story after it</a></li>
            <li><a href="/2024-06-20-second-story-after-it/">Second story after it</a></li>
            <li><a href="/2024-06-01-third-story-after-it/">Third story after it</a></li></ul></div>"#,
        ));
        let dated = Url::parse("https://news.example.org/2024-05-02-the-story-we-read/").unwrap();
        assert!(take_related_blocks(&doc, &dated, &[]).is_empty());
    }

    #[test]
    fn the_page_s_own_section_front_is_never_a_related_link() {
        let (links, _) = take(&page(
            r#"<section><h3>Related stories</h3><ul>
            <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/03/second-story-about-it">Second story about it</a></li>
            <li><a href="/world/">View all stories in our world section</a></li></ul></section>"#,
        ));
        assert_eq!(
            urls(&links),
            [
                "https://news.example.org/world/2024/04/first-story-about-it",
                "https://news.example.org/world/2024/03/second-story-about-it"
            ]
        );
        let base = base();
        let section = |u: &str| is_section_of(&Url::parse(u).unwrap(), &base);
        assert!(section("https://news.example.org/world"));
        assert!(section("https://news.example.org/world/2024/"));
        assert!(!section(
            "https://news.example.org/world/2024/05/the-story-we-read.html"
        ));
        assert!(!section("https://news.example.org/wor"));
        assert!(!section("https://news.example.org/world?page=2"));
        assert!(!section("https://other.example.org/world"));
        assert!(!section("https://news.example.org/sport"));
        // The page itself behind path parameters: a skip link, a print view.
        let page_url = Url::parse("https://news.example.org/a/story.html;art12,345").unwrap();
        for href in [
            "/a/story.html;art12,345;jsessionid=AB12",
            "/a/story.html;art12,345,PRINT",
        ] {
            assert!(link_target(href, &page_url).is_none(), "{href}");
        }
        assert!(link_target("/a/story.html;art12,346", &page_url).is_some());
    }

    #[test]
    fn an_ad_slot_s_script_is_no_lead_in() {
        let (links, _) = take(&body_with(
            "entry-content",
            &format!(
                "<div><script>googletag.cmd.push(function() {{ googletag.display('ad-slot-one'); }});</script></div><div>{TWO_ITEMS}</div>"
            ),
        ));
        assert!(
            links.iter().all(|l| !l.label.contains("googletag")),
            "{links:?}"
        );
        let doc = Document::from("<div>Read <script>x()</script>on</div>");
        let div = doc.select("div").nodes()[0];
        assert_eq!(collapse_whitespace(&bounded_text(&div, 20)), "Read on");
    }

    /// Prose long enough to count as a paragraph of the body.
    const PROSE: &str = "This paragraph of the story goes on long enough to be read as prose, \
        with sentences and commas, and nothing in it is a link to anywhere else at all.";

    #[test]
    fn a_colon_lead_in_announces_the_link_paragraphs_after_it() {
        let html = page(&format!(
            r#"<article><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p>
            <p><strong>Weiterführende Links:</strong></p>
            <p><a href="https://other.example.com/">Zur Website des Verbands</a></p>
            <p><a href="https://news.example.org/world/2023/01/an-older-piece-on-it">An older piece on it</a></p>
            </article>"#
        ));
        let (links, rest) = take(&html);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://other.example.com/",
                "https://news.example.org/world/2023/01/an-older-piece-on-it"
            ]
        );
        assert_eq!(links[0].label, "Weiterführende Links");
        assert!(!rest.contains("Weiterführende"), "{rest}");
        // Without the colon the paragraphs are the text's own, and so are they when the story
        // goes on after them (an example the text quotes).
        let (links, _) = take(&html.replace(
            "An older piece on it</a></p>",
            &format!("An older piece on it</a></p><p>{PROSE}</p>"),
        ));
        assert!(
            links.iter().all(|l| l.url != "https://other.example.com/"),
            "{links:?}"
        );
        let (links, _) = take(&html.replace("Links:", "Links"));
        assert!(
            links.iter().all(|l| l.url != "https://other.example.com/"),
            "{links:?}"
        );
    }

    #[test]
    fn a_heading_row_button_is_climbed_past_and_hidden_card_text_ignored() {
        let body = "word ".repeat(400);
        let html = page(&format!(
            r#"<section><div class="top"><h2>Related articles</h2><a href="/world/">View all</a></div>
            <div class="cards">
              <a href="/world/2021/02/first-older-story-on-it"><h3>First older story on it</h3></a>
              <div class="hide">{body}</div>
              <a href="/world/2020/07/second-older-story-on-it"><h3>Second older story on it</h3></a>
            </div></section>"#
        ));
        let (links, _) = take(&html);
        assert_eq!(links.len(), 2, "{links:?}");
        assert!(links.iter().all(|l| !l.url.ends_with("/world/")));
        // The same text, visible, makes the block prose.
        let (links, _) = take(&html.replace("class=\"hide\"", "class=\"full\""));
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn cards_with_their_links_in_a_header_are_collected() {
        let html = page(
            r#"<aside class="widget"><h3>Related posts</h3><div>
              <article><header><h4><a href="/world/2019/03/a-card-in-a-header-one">A card in a header one</a></h4></header></article>
              <article><header><h4><a href="/world/2018/03/a-card-in-a-header-two">A card in a header two</a></h4></header></article>
            </div></aside>"#,
        )
        .replace("<main><article>", "<main><article><div class=\"entry-content\">")
        .replace("</article>\n", "</div></article>\n");
        let (links, _) = take(&html);
        assert_eq!(links.len(), 2, "{links:?}");
    }

    #[test]
    fn a_wrapper_holding_the_title_is_not_furniture_by_its_state_classes() {
        let html = page(
            r#"<h2>Related posts</h2><ul>
            <li><a href="/world/2019/03/an-older-story-on-this">An older story on this</a></li>
            <li><a href="/world/2018/03/another-older-story-here">Another older story here</a></li></ul>"#,
        )
        .replace("<main>", "<div class=\"st_menu_under\"><main>")
        .replace("</main>", "</main></div>");
        assert_eq!(take(&html).0.len(), 2);
        // A real menu (no page title inside) stays furniture.
        let menu = page(
            r#"<div class="menu"><h2>Related posts</h2><ul>
            <li><a href="/world/2019/03/an-older-story-on-this">An older story on this</a></li>
            <li><a href="/world/2018/03/another-older-story-here">Another older story here</a></li></ul></div>"#,
        );
        assert!(take(&menu).0.is_empty());
    }

    #[test]
    fn many_posts_of_the_same_days_are_the_news_of_the_day() {
        let links = |days: &[u32]| -> Vec<RelatedLink> {
            days.iter()
                .enumerate()
                .map(|(i, d)| RelatedLink {
                    label: "Similar".into(),
                    title: format!("Story {i}"),
                    url: format!("https://x.example/2022/05/{d:02}/story-number-{i}/"),
                })
                .collect()
        };
        assert!(is_news_of_the_day(&links(&[6, 6, 6, 6, 6, 6, 6, 6, 5, 5])));
        assert!(!is_news_of_the_day(&links(&[6, 6, 6, 6, 6, 6])), "too few");
        assert!(!is_news_of_the_day(&links(&[6, 6, 6, 6, 6, 6, 6, 6, 5, 1])));
    }

    #[test]
    fn printed_dates_newest_first_within_days_make_a_stream() {
        assert_eq!(numeric_date("27.01.22"), numeric_date("27.01.2022"));
        assert!(numeric_date("27.01.22 Hund").is_some());
        assert_eq!(numeric_date("1.2"), None);
        assert_eq!(numeric_date("Version 3.2.1"), None);
        let cards = |dates: &[&str]| -> String {
            let items: String = dates
                .iter()
                .enumerate()
                .map(|(i, d)| format!("<div><span>{d}</span><a href=\"/p/story-{i}-on-it\">Story {i} on it</a></div>"))
                .collect();
            format!("<div>{items}</div>")
        };
        let doc = Document::from(cards(&["27.01.22", "27.01.22", "26.01.22", "25.01.22"]));
        let nodes: Vec<NodeRef<'_>> = doc.select("body > div").nodes().to_vec();
        assert!(is_recent_text_dated_stream(&nodes));
        for dates in [
            ["27.01.22", "27.01.22", "27.01.22", "27.01.22"],
            ["27.01.22", "26.01.22", "25.01.22", "12.03.19"],
            ["25.01.22", "26.01.22", "27.01.22", "27.01.22"],
        ] {
            let doc = Document::from(cards(&dates));
            let nodes: Vec<NodeRef<'_>> = doc.select("body > div").nodes().to_vec();
            assert!(!is_recent_text_dated_stream(&nodes), "{dates:?}");
        }
    }

    #[test]
    fn an_aside_set_into_the_story_is_a_reading_box() {
        let aside = r#"<aside class="box"><div>Weiterlesen</div><ul>
            <li><a href="/world/706309/experte-energiepreise-werden-steigen">Experte: Energiepreise werden steigen</a></li>
            <li><a href="/world/706278/standort-deutschland-zu-riskant">Standort Deutschland zu riskant?</a></li></ul></aside>"#;
        let html = page("").replace(
            "<p>Body text of the story, long enough.</p>",
            &format!("<p>{PROSE}</p>{aside}<p>{PROSE}</p>"),
        );
        assert_eq!(take(&html).0.len(), 2);
        // Without prose before it, it is a rail's box.
        let html = page("").replace(
            "<p>Body text of the story, long enough.</p>",
            &format!("{aside}<p>{PROSE}</p>"),
        );
        assert!(take(&html).0.is_empty());
    }

    #[test]
    fn an_article_card_between_paragraphs_is_a_story_card() {
        let card = r#"<article class="card"><a href="/world/2023/02/ten-things-about-the-schools"><img src="x.jpg"></a>
            <h2><a href="/world/2023/02/ten-things-about-the-schools">Ten things about the schools</a></h2></article>"#;
        let html = page("").replace(
            "<p>Body text of the story, long enough.</p>",
            &format!("<p>{PROSE}</p>{card}<p>{PROSE}</p>"),
        );
        let (links, _) = take(&html);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0].title, "Ten things about the schools");
    }

    #[test]
    fn a_heading_over_the_site_s_articles_right_after_the_prose_is_a_reading_list() {
        let list = r#"<h2>Additional resources</h2><ul>
            <li><a href="/world/2024/04/first-story-about-it">First story about it</a></li>
            <li><a href="/world/2024/04/second-story-about-it">Second story about it</a></li></ul>"#;
        // The body's prose, then the heading and its list closing it.
        let closing = |inside: &str| {
            format!(
                r#"<html><body><div class="entry-content">{}{inside}</div></body></html>"#,
                format!("<p>{PROSE}</p>").repeat(6)
            )
        };
        let (links, html) = take(&closing(list));
        assert_eq!(urls(&links).len(), 2, "{links:?}");
        assert_eq!(links[0].label, "Additional resources");
        assert!(!html.contains("Additional resources"), "{html}");
        // A colon ends the heading: the same.
        let colon = list.replace("Additional resources", "La rédaction vous conseille :");
        let (links, _) = take(&closing(&colon));
        assert_eq!(links.len(), 2, "{links:?}");
        assert_eq!(links[0].label, "La rédaction vous conseille");
        // One item on another site: not the editor's list of the site's articles.
        let elsewhere = list.replace(
            "/world/2024/04/second-story-about-it",
            "https://elsewhere.example.com/2024/04/second-story-about-it",
        );
        assert!(take(&closing(&elsewhere)).0.is_empty());
        // Prose after it: a widget's title between paragraphs, not the closing list.
        assert!(take(&body_with("entry-content", list)).0.is_empty());
        // After the story's own container, a section of its own: the site's box.
        let after_story = format!(
            r#"<html><body><article>{}</article>
            <section><div class="wrap">{list}</div></section></body></html>"#,
            format!("<p>{PROSE}</p>").repeat(6)
        );
        let (links, _) = take(&after_story);
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn a_block_s_own_header_holds_its_heading() {
        let block = format!(
            r#"<section class="teaserblock"><header><p class="sectionheading">Weiterführende Links</p></header>
            <div class="content">{TWO_ITEMS}</div></section>"#
        );
        let (links, html) = take(&page(&block));
        assert_eq!(urls(&links).len(), 2, "{links:?}");
        assert_eq!(links[0].label, "Weiterführende Links");
        assert!(!html.contains("Weiterführende"), "{html}");
        // A header with a link, a picture or a menu is the page's (or a card's): not walked.
        let doc = Document::from(
            r#"<html><body><header id="a"><p>Related</p></header><p>x</p>
            <header id="b"><a href="/">Home</a><p>Related</p></header><p>x</p>
            <header id="c"><img src="logo.png"><p>Related</p></header><p>x</p>
            <header id="d"><p>Related</p></header></body></html>"#,
        );
        let verdict = |id: &str| {
            let sel = format!("header#{id}");
            let nodes = doc.select(&sel).nodes().to_vec();
            is_block_header(&nodes[0])
        };
        assert!(verdict("a"));
        assert!(!verdict("b") && !verdict("c"));
        // Nothing after it: no block to head.
        assert!(!verdict("d"));
    }

    #[test]
    fn a_title_line_under_a_kicker_heading_belongs_to_the_block() {
        let block = r#"<div class="news-list"><h3>Related</h3><h2>Read further in the pursuit of knowledge</h2>
            <div class="flex">
            <div class="card"><h3><a href="/world/2024/04/first-story-about-it">First story about it</a></h3></div>
            <div class="card"><h3><a href="/world/2024/04/second-story-about-it">Second story about it</a></h3></div>
            </div></div>"#;
        let (links, html) = take(&page(block));
        assert_eq!(urls(&links).len(), 2, "{links:?}");
        assert_eq!(links[0].label, "Related");
        assert!(
            !html.contains("Read further"),
            "the title line leaves too: {html}"
        );
        // A title line with a river's words is another block.
        let river = block.replace("Read further in the pursuit of knowledge", "Latest news");
        assert!(take(&page(&river)).0.is_empty());
    }

    #[test]
    fn a_footer_named_for_the_article_is_walked_the_page_footer_is_not() {
        let block = format!(
            r#"<footer class="endofarticle"><div><aside id="more-on-the-subject">
            <span class="headline">Mehr zum Thema</span>{TWO_ITEMS}</aside></div></footer>"#
        );
        let (links, html) = take(&page(&block));
        assert_eq!(urls(&links).len(), 2, "{links:?}");
        // The page's own footer (`page` ends with one under "Related sites") stays.
        assert!(html.contains("Related sites"));
        let plain = block.replace(r#"class="endofarticle""#, r#"class="site-bottom""#);
        assert!(take(&page(&plain)).0.is_empty());
    }

    #[test]
    fn two_word_slugs_under_a_section_path_need_a_headline() {
        let url = Url::parse("https://graphite.com/guides/typescript-enums").unwrap();
        assert!(two_word_slug(&url));
        assert!(!two_word_slug(
            &Url::parse("https://graphite.com/typescript-enums").unwrap()
        ));
        assert!(!two_word_slug(
            &Url::parse("https://graphite.com/guides/enums").unwrap()
        ));
    }
}

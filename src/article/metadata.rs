//! Article metadata from a page: JSON-LD (`NewsArticle`, `Article`, `BlogPosting`…),
//! OpenGraph and `<meta>` tags, `<h1>`, `<html lang>`, the canonical link.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use dom_query::{Document, Matcher, NodeRef, Selection};

use super::elements::select_among;
use serde_json::Value;
use url::Url;

/// What the page says about its article, before the body is extracted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMetadata {
    /// The headline (JSON-LD `headline`, an `h1` that matches the page title, `og:title`, `h1`).
    pub title: Option<String>,
    /// The `<title>` cut before its site-name suffix: a weaker title, for a page with no
    /// headline.
    pub page_title: Option<String>,
    pub byline: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    pub lang: Option<String>,
    /// Absolute canonical URL, when the page gives one.
    pub canonical: Option<String>,
    pub lead_image: Option<String>,
    /// JSON-LD `articleBody`: the publisher's own plain text of the article.
    pub article_body: Option<String>,
    /// The page's own summary (`description`, `og:description`, `twitter:description`).
    pub description: Option<String>,
}

/// Schema.org types whose `headline`/`articleBody` describe the page's article.
const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "techarticle",
    "scholarlyarticle",
    "report",
    "liveblogposting",
    "socialmediaposting",
    "webpage",
];

#[derive(Default)]
struct JsonLdArticle {
    headline: Option<String>,
    author: Option<String>,
    published: Option<String>,
    body: Option<String>,
    image: Option<String>,
    lang: Option<String>,
    /// The type rank: 0 for a real article type, 1 for `WebPage` (weaker evidence).
    rank: u8,
}

/// Read the page's metadata. `page_url` resolves relative URLs.
pub fn read_metadata(doc: &Document, page_url: &Url) -> PageMetadata {
    let named = NamedElements::of(doc);
    let ld = read_json_ld(named.matching(&named.script, "script[type=\"application/ld+json\"]"));
    // Every <meta> once: name/property/itemprop (lowercased) → first non-empty content.
    let mut metas: HashMap<String, String> = HashMap::new();
    if let Some(sel) = named.matching(&named.meta, "meta[content]") {
        for node in sel.nodes() {
            let Some(content) = node.attr("content") else {
                continue;
            };
            for attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(key) = node.attr(attr) {
                    let value = clean(&content);
                    if !value.is_empty() {
                        metas
                            .entry(key.trim().to_ascii_lowercase())
                            .or_insert(value);
                    }
                }
            }
        }
    }
    let meta = |names: &[&str]| -> Option<String> {
        names
            .iter()
            .find_map(|name| metas.get(&name.to_ascii_lowercase()).cloned())
    };
    let og_title = meta(&["og:title", "twitter:title"]);
    let page_title = named
        .matching(&named.title, "title")
        .map(|s| clean(&s.text()))
        .filter(|t| !t.is_empty());
    let h1s: Vec<String> = named
        .matching(&named.h1, "h1")
        .map(|s| {
            s.nodes()
                .iter()
                .map(|n| clean(&n.text()))
                .filter(|t| !t.is_empty() && t.chars().count() <= 300)
                .collect()
        })
        .unwrap_or_default();
    let title = pick_title(
        ld.as_ref().and_then(|a| a.headline.clone()),
        &h1s,
        og_title,
        page_title.as_deref(),
    );
    let page_title = page_title.map(|t| strip_site_name(&t));

    // The author names, from the strongest source to the weakest; every one goes through
    // `clean_byline`, so a date or "Updated …" beside the name never becomes the byline.
    let byline = ld
        .as_ref()
        .and_then(|a| a.author.as_deref().and_then(clean_byline))
        .or_else(|| microdata_authors(doc))
        .or_else(|| rel_author(doc))
        .or_else(|| {
            meta(&["author", "article:author", "parsely-author", "dc.creator"])
                .as_deref()
                .and_then(clean_byline)
        })
        .or_else(|| by_line(doc));

    let published = ld
        .as_ref()
        .and_then(|a| a.published.as_deref().and_then(to_rfc3339))
        .or_else(|| {
            meta(&[
                "article:published_time",
                "datePublished",
                "og:published_time",
                "pubdate",
                "publish-date",
                "date",
                "dc.date",
                "dcterms.created",
                "sailthru.date",
            ])
            .as_deref()
            .and_then(to_rfc3339)
        })
        .or_else(|| time_element(doc));

    let lang = named
        .matching(&named.html, "html[lang]")
        .and_then(|s| s.attr("lang"))
        .map(|l| clean(&l))
        .filter(|l| !l.is_empty())
        .or_else(|| ld.as_ref().and_then(|a| a.lang.clone()))
        .or_else(|| {
            named
                .matching(&named.html, "html")
                .and_then(|s| s.attr("xml:lang"))
                .map(|l| clean(&l))
                .filter(|l| !l.is_empty())
        })
        .or_else(|| meta(&["og:locale", "content-language", "language", "dc.language"]))
        .map(|l| l.replace('_', "-"))
        .filter(|l| l.len() <= 35);

    let canonical = named
        .matching(&named.link, "link[rel=\"canonical\"]")
        .and_then(|s| s.attr("href"))
        .or_else(|| meta(&["og:url"]).map(Into::into))
        .and_then(|href| absolute_http(page_url, &href));

    let lead_image = meta(&[
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
    ])
    .or_else(|| ld.as_ref().and_then(|a| a.image.clone()))
    .and_then(|src| absolute_http(page_url, &src));

    let description = meta(&["description", "og:description", "twitter:description"]);
    PageMetadata {
        title,
        page_title,
        byline,
        published,
        lang,
        canonical,
        lead_image,
        article_body: ld.and_then(|a| a.body),
        description,
    }
}

/// The elements [`read_metadata`] always reads, by name, in document order: gathered in one
/// walk of the page (a selector for each walked the whole page once).
#[derive(Default)]
struct NamedElements<'a> {
    meta: Vec<NodeRef<'a>>,
    title: Vec<NodeRef<'a>>,
    h1: Vec<NodeRef<'a>>,
    html: Vec<NodeRef<'a>>,
    link: Vec<NodeRef<'a>>,
    script: Vec<NodeRef<'a>>,
}

impl<'a> NamedElements<'a> {
    fn of(doc: &'a Document) -> Self {
        let mut named = Self::default();
        for node in doc.root().descendants_it() {
            let Some(name) = node.qual_name_ref() else {
                continue;
            };
            let list = match name.local.as_ref() {
                "meta" => &mut named.meta,
                "title" => &mut named.title,
                "h1" => &mut named.h1,
                "html" => &mut named.html,
                "link" => &mut named.link,
                "script" => &mut named.script,
                _ => continue,
            };
            list.push(node);
        }
        named
    }

    /// What `doc.try_select(selector)` gives, for a selector that only matches elements of
    /// `candidates`' name: the same matcher, run on those elements alone.
    fn matching(&self, candidates: &[NodeRef<'a>], selector: &str) -> Option<Selection<'a>> {
        let matcher = Matcher::new(selector).ok()?;
        let nodes: Vec<NodeRef<'a>> = candidates
            .iter()
            .copied()
            .filter(|node| matcher.match_element(node))
            .collect();
        (!nodes.is_empty()).then(|| Selection::from(nodes))
    }
}

/// The headline: JSON-LD `headline` first (the publisher says it is the headline), then an
/// `h1` that the `<title>`/`og:title` contains (so not a logo), then `og:title`, then any
/// `h1`. None when the page has only a `<title>` (that is [`PageMetadata::page_title`]).
fn pick_title(
    ld_headline: Option<String>,
    h1s: &[String],
    og_title: Option<String>,
    page_title: Option<&str>,
) -> Option<String> {
    if let Some(h) = ld_headline.filter(|h| !h.is_empty()) {
        return Some(h);
    }
    let lower = |s: &str| s.to_lowercase();
    for h1 in h1s {
        let h = lower(h1);
        // The page title starts with the headline ("Headline | Site"); an h1 that is only
        // the site's name sits at its end instead.
        let in_title = |t: Option<&str>| t.is_some_and(|t| lower(t).starts_with(&h));
        if h.chars().count() >= 8 && (in_title(og_title.as_deref()) || in_title(page_title)) {
            return Some(h1.clone());
        }
    }
    if og_title.is_some() {
        return og_title;
    }
    h1s.first().cloned()
}

/// "Headline | Site" → "Headline" (the longest part around a separator).
fn strip_site_name(title: &str) -> String {
    for sep in [" | ", " - ", " — ", " – ", " :: ", " · "] {
        if title.contains(sep)
            && let Some(best) = title.split(sep).max_by_key(|p| p.chars().count())
        {
            return best.trim().to_string();
        }
    }
    title.to_string()
}

/// Whitespace folded, entities already decoded by the parser, controls removed.
fn clean(s: &str) -> String {
    crate::text::sanitize_line(s)
}

fn absolute_http(base: &Url, href: &str) -> Option<String> {
    crate::url_safety::join_web_url(base, href).map(String::from)
}

/// Words that open a byline ("By Ada", "Par Ada", "Von Ada"…), folded.
const BY_WORDS: &[&str] = &["by", "par", "von", "por", "door", "av", "af", "przez", "di"];

/// Words that say a part of a byline is a date, not a name ("Updated 3 May", "Mis à jour").
const DATE_WORDS: &[&str] = &[
    "updated",
    "update",
    "published",
    "posted",
    "modified",
    "mis a jour",
    "publie",
    "aktualisiert",
    "veroffentlicht",
    "actualizado",
    "publicado",
    "aggiornato",
    "pubblicato",
    "bijgewerkt",
    "gepubliceerd",
];

/// The author names in a byline text: the leading "By" goes, and so does every part that is a
/// date or a time ("3 May 2024", "Updated 10:42"), a link or a lone word after the names
/// (the agency in "By Ada Lovelace, Reuters"). None when no name is left.
pub(crate) fn clean_byline(raw: &str) -> Option<String> {
    let text = clean(raw);
    let mut rest = text.trim();
    let folded = super::phrases::fold(rest);
    let mut after_by_word = false;
    for word in BY_WORDS {
        if let Some(after) = folded.strip_prefix(word)
            && after.starts_with([' ', ':'])
        {
            // The folded prefix has as many characters as the original one.
            let cut = rest
                .char_indices()
                .nth(word.chars().count())
                .map_or(rest.len(), |(i, _)| i);
            rest = rest[cut..].trim_start_matches([' ', ':']).trim();
            after_by_word = true;
            break;
        }
    }
    let mut names: Vec<String> = Vec::new();
    for part in rest.split(['|', '·', '•', '—', '–', ',', ';', '\n']) {
        let part = part.trim().trim_end_matches(['.', ':']).trim();
        let folded = super::phrases::fold(part);
        let is_date = part.chars().any(|c| c.is_ascii_digit())
            || DATE_WORDS.iter().any(|w| folded.starts_with(w));
        if part.is_empty() || is_date || part.contains("://") || part.contains('@') {
            continue;
        }
        // "Ada Lovelace and Bob" is one part; a part of a dozen words is a sentence.
        if part.split_whitespace().count() > 8 || part.chars().count() > 80 {
            return None;
        }
        names.push(part.to_string());
    }
    // "By Ada Lovelace, Reuters": a one-word part after a full name is the agency or desk.
    if after_by_word
        && names.len() >= 2
        && names[0].split_whitespace().count() >= 2
        && names.last().is_some_and(|n| !n.contains(' '))
    {
        names.pop();
    }
    names.dedup();
    let byline = names.join(", ");
    (!byline.is_empty() && byline.chars().count() <= 160).then_some(byline)
}

/// Inside comments, reviews or quoted posts: an author there is not the article's.
fn in_foreign_item(node: &NodeRef<'_>) -> bool {
    node.ancestors_it(Some(12)).any(|a| {
        let says = |attr: &str, words: &[&str]| {
            a.attr(attr).is_some_and(|v| {
                let v = v.to_ascii_lowercase();
                words.iter().any(|w| v.contains(w))
            })
        };
        says("itemprop", &["comment", "review"])
            || says("itemtype", &["comment", "review"])
            || says("class", &["comment"])
            || says("id", &["comment"])
            || a.has_name("blockquote")
    })
}

/// Names marked with microdata: `itemprop="author"` (or `creator`), its nested
/// `itemprop="name"` when it is an item, else its own text or `content`.
fn microdata_authors(doc: &Document) -> Option<String> {
    // The matcher only on elements with an `itemprop` (the same elements, in the same order).
    let selection = select_among(
        doc,
        "[itemprop~=\"author\"], [itemprop~=\"creator\"]",
        &[],
        &["itemprop"],
    )?;
    let mut names: Vec<String> = Vec::new();
    for node in selection.nodes() {
        if in_foreign_item(node) {
            continue;
        }
        let name_node = node
            .descendants_it()
            .find(|d| d.is_element() && has_itemprop(d, "name"));
        let source = name_node.unwrap_or(*node);
        let raw = source
            .attr("content")
            .map(|c| c.to_string())
            .unwrap_or_else(|| source.text().to_string());
        if raw.chars().count() > 200 {
            continue;
        }
        if let Some(name) = clean_byline(&raw)
            && !names.contains(&name)
        {
            names.push(name);
        }
        if names.len() == 5 {
            break;
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

fn has_itemprop(node: &NodeRef<'_>, prop: &str) -> bool {
    node.attr("itemprop").is_some_and(|p| {
        p.split_whitespace()
            .any(|token| token.eq_ignore_ascii_case(prop))
    })
}

/// Links marked `rel="author"` (outside comments), by their text.
fn rel_author(doc: &Document) -> Option<String> {
    let selection = select_among(doc, "a[rel~=\"author\"]", &["a"], &[])?;
    let mut names: Vec<String> = Vec::new();
    for node in selection.nodes() {
        if in_foreign_item(node) {
            continue;
        }
        let text = node.text();
        if text.chars().count() > 120 {
            continue;
        }
        if let Some(name) = clean_byline(&text)
            && !names.contains(&name)
        {
            names.push(name);
        }
        if names.len() == 5 {
            break;
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// Whether a text starts with one of [`BY_WORDS`] (folded) and a space, a colon or nothing.
fn starts_with_by_word(text: &str) -> bool {
    let head = text.trim_start();
    // An ASCII first letter that opens no "by" word: no folding needed to say no.
    if let Some(&first) = head.as_bytes().first()
        && first.is_ascii()
        && !BY_WORDS
            .iter()
            .any(|w| w.as_bytes().first() == Some(&first.to_ascii_lowercase()))
    {
        return false;
    }
    let folded = super::phrases::fold(head.get(..head.len().min(12)).unwrap_or(head));
    BY_WORDS.iter().any(|w| {
        folded
            .strip_prefix(w)
            .is_some_and(|after| after.is_empty() || after.starts_with([' ', ':']))
    })
}

/// A short line of the page that starts with "By" (or its translation) and a capitalised
/// name: the byline of a page that marks it in no other way.
fn by_line(doc: &Document) -> Option<String> {
    let body = doc.body()?;
    let mut seen = 0usize;
    for node in body.descendants_it() {
        seen += 1;
        if seen > 20_000 {
            return None;
        }
        if !node.is_text() {
            continue;
        }
        // Read in place: most of a page's text nodes do not start with a "by" word.
        let starts_by = node
            .query(|n| match &n.data {
                dom_query::NodeData::Text { contents } => starts_with_by_word(contents),
                _ => false,
            })
            .unwrap_or(false);
        if !starts_by {
            continue;
        }
        let Some(parent) = node.parent().filter(|p| p.is_element()) else {
            continue;
        };
        if in_foreign_item(&parent)
            || parent
                .ancestors_it(Some(12))
                .any(|a| a.has_name("nav") || a.has_name("footer") || a.has_name("aside"))
        {
            continue;
        }
        // "<span>By</span> <a>Ada</a>": the line is the label's parent.
        let parent = if parent.text().trim().chars().count() <= 4 {
            match parent.parent().filter(|p| p.is_element()) {
                Some(grand) => grand,
                None => continue,
            }
        } else {
            parent
        };
        let line = parent.text();
        if line.chars().count() > 150 {
            continue;
        }
        // "By Ada", not "by the river": the name after the word is capitalised.
        let after_by = line
            .split_whitespace()
            .nth(1)
            .and_then(|w| w.chars().next());
        if !after_by.is_some_and(char::is_uppercase) {
            continue;
        }
        if let Some(byline) = clean_byline(&line) {
            return Some(byline);
        }
    }
    None
}

/// The publication time shown on the page: `itemprop="datePublished"`, then a `time` marked
/// `pubdate`, then the first `time[datetime]` of the article, then of the page.
fn time_element(doc: &Document) -> Option<String> {
    // Each selector's matcher only on the elements of its name or attribute.
    let first = |selector: &str, among: (&[&str], &[&str]), attrs: &[&str]| -> Option<String> {
        select_among(doc, selector, among.0, among.1)?
            .nodes()
            .iter()
            .find_map(|n| {
                attrs
                    .iter()
                    .find_map(|a| n.attr(a))
                    .and_then(|d| to_rfc3339(&d))
            })
    };
    let time: (&[&str], &[&str]) = (&["time"], &[]);
    first(
        "[itemprop~=\"datePublished\"]",
        (&[], &["itemprop"]),
        &["datetime", "content"],
    )
    .or_else(|| first("time[pubdate][datetime]", time, &["datetime"]))
    .or_else(|| first("article time[datetime]", time, &["datetime"]))
    .or_else(|| first("time[datetime]", time, &["datetime"]))
}

/// A date in any of the shapes pages use, as RFC 3339 (UTC when the page gives no offset).
pub fn to_rfc3339(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.to_rfc3339());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.to_rfc3339());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.to_rfc3339());
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d).to_rfc3339());
        }
    }
    let date_part = s.get(..10).unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, fmt) {
            let dt = d.and_hms_opt(0, 0, 0)?;
            return Some(Utc.from_utc_datetime(&dt).to_rfc3339());
        }
    }
    None
}

/// The best article object among the page's JSON-LD blocks (`scripts`: the page's
/// `script[type="application/ld+json"]` elements).
fn read_json_ld(scripts: Option<Selection<'_>>) -> Option<JsonLdArticle> {
    let scripts = scripts?;
    let values: Vec<Value> = scripts
        .nodes()
        .iter()
        .filter_map(|node| {
            let raw = node.text();
            let raw = raw
                .trim()
                .trim_start_matches("<![CDATA[")
                .trim_end_matches("]]>")
                .trim();
            serde_json::from_str::<Value>(raw).ok()
        })
        .collect();
    // Names of every node with an `@id`: an author may be a reference to a Person node.
    let mut ids = HashMap::new();
    for value in &values {
        collect_named_ids(value, 0, &mut ids);
    }
    let mut best: Option<JsonLdArticle> = None;
    for value in &values {
        let mut found = Vec::new();
        collect_articles(value, &ids, 0, &mut found);
        for candidate in found {
            let better = match &best {
                None => true,
                Some(b) => {
                    candidate.rank < b.rank
                        || (candidate.rank == b.rank
                            && b.body.is_none()
                            && candidate.body.is_some())
                }
            };
            if better {
                best = Some(candidate);
            }
        }
    }
    best
}

fn collect_articles(
    value: &Value,
    ids: &HashMap<String, String>,
    depth: usize,
    out: &mut Vec<JsonLdArticle>,
) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect_articles(item, ids, depth + 1, out);
            }
        }
        Value::Object(map) => {
            if let Some(graph) = map.get("@graph") {
                collect_articles(graph, ids, depth + 1, out);
            }
            let types: Vec<String> = match map.get("@type") {
                Some(Value::String(t)) => vec![t.to_lowercase()],
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect(),
                _ => Vec::new(),
            };
            let rank = types
                .iter()
                .filter(|t| ARTICLE_TYPES.contains(&t.as_str()))
                .map(|t| u8::from(t == "webpage"))
                .min();
            if let Some(rank) = rank {
                let text = |key: &str| {
                    map.get(key)
                        .and_then(Value::as_str)
                        .map(clean)
                        .filter(|s| !s.is_empty())
                };
                let candidate = JsonLdArticle {
                    headline: text("headline")
                        .or_else(|| if rank == 0 { text("name") } else { None }),
                    author: map.get("author").and_then(|a| person_names(a, ids)),
                    published: text("datePublished").or_else(|| text("dateCreated")),
                    body: map
                        .get("articleBody")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .filter(|b| !b.trim().is_empty()),
                    image: map.get("image").and_then(image_url),
                    lang: text("inLanguage"),
                    rank,
                };
                out.push(candidate);
            }
            // Articles nested as `mainEntity` (e.g. inside a WebPage).
            if let Some(main) = map.get("mainEntity") {
                collect_articles(main, ids, depth + 1, out);
            }
        }
        _ => {}
    }
}

fn person_names(value: &Value, ids: &HashMap<String, String>) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    collect_person_names(value, ids, 0, &mut names);
    (!names.is_empty()).then(|| names.join(", "))
}

/// The names of `author` (a string, a Person or Organization, an array of them, or a
/// reference `{"@id": …}` to a node elsewhere in the page's JSON-LD).
fn collect_person_names(
    value: &Value,
    ids: &HashMap<String, String>,
    depth: usize,
    names: &mut Vec<String>,
) {
    if depth > 4 || names.len() >= 8 {
        return;
    }
    let name = match value {
        Value::String(s) => clean_byline(s),
        Value::Object(m) => match m.get("name") {
            Some(Value::String(n)) => clean_byline(n),
            Some(other @ Value::Array(_)) => {
                collect_person_names(other, ids, depth + 1, names);
                None
            }
            _ => m
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| ids.get(id))
                .and_then(|n| clean_byline(n)),
        },
        Value::Array(items) => {
            for item in items {
                collect_person_names(item, ids, depth + 1, names);
            }
            None
        }
        _ => None,
    };
    if let Some(name) = name
        && !name.starts_with("http")
        && !names.contains(&name)
    {
        names.push(name);
    }
}

fn collect_named_ids(value: &Value, depth: usize, ids: &mut HashMap<String, String>) {
    if depth > 6 || ids.len() > 200 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect_named_ids(item, depth + 1, ids);
            }
        }
        Value::Object(map) => {
            if let (Some(Value::String(id)), Some(Value::String(name))) =
                (map.get("@id"), map.get("name"))
            {
                ids.entry(id.clone()).or_insert_with(|| name.clone());
            }
            if let Some(graph) = map.get("@graph") {
                collect_named_ids(graph, depth + 1, ids);
            }
        }
        _ => {}
    }
}

fn image_url(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(m) => m.get("url").and_then(Value::as_str).map(str::to_string),
        Value::Array(items) => items.iter().find_map(image_url),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(html: &str) -> PageMetadata {
        let url = Url::parse("https://news.example/a/b.html").unwrap();
        read_metadata(&Document::from(html), &url)
    }

    #[test]
    fn json_ld_news_article_wins() {
        let m = meta_of(
            r#"<html lang="fr"><head><title>Titre long | Le Site</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Le Site"},
              {"@type":"NewsArticle","headline":"Le vrai titre","datePublished":"2024-03-01T10:00:00+01:00",
               "author":[{"@type":"Person","name":"Ada"},{"@type":"Person","name":"Bob"}],
               "articleBody":"Le corps.","image":{"url":"/img/a.jpg"}}]}</script>
            </head><body><h1>Autre</h1></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Le vrai titre"));
        assert_eq!(m.byline.as_deref(), Some("Ada, Bob"));
        assert_eq!(m.published.as_deref(), Some("2024-03-01T10:00:00+01:00"));
        assert_eq!(m.article_body.as_deref(), Some("Le corps."));
        assert_eq!(m.lang.as_deref(), Some("fr"));
        assert_eq!(
            m.lead_image.as_deref(),
            Some("https://news.example/img/a.jpg")
        );
    }

    #[test]
    fn og_title_preferred_over_title_with_site_name() {
        let m = meta_of(
            r#"<head><title>Big news today - Example Times</title>
            <meta property="og:title" content="Big news today">
            <meta property="article:published_time" content="2024-05-06">
            <link rel="canonical" href="/canon"></head><body><h1>Example Times</h1></body>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Big news today"));
        assert_eq!(m.published.as_deref(), Some("2024-05-06T00:00:00+00:00"));
        assert_eq!(m.canonical.as_deref(), Some("https://news.example/canon"));
    }

    #[test]
    fn h1_matching_the_title_beats_og_title_suffix() {
        let m = meta_of(
            r#"<head><title>A headline here | Site</title><meta property="og:title" content="A headline here | Site"></head>
            <body><h1>A headline here</h1></body>"#,
        );
        assert_eq!(m.title.as_deref(), Some("A headline here"));
    }

    #[test]
    fn title_tag_loses_its_site_name() {
        let m =
            meta_of("<head><title>Le titre de l'article | Mon Site</title></head><body></body>");
        assert_eq!(m.title, None, "a <title> is not a headline");
        assert_eq!(m.page_title.as_deref(), Some("Le titre de l'article"));
    }

    #[test]
    fn broken_json_ld_is_ignored() {
        let m = meta_of(
            r#"<head><script type="application/ld+json">{"@type": "NewsArticle", </script>
            <meta property="og:title" content="OG"></head>"#,
        );
        assert_eq!(m.title.as_deref(), Some("OG"));
    }

    #[test]
    fn byline_from_microdata_with_a_nested_name_and_no_time() {
        let m = meta_of(
            r#"<html><body><h1>Headline</h1><div class="byline">By
            <a itemprop="author" itemscope itemtype="https://schema.org/Person" href="/p/ada">
            <span itemprop="name">Ada Lovelace</span><span itemprop="jobTitle">Editor</span></a>,
            Reuters <time datetime="2026-11-30T15:45:00-05:00">Updated 3:45 PM EST</time></div>
            <div class="comments"><span itemprop="author">Troll</span></div></body></html>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ada Lovelace"));
        assert_eq!(m.published.as_deref(), Some("2026-11-30T15:45:00-05:00"));
    }

    #[test]
    fn byline_from_a_plain_microdata_link() {
        let m = meta_of(
            r#"<body><p>Par <a itemprop="author" href="/a/m">Maëlle Kerjean</a>, AFP,
            publié le <time datetime="2026-11-28T08:15:00+01:00">28/11/2026</time></p></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Maëlle Kerjean"));
    }

    #[test]
    fn byline_from_rel_author_links() {
        let m = meta_of(
            r#"<body><p class="meta"><a rel="author" href="/u/1">Ada Lovelace</a> and
            <a rel="author external" href="/u/2">Bob Smith</a> · 3 May 2024</p></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ada Lovelace, Bob Smith"));
    }

    #[test]
    fn byline_from_json_ld_author_in_every_shape() {
        let page = |author: &str| {
            format!(
                r#"<head><script type="application/ld+json">{{"@context":"https://schema.org",
                "@graph":[{{"@type":"Person","@id":"https://x.example/#ada","name":"Ada Lovelace"}},
                {{"@type":"NewsArticle","headline":"H","author":{author}}}]}}</script></head>
                <body><span class="date">Updated 3 May 2024</span></body>"#
            )
        };
        for (author, expected) in [
            (r#""Ada Lovelace""#, "Ada Lovelace"),
            (
                r#"{"@type":"Person","name":"Ada Lovelace"}"#,
                "Ada Lovelace",
            ),
            (
                r#"[{"@type":"Person","name":"Ada Lovelace"},{"name":"Bob Smith"}]"#,
                "Ada Lovelace, Bob Smith",
            ),
            (r#"{"@id":"https://x.example/#ada"}"#, "Ada Lovelace"),
            (r#""By Ada Lovelace""#, "Ada Lovelace"),
        ] {
            let m = meta_of(&page(author));
            assert_eq!(m.byline.as_deref(), Some(expected), "{author}");
        }
    }

    #[test]
    fn byline_from_meta_author() {
        let m = meta_of(
            r#"<head><meta name="author" content="Ada Lovelace"></head><body><p>Text.</p></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ada Lovelace"));
    }

    #[test]
    fn byline_from_a_by_line() {
        let m = meta_of(
            r#"<body><h1>Headline</h1><div class="top"><span>By</span>
            <strong>Ada Lovelace</strong> | <span>Updated March 3, 2024 10:42</span></div>
            <p>The text starts here, and by the river it goes on.</p></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ada Lovelace"));
        let m = meta_of(r#"<body><p>Von Erika Mustermann, dpa</p><p>Text.</p></body>"#);
        assert_eq!(m.byline.as_deref(), Some("Erika Mustermann"));
        // "by the river": not a name.
        let m = meta_of(r#"<body><p>by the river we walked.</p></body>"#);
        assert_eq!(m.byline, None);
    }

    #[test]
    fn a_byline_is_never_a_date() {
        for raw in [
            "Updated 3:45 PM EST, Mon November 30, 2026",
            "Publié le 28 novembre 2026 à 8 h 15",
            "2026-11-30",
            "Mis à jour",
        ] {
            assert_eq!(clean_byline(raw), None, "{raw}");
        }
        assert_eq!(
            clean_byline("Ada Lovelace | Updated 3 May 2024").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(
            clean_byline("By Ada Lovelace and Bob Smith, Reuters").as_deref(),
            Some("Ada Lovelace and Bob Smith")
        );
        let m = meta_of(r#"<head><meta name="author" content="Updated 3 May 2024"></head>"#);
        assert_eq!(m.byline, None);
    }

    #[test]
    fn published_from_each_source() {
        let ld = meta_of(
            r#"<head><script type="application/ld+json">{"@type":"Article","headline":"H",
            "datePublished":"2024-03-01T10:00:00+01:00"}</script>
            <meta property="article:published_time" content="2020-01-01"></head>"#,
        );
        assert_eq!(ld.published.as_deref(), Some("2024-03-01T10:00:00+01:00"));
        let og = meta_of(
            r#"<head><meta property="article:published_time" content="2024-03-02T09:00:00Z">
            </head><body><time datetime="2020-01-01">old</time></body>"#,
        );
        assert_eq!(og.published.as_deref(), Some("2024-03-02T09:00:00+00:00"));
        let itemprop = meta_of(
            r#"<body><aside><time datetime="2020-01-01">sidebar</time></aside>
            <span itemprop="datePublished" content="2024-03-03T08:00:00+02:00">3 March</span>
            </body>"#,
        );
        assert_eq!(
            itemprop.published.as_deref(),
            Some("2024-03-03T08:00:00+02:00")
        );
        let in_article = meta_of(
            r#"<body><div class="latest"><time datetime="2020-01-01">old</time></div>
            <article><h1>H</h1><time datetime="2024-03-04T07:00:00Z">4 March</time></article>
            </body>"#,
        );
        assert_eq!(
            in_article.published.as_deref(),
            Some("2024-03-04T07:00:00+00:00")
        );
        let any = meta_of(r#"<body><time datetime="2024-03-05">5 March</time></body>"#);
        assert_eq!(any.published.as_deref(), Some("2024-03-05T00:00:00+00:00"));
    }

    #[test]
    fn lang_from_the_page() {
        assert_eq!(
            meta_of(r#"<html lang="de"><body></body></html>"#)
                .lang
                .as_deref(),
            Some("de")
        );
        assert_eq!(
            meta_of(r#"<head><meta http-equiv="content-language" content="es"></head>"#)
                .lang
                .as_deref(),
            Some("es")
        );
        assert_eq!(
            meta_of(r#"<head><meta property="og:locale" content="pt_BR"></head>"#)
                .lang
                .as_deref(),
            Some("pt-BR")
        );
    }

    #[test]
    fn dates_in_several_shapes() {
        assert_eq!(
            to_rfc3339("2024-01-02T03:04:05Z").as_deref(),
            Some("2024-01-02T03:04:05+00:00")
        );
        assert_eq!(
            to_rfc3339("2024-01-02 03:04:05").as_deref(),
            Some("2024-01-02T03:04:05+00:00")
        );
        assert_eq!(
            to_rfc3339("Tue, 02 Jan 2024 03:04:05 +0100").as_deref(),
            Some("2024-01-02T03:04:05+01:00")
        );
        assert_eq!(to_rfc3339("yesterday"), None);
    }
}

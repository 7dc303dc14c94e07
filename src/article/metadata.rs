//! Article metadata from a page: JSON-LD (`NewsArticle`, `Article`, `BlogPosting`…),
//! OpenGraph and `<meta>` tags, `<h1>`, `<html lang>`, the canonical link.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use dom_query::Document;
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
    let ld = read_json_ld(doc);
    // Every <meta> once: name/property/itemprop (lowercased) → first non-empty content.
    let mut metas: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    if let Some(sel) = doc.try_select("meta[content]") {
        for node in sel.nodes() {
            let Some(content) = node.attr("content") else {
                continue;
            };
            for attr in ["property", "name", "itemprop"] {
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
    let page_title = doc
        .try_select("title")
        .map(|s| clean(&s.text()))
        .filter(|t| !t.is_empty());
    let h1s: Vec<String> = doc
        .try_select("h1")
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

    let byline = ld
        .as_ref()
        .and_then(|a| a.author.clone())
        .or_else(|| meta(&["author", "article:author", "parsely-author", "dc.creator"]))
        .filter(|a| !a.starts_with("http"));

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
        .or_else(|| {
            doc.try_select("time[datetime]").and_then(|s| {
                s.nodes()
                    .first()
                    .and_then(|n| n.attr("datetime"))
                    .and_then(|d| to_rfc3339(&d))
            })
        });

    let lang = doc
        .try_select("html[lang]")
        .and_then(|s| s.attr("lang"))
        .map(|l| clean(&l))
        .filter(|l| !l.is_empty())
        .or_else(|| ld.as_ref().and_then(|a| a.lang.clone()))
        .or_else(|| {
            meta(&["og:locale", "content-language", "language"]).map(|l| l.replace('_', "-"))
        })
        .filter(|l| l.len() <= 35);

    let canonical = doc
        .try_select("link[rel=\"canonical\"]")
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

    PageMetadata {
        title,
        page_title,
        byline,
        published,
        lang,
        canonical,
        lead_image,
        article_body: ld.and_then(|a| a.body),
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

/// The best article object among the page's JSON-LD blocks.
fn read_json_ld(doc: &Document) -> Option<JsonLdArticle> {
    let scripts = doc.try_select("script[type=\"application/ld+json\"]")?;
    let mut best: Option<JsonLdArticle> = None;
    for node in scripts.nodes() {
        let raw = node.text();
        let raw = raw
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .trim();
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        let mut found = Vec::new();
        collect_articles(&value, 0, &mut found);
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

fn collect_articles(value: &Value, depth: usize, out: &mut Vec<JsonLdArticle>) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect_articles(item, depth + 1, out);
            }
        }
        Value::Object(map) => {
            if let Some(graph) = map.get("@graph") {
                collect_articles(graph, depth + 1, out);
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
                    author: map.get("author").and_then(person_names),
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
                collect_articles(main, depth + 1, out);
            }
        }
        _ => {}
    }
}

fn person_names(value: &Value) -> Option<String> {
    let names: Vec<String> = match value {
        Value::String(s) => vec![clean(s)],
        Value::Object(m) => m
            .get("name")
            .and_then(Value::as_str)
            .map(clean)
            .into_iter()
            .collect(),
        Value::Array(items) => items.iter().filter_map(person_names).collect(),
        _ => Vec::new(),
    };
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !n.is_empty() && !n.starts_with("http"))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
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

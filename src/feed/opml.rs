//! OPML subscription lists: import (streaming quick-xml parse, bounded depth, http(s) feeds
//! only, folders and `category` become tags) and export (OPML 2.0 that imports back the same).
//!
//! The `opml` crate is not used: it recurses per nesting level and overflows the stack on an
//! outline nested ~2,000 deep, aborting the process.

use crate::error::OpmlError;
use crate::model::Feed;
use quick_xml::events::{BytesStart, Event};

/// Deeper outlines than this make the file malformed (real lists nest 2 or 3 levels).
pub const MAX_DEPTH: usize = 64;

/// One subscription found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub tags: Vec<String>,
}

/// An outline whose `xmlUrl` was refused (not http(s): `exec:`, `|cmd`, `file:`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedOutline {
    pub url: String,
    pub reason: String,
}

/// What an OPML file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpmlDocument {
    pub feeds: Vec<OpmlFeed>,
    pub refused: Vec<RefusedOutline>,
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        if a.key.as_ref().eq_ignore_ascii_case(name) {
            let raw = a.value.to_string();
            // Unknown entities (HTML ones such as &nbsp;) are left as written, not fatal.
            let value = quick_xml::escape::unescape(&raw)
                .map(|v| v.into_owned())
                .unwrap_or(raw);
            let clean = crate::text::sanitize_line(&value);
            (!clean.is_empty()).then_some(clean)
        } else {
            None
        }
    })
}

/// Parse an OPML document. Malformed XML, a missing `<opml>` root or excessive nesting are
/// errors (nothing is imported); refused outlines are reported, not fatal.
pub fn parse_opml(text: &str) -> Result<OpmlDocument, OpmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut doc = OpmlDocument::default();
    // The folder titles of the open outlines (None for outlines that are feeds themselves).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut saw_opml = false;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| OpmlError::Malformed {
            position,
            detail: crate::text::sanitize_line(&e.to_string()),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref().eq_ignore_ascii_case("opml") =>
            {
                saw_opml = true;
            }
            Event::Start(ref e) if e.local_name().as_ref().eq_ignore_ascii_case("outline") => {
                let folder = outline(e, &stack, &mut doc);
                stack.push(folder);
                if stack.len() > MAX_DEPTH {
                    return Err(OpmlError::TooDeep { limit: MAX_DEPTH });
                }
            }
            Event::Empty(ref e) if e.local_name().as_ref().eq_ignore_ascii_case("outline") => {
                outline(e, &stack, &mut doc);
            }
            Event::End(e) if e.local_name().as_ref().eq_ignore_ascii_case("outline") => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        return Err(OpmlError::NotOpml {
            detail: "no <opml> element".into(),
        });
    }
    Ok(doc)
}

/// Record one outline; returns its folder name when it is a folder (no `xmlUrl`).
fn outline(e: &BytesStart<'_>, stack: &[Option<String>], doc: &mut OpmlDocument) -> Option<String> {
    let title = attribute(e, "title").or_else(|| attribute(e, "text"));
    let Some(url) = attribute(e, "xmlUrl") else {
        return title;
    };
    match crate::fetch::parse_http_url(&url) {
        Ok(parsed) => {
            let mut tags: Vec<String> = stack.iter().flatten().cloned().collect();
            if let Some(categories) = attribute(e, "category") {
                for c in categories.split(',') {
                    let tag = c.trim().trim_start_matches('/').trim();
                    if !tag.is_empty() {
                        tags.push(tag.to_string());
                    }
                }
            }
            let mut seen = std::collections::HashSet::new();
            tags.retain(|t| seen.insert(t.clone()));
            doc.feeds.push(OpmlFeed {
                url: parsed.to_string(),
                title,
                site_url: attribute(e, "htmlUrl")
                    .and_then(|u| crate::fetch::parse_http_url(&u).ok())
                    .map(|u| u.to_string()),
                tags,
            });
        }
        Err(err) => doc.refused.push(RefusedOutline {
            url,
            reason: err.to_string(),
        }),
    }
    None
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// OPML 2.0 for `feeds`: grouped in folders by their first tag, every tag in `category`.
pub fn export_opml(feeds: &[Feed], now: chrono::DateTime<chrono::Utc>) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n");
    out.push_str("    <title>kiosque subscriptions</title>\n");
    out.push_str(&format!(
        "    <dateCreated>{}</dateCreated>\n",
        now.to_rfc2822()
    ));
    out.push_str("  </head>\n  <body>\n");
    let line = |f: &Feed, indent: &str| {
        let title = if f.title.is_empty() { &f.url } else { &f.title };
        let mut s = format!(
            "{indent}<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{u}\"",
            t = escape(title),
            u = escape(&f.url)
        );
        if let Some(site) = &f.site_url {
            s.push_str(&format!(" htmlUrl=\"{}\"", escape(site)));
        }
        if !f.tags.is_empty() {
            let cats: Vec<String> = f.tags.iter().map(|t| format!("/{t}")).collect();
            s.push_str(&format!(" category=\"{}\"", escape(&cats.join(","))));
        }
        s.push_str("/>\n");
        s
    };
    let mut folders: std::collections::BTreeMap<&str, Vec<&Feed>> = Default::default();
    for f in feeds {
        match f.tags.first() {
            Some(tag) => folders.entry(tag.as_str()).or_default().push(f),
            None => out.push_str(&line(f, "    ")),
        }
    }
    for (tag, members) in folders {
        out.push_str(&format!(
            "    <outline text=\"{t}\" title=\"{t}\">\n",
            t = escape(tag)
        ));
        for f in members {
            out.push_str(&line(f, "      "));
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FeedId;

    #[test]
    fn folders_become_tags_and_categories_add_more() {
        let doc = parse_opml(
            r#"<?xml version="1.0"?><opml version="2.0"><body>
            <outline text="Tech"><outline text="Linux">
              <outline text="LWN" xmlUrl="https://lwn.net/headlines/rss" category="/news,/oss"/>
            </outline></outline>
            <outline text="Top" xmlUrl="http://example.org/feed"/>
            </body></opml>"#,
        )
        .unwrap();
        assert_eq!(doc.feeds.len(), 2);
        assert_eq!(doc.feeds[0].tags, vec!["Tech", "Linux", "news", "oss"]);
        assert_eq!(doc.feeds[0].title.as_deref(), Some("LWN"));
        assert!(doc.feeds[1].tags.is_empty());
    }

    #[test]
    fn command_and_file_urls_are_refused() {
        let doc = parse_opml(
            r#"<opml><body>
            <outline text="a" xmlUrl="|~/script"/>
            <outline text="b" xmlUrl="exec:rm -rf ~"/>
            <outline text="c" xmlUrl="file:///etc/passwd"/>
            <outline text="d" xmlUrl="https://ok.example/feed"/>
            </body></opml>"#,
        )
        .unwrap();
        assert_eq!(doc.feeds.len(), 1);
        assert_eq!(doc.refused.len(), 3);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut text = String::from("<opml><body>");
        for _ in 0..5000 {
            text.push_str("<outline text=\"x\">");
        }
        text.push_str("<outline xmlUrl=\"https://a.example/\"/>");
        for _ in 0..5000 {
            text.push_str("</outline>");
        }
        text.push_str("</body></opml>");
        assert_eq!(
            parse_opml(&text),
            Err(OpmlError::TooDeep { limit: MAX_DEPTH })
        );
    }

    #[test]
    fn malformed_and_non_opml_are_errors() {
        assert!(matches!(
            parse_opml("<opml><body><outline></body></opml>"),
            Err(OpmlError::Malformed { .. })
        ));
        assert!(matches!(
            parse_opml("<rss><channel/></rss>"),
            Err(OpmlError::NotOpml { .. })
        ));
    }

    #[test]
    fn export_then_import_gives_the_same_subscriptions() {
        let feed = |id, url: &str, title: &str, tags: &[&str]| Feed {
            id: FeedId(id),
            url: url.into(),
            title: title.into(),
            site_url: Some("https://site.example/".into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let feeds = vec![
            feed(
                1,
                "https://a.example/feed?x=1&y=2",
                "A & <B>",
                &["news", "fr"],
            ),
            feed(2, "https://b.example/rss", "B", &[]),
        ];
        let text = export_opml(&feeds, chrono::Utc::now());
        let doc = parse_opml(&text).unwrap();
        let mut got: Vec<_> = doc
            .feeds
            .iter()
            .map(|f| {
                (
                    f.url.clone(),
                    f.title.clone().unwrap_or_default(),
                    f.tags.clone(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    "https://a.example/feed?x=1&y=2".to_string(),
                    "A & <B>".to_string(),
                    vec!["news".to_string(), "fr".to_string()]
                ),
                ("https://b.example/rss".to_string(), "B".to_string(), vec![]),
            ]
        );
    }
}

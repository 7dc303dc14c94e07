//! Fuzz target: feed parsing and normalisation (RSS, Atom, RDF, JSON Feed, any charset). The
//! first byte picks the Content-Type so charset sniffing and the JSON path are reached too.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/rss+xml"),
    Some("application/atom+xml; charset=iso-8859-1"),
    Some("application/feed+json"),
    Some("text/xml; charset=utf-16"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let Ok(url) = url::Url::parse("http://127.0.0.1/feed.xml") else {
        return;
    };
    if let Ok(parsed) = kiosque::feed::parse_feed(body, content_type, &url) {
        for item in &parsed.items {
            assert!(!item.title.chars().any(char::is_control), "{:?}", item.title);
        }
    }
});

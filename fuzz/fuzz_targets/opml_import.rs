//! Fuzz target: OPML import keeps only http(s) feeds and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = kiosque::feed::opml::parse_opml(&text) {
        for feed in &doc.feeds {
            let url = feed.url.to_ascii_lowercase();
            assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
        }
    }
});

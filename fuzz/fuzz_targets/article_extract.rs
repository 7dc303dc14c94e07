//! Fuzz target: article extraction, the reading-pane view and the rich renderer on any page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = kiosque::charset::decode_html(data, None);
    let Ok(url) = url::Url::parse("http://127.0.0.1/a/page.html") else {
        return;
    };
    let width = data.first().map_or(80, |b| u16::from(*b % 120));
    if let Ok(article) = kiosque::article::extract::extract_article(&html, &url) {
        let view = article.view();
        assert!(!view.text.chars().any(|c| c.is_control() && c != '\n'));
        let rendered = kiosque::article::render::render_rich(&article.content_html, width);
        check_width(&rendered, width);
    }
    let rendered = kiosque::article::render::render_rich(&html, width);
    check_width(&rendered, width);
});

fn check_width(rendered: &kiosque::article::render::Rendered, width: u16) {
    if width == 0 {
        return;
    }
    for line in &rendered.lines {
        let text: String = line.iter().map(|s| s.text.as_str()).collect();
        assert!(kiosque::text::display_width(&text) <= usize::from(width), "{text:?}");
    }
}

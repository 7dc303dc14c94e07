//! Per-article and per-feed costs that used to be printed by tests as "figures": parsing
//! refresh-benchmark-shaped feeds, laying out a long article, and splitting related links out
//! of a normal article body. Timings belong here, where criterion measures them properly;
//! the tests keep only what they assert.
//!
//! Run: `cargo bench --bench parse_render`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosque::article::related::split_related;
use kiosque::article::render::render_rich;
use kiosque::feed::parse_feed;
use url::Url;

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

/// 100 feeds of 20–50 items with ~3 KB of HTML each, parsed and normalised.
fn parse_synthetic_feeds(c: &mut Criterion) {
    let feeds: Vec<String> = (0..100)
        .map(|n| synthetic::synthetic_feed(n, 20 + n % 31))
        .collect();
    let bytes: usize = feeds.iter().map(String::len).sum();
    let url = Url::parse("http://127.0.0.1:8080/feed.xml").unwrap();
    let mut group = c.benchmark_group("parse_feed");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("synthetic_100_feeds", |b| {
        b.iter(|| {
            for feed in &feeds {
                black_box(parse_feed(feed.as_bytes(), Some("application/rss+xml"), &url).unwrap());
            }
        })
    });
    group.finish();
}

/// `render_rich` on a 300-paragraph article at 80 columns.
fn render_long_article(c: &mut Criterion) {
    let paragraph = "<p>Le constructeur affirme avoir travaillé avec une vingtaine \
        d'<a href=\"https://x.example/e\">éditeurs</a> pour que leurs applications \
        soient <em>natives</em> dès le lancement.</p>";
    let html = format!("<h2>Titre</h2>{}", paragraph.repeat(300));
    c.bench_function("render_rich_300_paragraphs_80_cols", |b| {
        b.iter(|| black_box(render_rich(black_box(&html), 80)))
    });
}

/// `split_related` on the article body of the demo's French tech page (three related links).
fn split_related_article_body(c: &mut Criterion) {
    let html = kiosque::demo::demo_page("techfr/articles/puce-arm-2-nm-autonomie.html")
        .unwrap()
        .replace("{{BASE}}", "http://127.0.0.1:8642");
    let url =
        Url::parse("http://127.0.0.1:8642/techfr/articles/puce-arm-2-nm-autonomie.html").unwrap();
    let page = dom_query::Document::from(html.as_str());
    let body = page.select("div.entry-content").html().to_string();
    c.bench_function("split_related_demo_article_body", |b| {
        b.iter(|| black_box(split_related(black_box(&body), &url)))
    });
}

criterion_group!(
    benches,
    parse_synthetic_feeds,
    render_long_article,
    split_related_article_body
);
criterion_main!(benches);

//! Runs the reading pane's extraction pipeline over a corpus page list and writes one plain
//! text file per page, for `score.py`. Prints per-page timings to a TSV.
//!
//! Usage: extract_corpus PAGES_TSV CORPUS_DIR PRED_DIR TIMES_TSV
//! (PAGES_TSV from `score.py pages DATASET`: id, html path relative to CORPUS_DIR, url).

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use kiosque::article::extract::{ExtractOptions, extract_article_with};
use url::Url;

/// The extraction passes, with those `KX_OFF` names (pre,post,jsonld,baseline) turned off, to
/// measure what each is worth.
fn options_from_env() -> ExtractOptions {
    let off = std::env::var("KX_OFF").unwrap_or_default();
    ExtractOptions {
        pre_clean: !off.contains("pre"),
        post_clean: !off.contains("post"),
        json_ld_body: !off.contains("jsonld"),
        baseline: !off.contains("baseline"),
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    // `--hostile`: time the pipeline on hostile pages (deep nesting, 5 MB of text, binary).
    if args.get(1).is_some_and(|a| a == "--hostile") {
        let url = Url::parse("https://hostile.example/page")?;
        let deep = format!(
            "<html><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let huge_text = format!(
            "<html><body><p>{}</p></body></html>",
            "word ".repeat(1_300_000)
        );
        let many_paragraphs = format!(
            "<html><body>{}</body></html>",
            "<p>Some sentence of text that goes on for a while, long enough to count as the content of an article page.</p>".repeat(120_000)
        );
        let binary: String = (0..5_000_000u32)
            .map(|i| char::from_u32(i.wrapping_mul(2_654_435_761) % 256).unwrap_or('a'))
            .collect();
        let unclosed = "<div><span><b><i>".repeat(200_000);
        for (name, page) in [
            ("10,000-deep divs", deep),
            ("5 MB single paragraph", huge_text),
            ("120,000 paragraphs", many_paragraphs),
            ("5 MB binary", binary),
            ("800,000 unclosed tags", unclosed),
        ] {
            let start = Instant::now();
            let result = kiosque::article::extract::extract_article(&page, &url);
            let words = result
                .as_ref()
                .map(|a| a.view().text.split_whitespace().count())
                .unwrap_or(0);
            println!(
                "{name}: {:.1} ms, {} ({words} words)",
                start.elapsed().as_secs_f64() * 1000.0,
                match result {
                    Ok(_) => "ok".to_string(),
                    Err(e) => e.to_string(),
                }
            );
        }
        return Ok(());
    }
    // `--one PAGE.html.gz URL`: print the cleaned HTML and text of one page (for debugging).
    if let [_, flag, path, url] = args.as_slice()
        && flag == "--one"
    {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_end(&mut bytes)?;
        let html = kiosque::charset::decode_html(&bytes, None);
        let article = extract_article_with(&html, &Url::parse(url)?, options_from_env())?;
        println!("{}\n-----\n{}", article.content_html, article.view().text);
        return Ok(());
    }
    let [_, pages, corpus, pred_dir, times] = args.as_slice() else {
        anyhow::bail!("usage: extract_corpus PAGES_TSV CORPUS_DIR PRED_DIR TIMES_TSV");
    };
    std::fs::create_dir_all(pred_dir)?;
    let list = std::fs::read_to_string(pages)?;
    let mut timings = String::new();
    let mut errors = 0usize;
    let options = options_from_env();
    let dump_dir = std::env::var_os("KX_DUMP_DIR");
    if let Some(dir) = &dump_dir {
        std::fs::create_dir_all(dir)?;
    }
    for line in list.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(path), url) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let page_url = url
            .and_then(|u| Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .unwrap_or_else(|| Url::parse("http://fakehost/").expect("static URL"));
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(Path::new(corpus).join(path))?)
            .read_to_end(&mut bytes)?;
        // Timed like the pane: decode, extract, render to text.
        let start = Instant::now();
        let html = kiosque::charset::decode_html(&bytes, None);
        // KX_REFERENCE=1: dom_smoothie alone with its own text output (the reference row).
        let reference = std::env::var_os("KX_REFERENCE").is_some();
        let mut extracted = None;
        let text = if reference {
            let config = dom_smoothie::Config {
                text_mode: dom_smoothie::TextMode::Formatted,
                ..Default::default()
            };
            dom_smoothie::Readability::new(html.as_str(), Some(page_url.as_str()), Some(config))
                .ok()
                .and_then(|mut r| r.parse().ok())
                .map(|a| a.text_content.to_string())
                .unwrap_or_default()
        } else {
            let result = extract_article_with(&html, &page_url, options);
            let text = match &result {
                Ok(article) => article.view().text,
                Err(_) => {
                    errors += 1;
                    String::new()
                }
            };
            extracted = Some(result);
            text
        };
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        // KX_DUMP_DIR: the whole result (cleaned HTML, metadata, related links) as JSON per
        // page, after the timing, so two builds can be compared page by page.
        if let (Some(dir), Some(result)) = (&dump_dir, &extracted) {
            let json = match result {
                Ok(article) => serde_json::to_string_pretty(article)?,
                Err(e) => serde_json::to_string(&format!("error: {e}"))?,
            };
            std::fs::write(Path::new(dir).join(format!("{id}.json")), json)?;
        }
        timings.push_str(&format!("{id}\t{ms:.3}\n"));
        std::fs::write(Path::new(pred_dir).join(format!("{id}.txt")), text)?;
    }
    std::fs::write(times, timings)?;
    eprintln!("pages with no extraction (error or too little): {errors}");
    Ok(())
}

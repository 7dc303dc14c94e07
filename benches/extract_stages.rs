//! The extractor stage by stage on real pages (issue 12): the 104 corpus pages of the
//! related-links tuning set (`benches/related/labels.jsonl`, pages of 104 sites nobody here
//! wrote), each stage timed over all of them, so the next regression shows in its stage.
//!
//! Stages, in the order `extract_article` runs them: parse (markup bound + DOM), metadata,
//! related blocks taken from the page, clean (form boxes + class/id pre-clean), the block
//! classifier, the scorer, the related split and the post-clean of the chosen HTML, and the
//! layout of the result for an 80-column pane; then the whole extraction for comparison.
//! Each figure is for all pages: divide by 104 for a page.
//!
//! Run: `cargo bench --bench extract_stages` (needs `../shared/corpus/extraction`; without it
//! the bench says so and measures nothing).

use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dom_query::Document;
use kiosque::article::{
    block_classifier, boilerplate, extract::extract_article, metadata, prescan, related,
    render::render_rich,
};
use url::Url;

/// One page as the extractor gets it: decoded to UTF-8, with its URL.
struct Page {
    url: Url,
    html: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/extraction")
}

/// The pages of `benches/related/labels.jsonl`, read from the shared corpus.
fn pages() -> Result<Vec<Page>, String> {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/related/labels.jsonl");
    let list = std::fs::read_to_string(&list).map_err(|e| format!("{}: {e}", list.display()))?;
    let mut pages = Vec::new();
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let (Some(file), Some(url)) = (entry["file"].as_str(), entry["url"].as_str()) else {
            continue;
        };
        let path = corpus_dir().join(file);
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| flate2::read::GzDecoder::new(f).read_to_end(&mut bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let url = Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        let html = kiosque::charset::decode_html(&bytes, None);
        pages.push(Page { url, html });
    }
    Ok(pages)
}

fn parse(page: &Page) -> Document {
    Document::from(prescan::bound_markup(&page.html).as_ref())
}

/// A page parsed and cleaned as the scorer gets it.
fn cleaned(page: &Page) -> Document {
    let doc = parse(page);
    related::take_related(&doc, &page.url);
    boilerplate::remove_form_boxes(&doc);
    boilerplate::pre_clean(&doc);
    doc
}

/// The scorer's HTML for a page (empty when it finds nothing).
fn score(doc: Document, url: &Url) -> String {
    let config = dom_smoothie::Config {
        disable_json_ld: true,
        ..Default::default()
    };
    dom_smoothie::Readability::with_document(doc, Some(url.as_str()), Some(config))
        .ok()
        .and_then(|mut r| r.parse().ok())
        .map(|a| a.content.to_string())
        .unwrap_or_default()
}

fn stages(c: &mut Criterion) {
    let pages = match pages() {
        Ok(pages) if !pages.is_empty() => pages,
        Ok(_) => return eprintln!("extract_stages: no pages listed; nothing measured"),
        Err(e) => {
            return eprintln!(
                "extract_stages: the shared corpus is not readable ({e}); nothing measured"
            );
        }
    };
    let parsed = || pages.iter().map(parse).collect::<Vec<_>>();
    let scored: Vec<String> = pages.iter().map(|p| score(cleaned(p), &p.url)).collect();
    let extracted: Vec<String> = pages
        .iter()
        .filter_map(|p| extract_article(&p.html, &p.url).ok())
        .map(|a| a.content_html)
        .collect();

    let mut group = c.benchmark_group(format!("extract_stages_{}_pages", pages.len()));
    group.sample_size(10);
    group.bench_function("1_parse", |b| {
        b.iter(|| pages.iter().map(parse).map(black_box).count())
    });
    group.bench_function("2_metadata", |b| {
        b.iter_batched(
            parsed,
            |docs| {
                for (doc, page) in docs.iter().zip(&pages) {
                    black_box(metadata::read_metadata(doc, &page.url));
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("3_related_blocks", |b| {
        b.iter_batched(
            parsed,
            |docs| {
                for (doc, page) in docs.iter().zip(&pages) {
                    black_box(related::take_related(doc, &page.url));
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("4_clean", |b| {
        b.iter_batched(
            parsed,
            |docs| {
                for doc in &docs {
                    boilerplate::remove_form_boxes(doc);
                    boilerplate::pre_clean(doc);
                }
                docs
            },
            BatchSize::PerIteration,
        )
    });
    let cleaned_all = || pages.iter().map(cleaned).collect::<Vec<_>>();
    group.bench_function("5_block_classifier", |b| {
        b.iter_batched(
            cleaned_all,
            |docs| {
                for doc in &docs {
                    black_box(block_classifier::baseline(doc));
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("6_scorer", |b| {
        b.iter_batched(
            cleaned_all,
            |docs| {
                for (doc, page) in docs.into_iter().zip(&pages) {
                    black_box(score(doc, &page.url));
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("7_related_split", |b| {
        b.iter(|| {
            for (html, page) in scored.iter().zip(&pages) {
                black_box(related::split_related(html, &page.url));
            }
        })
    });
    group.bench_function("8_post_clean", |b| {
        b.iter(|| {
            for html in &scored {
                black_box(boilerplate::post_clean(html));
            }
        })
    });
    group.bench_function("9_render_80_cols", |b| {
        b.iter(|| {
            for html in &extracted {
                black_box(render_rich(html, 80));
            }
        })
    });
    group.bench_function("whole_extract_article", |b| {
        b.iter(|| {
            for page in &pages {
                let _ = black_box(extract_article(&page.html, &page.url));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

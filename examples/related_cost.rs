//! What related-link detection costs per page, on the labelled pages of benches/related:
//! median, 90th percentile and maximum time of `related::take_related` (label-led lines inside
//! the article container plus the structural blocks of `related_blocks`) and of
//! `related_blocks::take_related_blocks` alone, each on a freshly parsed page (parsing is not
//! timed). Run through `benches/related_cost.sh` (release build).
//!
//! Usage: related_cost LABELS_JSONL CORPUS_DIR [ROUNDS]

use std::io::Read;
use std::time::{Duration, Instant};

use dom_query::Document;
use kiosque::article::{related, related_blocks};
use url::Url;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(labels), Some(corpus)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: related_cost LABELS_JSONL CORPUS_DIR [ROUNDS]");
    };
    let rounds: usize = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(5);
    let mut whole = Vec::new();
    let mut blocks = Vec::new();
    for line in std::fs::read_to_string(labels)?.lines() {
        let rec: serde_json::Value = serde_json::from_str(line)?;
        let (Some(file), Some(url)) = (rec["file"].as_str(), rec["url"].as_str()) else {
            continue;
        };
        let path = std::path::Path::new(corpus).join(file);
        let mut html = String::new();
        let raw = std::fs::read(&path)?;
        if file.ends_with(".gz") {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut bytes)?;
            html = String::from_utf8_lossy(&bytes).into_owned();
        } else {
            html.push_str(&String::from_utf8_lossy(&raw));
        }
        let url = Url::parse(url)?;
        // Best of several rounds: the machine is shared.
        let mut best_whole = Duration::MAX;
        let mut best_blocks = Duration::MAX;
        for _ in 0..rounds {
            let doc = Document::from(html.as_str());
            let t = Instant::now();
            std::hint::black_box(related::take_related(&doc, &url));
            best_whole = best_whole.min(t.elapsed());
            let doc = Document::from(html.as_str());
            let t = Instant::now();
            std::hint::black_box(related_blocks::take_related_blocks(&doc, &url, &[]));
            best_blocks = best_blocks.min(t.elapsed());
        }
        whole.push(best_whole);
        blocks.push(best_blocks);
    }
    for (name, mut times) in [
        ("take_related (lines + blocks)", whole),
        ("take_related_blocks alone", blocks),
    ] {
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{name}: {} pages, median {:.3} ms, p90 {:.3} ms, max {:.3} ms",
            times.len(),
            at(0.5).as_secs_f64() * 1e3,
            at(0.9).as_secs_f64() * 1e3,
            at(1.0).as_secs_f64() * 1e3
        );
    }
    Ok(())
}

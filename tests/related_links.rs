//! Related links on whole article pages: every fixture in `tests/fixtures/articles/` (and the
//! shared corpus fixture when present) through the full pipeline (`extract_article` →
//! `view()`), and through the related module alone, with related-link recall and precision
//! over all fixtures printed and held to at least 0.9. Plus `split_related` on article-body
//! snippets in every language and label form, and negatives.
//!
//! Run: `cargo test --test related_links -- --nocapture` (prints the figures).

mod common;

use kiosque::article::extract::extract_article;
use kiosque::article::related::{split_related, take_related};
use kiosque::model::RelatedLink;
use serde_json::Value;
use std::path::{Path, PathBuf};
use url::Url;

/// What `{{BASE}}` (the demo server's base URL) stands for in fixtures copied from the demo.
const DEMO_BASE: &str = "http://127.0.0.1:8642";
const MIN_RECALL: f64 = 0.9;
const MIN_PRECISION: f64 = 0.9;

struct Fixture {
    name: String,
    html: String,
    url: Url,
    expected: Value,
}

impl Fixture {
    fn strings(&self, key: &str) -> Vec<String> {
        self.expected[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Related links then source/via credits, as the contract lists both under `related`.
    fn expected_links(&self) -> Vec<RelatedLink> {
        ["related_links", "source_links"]
            .iter()
            .flat_map(|key| self.expected[*key].as_array().cloned().unwrap_or_default())
            .map(|v| serde_json::from_value(v).unwrap())
            .collect()
    }
}

/// A fixture: `NAME.expected.json` with `NAME.html` beside it, or, for pages of the demo
/// site, the demo page its `url` names (`{{BASE}}/site/articles/x.html` → the page the demo
/// serves from `assets/demo/site/articles/x.html`), so demo pages are not kept twice.
fn load(html_path: &Path) -> Option<Fixture> {
    let json_path = html_path.with_extension("expected.json");
    let raw_json = std::fs::read_to_string(&json_path).ok()?;
    let raw_html = std::fs::read_to_string(html_path).ok().or_else(|| {
        let raw: Value = serde_json::from_str(&raw_json).ok()?;
        kiosque::demo::demo_page(raw["url"].as_str()?.strip_prefix("{{BASE}}/")?)
    })?;
    let html = raw_html.replace("{{BASE}}", DEMO_BASE);
    let json = raw_json.replace("{{BASE}}", DEMO_BASE);
    let expected: Value = serde_json::from_str(&json).unwrap();
    let url = Url::parse(expected["url"].as_str().unwrap()).unwrap();
    Some(Fixture {
        name: html_path.file_stem()?.to_string_lossy().to_string(),
        html,
        url,
        expected,
    })
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.strip_suffix(".expected.json")?;
            Some(dir.join(format!("{name}.html")))
        })
        .collect();
    paths.sort();
    let mut out: Vec<Fixture> = paths.iter().filter_map(|p| load(p)).collect();
    if let Some(shared) = common::shared_corpus("corpus/extraction/fixtures/fr-tech-article.html") {
        out.push(load(&shared).expect("the shared fixture and its .expected.json"));
    }
    assert!(
        out.len() >= 6,
        "expected at least 6 fixtures in {}",
        dir.display()
    );
    out
}

/// Same link: same URL, same label (credits compared without case: "Via" = "via"), same title.
fn same(a: &RelatedLink, b: &RelatedLink) -> bool {
    a.url == b.url && a.label.to_lowercase() == b.label.to_lowercase() && a.title == b.title
}

/// Counts for recall and precision: (expected found, expected, produced correct, produced).
#[derive(Default)]
struct Score {
    found: usize,
    expected: usize,
    correct: usize,
    produced: usize,
}

impl Score {
    /// "recall R (found/expected), precision P (correct/produced)".
    fn summary(&self) -> String {
        format!(
            "recall {:.3} ({}/{}), precision {:.3} ({}/{})",
            self.recall(),
            self.found,
            self.expected,
            self.precision(),
            self.correct,
            self.produced
        )
    }

    fn add(&mut self, expected: &[RelatedLink], got: &[RelatedLink]) -> Vec<String> {
        let mut problems = Vec::new();
        for e in expected {
            if got.iter().any(|g| same(e, g)) {
                self.found += 1;
            } else {
                problems.push(format!("missed {e:?}"));
            }
        }
        for g in got {
            if expected.iter().any(|e| same(e, g)) {
                self.correct += 1;
            } else {
                problems.push(format!("unexpected {g:?}"));
            }
        }
        self.expected += expected.len();
        self.produced += got.len();
        problems
    }

    fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.found as f64 / self.expected as f64
        }
    }

    fn precision(&self) -> f64 {
        if self.produced == 0 {
            1.0
        } else {
            self.correct as f64 / self.produced as f64
        }
    }
}

/// The whole pipeline over every fixture: (related-link score, body problems).
fn run_pipeline() -> (Score, Vec<String>) {
    let mut score = Score::default();
    let mut body_failures = Vec::new();
    for f in fixtures() {
        let article = match extract_article(&f.html, &f.url) {
            Ok(a) => a,
            Err(e) => {
                body_failures.push(format!("{}: extraction failed: {e}", f.name));
                continue;
            }
        };
        let view = article.view();
        for phrase in f.strings("body_must_contain") {
            if !view.text.contains(&phrase) {
                body_failures.push(format!("{}: body lacks {phrase:?}", f.name));
            }
        }
        for phrase in f.strings("body_must_not_contain") {
            if view.text.contains(&phrase) {
                body_failures.push(format!("{}: body keeps {phrase:?}", f.name));
            }
        }
        for problem in score.add(&f.expected_links(), &view.related) {
            println!("pipeline {}: {problem}", f.name);
        }
    }
    println!("full pipeline: related-link {}", score.summary());
    for failure in &body_failures {
        println!("{failure}");
    }
    (score, body_failures)
}

/// (a) The whole pipeline, as `kiosque extract` runs it: body phrases and related precision.
#[test]
fn full_pipeline_body_and_related_precision() {
    let (score, body_failures) = run_pipeline();
    assert!(body_failures.is_empty(), "{body_failures:#?}");
    assert!(
        score.precision() >= MIN_PRECISION,
        "precision {:.3}",
        score.precision()
    );
}

/// (a) Related recall through the whole pipeline. The scorer (dom_smoothie) and the
/// boilerplate pre-clean drop `aside`s and `.related` blocks, so `extract_article` takes
/// related blocks out of the whole page first (`related::take_related`); without that step
/// recall falls to about 0.79 on these fixtures.
#[test]
fn full_pipeline_related_recall() {
    let (score, _) = run_pipeline();
    assert!(score.recall() >= MIN_RECALL, "recall {:.3}", score.recall());
}

/// (a') The related module alone on whole pages (`take_related` before any scoring), so its
/// quality is known independently of the extractor.
#[test]
fn related_module_on_whole_pages() {
    let mut score = Score::default();
    for f in fixtures() {
        let page = dom_query::Document::from(f.html.as_str());
        let got = take_related(&page, &f.url);
        for problem in score.add(&f.expected_links(), &got) {
            println!("module {}: {problem}", f.name);
        }
    }
    println!("related module on whole pages: {}", score.summary());
    assert!(score.recall() >= MIN_RECALL, "recall {:.3}", score.recall());
    assert!(
        score.precision() >= MIN_PRECISION,
        "precision {:.3}",
        score.precision()
    );
}

fn base() -> Url {
    Url::parse("https://www.example.net/news/2026/11/story.html").unwrap()
}

fn labels_and_urls(html: &str) -> (String, Vec<(String, String, String)>) {
    let (body, links) = split_related(html, &base());
    (
        body,
        links
            .into_iter()
            .map(|l| (l.label, l.title, l.url))
            .collect(),
    )
}

/// (b) Every language and label form on article-body snippets.
#[test]
fn split_related_label_forms() {
    let cases: &[(&str, &str)] = &[
        (
            r#"<p>À lire : <a href="/a">Titre de l'article lié</a></p>"#,
            "À lire",
        ),
        (
            r#"<p>• A lire : <a href="/a">Titre de l'article lié</a></p>"#,
            "A lire",
        ),
        (
            r#"<p><strong>Lire aussi :</strong> <a href="/a">Titre de l'article lié</a></p>"#,
            "Lire aussi",
        ),
        (
            r#"<p>À voir aussi → <a href="/a">Titre de l'article lié</a></p>"#,
            "À voir aussi",
        ),
        (
            r#"<p>A voir aussi : <a href="/a">Titre de l'article lié</a></p>"#,
            "A voir aussi",
        ),
        (
            r#"<p>Voir aussi : <a href="/a">Titre de l'article lié</a></p>"#,
            "Voir aussi",
        ),
        (
            r#"<p>• Sur le même thème : <a href="/a">Titre de l'article lié</a></p>"#,
            "Sur le même thème",
        ),
        (
            r#"<p>Sur le même sujet : <a href="/a">Titre de l'article lié</a></p>"#,
            "Sur le même sujet",
        ),
        (
            r#"<p>Read more: <a href="/a">Title of the related story</a></p>"#,
            "Read more",
        ),
        (
            r#"<p><b>Read also:</b> <a href="/a">Title of the related story</a></p>"#,
            "Read also",
        ),
        (
            r#"<p>Also read → <a href="/a">Title of the related story</a></p>"#,
            "Also read",
        ),
        (
            r#"<p>See also: <a href="/a">Title of the related story</a></p>"#,
            "See also",
        ),
        (
            r#"<p>Related: <a href="/a">Title of the related story</a></p>"#,
            "Related",
        ),
        (
            r#"<li>More on this: <a href="/a">Title of the related story</a></li>"#,
            "More on this",
        ),
        (
            r#"<p>Lesen Sie auch: <a href="/a">Titel des verwandten Artikels</a></p>"#,
            "Lesen Sie auch",
        ),
        (
            r#"<p>Mehr zum Thema: <a href="/a">Titel des verwandten Artikels</a></p>"#,
            "Mehr zum Thema",
        ),
        (
            r#"<p>Auch interessant → <a href="/a">Titel des verwandten Artikels</a></p>"#,
            "Auch interessant",
        ),
        (
            r#"<p>Leer también: <a href="/a">Título del artículo relacionado</a></p>"#,
            "Leer también",
        ),
        (
            r#"<p><strong>Lee también:</strong> <a href="/a">Título del artículo relacionado</a></p>"#,
            "Lee también",
        ),
        (
            r#"<p>Te puede interesar: <a href="/a">Título del artículo relacionado</a></p>"#,
            "Te puede interesar",
        ),
        (
            r#"<p>Leggi anche: <a href="/a">Titolo dell'articolo correlato</a></p>"#,
            "Leggi anche",
        ),
        (
            r#"<p>Potrebbe interessarti: <a href="/a">Titolo dell'articolo correlato</a></p>"#,
            "Potrebbe interessarti",
        ),
    ];
    for (html, label) in cases {
        let wrapped = format!("<div><p>Before.</p>{html}<p>After.</p></div>");
        let (body, links) = labels_and_urls(&wrapped);
        assert_eq!(links.len(), 1, "{html}: {links:?}");
        assert_eq!(links[0].0, *label, "{html}");
        assert_eq!(links[0].2, "https://www.example.net/a", "{html}");
        assert!(!links[0].1.is_empty());
        assert!(!body.contains(label), "{html}: label left in {body}");
        assert!(
            body.contains("Before.") && body.contains("After."),
            "{body}"
        );
    }
}

#[test]
fn split_related_credits() {
    let cases = [
        ("Via : ", "via"),
        ("Via ", "via"),
        ("Source : ", "source"),
        ("Source: ", "source"),
        ("Quelle: ", "source"),
        ("Fuente: ", "source"),
        ("Fonte: ", "source"),
    ]
    .map(|(lead, label)| {
        (
            format!(r#"<p>{lead}<a href="https://src.example.com/a">The Source</a></p>"#),
            label,
        )
    });
    for (html, label) in &cases {
        let (body, links) = labels_and_urls(html);
        assert_eq!(
            links,
            vec![(
                label.to_string(),
                "The Source".to_string(),
                "https://src.example.com/a".to_string()
            )],
            "{html}"
        );
        assert!(!body.contains("The Source"), "{body}");
    }
}

#[test]
fn split_related_related_blocks() {
    for (html, label) in [
        (
            r#"<div><p>Text.</p><h3>Related articles</h3><ul><li><a href="/1">First related story title</a></li><li><a href="/2">Second related story title</a></li></ul></div>"#,
            "Related articles",
        ),
        (
            r#"<div><p>Texte.</p><h4>À lire aussi</h4><ul><li><a href="/1">Premier article sur le sujet</a></li><li><a href="/2">Second article sur le sujet</a></li></ul></div>"#,
            "À lire aussi",
        ),
        (
            r#"<div><p>Texte.</p><p><strong>Sur le même sujet</strong></p><ul><li><a href="/1">Premier article sur le sujet</a></li><li><a href="/2">Second article sur le sujet</a></li></ul></div>"#,
            "Sur le même sujet",
        ),
        (
            r#"<div><p>Text.</p><div class="box"><h3>Mehr zum Thema</h3><ul><li><a href="/1">Erster Artikel zum Thema hier</a></li><li><a href="/2">Zweiter Artikel zum Thema hier</a></li></ul></div></div>"#,
            "Mehr zum Thema",
        ),
    ] {
        let (body, links) = labels_and_urls(html);
        assert_eq!(links.len(), 2, "{html}: {links:?}");
        assert!(links.iter().all(|l| l.0 == label), "{links:?}");
        assert!(!body.contains(label) && !body.contains("<ul>"), "{body}");
        assert!(body.contains("Text"), "{body}");
    }
}

#[test]
fn split_related_negatives() {
    let tags: String = (0..10)
        .map(|i| format!(r#"<a href="/tag/t{i}">Tag {i}</a> "#))
        .collect();
    for html in [
        // Prose mentioning a label mid-sentence, or starting with one but mostly text.
        r#"<p>The minister, in a speech you can see also <a href="/a">on our site</a>, said more.</p>"#.to_string(),
        r#"<p>See also the appendix, where the authors explain at length why the sample was limited to <a href="/a">three cities</a>.</p>"#.to_string(),
        r#"<p>Related research from the same lab was published last year in a journal that few read.</p>"#.to_string(),
        r#"<p>Lire aussi les conclusions du rapport, qui recommandent de revoir entièrement la méthode de <a href="/a">calcul</a>.</p>"#.to_string(),
        // Tag clouds and link lists.
        format!("<p>Tags : {tags}</p>"),
        format!("<p>Related: {tags}</p>"),
        format!(
            "<div><h3>Related</h3><ul>{}</ul></div>",
            (0..10)
                .map(|i| format!(r#"<li><a href="/tag/t{i}">Tag{i}</a></li>"#))
                .collect::<String>()
        ),
        // A label with no link, and a link that is only the label.
        "<p>Source : AFP</p>".to_string(),
        r#"<p><a href="/more">Read more</a></p>"#.to_string(),
        r#"<p>Read more: <a href="javascript:void(0)">Some title here</a></p>"#.to_string(),
    ] {
        let (body, links) = labels_and_urls(&html);
        assert!(links.is_empty(), "{html}: {links:?}");
        assert_eq!(body, html, "untouched");
    }
}

#[test]
fn split_related_on_the_shared_fixture_body() {
    let Some(path) = common::shared_corpus("corpus/extraction/fixtures/fr-tech-article.html")
    else {
        return;
    };
    let f = load(&path).expect("the shared fixture and its .expected.json");
    let page = dom_query::Document::from(f.html.as_str());
    let body = page.select("div.entry-content").html().to_string();
    let (clean, got) = split_related(&body, &f.url);
    let mut score = Score::default();
    let problems = score.add(&f.expected_links(), &got);
    assert!(problems.is_empty(), "{problems:#?}");
    for phrase in f.strings("body_must_contain") {
        let text = dom_query::Document::fragment(clean.as_str())
            .text()
            .to_string();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&phrase), "{phrase}");
    }
    for phrase in ["A lire :", "Sur le même thème :", "Via :"] {
        assert!(!clean.contains(phrase), "{phrase}");
    }
}

/// Demo sites written in Chinese/Japanese/Korean. The extractor counts words by whitespace,
/// so a CJK article looks like "4 words" and is refused (the reader then shows the feed's
/// content); until it counts CJK characters, these pages are reported, not asserted.
const CJK_SITES: &[&str] = &["asia"];

/// Every demo article page extracts through the full pipeline, and every related link it
/// offers into the demo names a page that exists, so following it in `kiosque --demo` works.
#[test]
fn demo_pages_extract_and_their_related_links_resolve() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let mut pages = 0;
    let mut followed = 0;
    let mut sites: Vec<PathBuf> = std::fs::read_dir(&demo)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("articles").is_dir())
        .collect();
    sites.sort();
    for site in sites {
        let site_name = site.file_name().unwrap().to_string_lossy().to_string();
        for entry in std::fs::read_dir(site.join("articles")).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let html = kiosque::demo::demo_page(&format!("{site_name}/articles/{file}"))
                .unwrap()
                .replace("{{BASE}}", DEMO_BASE);
            let url = Url::parse(&format!("{DEMO_BASE}/{site_name}/articles/{file}")).unwrap();
            let view = match extract_article(&html, &url) {
                Ok(article) => article.view(),
                Err(e) if CJK_SITES.contains(&site_name.as_str()) => {
                    println!("known extractor gap, {site_name}/{file}: {e}");
                    continue;
                }
                Err(e) => panic!("{site_name}/{file}: {e}"),
            };
            assert!(!view.text.is_empty(), "{site_name}/{file}");
            pages += 1;
            for link in &view.related {
                if let Some(target) = link.url.strip_prefix(DEMO_BASE) {
                    let target = target.split('#').next().unwrap_or(target);
                    assert!(
                        demo.join(target.trim_start_matches('/')).is_file(),
                        "{site_name}/{file}: related link to a missing page {}",
                        link.url
                    );
                    followed += 1;
                }
            }
        }
    }
    println!("demo: {pages} article pages extracted, {followed} related links into the demo");
    assert!(pages >= 14, "{pages} demo pages");
    assert!(followed >= pages, "{followed} related links into the demo");
}

/// The reading pane numbers links exactly as `kiosque read/extract` does (`links` in the JSON),
/// so "follow link N" means the same link everywhere.
#[test]
fn pane_and_plain_text_number_links_alike() {
    let mut compared = 0;
    for f in fixtures() {
        let Ok(article) = extract_article(&f.html, &f.url) else {
            continue;
        };
        let view = article.view();
        for width in [40u16, 80, 120] {
            let pane = kiosque::article::render::render_rich(&article.content_html, width);
            assert_eq!(pane.links, view.links, "{} at {width}", f.name);
            let shown: String = pane
                .lines
                .iter()
                .flatten()
                .map(|s| s.text.as_str())
                .collect();
            for link in &pane.links {
                assert!(
                    shown.contains(&format!("[{}]", link.n)),
                    "{}: [{}]",
                    f.name,
                    link.n
                );
            }
        }
        compared += view.links.len();
    }
    println!("pane vs plain text: {compared} links numbered alike");
    assert!(compared > 0);
}

/// A survey, not a check: `take_related` on every trafilatura-eval page of the shared corpus,
/// printing each link found (to read for precision) and the slowest page.
/// `cargo test --release --test related_links corpus_survey -- --ignored --nocapture`
#[test]
#[ignore = "slow survey over the shared corpus; prints figures"]
fn corpus_survey() {
    use std::io::Read;
    let Some(root) = common::shared_corpus("corpus/extraction") else {
        return;
    };
    let evaldata = std::fs::read_to_string(root.join("trafilatura-eval/evaldata.json")).unwrap();
    let evaldata: Value = serde_json::from_str(&evaldata).unwrap();
    let Some(pages) = evaldata.as_object() else {
        return;
    };
    let (mut seen, mut with_related, mut links, mut slowest) = (0, 0, 0, (0.0f64, String::new()));
    for (url, entry) in pages {
        let (Ok(url), Some(file)) = (Url::parse(url), entry["file"].as_str()) else {
            continue;
        };
        let file = file.to_string();
        let path = root
            .join("trafilatura-eval/html")
            .join(format!("{file}.gz"));
        let Ok(handle) = std::fs::File::open(&path) else {
            continue;
        };
        let mut bytes = Vec::new();
        if flate2::read::GzDecoder::new(handle)
            .read_to_end(&mut bytes)
            .is_err()
        {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let page = dom_query::Document::from(html.as_ref());
        let start = std::time::Instant::now();
        let found = take_related(&page, &url);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if ms > slowest.0 {
            slowest = (ms, file.clone());
        }
        seen += 1;
        with_related += usize::from(!found.is_empty());
        links += found.len();
        for l in found {
            println!("{file} | {} | {} | {}", l.label, l.title, l.url);
        }
    }
    println!(
        "corpus survey: {seen} pages, {with_related} with related links, {links} links; slowest take_related {:.1} ms ({})",
        slowest.0, slowest.1
    );
}

/// Issue 9, bad input: pages with 10,000 links, related blocks nested 1,000 deep, links with
/// `javascript:`/`data:` targets and labels made of escape sequences go through the whole
/// pipeline without a panic, and `related` holds only http(s) URLs and printable labels and
/// titles, a bounded number of them.
#[test]
fn hostile_pages_give_safe_bounded_related_links() {
    let url = Url::parse("https://news.example.org/world/2024/05/the-story-we-read.html").unwrap();
    let body = "<p>The story we read goes on for a while here, long enough to be the article's \
                running text and not a caption, a label or a line of links.</p>"
        .repeat(6);
    let many_links: String = (0..10_000)
        .map(|i| format!(r#"<li><a href="/world/2024/04/story-number-{i}-title">Story number {i} title</a></li>"#))
        .collect();
    let deep = format!(
        "{}<h3>Related</h3><ul><li><a href=\"/world/2024/04/deep-story-title-here\">Deep story title here</a></li>\
         <li><a href=\"javascript:alert(1)\">Deep script story title</a></li></ul>{}",
        "<div class=\"related-posts\">".repeat(1000),
        "</div>".repeat(1000)
    );
    let hostile_targets = r#"<p>Read more: <a href="javascript:alert(1)">A story with a script target</a></p>
        <p>Source: <a href="data:text/html,PWNED">A data source</a></p>
        <div class="related-posts"><h3>Related stories</h3><ul>
        <li><a href="JaVaScRiPt:alert(2)">A story with a script target here</a></li>
        <li><a href=" data:text/html;base64,UFdORUQ=">A story with a data target here</a></li>
        <li><a href="vbscript:msgbox(1)">A story with a vbscript target</a></li>
        <li><a href="/world/2024/04/the-one-real-story-here">The one real story here</a></li></ul></div>
        <p>Allow us to tempt you with our previous lists:</p><ul>
        <li><a href="javascript:void(0)">Previous list of the year</a></li>
        <li><a href="data:,x">Another previous list here</a></li></ul>"#;
    let escapes = "<p>\u{1b}[31mRead more\u{1b}[0m: <a href=\"/world/2024/04/a-story-\u{1b}]0;x\u{7}\">A \u{1b}[2Jstory \u{202e}title\u{7}</a></p>\
         <div><h3>Related \u{1b}]0;pwned\u{7}stories \u{9b}31m</h3><ul>\
         <li><a href=\"/world/2024/04/first-story-about-it\">First \u{1b}[1mstory\u{1b}[0m about it</a></li>\
         <li><a href=\"/world/2024/04/second-story-about-it\">Second \u{200f}story about it</a></li></ul></div>";
    for (name, extra) in [
        (
            "10,000 links",
            format!("<div><h3>Related</h3><ul>{many_links}</ul></div>"),
        ),
        ("10,000 links in the body", format!("<ul>{many_links}</ul>")),
        ("1,000-deep related blocks", deep),
        ("script and data targets", hostile_targets.to_string()),
        ("escape-sequence labels", escapes.to_string()),
    ] {
        let html = format!(
            "<html><head><title>The story we read</title></head><body><article><h1>The story we read</h1>{body}{extra}</article></body></html>"
        );
        let Ok(article) = extract_article(&html, &url) else {
            continue;
        };
        assert!(
            article.related.len() <= 300,
            "{name}: {}",
            article.related.len()
        );
        for link in &article.related {
            let target = Url::parse(&link.url).unwrap_or_else(|e| panic!("{name}: {link:?}: {e}"));
            assert!(
                matches!(target.scheme(), "http" | "https"),
                "{name}: {link:?}"
            );
            for text in [&link.label, &link.title] {
                assert!(
                    !text.chars().any(|c| c.is_control()
                        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')),
                    "{name}: {text:?}"
                );
            }
        }
    }
}

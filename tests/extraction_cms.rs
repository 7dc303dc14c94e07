//! Article pages written like real CMS templates, through the binary (`extract FILE --url U
//! --json`, `read ID --json`): a newsletter sign-up box after the article's last paragraph
//! (heading, one pitch sentence, an e-mail field and a button) never reaches the text, in
//! any language and whatever its class names; a byline holding the author and the
//! publication time gives the author as `byline` and the time as `published`.

mod common;

use common::{Reply, TestServer, first_item_id, json, subscribed};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extraction")
        .join(name)
}

fn extract_json(name: &str, url: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(name);
    json(
        dir.path(),
        &["extract", path.to_str().unwrap(), "--url", url, "--json"],
    )
}

fn assert_text(view: &Value, kept: &[&str], gone: &[&str]) {
    let text = view["text"].as_str().unwrap();
    for phrase in kept {
        assert!(text.contains(phrase), "lost {phrase:?} in:\n{text}");
    }
    for phrase in gone {
        assert!(!text.contains(phrase), "kept {phrase:?} in:\n{text}");
    }
}

const FR_URL: &str =
    "https://www.gazette-iroise.example/economie/2026/11/28/brest-port-eolien-flottant/";
const EN_URL: &str = "https://www.harbourpost.example/local/2026/11/30/flood-wall-approved";

#[test]
fn a_newsletter_form_box_after_the_article_is_not_text() {
    let view = extract_json("fr-gazette-newsletter.html", FR_URL);
    assert_text(
        &view,
        &[
            "220 millions d'euros",
            "Le polder du port de Brest, où le nouveau quai sera construit.",
            "attendue au premier trimestre de l'année prochaine.",
        ],
        &[
            "La lettre du matin",
            "Chaque jour, le meilleur",
            "dans votre boîte mail",
            "Votre adresse e-mail",
            "Je m'inscris",
            "Rechercher",
        ],
    );
}

#[test]
fn an_email_field_box_without_a_form_is_not_text() {
    let view = extract_json("en-harbour-post-byline.html", EN_URL);
    assert_text(
        &view,
        &["voted 7-2 on Monday night", "before next winter."],
        &[
            "The Morning Tide",
            "Every day, the best of",
            "in your inbox",
            "Sign up",
            "unsubscribe at any time",
        ],
    );
}

#[test]
fn a_microdata_byline_with_a_time_gives_the_author_and_the_date() {
    let fr = extract_json("fr-gazette-newsletter.html", FR_URL);
    assert_eq!(fr["byline"], "Maëlle Kerjean", "{fr}");
    assert_eq!(fr["published"], "2026-11-28T08:15:00+01:00");
    assert_eq!(fr["lang"], "fr-FR");

    // No JSON-LD, no meta: the byline is an `itemprop="author"` item with its `name`, then
    // ", Reuters", then "Updated 3:45 PM EST, Mon November 30, 2026" in a `<time>`.
    let en = extract_json("en-harbour-post-byline.html", EN_URL);
    assert_eq!(en["byline"], "Jane Doe", "{en}");
    assert_eq!(en["published"], "2026-11-30T15:45:00-05:00");
    assert_eq!(en["lang"], "en");
    assert_text(&en, &[], &["Updated 3:45 PM"]);
}

#[test]
fn read_shows_the_same_article_as_extract() {
    let server = TestServer::start();
    let page = std::fs::read(fixture("en-harbour-post-byline.html")).unwrap();
    server.route("/story", Reply::ok("text/html; charset=utf-8", page));
    let rss = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>The Harbour Post</title><link>{site}</link><item>\
         <title>Flood wall approved</title><guid>story-1</guid><link>{story}</link>\
         <description>The city council voted on Monday.</description></item>\
         </channel></rss>",
        site = server.url("/"),
        story = server.url("/story"),
    );
    server.route("/feed", Reply::rss(rss));
    let dir = subscribed(&server.url("/feed"));
    let d = dir.path();
    let id = first_item_id(d);
    let read = json(d, &["read", &id, "--json"]);
    assert_eq!(read["source"], "extracted", "{read}");
    let extracted = extract_json("en-harbour-post-byline.html", &server.url("/story"));
    assert_eq!(read["text"], extracted["text"]);
    assert_eq!(read["byline"], "Jane Doe");
    assert_text(
        &read,
        &["before next winter."],
        &["The Morning Tide", "in your inbox"],
    );
}

#[test]
fn a_sign_up_box_in_the_feeds_own_content_is_not_text() {
    // The page cannot be fetched: `read` shows the feed's content, cleaned the same way.
    let server = TestServer::start();
    let content = "<p>The council voted for the flood wall on Monday night.</p>\
         <div><h3>The Morning Tide</h3><p>Every day, the best of The Harbour Post in your \
         inbox.</p><form action=\"/subscribe\"><input type=\"email\" name=\"e\">\
         <button>Sign up</button></form></div>";
    let rss = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>The Harbour Post</title><link>{site}</link><item>\
         <title>Flood wall approved</title><guid>story-1</guid><link>{story}</link>\
         <description><![CDATA[{content}]]></description></item></channel></rss>",
        site = server.url("/"),
        story = server.url("/gone"),
    );
    server.route("/feed", Reply::rss(rss));
    server.route("/gone", Reply::status(404));
    let dir = subscribed(&server.url("/feed"));
    let d = dir.path();
    let id = first_item_id(d);
    let read = json(d, &["read", &id, "--json"]);
    assert_eq!(read["source"], "feed", "{read}");
    assert_text(
        &read,
        &["flood wall on Monday night"],
        &["The Morning Tide", "in your inbox", "Sign up"],
    );
}

//! Property tests of the query language: the parser never panics and its canonical form
//! parses back to the same query; the SQL (FTS5) evaluation agrees with a naive in-memory
//! evaluator on random small stores; hostile queries fail with a position, fast.

use super::search_index::{article_text, item_text, tokens};
use super::sql::local_day_start;
use super::{AgeUnit, Expr, Query, State, Term, Text};
use crate::article::Article;
use crate::model::{FeedId, ParsedFeed, ParsedItem};
use crate::store::{FetchRecord, ItemFilter, NewFeed, Store};
use crate::text::fold_for_search;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

// ---- a naive evaluator ------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct NaiveItem {
    id: i64,
    title: String,
    author: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    url: Option<String>,
    sort_time: i64,
    read: bool,
    starred: bool,
    feed_title: String,
    tags: Vec<String>,
    article: Option<String>,
}

/// Whether `words` holds the query's words in a row (the last one as a prefix unless phrase).
fn words_match(words: &[String], text: &Text) -> bool {
    let wanted = tokens(&text.value);
    if wanted.is_empty() {
        return true;
    }
    let n = wanted.len();
    words.windows(n).any(|w| {
        w[..n - 1] == wanted[..n - 1]
            && if text.phrase {
                w[n - 1] == wanted[n - 1]
            } else {
                w[n - 1].starts_with(&wanted[n - 1])
            }
    })
}

fn naive_term(item: &NaiveItem, term: &Term, now: i64) -> bool {
    match term {
        Term::Text(t) => {
            words_match(&tokens(&item.title), t)
                || words_match(
                    &tokens(&item_text(item.summary.as_deref(), item.content.as_deref())),
                    t,
                )
                || item
                    .article
                    .as_deref()
                    .is_some_and(|a| words_match(&tokens(a), t))
        }
        Term::Title(t) => words_match(&tokens(&item.title), t),
        Term::Author(t) => words_match(&tokens(item.author.as_deref().unwrap_or("")), t),
        Term::Feed(t) => words_match(&tokens(&item.feed_title), t),
        Term::Tag(tag) => item
            .tags
            .iter()
            .any(|t| fold_for_search(t) == fold_for_search(tag.trim())),
        Term::Url(part) => {
            fold_for_search(item.url.as_deref().unwrap_or("")).contains(&fold_for_search(part))
        }
        Term::Is(State::Unread) => !item.read,
        Term::Is(State::Read) => item.read,
        Term::Is(State::Starred) => item.starred,
        Term::After(d) => item.sort_time >= local_day_start(*d),
        Term::Before(d) => item.sort_time < local_day_start(*d),
        Term::Newer(n, u) => item.sort_time >= now - i64::from(*n) * u.seconds(),
        Term::Older(n, u) => item.sort_time < now - i64::from(*n) * u.seconds(),
    }
}

fn naive(item: &NaiveItem, e: &Expr, now: i64) -> bool {
    match e {
        Expr::Term { term, .. } => naive_term(item, term, now),
        Expr::Not(inner) => !naive(item, inner, now),
        Expr::And(c) => c.iter().all(|c| naive(item, c, now)),
        Expr::Or(c) => c.iter().any(|c| naive(item, c, now)),
    }
}

// ---- random stores and queries ----------------------------------------------------------------

const WORDS: &[&str] = &[
    "Émulation",
    "emulateur",
    "café",
    "CAFE",
    "rust",
    "Rustacean",
    "x86-64",
    "naïve",
    "über",
    "news",
    "the",
    "a",
    "NEAR",
    "\"quoted\"",
    "AND",
];

fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..5).prop_map(|w| w.join(" "))
}

fn value_word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_string),
        prop::sample::select(&["emul", "caf", "rus", "x86", "x86-6", "na", "ube", "e", "*"][..])
            .prop_map(str::to_string),
    ]
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        value_word()
            .prop_filter("a word the lexer reads as one", |w| super::word_is_plain(w))
            .prop_map(|value| Text {
                value,
                phrase: false
            }),
        prop::collection::vec(prop::sample::select(WORDS), 1..3).prop_map(|w| Text {
            value: w.join(" "),
            phrase: true
        }),
    ]
}

fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        4 => text().prop_map(Term::Text),
        1 => text().prop_map(Term::Title),
        1 => text().prop_map(Term::Author),
        1 => text().prop_map(Term::Feed),
        1 => prop::sample::select(&["Tech", "tech", "Télé", "sport"][..]).prop_map(|t| Term::Tag(t.into())),
        1 => prop::sample::select(&["EXAMPLE", "/a", "é", "org/2"][..]).prop_map(|t| Term::Url(t.into())),
        1 => prop::sample::select(&[State::Unread, State::Read, State::Starred][..]).prop_map(Term::Is),
        1 => (0u32..40).prop_map(|d| Term::After(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d)))),
        1 => (0u32..40).prop_map(|d| Term::Before(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d)))),
        1 => (0u32..400).prop_map(|n| Term::Newer(n, AgeUnit::Days)),
        1 => (0u32..60).prop_map(|n| Term::Older(n, AgeUnit::Weeks)),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = term().prop_map(|term| Expr::Term { term, at: 0 });
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

#[derive(Debug, Clone)]
struct GenItem {
    title: String,
    author: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    url_path: Option<String>,
    hours_ago: i64,
    read: bool,
    starred: bool,
    article: Option<String>,
}

impl GenItem {
    /// An unread item of an hour ago with only a title.
    fn titled(title: &str) -> GenItem {
        GenItem {
            title: title.into(),
            author: None,
            summary: None,
            content: None,
            url_path: None,
            hours_ago: 1,
            read: false,
            starred: false,
            article: None,
        }
    }
}

fn gen_item() -> impl Strategy<Value = GenItem> {
    (
        (
            sentence(),
            prop::option::of(sentence()),
            prop::option::of(sentence().prop_map(|s| format!("<p>{s}</p>"))),
            prop::option::of(sentence().prop_map(|s| format!("<div>{s} <b>x</b></div>"))),
        ),
        (
            prop::option::of(prop::sample::select(&["a/1", "org/2", "Été/3", "b"][..])),
            // Now and then a date before 1970: the index keys then leave list order and
            // lists use the plan that sorts.
            prop_oneof![30 => 0i64..24 * 60, 1 => Just(500_000i64)],
            any::<bool>(),
            any::<bool>(),
            prop::option::of(sentence()),
        ),
    )
        .prop_map(
            |((title, author, summary, content), (url, hours_ago, read, starred, article))| {
                GenItem {
                    title: if title.is_empty() {
                        "untitled".into()
                    } else {
                        title
                    },
                    author,
                    summary,
                    content,
                    url_path: url.map(str::to_string),
                    hours_ago,
                    read,
                    starred,
                    article,
                }
            },
        )
}

type GenFeed = (String, Vec<String>, Vec<GenItem>);

fn gen_feeds() -> impl Strategy<Value = Vec<GenFeed>> {
    prop::collection::vec(
        (
            sentence(),
            prop::collection::vec(
                prop::sample::select(&["Tech", "TÉLÉ", "Sport", "news"][..])
                    .prop_map(str::to_string),
                0..3,
            ),
            prop::collection::vec(gen_item(), 0..6),
        ),
        1..4,
    )
}

/// The date the generated items are dated back from.
fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 12, 0, 0).unwrap()
}

/// Item `n` of a parsed feed: key `k{n}`, this title, link and date, no author or body.
fn parsed_item(n: usize, title: &str, url: Option<String>, published: DateTime<Utc>) -> ParsedItem {
    ParsedItem {
        dedupe_key: format!("k{n}"),
        title: title.into(),
        url,
        author: None,
        published: Some(published),
        summary_html: None,
        content_html: None,
        enclosures: vec![],
    }
}

/// A feed at `url` with `title` as the user's title, tagged `tags`.
fn add_titled_feed(store: &mut Store, url: String, title: &str, tags: &[String]) -> FeedId {
    let new = NewFeed {
        url,
        title: Some(title.into()),
        title_is_users: true,
        tags: tags.to_vec(),
        ..Default::default()
    };
    store.add_feed(&new, Utc::now()).unwrap()
}

/// A store holding the generated feeds, and the same items for the naive evaluator.
fn build(feeds: &[GenFeed]) -> (Store, Vec<NaiveItem>) {
    let mut store = Store::open_in_memory().unwrap();
    let base = base_time();
    let now = Utc::now();
    let mut expected = Vec::new();
    let mut next_id = 0;
    for (f, (title, tags, items)) in feeds.iter().enumerate() {
        let feed_title = if title.is_empty() {
            format!("feed {f}")
        } else {
            title.clone()
        };
        let url = format!("http://127.0.0.1/feed{f}.xml");
        let feed = add_titled_feed(&mut store, url, &feed_title, tags);
        let parsed = ParsedFeed {
            items: items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    let url = i.url_path.as_ref();
                    ParsedItem {
                        author: i.author.clone(),
                        summary_html: i.summary.clone(),
                        content_html: i.content.clone(),
                        ..parsed_item(
                            n,
                            &i.title,
                            url.map(|p| format!("http://example.{p}/{f}/{n}")),
                            base - chrono::Duration::hours(i.hours_ago),
                        )
                    }
                })
                .collect(),
            ..Default::default()
        };
        store
            .record_fetch(feed, now, &FetchRecord::default(), Some(&parsed))
            .unwrap();
        for (n, item) in items.iter().enumerate() {
            let url = parsed.items[n].url.clone();
            // Rows are numbered in the order they were inserted.
            next_id += 1;
            let row = crate::model::ItemId(next_id);
            if item.read {
                store.set_read(&[row], true).unwrap();
            }
            if item.starred {
                store.set_starred(&[row], true).unwrap();
            }
            let mut article = None;
            if let (Some(url), Some(text)) = (&url, &item.article) {
                let a = Article::from_feed(None, url.clone(), None, None, format!("<p>{text}</p>"));
                store.cache_article(url, &a).unwrap();
                article = Some(article_text(&serde_json::to_string(&a).unwrap()));
            }
            expected.push(NaiveItem {
                id: row.0,
                title: item.title.clone(),
                author: item.author.clone(),
                summary: item.summary.clone(),
                content: item.content.clone(),
                url,
                sort_time: parsed.items[n].published.unwrap().timestamp(),
                read: item.read,
                starred: item.starred,
                feed_title: feed_title.clone(),
                tags: tags.clone(),
                article,
            });
        }
    }
    // Two items of one feed may share a URL: the cache then holds the last article written.
    for i in 0..expected.len() {
        if let Some(url) = expected[i].url.clone() {
            let last = expected
                .iter()
                .rev()
                .find(|e| e.url.as_deref() == Some(&url) && e.article.is_some())
                .and_then(|e| e.article.clone());
            expected[i].article = last;
        }
    }
    (store, expected)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics(text in ".{0,60}|[a-z:()\" \\-ORé0-9\\\\*]{0,60}") {
        let _ = Query::parse(&text);
    }

    #[test]
    fn the_canonical_form_parses_back_to_the_same_query(text in "[a-zA-Z:()\" \\-é0-9\\\\*]{0,50}|(title:|feed:|tag:|-|\\(|\\)| OR |is:read|newer:3d| |\"x y\"|emul|x86-64)*") {
        if let Ok(q) = Query::parse(&text) {
            let canonical = q.to_string();
            let again = Query::parse(&canonical);
            prop_assert!(again.is_ok(), "{text:?} → {canonical:?}: {again:?}");
            prop_assert_eq!(again.unwrap().without_positions(), q.without_positions());
        }
    }

    #[test]
    fn generated_queries_print_and_parse_back(e in expr()) {
        let q = Query { expr: Some(e) };
        let canonical = q.to_string();
        let again = Query::parse(&canonical).map_err(|err| TestCaseError::fail(format!("{canonical:?}: {err}")))?;
        prop_assert_eq!(again.without_positions(), q.without_positions(), "{}", canonical);
    }
}

/// Item ids in list order: newest first, the higher id first at the same time.
fn in_list_order<'a>(items: impl Iterator<Item = &'a NaiveItem>) -> Vec<i64> {
    let mut items: Vec<&NaiveItem> = items.collect();
    items.sort_by_key(|i| std::cmp::Reverse((i.sort_time, i.id)));
    items.iter().map(|i| i.id).collect()
}

/// What the naive evaluator lists for the query `text` (which must parse), in list order.
fn naive_list(items: &[NaiveItem], text: &str, now: i64) -> Vec<i64> {
    let query = Query::parse(text).unwrap();
    let expr = query.expr.as_ref().unwrap();
    in_list_order(items.iter().filter(|i| naive(i, expr, now)))
}

/// The list of the query `text`, which must parse.
fn query_filter(text: &str) -> ItemFilter {
    ItemFilter {
        query: Some(Query::parse(text).unwrap()),
        ..Default::default()
    }
}

/// Ids of the rows `filter` lists, `limit` of them from `offset`.
fn listed_ids(store: &Store, filter: &ItemFilter, offset: usize, limit: usize) -> Vec<i64> {
    let rows = store.items(filter, offset, limit).unwrap();
    rows.into_iter().map(|i| i.id.0).collect()
}

/// Ids of the first `rows` rows `filter` lists, read in pages of `page`.
fn paged_ids(store: &Store, filter: &ItemFilter, rows: usize, page: usize) -> Vec<i64> {
    (0..rows)
        .step_by(page)
        .flat_map(|offset| listed_ids(store, filter, offset, page))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sql_agrees_with_the_naive_evaluator(feeds in gen_feeds(), queries in prop::collection::vec(expr(), 1..6)) {
        let (store, items) = build(&feeds);
        for e in queries {
            let query = Query { expr: Some(e.clone()) };
            let now = Utc::now().timestamp();
            let filter = ItemFilter { query: Some(query.clone()), ..Default::default() };
            // The same rows in list order (newest first, then the higher id), whole and in
            // pages: ids do not follow time here, as in a real store.
            let got = listed_ids(&store, &filter, 0, 1000);
            let want = in_list_order(items.iter().filter(|i| naive(i, &e, now)));
            prop_assert_eq!(&got, &want, "query {}", query);
            let paged = paged_ids(&store, &filter, want.len(), 3);
            prop_assert_eq!(&paged, &want, "query {} in pages", query);
            let counted = store.count_items(&filter).unwrap();
            prop_assert_eq!(counted, want.len());
        }
    }
}

#[test]
fn hostile_queries_fail_fast_with_a_position() {
    let deep = "(".repeat(10_000) + "a" + &")".repeat(10_000);
    let e = Query::parse(&deep).unwrap_err();
    assert!(e.to_string().contains("at "), "{e}");
    let deep_not = "-".repeat(10_000) + "a";
    assert!(Query::parse(&deep_not).is_err());
    let megabyte = "word ".repeat(200_000);
    let e = Query::parse(&megabyte).unwrap_err();
    assert!(e.message.contains("too long"), "{e}");
    let many = "w ".repeat(1_000);
    assert!(
        Query::parse(&many)
            .unwrap_err()
            .message
            .contains("too many terms")
    );
    assert!(Query::parse("a\0b").is_err());
    assert!(Query::parse("\0").is_err());
}

#[test]
fn fts_syntax_in_a_word_is_only_a_word() {
    let (store, _) = build(&[(
        "Feed".into(),
        vec![],
        vec![GenItem::titled("near the rust NEAR")],
    )]);
    for hostile in [
        "NEAR(rust the)",
        "\"rust\" OR title:\"x\\\"*) OR *\"",
        "rust* AND -",
        "{title}:rust",
        "^rust",
        "title:\"a\"\"b\"",
        "'; DROP TABLE items; --",
        "x\u{7f}",
    ] {
        // Whatever parses runs without an SQL error; the rest is a query error.
        if Query::parse(hostile).is_ok() {
            let r = store.items(&query_filter(hostile), 0, 10);
            assert!(r.is_ok(), "{hostile}: {r:?}");
        }
    }
    assert_eq!(store.count_items(&ItemFilter::default()).unwrap(), 1);
}

#[test]
fn examples_from_the_contract() {
    let (store, items) = build(&[(
        "Octet Actu".into(),
        vec!["Tech".into()],
        vec![GenItem {
            author: Some("Zoé".into()),
            summary: Some("<p>Un émulateur &eacute;crit en Rust</p>".into()),
            url_path: Some("org/2".into()),
            starred: true,
            article: Some("Le texte complet parle de Dreamcast".into()),
            ..GenItem::titled("Émulation : la Saturn revit")
        }],
    )]);
    let hits = |q: &str| store.count_items(&query_filter(q)).unwrap();
    assert_eq!(items.len(), 1);
    for q in [
        "title:emulation",
        "emul",
        "EMUL",
        "\"la saturn\"",
        "ecrit",
        "dreamcast",
        "feed:\"Octet Actu\"",
        "feed:oct",
        "tag:tech",
        "author:zoe",
        "url:ORG/2",
        "is:starred is:unread",
        "-is:read",
        "after:2026-02-01 before:2026-02-11",
        "saturn OR nothing",
        "(nothing OR saturn) -is:read",
        "",
    ] {
        assert_eq!(hits(q), 1, "{q}");
    }
    for q in [
        "octet", // bare words do not search feed titles
        "tag:te",
        "\"saturn la\"",
        "title:dreamcast",
        "is:read",
        "newer:1h",
        "nothing",
        "-emul",
        "after:2026-02-11",
    ] {
        assert_eq!(hits(q), 0, "{q}");
    }
}

/// `url:` reads URLs with LIKE: `_` and `%` in the query are only characters; URLs with
/// accents still fold; a part many URLs hold (tested on each row read newest first, gathered
/// from the URL index for a count) and a rare one (looked up) give the same pages in the same
/// order as the naive evaluator; an item without a URL matches every negated part.
#[test]
fn url_parts_match_characters_only_in_either_plan() {
    let paths = [
        "a_b", "axb", "50%off", "Été/x", "org/1", "org/2", "org/3", "org/4", "org/5",
    ];
    let mut items: Vec<GenItem> = paths
        .iter()
        .enumerate()
        .map(|(n, p)| GenItem {
            url_path: Some((*p).to_string()),
            hours_ago: i64::try_from(n).unwrap() * 3,
            ..GenItem::titled(&format!("item {n}"))
        })
        .collect();
    // An item without a URL: no `url:` part matches it, every negated one does.
    items.push(GenItem::titled("no link"));
    let (store, naive_items) = build(&[("Feed".into(), vec![], items)]);
    let now = Utc::now().timestamp();
    for (text, expected) in [
        ("url:a_b", 1),
        ("url:50%", 1),
        ("url:%", 1),
        ("url:ét", 1),
        ("url:ÉTÉ/X", 1),
        ("url:org/", 5),
        ("url:EXAMPLE", 9),
        ("url:zz", 0),
        ("-url:EXAMPLE", 1),
        ("-url:org/", 5),
        ("-url:zz", 10),
    ] {
        let filter = query_filter(text);
        let want = naive_list(&naive_items, text, now);
        assert_eq!(want.len(), expected, "{text}");
        assert_eq!(paged_ids(&store, &filter, 12, 2), want, "{text}");
        assert_eq!(store.count_items(&filter).unwrap(), expected, "{text}");
    }
}

/// A page of a frequent word comes from the full-text index read newest first: its rows must
/// follow list order even though items arrive with older dates (ids do not follow time), a
/// refresh that moves an item's date moves it in the list, and a store holding a date before
/// 1970 (keys out of order) still lists in order through the plan that sorts.
#[test]
fn full_text_pages_follow_list_order_when_ids_do_not_follow_time() {
    let item = |title: &str, hours_ago: i64| GenItem {
        hours_ago,
        ..GenItem::titled(title)
    };
    let hours = [5, 1, 30, 2, 2, 7, 0];
    let mut items: Vec<GenItem> = hours
        .iter()
        .map(|h| item(&format!("kernel news {h}"), *h))
        .collect();
    items.push(item("other", 3));
    let feed: GenFeed = ("Feed".into(), vec![], items);
    let (mut store, naive_items) = build(std::slice::from_ref(&feed));
    let now = Utc::now().timestamp();
    let check = |store: &Store, naive_items: &[NaiveItem], text: &str| {
        let filter = query_filter(text);
        let want = naive_list(naive_items, text, now);
        assert_eq!(listed_ids(store, &filter, 0, 100), want, "{text}");
        let paged = paged_ids(store, &filter, want.len(), 2);
        assert_eq!(paged, want, "{text} in pages");
    };
    for text in [
        "kernel",
        "kern",
        "title:kernel -news",
        "kernel is:unread",
        "news kernel",
        "kernel after:2026-02-10",
        "kernel before:2026-02-10",
        "kern older:1d newer:3000w",
        "(kernel OR other) -\"news 2\"",
    ] {
        check(&store, &naive_items, text);
    }
    // Few starred: the starred index drives, full text is probed; the same rows either way.
    store
        .set_starred(&[crate::model::ItemId(6), crate::model::ItemId(2)], true)
        .unwrap();
    let mut starred = naive_items.clone();
    starred[1].starred = true;
    starred[5].starred = true;
    check(&store, &starred, "kernel is:starred");
    let starred_only = ItemFilter {
        starred_only: true,
        ..query_filter("kernel")
    };
    assert_eq!(listed_ids(&store, &starred_only, 0, 10), [2, 6]);
    store
        .set_starred(&[crate::model::ItemId(6), crate::model::ItemId(2)], false)
        .unwrap();
    assert_eq!(
        listed_ids(&store, &query_filter("kernel"), 0, 3),
        [7, 2, 5],
        "newest first, the higher id first at the same time"
    );

    // The oldest item gets a newer date from a refresh: it moves to the top.
    let base = base_time();
    let mut items: Vec<ParsedItem> = feed
        .2
        .iter()
        .enumerate()
        .map(|(n, i)| {
            parsed_item(
                n,
                &i.title,
                None,
                base - chrono::Duration::hours(i.hours_ago),
            )
        })
        .collect();
    items[2].published = Some(base + chrono::Duration::minutes(30));
    let parsed = ParsedFeed {
        items,
        ..Default::default()
    };
    store
        .record_fetch(
            FeedId(1),
            Utc::now(),
            &FetchRecord::default(),
            Some(&parsed),
        )
        .unwrap();
    let mut moved = naive_items.clone();
    moved[2].sort_time = (base + chrono::Duration::minutes(30)).timestamp();
    for text in ["kernel", "news -other"] {
        check(&store, &moved, text);
    }
}

/// A date before 1970 puts index keys out of list order: lists then sort, and stay right.
#[test]
fn a_date_before_1970_keeps_full_text_lists_in_order() {
    let items: Vec<GenItem> = [3, 500_000, 1, 600_000, 2]
        .iter()
        .map(|h| GenItem {
            hours_ago: *h,
            ..GenItem::titled(&format!("kernel {h}"))
        })
        .collect();
    let (store, naive_items) = build(&[("Feed".into(), vec![], items)]);
    let got = listed_ids(&store, &query_filter("kernel"), 0, 100);
    assert_eq!(got, in_list_order(naive_items.iter()));
    assert_eq!(got, [3, 5, 1, 2, 4]);
}

/// The plan: a full-text part drives the list (with the query's dates as key bounds) unless
/// a term beside it keeps few items that have their own newest-first index.
#[test]
fn full_text_drives_the_list_unless_a_selective_term_is_beside_it() {
    let plan = |text: &str, frequent: bool| {
        let mut values = Vec::new();
        Query::parse(text)
            .unwrap()
            .plan(&mut values, Utc::now(), &|_| frequent, true, true, true)
    };
    assert!(plan("kernel", true).driver.is_some());
    assert!(plan("kernel -linux OR festival", true).driver.is_some());
    assert!(plan("(data OR données) is:unread", true).driver.is_some());
    let dated = plan("kernel newer:30d before:2026-01-01", true);
    assert!(dated.driver.is_some());
    assert_eq!(dated.driver_bounds.matches("m.rowid").count(), 2);
    for selective in [
        "kernel is:starred",
        "kernel feed:octet",
        "tag:rare kernel",
        "kernel url:zz",
    ] {
        assert!(plan(selective, false).driver.is_none(), "{selective}");
    }
    assert!(plan("tag:tech kernel", true).driver.is_some());
    assert!(plan("is:unread", true).driver.is_none());
    assert!(plan("-kernel", true).driver.is_none());
    let mut values = Vec::new();
    let unordered =
        Query::parse("kernel")
            .unwrap()
            .plan(&mut values, Utc::now(), &|_| true, true, false, true);
    assert!(
        unordered.driver.is_none(),
        "keys out of order: the plan that sorts"
    );
}

/// Index keys hold time in spans of 2^KEY_SPAN_BITS seconds, inside which they follow ids:
/// here ids run against time (one item a minute, the newest inserted first), so every span the
/// index gives is in reverse. Pages of a word every item holds, from the top and from the
/// bottom (offsets past the middle read oldest first), are those of the plain list.
#[test]
fn full_text_pages_follow_list_order_inside_spans_of_keys() {
    let mut store = Store::open_in_memory().unwrap();
    let feed = store
        .add_test_feed("http://127.0.0.1/f.xml", 2_300)
        .unwrap();
    let word = query_filter("synthetic");
    let dated = query_filter("synthetic newer:1000w");
    let plain = ItemFilter {
        feed: Some(feed),
        ..Default::default()
    };
    let ids = |filter: &ItemFilter, offset: usize, limit: usize| {
        listed_ids(&store, filter, offset, limit)
    };
    for (offset, limit) in [
        (0, 50),
        (0, 1),
        (37, 80),
        (1_000, 3),
        (2_100, 50),
        (2_290, 50),
    ] {
        let want = ids(&plain, offset, limit);
        assert_eq!(want.len(), limit.min(2_300 - offset));
        assert_eq!(ids(&word, offset, limit), want, "{offset} {limit}");
        assert_eq!(ids(&dated, offset, limit), want, "dated {offset} {limit}");
    }
    assert_eq!(store.count_items(&word).unwrap(), 2_300);
}

/// A feed of `titles` at `http://127.0.0.1/{name}.xml`, item n linking to
/// `https://news.example/post-{n}` (the same link in two feeds: one story, two copies).
fn feed_of_links(store: &mut Store, name: &str, titles: &[&str]) -> FeedId {
    let now = Utc::now();
    let feed = add_titled_feed(store, format!("http://127.0.0.1/{name}.xml"), name, &[]);
    let parsed = ParsedFeed {
        items: titles
            .iter()
            .enumerate()
            .map(|(n, title)| {
                let url = format!("https://news.example/post-{n}");
                let hours_ago = chrono::Duration::hours(i64::try_from(n).unwrap());
                parsed_item(n, title, Some(url), base_time() - hours_ago)
            })
            .collect(),
        ..Default::default()
    };
    store
        .record_fetch(feed, now, &FetchRecord::default(), Some(&parsed))
        .unwrap();
    feed
}

/// Counts read from the full-text index alone (a query of full-text terms only) leave out what the mixed lists leave out (hidden items, a story's other copies, read ones
/// in Unread, whether most items are unread or most read): each is its list's length.
#[test]
fn counts_from_the_index_leave_out_what_mixed_lists_leave_out() {
    let mut store = Store::open_in_memory().unwrap();
    store.set_arrival_rules(crate::store::ArrivalRule::from_config(&[
        crate::config::RuleConfig {
            query: "secret".into(),
            action: crate::config::RuleAction::Hide,
        },
    ]));
    let titles: Vec<String> = (0..12)
        .map(|n| {
            if n == 11 {
                "kernel secret".to_string()
            } else {
                format!("kernel story {n}")
            }
        })
        .collect();
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    feed_of_links(&mut store, "first", &titles);
    // Four copies of the first feed's stories (same links).
    feed_of_links(&mut store, "second", &titles[..4]);
    let queries = [
        ("kernel", 11),
        ("story OR secret", 11),
        ("kernel -story", 0),
    ];
    let filter = |text: &str, unread_only: bool| ItemFilter {
        unread_only,
        ..query_filter(text)
    };
    let listed = |store: &Store, f: &ItemFilter| store.items(f, 0, 1000).unwrap().len();
    for (text, all) in queries {
        let query = Query::parse(text).unwrap();
        assert!(
            query.index_count(true).is_some(),
            "{text} is counted on an index"
        );
        assert_eq!(
            store.count_items(&filter(text, false)).unwrap(),
            all,
            "{text}"
        );
        assert_eq!(listed(&store, &filter(text, false)), all, "{text} listed");
        assert_eq!(
            store.count_items(&filter(text, true)).unwrap(),
            all,
            "{text} unread"
        );
    }
    // Most items read, then a few: both ways of leaving read items out.
    let every: Vec<crate::model::ItemId> = store
        .items(&ItemFilter::default(), 0, 1000)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    for read in [&every[2..], &every[..3]] {
        store.set_read(&every, false).unwrap();
        store.set_read(read, true).unwrap();
        for (text, all) in queries {
            for unread_only in [false, true] {
                let f = filter(text, unread_only);
                let want = listed(&store, &f);
                assert_eq!(store.count_items(&f).unwrap(), want, "{text} {unread_only}");
                if !unread_only {
                    assert_eq!(want, all, "{text}");
                }
            }
        }
    }
    // What the index cannot count alone goes through the items.
    for text in ["kernel is:unread", "-kernel", "url:news", "***"] {
        assert!(
            Query::parse(text).unwrap().index_count(true).is_none(),
            "{text}"
        );
    }
    assert!(Query::parse("kernel").unwrap().index_count(false).is_none());
}

/// A count is remembered until the next write (the TUI counts its list for every window it
/// loads); a query relative to now is always counted again.
#[test]
fn a_remembered_count_is_read_again_after_a_write() {
    let mut store = Store::open_in_memory().unwrap();
    feed_of_links(&mut store, "first", &["kernel a", "kernel b", "other"]);
    let unread = |text: &str| ItemFilter {
        unread_only: true,
        ..query_filter(text)
    };
    for text in ["kernel", "kernel feed:first", "title:kernel older:1h"] {
        assert_eq!(store.count_items(&unread(text)).unwrap(), 2, "{text}");
        assert_eq!(store.count_items(&unread(text)).unwrap(), 2, "{text} again");
    }
    let first = store.items(&unread("kernel"), 0, 1).unwrap()[0].id;
    store.set_read(&[first], true).unwrap();
    for text in ["kernel", "kernel feed:first", "title:kernel older:1h"] {
        assert_eq!(
            store.count_items(&unread(text)).unwrap(),
            1,
            "{text} after a write"
        );
    }
    assert!(
        Query::parse("a (b OR -newer:2d)")
            .unwrap()
            .is_relative_to_now()
    );
    assert!(
        !Query::parse("a after:2026-01-01")
            .unwrap()
            .is_relative_to_now()
    );
}
